"""The general signals of the cleaners: page structure, density, position, repeats, data rows."""

from __future__ import annotations

from pathlib import Path

import pytest

from sitegen.importer.htmlextract import extract_html
from sitegen.importer.htmlpasses import link_share, title_like, with_images
from sitegen.importer.mdrender import MdBlock
from sitegen.importer.rules import Rules
from sitegen.importer.textclean import clean_text

FIXTURES = Path(__file__).parent / "fixtures"
HARBOUR = "https://www.example-times.com/2025/03/harbour-plan"
FIRST = "The city council approved the new harbour plan on Tuesday evening"
LAST = "Residents who spoke at the meeting welcomed the park"


@pytest.fixture(scope="module")
def harbour(rules: Rules) -> tuple[str, list[str]]:
    page = (FIXTURES / "en-harbour.html").read_text(encoding="utf-8")
    result = extract_html(page, HARBOUR, rules)
    return result.markdown, [r.reason for r in result.removed]


def test_headline_and_standfirst_are_not_body(harbour: tuple[str, list[str]]) -> None:
    markdown, reasons = harbour
    assert markdown.startswith(FIRST)
    assert "Harbour plan approved" not in markdown
    assert "A ferry terminal, a cargo quay and a park will replace" not in markdown
    assert "standfirst under the headline" in reasons


def test_teasers_and_their_heading_are_dropped(harbour: tuple[str, list[str]]) -> None:
    markdown, reasons = harbour
    assert "Tram line" not in markdown and "school" not in markdown
    assert "Elsewhere in the region" not in markdown
    assert reasons.count("link to another article (teaser)") == 2
    assert "heading of a removed box" in reasons


def test_text_outside_the_pages_own_article_body_is_trimmed(
    harbour: tuple[str, list[str]],
) -> None:
    markdown, reasons = harbour
    assert markdown.rstrip().endswith("narrow streets of the old town.")
    assert "Our reporters cover the council" not in markdown
    assert "outside the page's own articleBody" in reasons


def test_images_keep_alt_text_without_captions_or_logos(harbour: tuple[str, list[str]]) -> None:
    markdown, _ = harbour
    image = "![Cranes over the old docks at dusk](https://www.example-times.com/img/docks.jpg)"
    assert image in markdown
    assert markdown.index(image) < markdown.index("The plan foresees")
    assert "Jane Roe" not in markdown  # the caption and its credit
    assert "logo" not in markdown


def test_alt_texts_that_say_nothing_are_blanked(rules: Rules) -> None:
    body = "".join(
        f"<p>Paragraph {n} of the article tells the story of the harbour in many plain words "
        "so that it reads like the text of a real article.</p>"
        for n in range(4)
    )
    page = (
        "<html><head><title>Harbour</title></head><body><article>"
        + body
        + '<p><img src="/a.jpg" alt="IMG_2041.jpg"></p>'
        + '<p><img src="/b.jpg" alt="Ferries at the new quay"></p>'
        + body
        + "</article></body></html>"
    )
    markdown = extract_html(page, "https://example.org/x", rules).markdown
    assert "IMG_2041" not in markdown and "![](https://example.org/a.jpg)" in markdown
    assert "![Ferries at the new quay](https://example.org/b.jpg)" in markdown


def test_helpers() -> None:
    assert title_like("Is Football Violence a Crime?", "Opinion | Is Football Violence a Crime?")
    assert not title_like("Costs and savings", "Munich river pumps to heat homes")
    teaser = MdBlock("p", "[Tram line opens](https://x.org/tram)", "Tram line opens")
    assert link_share(teaser) == 1.0
    text = [MdBlock("p", "One.", "One."), MdBlock("p", "Two.", "Two.")]
    pictured = [
        MdBlock("p", "![A](https://x.org/a.jpg) Caption A", "Caption A"),
        MdBlock("p", "One.", "One."),
        MdBlock("image", "![B](https://x.org/b.jpg)", "B"),
        MdBlock("p", "Two.", "Two."),
        MdBlock("image", "![C](https://x.org/c.jpg)", "C"),  # after the article: a teaser
    ]
    merged = [b.markdown for b in with_images(text, pictured)]
    assert merged == ["![A](https://x.org/a.jpg)", "One.", "![B](https://x.org/b.jpg)", "Two."]


@pytest.fixture(scope="module")
def rally(rules: Rules) -> tuple[str, list[str]]:
    result = clean_text((FIXTURES / "en-rally-scrape.txt").read_text(encoding="utf-8"), rules)
    assert result.title == "Rally season 2025 announced with eight rounds"
    return result.markdown, list(result.paragraphs)


def test_rows_of_data_stay_with_the_article(rally: tuple[str, list[str]]) -> None:
    markdown, paragraphs = rally
    rows = [p for p in paragraphs if p.startswith("Round ")]
    assert len(rows) == 8 and rows[-1] == "Round 8: 6 September – Dresden"
    assert "## Round" not in markdown
    assert paragraphs[-1] == "Organisers expect more than 100,000 spectators over the season."


def test_standfirst_byline_and_junk_are_left_out(rally: tuple[str, list[str]]) -> None:
    markdown, paragraphs = rally
    assert paragraphs[0].startswith("The national rally series returns next month")
    for junk in ("published the calendar", "Jane Roe", "09:40", "Related", "Champion", "©"):
        assert junk not in markdown


def test_a_page_that_is_only_a_schedule(rules: Rules) -> None:
    """No paragraph at all: the rows of one form (a figure and a separator in each) are the
    article, and they outweigh a teaser line of prose below them."""
    places = ["Leipzig old town", "Chemnitz ring", "Zwickau hills", "Plauen valley"]
    rows = [f"Stage {n}: {n + 3} May – {place}" for n, place in enumerate(places * 2, 1)]
    menu = ["Home", "Schedule", "Results", "Calendar of the 2018 season"]
    junk = [
        "Tags",
        "» Column",
        "Our columnist looks back on a season full of surprises.",
        "» Podcast",
        "Click here to listen to the new episode of our podcast.",
        "© 2018",
    ]
    text = "\n".join([*menu, *rows, *junk])
    result = clean_text(text, rules)
    assert [p for p in result.paragraphs if p.startswith("Stage")] == rows
    assert "columnist" not in result.markdown and "podcast" not in result.markdown


def test_lines_the_page_repeats_are_captions_not_text(rules: Rules) -> None:
    caption = "The start ramp in Leipzig during the opening round of last year"
    scrape = (FIXTURES / "en-rally-scrape.txt").read_text(encoding="utf-8")
    scrape = scrape.replace("Teams had asked", f"{caption}\nTeams had asked", 1)
    scrape = scrape.replace("Related stories", f"{caption}\n{caption}\nRelated stories", 1)
    result = clean_text(scrape, rules)
    assert caption not in result.markdown
    assert any("repeated at least 3 times" in r.reason for r in result.removed)


def test_a_sentence_broken_after_a_comma_goes_on(rules: Rules) -> None:
    lines = [
        "Home",
        "Trademark law and modified phones",
        "A man was arrested last week for selling modified phones, the police said on Monday.",
        "The phones had been bought from the maker through the usual channels and resold.",
        "In addition, selling goods whose original marks were removed,",
        "or goods split into smaller packages without the consent of the owner,",
        "may also infringe the trademark, lawyers warn in a note to their clients.",
        "Related articles",
    ]
    result = clean_text("\n".join(lines), rules)
    assert "split into smaller packages" in result.markdown
    assert "In addition, selling goods" in result.markdown
