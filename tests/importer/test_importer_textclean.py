"""The text-scrape cleaner on the real sample and on German and English layouts."""

from __future__ import annotations

from pathlib import Path

import pytest

from sitegen.importer.rules import Rules
from sitegen.importer.textclean import clean_text, recurring_lines

FIXTURES = Path(__file__).parent / "fixtures"
SAMPLE = (FIXTURES / "boltwise-deepseek-r1.txt").read_text(encoding="utf-8")
SAMPLE_LINES = SAMPLE.splitlines()
# The seven article paragraphs of the sample are its lines 3 to 9.
SAMPLE_PARAGRAPHS = tuple(SAMPLE_LINES[2:9])
SAMPLE_JUNK = [line for line in SAMPLE_LINES[10:] if line.strip()]


def test_sample_metadata(rules: Rules) -> None:
    result = clean_text(SAMPLE, rules)
    assert result.title == "DeepSeek R1: Chinas Offene KI-Entwicklung Überrascht Die Welt"
    assert result.source == "IT BOLTWISE"
    assert result.dateline == "PEKING / MÜNCHEN"
    assert result.lang == "de"


def test_sample_paragraphs_exactly_once(rules: Rules) -> None:
    result = clean_text(SAMPLE, rules)
    assert result.paragraphs == SAMPLE_PARAGRAPHS
    assert result.markdown.count("Die Veröffentlichung von DeepSeek R1") == 1


@pytest.mark.parametrize("junk", SAMPLE_JUNK)
def test_sample_junk_removed(rules: Rules, junk: str) -> None:
    assert junk.lstrip("- ").strip() not in clean_text(SAMPLE, rules).markdown


def test_sample_explains_every_removal(rules: Rules) -> None:
    removed = clean_text(SAMPLE, rules).removed
    assert {r.reason for r in removed} and all(r.reason for r in removed)
    assert any("dateline" in r.reason for r in removed)


def test_german_layout(rules: Rules) -> None:
    result = clean_text((FIXTURES / "de-scrape.txt").read_text(encoding="utf-8"), rules)
    assert result.title == "Stadtwerke Leipzig bauen größten Wärmespeicher Sachsens"
    assert (result.dateline, result.source, result.lang) == ("LEIPZIG", "dpa", "de")
    assert len(result.paragraphs) == 4
    assert result.paragraphs[0].startswith("Die Stadtwerke Leipzig haben am Mittwoch")
    for junk in (
        "Cookies",
        "Anzeige",
        "Straßenbahnlinie",
        "Newsletter",
        "Kommentar",
        "Teilen",
        "Impressum",
        "Endlich passiert",
        "Von Anna Schmidt",
        "©",
    ):
        assert junk not in result.markdown


def test_english_layout(rules: Rules) -> None:
    result = clean_text((FIXTURES / "en-scrape.txt").read_text(encoding="utf-8"), rules)
    assert result.title == "Munich river pumps to heat ten thousand homes"
    assert (result.dateline, result.source, result.lang) == ("MUNICH", "Reuters", "en")
    assert len(result.paragraphs) == 5
    assert result.paragraphs[-1].startswith('"Rivers are a battery of heat')
    for junk in (
        "cookies",
        "Advertisement",
        "Read more",
        "Share",
        "Facebook",
        "newsletter",
        "Related",
        "tram line",
        "Comments",
        "riverfan",
        "Great news",
        "Privacy",
        "©",
    ):
        assert junk not in result.markdown


def test_no_title_is_not_invented(rules: Rules) -> None:
    result = clean_text((FIXTURES / "no-title.txt").read_text(encoding="utf-8"), rules)
    assert result.title is None
    assert len(result.paragraphs) == 3


def test_script_lines_dropped(rules: Rules) -> None:
    text = SAMPLE + "\n<script>document.write('x')</script>\nvar tracker = {};\n"
    assert "<script" not in clean_text(text, rules).markdown


def test_lines_recurring_across_a_source_are_boilerplate(rules: Rules) -> None:
    footer = "Unterstützen Sie unabhängigen Journalismus mit einem Beitrag in beliebiger Höhe."
    texts = [
        f"Artikel {n} hat einen eigenen Text, der sich unterscheidet.\n{footer}" for n in range(4)
    ]
    recurring = recurring_lines(texts)
    assert any("journalismus" in key for key in recurring)
    article = SAMPLE.replace("Stellenangebote", footer + "\nStellenangebote", 1)
    article = article.replace(SAMPLE_LINES[5], SAMPLE_LINES[5] + "\n" + footer, 1)
    assert footer not in clean_text(article, rules, recurring=recurring).markdown
