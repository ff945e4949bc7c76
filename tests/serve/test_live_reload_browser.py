"""Headless Chromium against a real preview server: the page follows saves by itself."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from serve_helpers import ARTICLES, URLS, article_text, save, wait_until

from sitegen.serve import PreviewServer, ServeOptions

pytest.importorskip("playwright.sync_api")

from playwright.sync_api import Page, sync_playwright

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
FIRST = "content/2025/first-story.md"


@pytest.fixture
def browser_page() -> Iterator[Page]:
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser.new_page()
        finally:
            browser.close()


def open_live(page: Page, server: PreviewServer, url: str) -> None:
    """Open url and wait until its event stream is connected."""
    clients = server.hub.clients
    page.goto(f"http://127.0.0.1:{server.address[1]}{url}")
    wait_until(lambda: server.hub.clients > clients, what="the page's event stream")
    page.evaluate("window.__sameDocument = true")  # gone after any reload


def test_edit_break_fix(site: Path, preview: PreviewServer, browser_page: Page) -> None:
    page = browser_page
    open_live(page, preview, URLS[FIRST])
    title, date, tag, topic, _ = ARTICLES[FIRST]
    good = article_text(title, date, tag, topic, "Changed while the tab watched.")
    save(site / FIRST, good)
    page.get_by_text("Changed while the tab watched.").wait_for(timeout=10_000)

    save(site / FIRST, good.replace(f"date: {date}", "date: not-a-date"))
    overlay = page.locator("#sitegen-build-error")
    overlay.wait_for(state="visible", timeout=10_000)
    assert FIRST in overlay.inner_text()
    assert f"{FIRST}:3" in overlay.inner_text()
    assert page.get_by_text("Changed while the tab watched.").count() == 1  # last good page

    save(site / FIRST, good.replace("watched.", "watched, fixed."))
    overlay.wait_for(state="detached", timeout=10_000)
    page.get_by_text("Changed while the tab watched, fixed.").wait_for(timeout=10_000)


def test_overlay_is_text_not_markup(site: Path, preview: PreviewServer, browser_page: Page) -> None:
    page = browser_page
    open_live(page, preview, URLS[FIRST])
    name = "<img src=x onerror=window.pwned=1>.md"  # a problem's file name is any text
    (site / "content/2025" / name).write_text("---\ntitle: No date\n---\nBody.\n")
    overlay = page.locator("#sitegen-build-error")
    overlay.wait_for(state="visible", timeout=10_000)
    assert name in overlay.inner_text()
    assert page.locator("#sitegen-build-error img").count() == 0
    assert page.evaluate("window.pwned") is None


def preview_with_own_sheet(site: Path) -> tuple[PreviewServer, Path]:
    """A started preview of the site under a theme of its own with a white page; and the sheet."""
    theme = site / "themes/t"
    (theme / "static").mkdir(parents=True)
    (theme / "theme.yaml").write_text("extends: default\n")
    sheet = theme / "static/style.css"
    sheet.write_text("body { background: rgb(255, 255, 255) }\n")
    config = (site / "site.yaml").read_text().replace("theme: default", "theme: t")
    (site / "site.yaml").write_text(config)
    server = PreviewServer(ServeOptions(site, port=0, debounce=0.05))
    server.start()
    return server, sheet


def edit_sheet_and_wait(page: Page, sheet: Path) -> None:
    save(sheet, "body { background: rgb(1, 2, 3) }\n")
    page.wait_for_function(
        "getComputedStyle(document.body).backgroundColor === 'rgb(1, 2, 3)'", timeout=10_000
    )


def test_stylesheet_swaps_in_place(site: Path, browser_page: Page) -> None:
    server, sheet = preview_with_own_sheet(site)
    try:
        open_live(browser_page, server, URLS[FIRST])
        edit_sheet_and_wait(browser_page, sheet)
        assert browser_page.evaluate("window.__sameDocument") is True  # swapped, not reloaded
    finally:
        server.stop()


def test_the_search_page_reloads_for_its_inline_style_sheet(site: Path, browser_page: Page) -> None:
    """The search page holds the sheet inline: no <link> to swap, so it reloads to show the
    edit."""
    server, sheet = preview_with_own_sheet(site)
    try:
        open_live(browser_page, server, "/news/search/")
        edit_sheet_and_wait(browser_page, sheet)
        assert browser_page.evaluate("window.__sameDocument") is None  # a new document
    finally:
        server.stop()
