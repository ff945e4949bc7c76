"""The search client in real Chromium against an index built by sitegen.search, on 127.0.0.1."""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jinja2
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markupsafe import Markup
from search_helpers import (
    SHOWN,
    all_titles,
    check_a_topic_narrows,
    open_search,
    search_for,
    shown_days,
    titles,
)

from sitegen.search import ROOT as INDEX_ROOT
from sitegen.search import SearchDoc, build_search_index, root_attribute
from sitegen.slug import slugify

pytestmark = pytest.mark.browser
playwright_sync = pytest.importorskip("playwright.sync_api")

ROOT = Path(__file__).resolve().parents[2]
THEME = ROOT / "themes" / "default"
CHROMIUM = Path("/usr/bin/chromium")
BASE = "/news/"
STUB_BASE = """<!doctype html><html lang="{{ site.language }}"><head><meta charset="utf-8">
<title>{% block title %}{% endblock %}</title>{% block early %}{% endblock %}
{% block head %}{% endblock %}</head>
<body><main id="main">{% block content %}{% endblock %}</main>{% block scripts %}{% endblock %}
</body></html>"""


@dataclass(frozen=True)
class Term:
    name: str
    url: str
    count: int


def _doc(i: int, title: str, lang: str, topic: str, text: str, **extra: Any) -> SearchDoc:
    fields: dict[str, Any] = {
        "doc_id": f"content/2025/doc-{i:02d}.md",
        "url": f"2025/{(i % 12) + 1:02d}/doc-{i:02d}/",
        "title": title,
        "lang": lang,
        "date": datetime(2025, 1, 1, 9, tzinfo=UTC) + timedelta(days=3 * i),
        "summary": text.split(". ")[0],
        "text": text,
        "tags": ("Wochenrückblick",) if i % 5 == 0 else (),
        "topics": (topic,),
        "source": "Agentur" if lang == "de" else "Wire",
    }
    fields.update(extra)
    return SearchDoc(**fields)


def corpus() -> list[SearchDoc]:
    filler_de = "Der Bericht nennt Zahlen aus den Ländern. Die Kommission prüft weitere Schritte."
    filler_en = "The report lists figures from several countries. The committee meets again soon."
    docs = [
        _doc(
            0,
            "Entwicklung der Sprachmodelle bei DeepSeek",
            "de",
            "Technik",
            "Die Entwicklung neuer Verfahren verläuft schnell. " + filler_de,
        ),
        _doc(
            1,
            "A new model for weather forecasts",
            "en",
            "Technik",
            "Researchers trained a model on decades of data. " + filler_en,
        ),
        _doc(
            2,
            "Verkehrswende in München",
            "de",
            "Politik",
            "In München fahren mehr Busse. " + filler_de,
        ),
        _doc(
            3,
            "Haushalt im Bundestag beschlossen",
            "de",
            "Politik",
            "Der Bundestag stimmte dem Haushalt zu. " + filler_de,
        ),
        _doc(
            4,
            "Markets close higher after rate decision",
            "en",
            "Wirtschaft",
            "Stocks rose as the central bank held rates. " + filler_en,
        ),
    ]
    topics = ["Politik", "Wirtschaft", "Technik"]
    for i in range(5, 30):
        lang = "de" if i % 2 else "en"
        topic = topics[i % 3]
        if lang == "de":
            docs.append(
                _doc(
                    i,
                    f"Bahnstreik Tag {i}: Gewerkschaft verhandelt",
                    lang,
                    topic,
                    f"Die Gewerkschaft und die Bahn verhandeln zum {i}. Mal. " + filler_de,
                )
            )
        else:
            docs.append(
                _doc(
                    i,
                    f"Rail strike day {i} as union talks continue",
                    lang,
                    topic,
                    f"The union and the railway met for round {i}. " + filler_en,
                )
            )
    docs.append(  # a topic and a source whose names hold a comma
        _doc(
            30,
            "Gipfel in Brüssel über Stahl",
            "de",
            "Politik, Wirtschaft",
            "Die Minister beraten über Zölle auf Stahl. " + filler_de,
            source="Reuters, AP",
            tags=("Krieg, Frieden",),
        )
    )
    return docs


def render_page(docs: list[SearchDoc], root: bytes) -> str:
    loader = jinja2.ChoiceLoader(
        [
            jinja2.DictLoader({"base.html": STUB_BASE}),
            jinja2.FileSystemLoader(str(THEME / "templates")),
        ]
    )
    env = jinja2.Environment(loader=loader, autoescape=True)
    env.globals["url"] = lambda path: BASE + path
    env.globals["asset"] = lambda name: BASE + "static/" + name
    topics = sorted({t for d in docs for t in d.topics})
    return env.get_template("search.html").render(
        site={"title": "Testnachrichten", "language": "de"},
        search_root=Markup(root_attribute(root)),
        topics=[Term(t, f"{BASE}topics/{t.lower()}/", 1) for t in topics],
        tags=[Term("Wochenrückblick", f"{BASE}tags/wochenrueckblick/", 6)],
    )


def write_site(out: Path, docs: list[SearchDoc]) -> None:
    site = out / BASE.strip("/")
    files = build_search_index(docs)
    root = files.pop(INDEX_ROOT)  # inline in the page, as sitegen build does
    for name, data in files.items():
        path = site / "search" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    (site / "search" / "index.html").write_text(render_page(docs, root), encoding="utf-8")


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def served(out: Path, docs: list[SearchDoc]) -> Iterator[str]:
    """The search page of a site of `docs`, written to `out` and served on 127.0.0.1."""
    write_site(out, docs)
    handler = functools.partial(QuietHandler, directory=str(out))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}{BASE}search/"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from served(tmp_path_factory.mktemp("site"), corpus())


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed")
    with playwright_sync.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Any, server: str) -> Iterator[Any]:
    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(server)
    yield page
    context.close()
    assert not errors


def test_german_inflection_finds_the_stem(page: Any) -> None:
    search_for(page, "Entwicklungen")
    assert titles(page)[0] == "Entwicklung der Sprachmodelle bei DeepSeek"
    marks = page.locator(".search-hit mark").all_inner_texts()
    assert "Entwicklung" in marks


def test_english_plural_finds_the_singular(page: Any) -> None:
    search_for(page, "models")
    assert "A new model for weather forecasts" in titles(page)


@pytest.mark.parametrize("query", ["Muenchen", "Munchen", "münchen"])
def test_spellings_without_umlaut_find_it(page: Any, query: str) -> None:
    search_for(page, query)
    assert titles(page)[0] == "Verkehrswende in München"


def test_prefix_while_typing(page: Any) -> None:
    page.type("#search-q", "Gewerksch", delay=20)
    page.wait_for_url("**?q=Gewerksch")
    page.wait_for_function("document.querySelector('.search-results').ariaBusy === 'false'")
    page.wait_for_function(SHOWN)  # the whole first page
    assert all(t.startswith("Bahnstreik") for t in titles(page))


def test_typing_past_the_stem_keeps_the_results(page: Any) -> None:
    page.type("#search-q", "Entwicklu", delay=20)
    page.wait_for_url("**?q=Entwicklu")
    page.wait_for_function("document.querySelector('.search-results').ariaBusy === 'false'")
    assert titles(page) == ["Entwicklung der Sprachmodelle bei DeepSeek"]


def test_topic_filter_narrows(page: Any) -> None:
    check_a_topic_narrows(page, "strike", "Technik")


def test_filters_come_with_the_first_results_and_show_the_url(page: Any, server: str) -> None:
    """The filters are made once results are shown (they would slow the first ones); a
    search linked with filters shows them set, and a plain visit gets them too."""
    page.goto(server + "?q=strike&topic=Technik&sort=date")
    page.wait_for_function(SHOWN)  # the whole first page
    page.wait_for_selector(".search-filters[open]")
    assert page.is_checked("input[name=topic][value=Technik]")
    assert page.input_value("select[name=sort]") == "date"
    assert page.locator("select[name=lang] option").count() > 1  # the index's languages
    page.goto(server)
    page.wait_for_selector(".search-filters summary")
    assert page.locator("template#search-filters").count() == 0


def test_sort_by_date_orders_newest_first(page: Any, server: str) -> None:
    page.goto(server + "?q=Bahn&sort=date")
    page.wait_for_function(SHOWN)  # the whole first page
    days = shown_days(page)
    assert len(days) > 1
    assert days == sorted(days, reverse=True)


def test_no_match_says_so(page: Any) -> None:
    search_for(page, "Quantenkryptographie")
    assert page.locator(".search-hit").count() == 0
    assert "Keine Treffer" in page.inner_text(".search-status")


def test_query_in_url_runs_and_links_point_home(page: Any, server: str) -> None:
    page.goto(server + "?q=Haushalt")
    page.wait_for_function(SHOWN)  # the whole first page
    assert page.input_value("#search-q") == "Haushalt"
    assert page.inner_text(".search-hit time") == "10. Januar 2025"  # as the page's language
    link = page.locator(".search-hit h2 a").first
    assert link.get_attribute("href") == BASE + "2025/04/doc-03/"
    link.click()
    page.wait_for_url("**/news/2025/04/doc-03/")


def test_back_button_restores_the_previous_query(page: Any) -> None:
    search_for(page, "Haushalt")
    search_for(page, "model")
    page.go_back()
    page.wait_for_function("document.querySelector('#search-q')?.value === 'Haushalt'")
    page.wait_for_function(
        "document.querySelector('.search-hit h2')?.textContent.includes('Haushalt')"
    )


def wait_for_query(page: Any, query: str) -> None:
    page.wait_for_function("q => new URLSearchParams(location.search).get('q') === q", arg=query)


def test_back_returns_to_the_submitted_search_after_a_pause_in_typing(page: Any) -> None:
    search_for(page, "Haushalt")
    page.fill("#search-q", "mo")
    wait_for_query(page, "mo")  # the pause wrote a draft entry
    page.fill("#search-q", "model")
    wait_for_query(page, "model")  # a second pause rewrites the same draft
    page.press("#search-q", "Enter")
    page.go_back()
    wait_for_query(page, "Haushalt")
    page.wait_for_function("document.querySelector('#search-q')?.value === 'Haushalt'")
    page.go_forward()
    wait_for_query(page, "model")
    page.wait_for_function("document.querySelector('#search-q')?.value === 'model'")


def test_tag_source_language_and_date_filters(page: Any, server: str) -> None:
    page.goto(server + "?tag=Wochenr%C3%BCckblick")
    page.wait_for_function(SHOWN)  # the whole first page
    assert len(all_titles(page)) == 6
    page.goto(server + "?q=strike&lang=en&source=Wire&from=2025-03-01&to=2025-03-31")
    page.wait_for_function(SHOWN)  # the whole first page
    days = shown_days(page)
    assert days and all("2025-03-01" <= d <= "2025-03-31" for d in days)


def test_typing_a_common_word_keeps_the_results_shown(page: Any) -> None:
    """ "die" on the way to "Dienst" searches for nothing; pressing Enter on it says so."""
    search_for(page, "Haushalt")
    shown = titles(page)
    page.fill("#search-q", "die")
    wait_for_query(page, "die")  # the pause wrote its draft
    assert titles(page) == shown
    page.press("#search-q", "Enter")
    page.wait_for_function(
        "document.querySelector('.search-status').textContent"
        ".includes('zu kurz, zu lang oder zu häufig')"
    )
    assert page.locator(".search-hit").count() == 0


@pytest.mark.parametrize("query", ["the", "x", "C++", "???"])
def test_a_query_with_no_word_to_search_by_says_so(page: Any, query: str) -> None:
    search_for(page, query)
    assert page.locator(".search-hit").count() == 0
    assert page.inner_text(".search-status").endswith(
        "ist zu kurz, zu lang oder zu häufig, um danach zu suchen."
    )


@pytest.mark.parametrize("link", ["topic=Politik%2C%20Wirtschaft", "source=Reuters%2C%20AP"])
def test_a_topic_or_source_with_a_comma_is_one_value(page: Any, server: str, link: str) -> None:
    page.goto(server + "?" + link)
    page.wait_for_function(SHOWN)  # the whole first page
    assert all_titles(page) == ["Gipfel in Brüssel über Stahl"]


def test_a_tag_with_a_comma_stays_one_tag(page: Any, server: str) -> None:
    """Chosen from a result, kept through a reload and a change of another filter; typed into
    the tag field, a comma separates tags."""
    page.goto(server + "?q=Stahl")
    page.wait_for_selector(".search-tag")
    page.click(".search-tag")
    page.wait_for_url("**tag=Krieg**")
    page.wait_for_function("document.querySelector('.search-results').ariaBusy === 'false'")
    assert all_titles(page) == ["Gipfel in Brüssel über Stahl"]
    page.reload()
    page.wait_for_function(SHOWN)  # the whole first page
    assert all_titles(page) == ["Gipfel in Brüssel über Stahl"]
    page.wait_for_selector(".search-filters[open]")
    page.select_option("select[name=sort]", "date")
    page.wait_for_url("**sort=date**")
    page.wait_for_function("document.querySelector('.search-results').ariaBusy === 'false'")
    assert all_titles(page) == ["Gipfel in Brüssel über Stahl"]
    page.fill("input[name=tag]", "Krieg,Frieden")  # typed anew: two tags, neither exists
    page.press("input[name=tag]", "Enter")
    page.wait_for_url("**tag=Frieden**")
    page.wait_for_function("document.querySelector('.search-results').ariaBusy === 'false'")
    assert page.locator(".search-hit").count() == 0


def test_dates_that_are_not_dates_are_ignored(page: Any, server: str) -> None:
    page.goto(server + "?q=strike")
    page.wait_for_function(SHOWN)  # the whole first page
    every = all_titles(page)
    for dates in ("from=2025-13-45&to=gestern", "from=2025-02-30"):  # the 30th: not March 2
        page.goto(server + "?q=strike&" + dates)
        page.wait_for_function(SHOWN)  # the whole first page
        assert all_titles(page) == every


def test_a_common_word_with_a_filter_lists_the_filters_articles(page: Any, server: str) -> None:
    page.goto(server + "?topic=Technik")
    page.wait_for_function(SHOWN)  # the whole first page
    technik = all_titles(page)
    page.goto(server + "?q=the&topic=Technik")
    page.wait_for_function(SHOWN)  # the whole first page
    assert all_titles(page) == technik


def test_only_the_status_is_announced_and_a_tag_click_keeps_the_keyboard(page: Any) -> None:
    search_for(page, "Gewerkschaft")
    assert page.get_attribute(".search-status", "role") == "status"
    assert page.locator("[aria-live]").count() == 0  # a whole list would be read out
    page.locator(".search-tag").first.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**tag=Wochenr**")
    assert page.evaluate("document.activeElement.name") == "tag"
    assert page.input_value("input[name=tag]") == "Wochenrückblick"


def test_python_and_browser_agree_on_words(page: Any) -> None:
    from sitegen.search import fold, stem, tokenize
    from sitegen.search.index import facet_key

    for value in [
        "Politik\x1cWirtschaft",
        " a\x85b ",
        "x\ufeffy",
        "K\u3000I",
        " Wochen  rückblick",
    ]:
        js = page.evaluate("v => window.sitegenSearch.facetKey('g', v)", value)
        assert js == facet_key("tag", value), repr(value)

    text = "Entwicklungen, MÜNCHEN; naïve Straße. Ærø ﬁnal İstanbul 東京都 ١٢٣ models' cafe\u0301"
    browser_tokens = page.evaluate("t => window.sitegenSearch.tokenize(t)", text)
    assert browser_tokens == tokenize(text)
    for word in tokenize(text):
        for lang in ("de", "en", "fr"):
            js = page.evaluate(
                "([w, l]) => window.sitegenSearch.fold(window.sitegenSearch.stem(w, l))",
                [word, lang],
            )
            assert js == fold(stem(word, lang)), (word, lang)


def frequent_corpus() -> list[SearchDoc]:
    """Every report quotes a spokesperson ("Sprecher", one frequent list: a shard of its own);
    a few name a "Sprecherwechsel", a longer key in the next shard."""
    words = [
        "Haushalt",
        "Verkehr",
        "Schule",
        "Klinik",
        "Hafen",
        "Brücke",
        "Gericht",
        "Theater",
        "Bahnhof",
        "Stadion",
    ]
    docs = []
    for i in range(600):
        who = "Sprecherwechsel" if i % 100 == 0 else "Sprecher"
        text = f"Ein {who} nannte {words[i % 10]} und {words[(i * 7) % 10]}{i}. " * 2
        title = f"Meldung {i} zu {words[i % 10]}"  # its URL ends in its slug, as sitegen's do
        unique = "-2" if i % 20 == 5 else ""  # as a second article of the same title's would
        docs.append(_doc(i, title, "de", "Politik", text, url=f"2025/02/{slugify(title)}{unique}/"))
    return docs


@pytest.fixture(scope="module")
def frequent_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from served(tmp_path_factory.mktemp("frequent"), frequent_corpus())


def term_shards_fetched(browser: Any, url: str) -> tuple[list[str], int]:
    """The term shards a cold page fetches for `url`'s query, and the hits it reports."""
    context = browser.new_context()
    try:
        page = context.new_page()
        fetched: list[str] = []
        page.on("request", lambda r: fetched.append(r.url) if "/search/t/" in r.url else None)
        page.goto(url)
        page.wait_for_function("document.querySelector('.search-results')?.ariaBusy === 'false'")
        status = page.inner_text(".search-status")
        return fetched, int("".join(c for c in status.split()[0] if c.isdigit()) or 0)
    finally:
        context.close()


def test_a_frequent_word_fetches_only_its_own_shard(browser: Any, frequent_server: str) -> None:
    """A word whose list has a shard of its own is not also expanded as a prefix: that would
    fetch the next shard for a handful of longer words among hundreds of hits."""
    shards, hits = term_shards_fetched(browser, frequent_server + "?q=Sprecher")
    assert len(shards) == 1
    assert hits >= 594  # at least all but the six "Sprecherwechsel" reports
    shards, hits = term_shards_fetched(browser, frequent_server + "?q=Sprecherw")
    assert hits == 6  # an unfinished word still finds the longer ones


def test_links_made_from_a_titles_slug_open_the_article(page: Any, frequent_server: str) -> None:
    """Records hold '*' for a URL's slug (or its start, as in '*-2'); the link is whole again,
    with 'ü' as 'ue'."""
    urls = {d.title: d.url for d in frequent_corpus()}
    page.goto(frequent_server + "?q=Brücke")
    page.wait_for_function(SHOWN)  # the whole first page
    links = page.locator(".search-hit h2 a")
    hrefs = []
    for n in range(links.count()):
        title, href = links.nth(n).inner_text(), links.nth(n).get_attribute("href")
        assert href == BASE + urls[title] and "bruecke" in href
        hrefs.append(href)
    assert any(href.endswith("-2/") for href in hrefs)


SLUG_CASES = [
    "Überraschung in München!",
    "Straße & Brücke + Ærø: Œuvre, Łódź, Þór, Đakovo, ıspanak",
    "CON",
    "lpt7",
    "  --Rekord--  ",
    "Ein sehr langer Titel über die Entwicklung der Sprachmodelle in Europa und anderswo heute",
    "a" * 90,
    "Café crème à la française: naïve coöperation",
    "Ĳssel Ǆemal ǅ ȘȚ ƒ",
]


@given(st.text(st.characters(max_codepoint=0x24F), max_size=120))
@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_browser_slugify_is_pythons_for_latin_titles(page: Any, title: str) -> None:
    """A result's URL holds '*' for its title's slug where the title is Latin (record_url):
    the browser must make the very slug sitegen made, or the link would break."""
    assert page.evaluate("t => window.sitegenSearch.slugify(t)", title) == slugify(title)


def test_browser_slugify_on_named_cases(page: Any) -> None:
    got = page.evaluate("ts => ts.map(t => window.sitegenSearch.slugify(t))", SLUG_CASES)
    assert got == [slugify(t) for t in SLUG_CASES]


def compound_corpus() -> list[SearchDoc]:
    """600 reports, each on a "Wasserstoff…anlage" of its own: the keys beginning "wasserst"
    span more shards than a prefix fetches (two)."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    return [
        _doc(
            i,
            f"Meldung {i}",
            "de",
            "Technik",
            f"Die Wasserstoff{letters[i % 26]}{letters[i // 26 % 26]}anlage läuft wieder. Ende.",
        )
        for i in range(600)
    ]


@pytest.fixture(scope="module")
def compound_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from served(tmp_path_factory.mktemp("compound"), compound_corpus())


def status_for(browser: Any, url: str) -> str:
    context = browser.new_context()
    try:
        page = context.new_page()
        open_search(page, url)
        return str(page.inner_text(".search-status"))
    finally:
        context.close()


def test_a_prefix_whose_keys_span_many_shards_says_at_least(
    browser: Any, compound_server: str
) -> None:
    cut = status_for(browser, compound_server + "?q=Wasserst")
    assert cut.startswith("Mindestens ")
    assert 0 < int(cut.split()[1].replace(".", "")) < 600
    whole = status_for(browser, compound_server + "?q=Wasserstoffa")  # 24 keys: 0, 26, ...
    assert whole.startswith("24 Treffer")


def test_the_first_result_does_not_wait_for_the_records_of_those_below(
    browser: Any, frequent_server: str
) -> None:
    """Each hit is shown once its record, and those of the hits above it, are in: a slow
    chunk for the third result holds back the third, not the first."""
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(frequent_server + "?q=Haushalt")
        page.wait_for_function(SHOWN)
        expected = titles(page)
        context.close()

        context = browser.new_context()
        page = context.new_page()
        first: list[str] = []
        held: list[Any] = []

        def hold_all_but_the_first(route: Any) -> None:
            if not first or route.request.url == first[0]:
                first.append(route.request.url)
                route.continue_()
            else:
                held.append(route)

        page.route("**/search/d/*.bin", hold_all_but_the_first)
        page.goto(frequent_server + "?q=Haushalt")
        page.wait_for_selector(".search-hit")
        assert held, "the first page of results should span more than one chunk"
        shown = titles(page)
        assert 1 <= len(shown) < len(expected) == 5
        assert shown == expected[: len(shown)]
        assert page.inner_text(".search-status") == ""  # the count comes with the whole page
        assert page.get_attribute(".search-results", "aria-busy") == "true"
        for route in held:
            route.continue_()
        page.wait_for_function(SHOWN)
        assert titles(page) == expected
    finally:
        context.close()


def test_more_results_pressed_twice_adds_each_hit_once(page: Any) -> None:
    search_for(page, "Bahnstreik")
    assert len(titles(page)) == 5
    # Twice before the first press's hits arrive (a real double click would land its second
    # click on a hit appended where the button was).
    page.evaluate(
        "() => { const more = document.querySelector('.search-more'); more.click(); more.click(); }"
    )
    page.wait_for_function(
        "document.querySelectorAll('.search-hit').length >= 10"
        " && document.querySelector('.search-results').ariaBusy === 'false'"
    )
    shown = titles(page)
    assert len(shown) == len(set(shown)) == 10


@pytest.mark.parametrize("files", ["t", "d"])
def test_an_index_file_that_fails_to_load_says_search_is_not_available(
    browser: Any, frequent_server: str, files: str
) -> None:
    """A term shard or a record chunk the host fails to send: the page says so, throws nothing
    uncaught, and the same search works once the host does."""
    context = browser.new_context()
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.route(f"**/search/{files}/*.bin", lambda route: route.abort())
        page.goto(frequent_server + "?q=Haushalt")
        page.wait_for_function("document.querySelector('.search-status').textContent !== ''")
        assert page.inner_text(".search-status") == "Die Suche ist gerade nicht verfügbar."
        page.unroute(f"**/search/{files}/*.bin")
        search_for(page, "Haushalt Meldung")
        assert len(titles(page)) == 5
        assert not errors
    finally:
        context.close()


def test_more_results_from_the_keyboard_keeps_the_focus_on_the_button(page: Any) -> None:
    search_for(page, "Bahnstreik")
    page.focus(".search-more")
    page.keyboard.press("Enter")
    page.wait_for_function(
        "document.querySelectorAll('.search-hit').length === 10"
        " && document.querySelector('.search-results').ariaBusy === 'false'"
    )
    assert page.evaluate("document.activeElement.className") == "search-more"
    page.keyboard.press("Enter")  # the remaining three
    page.wait_for_function("document.querySelectorAll('.search-hit').length === 13")
    assert len(set(titles(page))) == 13


def test_more_results_is_not_offered_while_a_new_search_loads(
    browser: Any, frequent_server: str
) -> None:
    """Pressed then, it would add the last search's hits to the new one's."""
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(frequent_server + "?q=Haushalt")
        page.wait_for_function(SHOWN)
        assert page.is_visible(".search-more")
        held: list[Any] = []
        page.route("**/search/d/*.bin", lambda route: held.append(route))
        page.fill("#search-q", "Theater")  # its first hit's record not fetched yet: held
        page.press("#search-q", "Enter")
        page.wait_for_function("() => document.querySelector('.search-list').children.length === 0")
        assert not page.is_visible(".search-more")
        assert page.inner_text(".search-status") == ""  # not the last search's count
        assert held
        for route in held:
            route.continue_()
        page.wait_for_function(SHOWN)
        assert page.is_visible(".search-more")
        assert all("Theater" in title for title in titles(page))
    finally:
        context.close()


def test_what_is_typed_while_the_first_results_load_stays(browser: Any, server: str) -> None:
    """The filters are made once the first results are painted; filling them in must not
    put the URL's query back into the field over what the reader has typed since."""
    context = browser.new_context()
    try:
        page = context.new_page()
        held: list[Any] = []
        page.route("**/search/d/*.bin", lambda route: held.append(route))
        page.goto(server + "?q=Bahnstreik")
        page.wait_for_function("document.querySelector('#search-q').value === 'Bahnstreik'")
        page.focus("#search-q")
        page.keyboard.press("End")
        page.keyboard.type(" Tag")
        for route in held:
            route.continue_()
        page.unroute("**/search/d/*.bin")
        page.wait_for_selector(".search-filters")
        assert page.input_value("#search-q") == "Bahnstreik Tag"
        page.wait_for_function(
            "new URLSearchParams(location.search).get('q') === 'Bahnstreik Tag' && " + SHOWN
        )
    finally:
        context.close()


def test_the_last_more_results_leaves_the_keyboard_on_the_first_new_hit(page: Any) -> None:
    search_for(page, "Bahnstreik")  # 13 hits: 5, 10, then the last 3
    page.focus(".search-more")
    for shown in (10, 13):
        page.keyboard.press("Enter")
        page.wait_for_function(
            f"document.querySelectorAll('.search-hit').length === {shown}"
            " && document.querySelector('.search-results').ariaBusy === 'false'"
        )
    assert not page.is_visible(".search-more")
    focused = page.evaluate(
        "document.activeElement.closest('.search-hit')?.querySelector('h2').innerText"
    )
    assert focused == titles(page)[10]


def test_a_date_typed_digit_by_digit_is_one_step_back(page: Any, server: str) -> None:
    open_search(page, server + "?q=Bahnstreik")
    page.click(".search-filters summary")
    page.focus("input[name=from]")
    page.keyboard.type("01032025")  # day, month, year in some order: a date in 2025
    page.wait_for_function(
        "(new URLSearchParams(location.search).get('from') || '').startsWith('2025-') && " + SHOWN
    )
    page.go_back()
    page.wait_for_function("!new URLSearchParams(location.search).has('from') && " + SHOWN)
    assert page.url == server + "?q=Bahnstreik"


def test_back_to_a_search_shows_as_many_hits_as_it_had(page: Any) -> None:
    search_for(page, "Bahnstreik")
    page.click(".search-more")
    page.wait_for_function(
        "document.querySelectorAll('.search-hit').length === 10"
        " && document.querySelector('.search-results').ariaBusy === 'false'"
    )
    ten = titles(page)
    search_for(page, "Gewerkschaft")
    page.go_back()
    page.wait_for_function(
        "new URLSearchParams(location.search).get('q') === 'Bahnstreik' && " + SHOWN
    )
    assert titles(page) == ten
    assert page.inner_text(".search-status") == "13 Treffer, 10 angezeigt"
    page.reload()  # as when coming back from an article the browser did not keep in memory
    page.wait_for_function(SHOWN)
    assert titles(page) == ten
