"""The reading experience in real Chromium against the example site served on 127.0.0.1:
budgets, accessibility (axe-core, keyboard, focus, contrast in light and dark, reduced motion),
valid HTML (Nu HTML Checker), the reader features (read marks, news since the last visit, text
size, n/p keys, offline reading, print) and layouts at 320, 768 and 1440 px."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from reading_helpers import (
    ARTIFACTS,
    ReadingSite,
    build_reading_site,
    count_traffic,
    run_axe,
    run_vnu,
    serve_folder,
    wait_until,
)

pytestmark = pytest.mark.browser

CHECKED_PAGES = ("home", "article", "topic", "tags", "search", "404")
BUDGETS = {"article": 30_000, "home": 50_000, "topic": 50_000}  # bytes transferred, all files
MAX_REQUESTS = 3  # the page, style.css, reader.js
WIDTHS = (320, 768, 1440)
STORAGE = "sitegen:/:"  # reader.js's localStorage prefix for a site at the host's root

VISIBLE_FOCUSABLE = """() => {
  const all = document.querySelectorAll(
    'a[href], button, input, select, textarea, summary, [tabindex]:not([tabindex="-1"])');
  return [...all].filter(e => e.checkVisibility({visibilityProperty: true})
      && !e.closest('[inert]')).map((e, i) => (e.dataset.tid = i, i));
}"""
FOCUSED = """() => {
  const e = document.activeElement, s = e && getComputedStyle(e);
  return e && e.dataset.tid !== undefined ? {tid: +e.dataset.tid, text: e.textContent.trim(),
      style: s.outlineStyle, width: parseFloat(s.outlineWidth)} : null;
}"""
OVERLAPPING_TEXT = """() => {
  const boxes = [], walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walk.nextNode(); n; n = walk.nextNode()) {
    const parent = n.parentElement;
    if (!n.data.trim() || parent.closest('.vh')
        || !parent.checkVisibility({visibilityProperty: true})) continue;
    const range = document.createRange();
    range.selectNodeContents(n);
    for (const r of range.getClientRects()) {
      if (r.width < 1 || r.height < 1) continue;
      const inset = r.height / 4;  // glyph boxes of adjacent lines may touch; text may not
      boxes.push({n, text: n.data.trim().slice(0, 40), l: r.left + 1, r: r.right - 1,
                  t: r.top + inset, b: r.bottom - inset});
    }
  }
  const clashes = [];
  for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
    const a = boxes[i], b = boxes[j];
    if (a.n !== b.n && a.l < b.r && b.l < a.r && a.t < b.b && b.t < a.b)
      clashes.push([a.text, b.text]);
  }
  return clashes.slice(0, 10);
}"""
HORIZONTAL_OVERFLOW = "() => document.documentElement.scrollWidth - innerWidth"


def open_page(context: Any, url: str) -> Any:
    """The page, once its scripts have run: the search page starts reader.js and makes its
    filters only after its first paint."""
    page = context.new_page()
    page.goto(url)
    page.wait_for_function(
        "!document.getElementById('reader-later') && !document.getElementById('search-filters')"
    )
    return page


# ---- budgets ----


@pytest.mark.parametrize("kind", sorted(BUDGETS))
def test_page_weight_and_requests_stay_in_budget(
    reading_context: Any, reading_site: ReadingSite, reading_url: str, kind: str
) -> None:
    page = reading_context.new_page()
    with count_traffic(page) as traffic:
        page.goto(reading_url + reading_site.pages()[kind], wait_until="networkidle")
    seen = traffic[0]
    assert seen.failed == 0
    assert seen.hosts == {urlsplit(reading_url).netloc}, "no external hosts"
    assert seen.requests <= MAX_REQUESTS, f"{kind}: {seen.requests} requests"
    assert seen.transferred < BUDGETS[kind], f"{kind}: {seen.transferred} bytes"


def test_articles_and_lists_read_without_javascript(
    chromium: Any, reading_site: ReadingSite, reading_url: str
) -> None:
    context = chromium.new_context(java_script_enabled=False)
    try:
        page = open_page(context, reading_url + reading_site.pages()["article"])
        assert page.locator("main h1").is_visible()
        paragraphs = page.locator(".body p")
        assert paragraphs.count() >= 2
        assert all(paragraphs.nth(i).is_visible() for i in range(paragraphs.count()))
        assert page.locator(".prevnext a[rel=prev]").is_visible()
        assert page.locator(".prevnext a[rel=next]").is_visible()
        assert page.locator(".textsize").is_hidden()  # needs JavaScript, so not shown
        assert page.locator(".keys").is_hidden()
        page.goto(reading_url)
        assert page.locator(".card h2 a").count() == 10
        assert page.locator(".pagination a[rel=next]").is_visible()
    finally:
        context.close()


# ---- accessibility ----


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("kind", CHECKED_PAGES)
def test_axe_finds_no_violations(
    chromium: Any, reading_site: ReadingSite, reading_url: str, kind: str, scheme: str
) -> None:
    context = chromium.new_context(color_scheme=scheme)
    try:
        page = open_page(context, reading_url + reading_site.pages()[kind])
        assert run_axe(page) == []
    finally:
        context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_violations_with_read_and_new_marks(
    chromium: Any, reading_site: ReadingSite, reading_url: str, scheme: str
) -> None:
    context = chromium.new_context(color_scheme=scheme)
    try:
        page = open_page(context, reading_url + reading_site.articles[2])
        page.evaluate("k => localStorage.setItem(k, '1')", STORAGE + "last")
        page = open_page(context, reading_url)  # a new tab: a new visit since 1970
        assert page.locator(".card.is-new .badge").count() >= 1
        assert page.locator(".card.is-read .badge").count() == 1
        assert run_axe(page) == []
    finally:
        context.close()


@pytest.mark.parametrize("kind", ["home", "article", "search", "404"])
def test_keyboard_reaches_everything_with_visible_focus(
    reading_context: Any, reading_site: ReadingSite, reading_url: str, kind: str
) -> None:
    page = open_page(reading_context, reading_url + reading_site.pages()[kind])
    focusable = page.evaluate(VISIBLE_FOCUSABLE)
    reached = []
    for _ in range(len(focusable) + 3):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused is None:
            break
        reached.append(focused)
    assert reached[0]["text"] in ("Zum Inhalt", "Skip to content")
    assert {f["tid"] for f in reached} >= set(focusable)
    for focused in reached:
        assert focused["style"] != "none" and focused["width"] >= 2, focused


def test_skip_link_shows_on_focus_and_moves_focus_to_the_content(
    reading_context: Any, reading_site: ReadingSite, reading_url: str
) -> None:
    page = open_page(reading_context, reading_url + reading_site.pages()["article"])
    skip = page.locator("a.skip")
    assert skip.bounding_box()["x"] < 0  # off screen until focused
    page.keyboard.press("Tab")
    box = skip.bounding_box()
    assert box["x"] >= 0 and box["y"] >= 0 and box["width"] > 20
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.keyboard.press("Tab")  # the next stop is inside the content, not the masthead
    assert page.evaluate("!!document.activeElement.closest('main')")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_colour_scheme_follows_the_system(
    chromium: Any, reading_site: ReadingSite, reading_url: str, scheme: str
) -> None:
    context = chromium.new_context(color_scheme=scheme)
    try:
        page = open_page(context, reading_url + reading_site.pages()["article"])
        luminance = page.evaluate(
            """() => ['backgroundColor', 'color'].map(p => {
                 const [r, g, b] = getComputedStyle(document.body)[p].match(/\\d+/g).map(Number);
                 return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255; })"""
        )
        background, text = luminance
        assert (background < 0.2 and text > 0.8) if scheme == "dark" else (background > 0.9)
    finally:
        context.close()


@pytest.mark.parametrize("motion", ["reduce", "no-preference"])
def test_reduced_motion_is_respected(
    chromium: Any, reading_site: ReadingSite, reading_url: str, motion: str
) -> None:
    context = chromium.new_context(reduced_motion=motion)
    try:
        page = open_page(context, reading_url + reading_site.pages()["article"])
        behaviour = page.evaluate("getComputedStyle(document.documentElement).scrollBehavior")
        assert behaviour == ("auto" if motion == "reduce" else "smooth")
        moving = page.evaluate(
            """() => [...document.querySelectorAll('*')].filter(e => {
                 const s = getComputedStyle(e);
                 return parseFloat(s.transitionDuration) > 0 || parseFloat(s.animationDuration) > 0;
               }).length"""
        )
        assert moving == 0
    finally:
        context.close()


# ---- valid HTML ----


def test_every_page_is_valid_html_before_and_after_scripts(
    reading_context: Any, reading_site: ReadingSite, reading_url: str, tmp_path: Path
) -> None:
    files = sorted(reading_site.output.rglob("*.html"))
    names = {f.relative_to(reading_site.output).as_posix() for f in files}
    for kind, path in reading_site.pages().items():
        if kind != "404":
            assert path + "index.html" in names, kind
    assert "404.html" in names
    page = open_page(reading_context, reading_url + reading_site.articles[3])
    page.evaluate("k => localStorage.setItem(k, '1')", STORAGE + "last")
    for kind in CHECKED_PAGES:  # the DOM as reader.js leaves it, with marks on the lists
        page = open_page(reading_context, reading_url + reading_site.pages()[kind])
        snapshot = tmp_path / f"{kind}-after-scripts.html"
        snapshot.write_text(
            "<!DOCTYPE html>\n" + page.evaluate("document.documentElement.outerHTML"), "utf-8"
        )
        files.append(snapshot)
    errors = [m for m in run_vnu(files) if m["type"] == "error"]
    assert errors == [], "\n".join(
        f"{m['url']}:{m.get('lastLine')}: {m['message']}" for m in errors
    )


def test_stylesheet_is_valid_css(reading_site: ReadingSite) -> None:
    sheets = sorted((reading_site.output / "static").glob("style.*.css"))
    assert len(sheets) == 1
    assert [m for m in run_vnu(sheets, css=True) if m["type"] == "error"] == []


# ---- reader features ----


def test_read_articles_and_news_since_the_last_visit_are_marked(
    reading_context: Any, reading_url: str
) -> None:
    page = open_page(reading_context, reading_url)
    assert page.locator(".badge").count() == 0  # a first visit marks nothing
    page.locator(".card h2 a").nth(2).click()
    page.wait_for_load_state()
    page.go_back()
    cards = page.locator(".card")
    assert "is-read" in cards.nth(2).get_attribute("class")
    assert cards.nth(2).locator(".badge").inner_text() == "Gelesen"
    assert page.locator(".is-new").count() == 0  # same visit: nothing is new yet
    # The reader comes back later; last time, the four newest articles were not there yet.
    times = page.eval_on_selector_all(".card time", "ts => ts.map(t => Date.parse(t.dateTime))")
    assert times == sorted(times, reverse=True) and times[3] > times[4]
    page.evaluate("([k, v]) => localStorage.setItem(k, v)", [STORAGE + "last", str(times[4])])
    later = open_page(reading_context, reading_url)
    new = later.locator(".card.is-new")
    assert new.count() == 3  # the four newest, less the one already read
    assert new.first.locator(".badge").inner_text() == "Neu"
    assert later.locator(".card.is-read").count() == 1
    again = open_page(reading_context, reading_url)  # the visit after that: nothing new
    assert again.locator(".card.is-new").count() == 0


def test_text_size_steps_are_kept_across_pages(
    reading_context: Any, reading_site: ReadingSite, reading_url: str
) -> None:
    page = open_page(reading_context, reading_url + reading_site.pages()["article"])
    body_px = "parseFloat(getComputedStyle(document.body).fontSize)"
    normal = page.evaluate(body_px)
    larger = page.locator(".textsize button[value='1']")
    larger.click()
    larger.click()
    assert page.evaluate("document.documentElement.style.fontSize") == "125%"
    assert page.evaluate(body_px) == pytest.approx(normal * 1.25)
    page.goto(reading_url)  # applied before reader.js runs, by base.html's inline script
    assert page.evaluate("document.documentElement.style.fontSize") == "125%"
    for _ in range(10):
        page.locator(".textsize button[value='1']").click()
    assert page.evaluate("document.documentElement.style.fontSize") == "175%"
    page.set_viewport_size({"width": 320, "height": 800})
    for kind in ("home", "article"):
        page.goto(reading_url + reading_site.pages()[kind])
        assert page.evaluate(HORIZONTAL_OVERFLOW) <= 0, kind
    smaller = page.locator(".textsize button[value='-1']")
    for _ in range(10):
        smaller.click()
    assert page.evaluate("document.documentElement.style.fontSize") == "87.5%"


def test_n_and_p_keys_open_the_next_and_previous_article(
    reading_context: Any, reading_site: ReadingSite, reading_url: str
) -> None:
    start = reading_url + reading_site.pages()["article"]
    page = open_page(reading_context, start)
    newer = page.locator(".prevnext a[rel=next]")
    assert newer.get_attribute("aria-keyshortcuts") == "n"
    assert page.locator(".keys").is_visible()
    target = reading_url + newer.get_attribute("href").lstrip("/")
    for chord in ("Alt+n", "Control+n", "Shift+N", "Meta+n"):
        page.keyboard.press(chord)
    page.evaluate(
        """() => { const i = document.createElement('input');
                   i.setAttribute('aria-label', 'probe'); document.querySelector('main').prepend(i);
                   i.focus(); }"""
    )
    page.keyboard.press("n")
    page.wait_for_timeout(300)
    assert page.url == start and page.locator("main input").input_value() == "n"
    page.evaluate("document.activeElement.blur()")
    with page.expect_navigation():
        page.keyboard.press("n")
    assert page.url == target
    with page.expect_navigation():
        page.keyboard.press("p")
    assert page.url == start
    page.goto(reading_url)  # list pages: n is the next (older) page
    with page.expect_navigation():
        page.keyboard.press("n")
    assert page.url == reading_url + "page/2/"


def test_opened_pages_and_newest_articles_are_readable_offline(
    chromium: Any, reading_site: ReadingSite
) -> None:
    kept = set(reading_site.kept)
    index = sorted(p for p in kept if p.startswith("search/") and p != "search/")
    older = [a for a in reading_site.articles if a not in kept]
    first, second, third, never = older[-1], older[-2], older[-3], older[-4]
    context = chromium.new_context()
    try:
        page = context.new_page()
        with serve_folder(reading_site.output) as url:
            page.goto(url + first)  # a first visit registers no service worker
            assert page.evaluate("navigator.serviceWorker.getRegistration()") is None
            page.goto(url + second)  # from the second page on it does, and keeps both
            page.evaluate("navigator.serviceWorker.ready.then(() => true)")
            wanted = [url + p for p in (first, second, *sorted(kept - set(index)))]
            wait_until(
                page,
                "urls => Promise.all(urls.map(u => caches.match(u))).then(r => r.every(Boolean))",
                wanted,
            )
            page.goto(url + third)  # controlled now: kept as it is opened
            assert page.evaluate("!!navigator.serviceWorker.controller")
            wait_until(page, "u => caches.match(u).then(Boolean)", url + third)
        context.set_offline(True)  # and the server is gone
        for path in (first, second, third, reading_site.articles[0], ""):
            response = page.goto(url + path)
            assert response.ok, path
            kind = "article" if path else "home"
            assert page.evaluate("document.body.dataset.kind") == kind
            assert page.locator("main h1").first.is_visible()
            assert "Charter" in page.evaluate("getComputedStyle(document.body).fontFamily")
        # The search page is kept; its index (megabytes for a large archive) is not, for a
        # reader who never opened the search page (tests/browser/test_search_site.py).
        assert page.goto(url + "search/").ok
        assert len(index) >= 3
        cached = "fs => Promise.all(fs.map(f => caches.match(f))).then(r => r.map(Boolean))"
        assert page.evaluate(cached, [url + p for p in index]) == [False] * len(index)
        response = page.goto(url + never)
        assert response.status == 503
        assert page.evaluate("document.body.dataset.kind") == "offline"
        assert page.locator(".offline h1").is_visible()
        assert page.locator(".notfound").is_hidden()
    finally:
        context.close()


def test_switching_offline_reading_off_removes_the_service_worker(
    chromium: Any, reading_site: ReadingSite, tmp_path: Path
) -> None:
    off = build_reading_site(tmp_path, offline=False)
    for path in ("", off.articles[0]):
        html = (off.output / path / "index.html").read_text(encoding="utf-8")
        assert "data-sw=" not in html and "reader." in html
    served = tmp_path / "served"  # one origin whose content changes from `on` to `off`
    served.symlink_to(reading_site.output)
    context = chromium.new_context()
    try:
        page = context.new_page()
        with serve_folder(served) as url:
            page.goto(url)
            page.goto(url + reading_site.articles[0])
            page.evaluate("navigator.serviceWorker.ready.then(() => true)")
            served.unlink()
            served.symlink_to(off.output)
            # A page the worker never fetched: a kept one may come from the HTTP cache, fresh by
            # the heuristic for files with a Last-Modified and no Cache-Control.
            page.goto(url + off.articles[-1])
            wait_until(page, "() => navigator.serviceWorker.getRegistration().then(r => !r)")
            wait_until(  # and what it kept
                page, "() => caches.keys().then(ns => !ns.some(n => n.startsWith('sitegen-')))"
            )
    finally:
        context.close()


def test_print_leaves_out_navigation_and_shows_link_targets(
    reading_context: Any, reading_site: ReadingSite, reading_url: str
) -> None:
    page = open_page(reading_context, reading_url + reading_site.pages()["article"])
    page.emulate_media(media="print")
    for hidden in (".masthead nav", ".textsize", ".prevnext", ".colophon", ".keys"):
        assert page.locator(hidden).first.is_hidden(), hidden
    assert page.evaluate("getComputedStyle(document.body).color") == "rgb(0, 0, 0)"
    after = page.evaluate(
        "getComputedStyle(document.querySelector('.source a'), '::after').content"
    )
    assert "http" in after or "attr(href)" in after
    ARTIFACTS.mkdir(exist_ok=True)
    page.pdf(path=str(ARTIFACTS / "article-print.pdf"))


# ---- responsive ----


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("kind", CHECKED_PAGES)
def test_layout_fits_the_screen_without_overlapping_text(
    chromium: Any, reading_site: ReadingSite, reading_url: str, kind: str, width: int
) -> None:
    context = chromium.new_context(viewport={"width": width, "height": 900})
    try:
        page = open_page(context, reading_url + reading_site.pages()[kind])
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{kind}-{width}.png"), full_page=True)
        assert page.evaluate(HORIZONTAL_OVERFLOW) <= 0
        assert page.evaluate(OVERLAPPING_TEXT) == []
    finally:
        context.close()
