"""HTML extraction: trafilatura plus our passes, rendered as Markdown without raw HTML."""

from __future__ import annotations

import re
from pathlib import Path

from sitegen.importer.htmlextract import extract_html
from sitegen.importer.mdrender import absolute
from sitegen.importer.rules import Rules

FIXTURES = Path(__file__).parent / "fixtures"
BASE = "https://news.example.org/2025/03/river.html"
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
