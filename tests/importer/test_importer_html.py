"""HTML extraction: trafilatura plus our passes, rendered as Markdown without raw HTML."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from sitegen.importer.article import pick_date, pick_title
from sitegen.importer.feeds import parse_feed
from sitegen.importer.htmlextract import extract_html
from sitegen.importer.mdrender import absolute
from sitegen.importer.model import Extracted, Item
from sitegen.importer.rules import Rules

FIXTURES = Path(__file__).parent / "fixtures"
BASE = "https://news.example.org/2025/03/river.html"
NOW = datetime(2026, 1, 15, 12, tzinfo=UTC)
RAW_TAG = re.compile(r"(?<!\\)<[A-Za-z/!?]")


def english(rules: Rules) -> str:
    page = (FIXTURES / "en-page.html").read_text(encoding="utf-8")
    return extract_html(page, BASE, rules).markdown


def test_structure_is_kept(rules: Rules) -> None:
    markdown = english(rules)
    assert "## Costs and savings" in markdown
    assert "**four large pumps**" in markdown and "*gas boilers*" in markdown
    assert "- Capacity: 70 megawatts" in markdown
    assert "> Rivers are a battery of heat" in markdown
    assert "| Helsinki | Sea water |" in markdown


def test_links_and_images_are_absolute(rules: Rules) -> None:
    markdown = english(rules)
    assert "[Isar river](https://news.example.org/tags/isar)" in markdown
    assert (
        "![The pump hall seen from the river bank](https://news.example.org/img/plant.jpg)"
        in markdown
    )


def test_junk_is_dropped(rules: Rules) -> None:
    markdown = english(rules)
    for junk in (
        "cookies",
        "Related stories",
        "tram line",
        "riverfan",
        "All rights reserved",
        "Terms of Service",
        "tracking",
        "Facebook",
    ):
        assert junk not in markdown


def test_no_raw_html(rules: Rules) -> None:
    markdown = english(rules)
    assert not RAW_TAG.search(markdown)
    assert "<script" not in markdown
    assert "\\<b>bold\\</b>" in markdown  # shown as text by any CommonMark renderer


def test_metadata_from_the_page(rules: Rules) -> None:
    page = (FIXTURES / "en-page.html").read_text(encoding="utf-8")
    result = extract_html(page, BASE, rules)
    assert result.title == "Munich river pumps to heat ten thousand homes"
    assert result.author == "Laura Bennett"
    assert result.date is not None and result.date.startswith("2025-03-03")
    assert "Munich" in result.keywords and result.lang == "en"


def test_german_page(rules: Rules) -> None:
    page = (FIXTURES / "de-page.html").read_text(encoding="utf-8")
    result = extract_html(page, "https://lokalblatt.example/wärme", rules)
    assert result.lang == "de" and result.source == "Leipziger Lokalblatt"
    assert len(result.paragraphs) == 4
    for junk in ("Cookies", "Lesen Sie auch", "Newsletter", "Impressum"):
        assert junk not in result.markdown


def test_no_date_guessed_from_years_in_the_text(rules: Rules) -> None:
    page = (
        "<html><head><title>Plans for the harbour</title></head><body><article>"
        + "<p>In 1998 the harbour was closed. By 2031 it should reopen, the city said in "
        "a long statement that explained the plans for the old docks in detail.</p>"
        * 4
        + "</article></body></html>"
    )
    assert extract_html(page, None, rules).date is None


def test_unsafe_link_targets_are_dropped() -> None:
    assert absolute(BASE, "javascript:alert(1)") is None
    assert absolute(BASE, "/x") == "https://news.example.org/x"


def _page_published(meta: str) -> str:
    return (
        f"<html><head><title>Night shift at the port</title>{meta}</head><body><article>"
        + "<p>The cranes worked through the night as the last ships of the season came in "
        "and the crews unloaded grain, timber and steel before the storm.</p>"
        * 4
        + "</article></body></html>"
    )


@pytest.mark.parametrize(
    "meta",
    [
        '<meta property="article:published_time" content="2025-03-01T00:30:00+01:00">',
        '<script type="application/ld+json">{"@context": "https://schema.org", "@graph":'
        ' [{"@type": "NewsArticle", "datePublished": "2025-03-01T00:30:00+01:00"}]}</script>',
    ],
)
def test_a_stated_time_of_day_is_kept(rules: Rules, meta: str) -> None:
    """Half past midnight in Berlin is still the day before in UTC: the day alone, read as
    midnight UTC, would be the wrong day."""
    extracted = extract_html(_page_published(meta), None, rules)
    date, estimated = pick_date(extracted, Item("page.html", None, b""), NOW)
    assert (date, estimated) == (datetime(2025, 2, 28, 23, 30, tzinfo=UTC), False)


def test_a_feeds_time_of_day_comes_before_a_pages_bare_day() -> None:
    extracted = Extracted(title=None, markdown="x", paragraphs=("x",), date="2025-03-01")
    item = Item("feed.xml#1", None, b"", feed_date="Sat, 01 Mar 2025 18:00:00 GMT")
    assert pick_date(extracted, item, NOW) == (datetime(2025, 3, 1, 18, tzinfo=UTC), False)
    timed = Extracted(title=None, markdown="x", paragraphs=("x",), date="2025-03-01T09:15:00Z")
    assert pick_date(timed, item, NOW) == (datetime(2025, 3, 1, 9, 15, tzinfo=UTC), False)


def test_a_feed_items_title_comes_before_a_heading_of_its_text() -> None:
    """A feed that gives the body without its headline: the extraction's title is then the
    first <h2> of the text."""
    extracted = Extracted(title="Was gilt für Pendler?", markdown="x", paragraphs=("x",))
    item = Item("feed.xml#2", None, b"", feed_title="Bahn  streikt am Montag")
    assert pick_title(extracted, item) == "Bahn streikt am Montag"
    assert pick_title(extracted, Item("page.html", None, b"")) == "Was gilt für Pendler?"


def test_a_feeds_time_on_another_day_does_not_move_a_pages_day() -> None:
    """A feed gives every entry a time (its updated time, when nothing else): only one on the
    page's own day is that day's time."""
    extracted = Extracted(title=None, markdown="x", paragraphs=("x",), date="2025-03-05")
    item = Item("feed.xml#3", None, b"", feed_date="2025-06-20T08:00:00+00:00")
    assert pick_date(extracted, item, NOW) == (datetime(2025, 3, 5, tzinfo=UTC), False)


@pytest.mark.filterwarnings("ignore:tzname CET identified")  # trafilatura's date parser
@pytest.mark.parametrize("stated", ["2025-03-01T23:30:00", "2025-03-01T23:30:00 CET"])
def test_a_stated_time_without_a_usable_offset_leaves_the_day(rules: Rules, stated: str) -> None:
    meta = f'<meta property="article:published_time" content="{stated}">'
    extracted = extract_html(_page_published(meta), None, rules)
    assert extracted.date is not None and extracted.date.startswith("2025-03-01")
    assert pick_date(extracted, Item("page.html", None, b""), NOW)[1] is False


def test_a_feed_title_is_plain_text() -> None:
    """feedparser keeps an HTML title's markup and entities: 'Tom &amp; Jerry <em>again</em>'."""
    rss = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>c</title><item>'
        b"<title>Tom &amp;amp; Jerry &lt;em&gt;again&lt;/em&gt;</title>"
        b"<link>https://x.example/a</link><guid>a</guid></item></channel></rss>"
    )
    (entry,) = parse_feed(rss)
    extracted = Extracted(title=None, markdown="x", paragraphs=("x",))
    item = Item("feed.xml#4", None, b"", feed_title=entry.title)
    assert pick_title(extracted, item) == "Tom & Jerry again"
