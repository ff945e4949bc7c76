"""Search on the example site as `sitegen build` makes it (content/, site.yaml, the default
theme), served on 127.0.0.1 and typed into in Debian's Chromium: what a reader checks."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from reading_helpers import ReadingSite, serve_folder, wait_until
from search_helpers import all_titles, check_a_topic_narrows, open_search, search_for, shown_days

pytestmark = pytest.mark.browser

DEEPSEEK_ARTICLE = "DeepSeek R1: Chinas Offene KI-Entwicklung Überrascht Die Welt"


@pytest.fixture
def page(chromium: Any, reading_url: str) -> Iterator[Any]:
    context = chromium.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(reading_url + "search/")
    yield page
    context.close()
    assert not errors


def test_an_inflected_german_word_finds_the_deepseek_article(page: Any) -> None:
    search_for(page, "Entwicklungen")
    titles = all_titles(page)
    assert DEEPSEEK_ARTICLE in titles
    hit = page.locator(".search-hit", has_text=DEEPSEEK_ARTICLE)
    assert "Entwicklung" in " ".join(hit.locator("mark").all_inner_texts())


def test_a_topic_filter_narrows_the_results(page: Any) -> None:
    check_a_topic_narrows(page, "KI", "Politik")


def test_two_topics_give_the_articles_of_either(page: Any, reading_url: str) -> None:
    """OR within a filter, AND across filters."""
    url = reading_url + "search/?q=Rekord"
    found = {}
    for topics in (["Klima"], ["Politik"], ["Klima", "Politik"]):
        open_search(page, url + "".join(f"&topic={t}" for t in topics))
        found[" ".join(topics)] = set(all_titles(page))
    assert found["Klima"] and found["Politik"] and found["Klima"] != found["Politik"]
    assert found["Klima Politik"] == found["Klima"] | found["Politik"]
    open_search(page, reading_url + "search/?q=KI&topic=Politik")
    politics = set(all_titles(page))
    open_search(page, reading_url + "search/?q=KI&topic=Politik&lang=en")
    english_politics = set(all_titles(page))
    assert english_politics and english_politics < politics


def test_a_language_filter_splits_the_results(page: Any, reading_url: str) -> None:
    open_search(page, reading_url + "search/?q=EU")
    every = set(all_titles(page))
    parts = []
    for lang in ("de", "en"):
        open_search(page, reading_url + f"search/?q=EU&lang={lang}")
        parts.append(set(all_titles(page)))
    assert parts[0] and parts[1] and not parts[0] & parts[1]
    assert parts[0] | parts[1] == every


def test_sorting_by_date_puts_the_newest_first(page: Any, reading_url: str) -> None:
    open_search(page, reading_url + "search/?q=KI")
    page.click(".search-filters summary")
    page.select_option("select[name=sort]", "date")
    page.wait_for_url("**sort=date**")
    page.wait_for_function("document.querySelector('.search-results').ariaBusy === 'false'")
    all_titles(page)
    days = shown_days(page)
    assert len(days) > 2
    assert days == sorted(days, reverse=True)


def test_a_query_without_match_says_so(page: Any) -> None:
    search_for(page, "Quantenkryptographie")
    assert page.locator(".search-hit").count() == 0
    assert page.inner_text(".search-status") == "Keine Treffer für „Quantenkryptographie“."


def test_a_query_of_only_common_words_says_so(page: Any) -> None:
    search_for(page, "die und")
    assert page.locator(".search-hit").count() == 0
    assert "zu kurz, zu lang oder zu häufig" in page.inner_text(".search-status")


def test_result_links_open_their_articles(page: Any, reading_url: str) -> None:
    open_search(page, reading_url + "search/?q=Rekord")
    hits = page.locator(".search-hit h2 a")
    assert hits.count() >= 2
    targets = [(link.inner_text().strip(), link.get_attribute("href")) for link in hits.all()[:2]]
    for title, href in targets:
        with page.expect_navigation():
            page.locator(".search-hit h2 a", has_text=title).click()
        assert page.evaluate("document.body.dataset.kind") == "article"
        assert page.locator("main h1").first.inner_text().strip() == title
        assert page.url == reading_url + href.lstrip("/")
        page.go_back()
        page.wait_for_selector(".search-hit")


ALL_CACHED = "urls => Promise.all(urls.map(u => caches.match(u))).then(r => r.every(Boolean))"
EACH_CACHED = "urls => Promise.all(urls.map(u => caches.match(u))).then(r => r.map(Boolean))"
# The worker puts offline.json in a new cache last, when all its files are in.
KEPT_WITH_INDEX = """async manifest => {
  for (const name of await caches.keys()) {
    if (name.endsWith('+search') && await (await caches.open(name)).match(manifest)) return true;
  }
  return false;
}"""


def test_search_works_offline_once_the_reader_has_searched(
    chromium: Any, reading_site: ReadingSite
) -> None:
    """The service worker keeps the search index from the reader's first visit to the search
    page on (before it, only the rest: tests/browser/test_reading.py), and a search then works
    with the network gone."""
    context = chromium.new_context()
    try:
        page = context.new_page()
        with serve_folder(reading_site.output) as url:
            page.goto(url)
            page.goto(url + reading_site.articles[0])  # the second page registers it
            page.evaluate("navigator.serviceWorker.ready.then(() => true)")
            wanted = [url + p for p in reading_site.kept]
            index = [u for u in wanted if "/search/" in u and not u.endswith("/search/")]
            rest = [u for u in wanted if u not in index]
            wait_until(page, ALL_CACHED, rest)
            assert not any(page.evaluate(EACH_CACHED, index))
            page.goto(url + "search/")
            wait_until(page, KEPT_WITH_INDEX, url + "offline.json")
            assert page.evaluate(ALL_CACHED, wanted)
        context.set_offline(True)  # and the server is gone
        open_search(page, url + "search/?q=Entwicklungen")
        assert DEEPSEEK_ARTICLE in all_titles(page)
    finally:
        context.close()


def test_a_cache_left_half_filled_is_filled_not_taken_for_complete(
    chromium: Any, reading_site: ReadingSite
) -> None:
    """A worker stopped while it filled the index's cache (the browser closed) leaves a part
    without offline.json; the next sync fills it instead of dropping the complete cache."""
    context = chromium.new_context()
    try:
        page = context.new_page()
        with serve_folder(reading_site.output) as url:
            page.goto(url)
            page.goto(url + reading_site.articles[0])
            page.evaluate("navigator.serviceWorker.ready.then(() => true)")
            wanted = [url + p for p in reading_site.kept]
            rest = [u for u in wanted if "/search/" not in u or u.endswith("/search/")]
            wait_until(page, ALL_CACHED, rest)
            page.evaluate(
                """async url => {
                  const version = (await (await fetch(url + 'offline.json')).json()).version;
                  const part = await caches.open('sitegen-listed-' + version + '+search');
                  await part.put(url, new Response('a part'));
                }""",
                url,
            )
            page.goto(url + "search/")
            wait_until(page, KEPT_WITH_INDEX, url + "offline.json")
            wait_until(page, ALL_CACHED, wanted)
    finally:
        context.close()


def test_without_javascript_the_page_offers_topics_and_tags_not_a_dead_form(
    chromium: Any, reading_url: str
) -> None:
    context = chromium.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(reading_url + "search/")
        assert not page.is_visible(".search-form")
        assert page.get_by_role("heading", name="Themen").is_visible()
        assert page.get_by_role("heading", name="Tags").is_visible()
        assert page.locator("#search a[href='/topics/klima/']").is_visible()
    finally:
        context.close()


def test_each_hit_is_in_its_articles_language(page: Any, reading_url: str) -> None:
    """A screen reader reads an English title as English on a German site."""
    open_search(page, reading_url + "search/?q=cloud")
    hits = page.locator(".search-hit").evaluate_all(
        "hits => hits.map(h => [h.lang, h.querySelector('h2 a').getAttribute('href')])"
    )
    assert {lang for lang, _ in hits} == {"de", "en"}
    for lang, href in hits:
        article = page.request.get(reading_url + href.lstrip("/")).text()
        assert f'<html lang="{lang}">' in article


@pytest.mark.parametrize(
    ("typed", "umlaut"),
    [("Ueberrasch", "Überrasch"), ("Erschuetter", "Erschütter"), ("Muen", "Mün")],
)
def test_half_a_word_spelt_without_its_umlaut_finds_what_the_umlaut_finds(
    page: Any, reading_url: str, typed: str, umlaut: str
) -> None:
    """ "ue" for "ü" while typing (the last word is also a prefix), as whole words already do."""
    open_search(page, reading_url + "search/?q=" + umlaut)
    expected = all_titles(page)
    open_search(page, reading_url + "search/?q=" + typed)
    assert expected and all_titles(page) == expected
