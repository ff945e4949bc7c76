"""What the search page's browser tests share: typing a query, opening a linked search, and
reading the results once they are shown (the client marks the results section busy meanwhile)."""

from __future__ import annotations

from typing import Any

SHOWN = (
    "document.querySelector('.search-status')?.textContent !== ''"
    " && document.querySelector('.search-results')?.ariaBusy === 'false'"
)


def titles(page: Any) -> list[str]:
    return [t.strip() for t in page.locator(".search-hit h2").all_inner_texts()]


def search_for(page: Any, query: str) -> None:
    """Type the query and press Enter, as a reader does; wait for its results."""
    page.fill("#search-q", query)
    page.press("#search-q", "Enter")
    page.wait_for_function(
        "q => new URLSearchParams(location.search).get('q') === q && " + SHOWN, arg=query
    )


def open_search(page: Any, url: str) -> None:
    """Open a linked search (its query and filters in the URL) and wait for its results."""
    page.goto(url)
    page.wait_for_function(SHOWN)


def all_titles(page: Any) -> list[str]:
    """The titles of every result, "More results" pressed until there are no more."""
    page.wait_for_function(SHOWN)  # hits appear one by one: the first page whole, and its button
    more = page.locator(".search-more")
    while more.is_visible():
        count = page.locator(".search-hit").count()
        more.click()
        page.wait_for_function(
            f"document.querySelectorAll('.search-hit').length > {count}"
            " && document.querySelector('.search-results').ariaBusy === 'false'"
        )
    return titles(page)


def check_a_topic_narrows(page: Any, query: str, topic: str) -> None:
    """Search for `query`, tick `topic` in the filters: fewer results, all among the first."""
    search_for(page, query)
    before = all_titles(page)
    page.click(".search-filters summary")
    page.check(f"input[name=topic][value={topic}]")
    page.wait_for_url(f"**topic={topic}**")
    page.wait_for_function("document.querySelector('.search-results').ariaBusy === 'false'")
    after = all_titles(page)
    assert 0 < len(after) < len(before)
    assert set(after) <= set(before)


def shown_days(page: Any) -> list[str]:
    """The dates of the results shown, as their <time> elements give them (YYYY-MM-DD)."""
    days: list[str] = page.locator(".search-hit time").evaluate_all(
        "els => els.map(e => e.dateTime)"
    )
    return days
