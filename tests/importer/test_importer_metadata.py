"""Slugs, dates, tags, topics and summaries."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from sitegen.importer.language import detect_language
from sitegen.importer.metadata import (
    match_topics,
    merge_terms,
    parse_date,
    slugify,
    summarize,
    text_tags,
)
from sitegen.importer.rules import Rules

SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


def test_slug_transliterates() -> None:
    assert (
        slugify("Überraschung für Straßen: Ärger über Öl")
        == "ueberraschung-fuer-strassen-aerger-ueber-oel"
    )
    assert slugify("Café déjà vu – Ångström") == "cafe-deja-vu-angstroem"
    assert slugify("DeepSeek R1: Chinas Offene KI-Entwicklung Überrascht Die Welt") == (
        "deepseek-r1-chinas-offene-ki-entwicklung-ueberrascht-die-welt"
    )


def test_slug_cut_at_a_hyphen() -> None:
    slug = slugify("word " * 40)
    assert len(slug) <= 80 and slug.endswith("word") and SLUG.match(slug)


@given(st.text())
def test_any_title_gives_a_valid_or_empty_slug(title: str) -> None:
    slug = slugify(title)
    assert slug == "" or (SLUG.match(slug) and len(slug) <= 80)


def test_dates() -> None:
    assert parse_date("2025-03-03T09:15:00+01:00") == datetime(
        2025, 3, 3, 9, 15, tzinfo=timezone(timedelta(hours=1))
    )
    assert parse_date("Mon, 03 Mar 2025 08:15:00 GMT") == datetime(2025, 3, 3, 8, 15, tzinfo=UTC)
    assert parse_date("2025-03-12") == datetime(2025, 3, 12, tzinfo=UTC)
    assert parse_date("5. März 2025") == datetime(2025, 3, 5, tzinfo=UTC)
    assert parse_date("March 3, 2025") == datetime(2025, 3, 3, tzinfo=UTC)
    assert parse_date("in the year 2025") is None and parse_date(None) is None


def test_tags_at_most_eight_without_case_duplicates() -> None:
    tags = merge_terms(["KI", "ki", "China"], [f"t{n}" for n in range(20)])
    assert tags[:3] == ["KI", "China", "t0"] and len(tags) == 8


def test_text_tags(rules: Rules) -> None:
    body = (
        "DeepSeek legt vor. Die KI von DeepSeek ist offen. KI hier, KI dort, und die USA staunen."
    )
    tags = text_tags("DeepSeek überrascht die Welt", body, rules.stopwords["de"])
    assert tags[0] == "DeepSeek" and "KI" in tags


def test_topics_by_keywords() -> None:
    rules = {"energie": ["Wärme", "Strom"], "sport": ["Fußball"]}
    text = "Wärmespeicher und Wärmepumpen liefern Strom und Wärme."
    assert match_topics(text, rules) == ["energie"]


def test_summary_cut_at_a_word() -> None:
    summary = summarize(["short", "word " * 100], None)
    assert len(summary) <= 242 and summary.endswith("…") and "  " not in summary
    assert summarize(["x" * 50], "Own description.") == "Own description."


def test_language_detection(rules: Rules) -> None:
    assert (
        detect_language(
            "Der Hund und die Katze sind in dem Haus, das auf dem Berg steht.", rules.stopwords
        )
        == "de"
    )
    assert (
        detect_language(
            "The dog and the cat are in the house that is on the hill.", rules.stopwords
        )
        == "en"
    )
    assert (
        detect_language(
            "Le chien et le chat sont dans la maison qui est sur la colline.", rules.stopwords
        )
        == "fr"
    )
    assert detect_language("ok", rules.stopwords) is None
