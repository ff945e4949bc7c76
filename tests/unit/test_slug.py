"""sitegen.slug: transliterated, lower-case, URL-safe slugs."""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sitegen.slug import MAX_SLUG_LENGTH, slugify, term_slug

SLUG = re.compile(r"^([a-z0-9]+(-[a-z0-9]+)*)?$")


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Überraschung in München!", "ueberraschung-in-muenchen"),
        ("Straße", "strasse"),
        ("ÄÖÜ äöü ß", "aeoeue-aeoeue-ss"),
        ("DeepSeek R1: Chinas Offene KI-Entwicklung", "deepseek-r1-chinas-offene-ki-entwicklung"),
        ("Crème brûlée à la française", "creme-brulee-a-la-francaise"),
        ("Łódź", "lodz"),
        ("Ærø", "aero"),
        ("C++ & Rust", "c-plus-plus-and-rust"),
        ("  --Hello--  ", "hello"),
        ("2025: A Year", "2025-a-year"),
    ],
)
def test_transliteration(text: str, slug: str) -> None:
    assert slugify(text) == slug


def test_nfd_and_nfc_give_the_same_slug() -> None:
    nfd = unicodedata.normalize("NFD", "Müller")
    assert nfd != "Müller"
    assert slugify(nfd) == slugify("Müller") == "mueller"


def test_no_latin_letters_gives_empty_slug() -> None:
    assert slugify("日本語") == ""


def test_long_text_is_cut_at_a_word() -> None:
    slug = slugify("word " * 40)
    assert len(slug) <= MAX_SLUG_LENGTH
    assert slug.endswith("word") and not slug.endswith("-")


def test_long_single_word_is_cut_hard() -> None:
    assert slugify("x" * 200) == "x" * MAX_SLUG_LENGTH


def test_term_slug_folds_case() -> None:
    assert term_slug("KI") == term_slug("ki") == "ki"


def test_term_slug_without_latin_letters_is_stable_and_distinct() -> None:
    assert term_slug("日本語") == term_slug("日本語")
    assert term_slug("日本語") != term_slug("中文")
    assert re.fullmatch(r"t-[0-9a-f]{10}", term_slug("日本語"))


@settings(max_examples=500, deadline=None)
@given(st.text())
def test_any_text_gives_a_url_safe_slug(text: str) -> None:
    slug = slugify(text)
    assert SLUG.match(slug), slug
    assert len(slug) <= MAX_SLUG_LENGTH


@settings(max_examples=500, deadline=None)
@given(st.text())
def test_slugify_is_idempotent(text: str) -> None:
    slug = slugify(text)
    assert slugify(slug) == slug


@settings(max_examples=300, deadline=None)
@given(st.text(min_size=1))
def test_term_slug_is_never_empty(text: str) -> None:
    assert SLUG.match(term_slug(text)) or term_slug(text).startswith("t-")
    assert term_slug(text)
