"""sitegen.content: one article file -> Article, or every problem with file:line: key."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from sitegen.config import parse_config
from sitegen.content import parse_article, split_front_matter
from sitegen.markdown import MarkdownRenderer
from sitegen.model import Article, Body, Config, InputError, TermRef

NAME = "content/2025/x.md"
BERLIN_WINTER = timezone(timedelta(hours=1))
BERLIN_SUMMER = timezone(timedelta(hours=2))
CONFIG: Config = parse_config(
    "title: T\nbase_url: https://example.org/\nlanguage: en\ntimezone: Europe/Berlin\n"
    "topics:\n  world: {title: World}\n  science: {title: Science}\n",
    Path("."),
)
RENDERER = MarkdownRenderer()


def parse_both(text: str | bytes) -> tuple[Article, Body]:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return parse_article(NAME, data, CONFIG, RENDERER)


def parse(text: str | bytes) -> Article:
    return parse_both(text)[0]


def body_html(text: str | bytes) -> str:
    return parse_both(text)[1].html


def problems(text: str | bytes) -> list[str]:
    with pytest.raises(InputError) as caught:
        parse(text)
    return [str(p) for p in caught.value.problems]


def doc(front: str, body: str = "Body text.\n") -> str:
    return f"---\n{front}---\n{body}"


GOOD = "title: Hello World\ndate: 2025-01-28T10:00:00+01:00\n"


def test_a_good_article() -> None:
    article, body = parse_both(
        doc(GOOD + "tags: [KI, Politik]\ntopics: [world]\n", "First.\n\nSecond.\n")
    )
    assert article.source == NAME
    assert article.title == "Hello World"
    assert article.slug == "hello-world"
    assert article.date == datetime(2025, 1, 28, 9, tzinfo=UTC)
    assert article.lang == "en"
    assert article.tags == (TermRef("KI", "ki"), TermRef("Politik", "politik"))
    assert article.topics == (TermRef("World", "world"),)
    assert article.summary == "First."
    assert body.html == "<p>First.</p>\n<p>Second.</p>\n"
    assert body.text == "First.\nSecond."
    assert article.word_count == 2
    assert article.draft is False and article.extra == {}


def test_front_matter_missing() -> None:
    assert problems("title: x\n\nno fences\n") == [
        f"{NAME}:1: front matter missing: the file must start with a line '---', "
        "then YAML, then '---'"
    ]


def test_front_matter_not_closed() -> None:
    assert problems("---\ntitle: x\ndate: 2025-01-01\nBody\n") == [
        f"{NAME}:1: front matter not closed: no second '---' line"
    ]


def test_front_matter_must_be_a_mapping() -> None:
    assert problems("---\n- a\n---\nBody\n") == [
        f"{NAME}:2: front matter must be a mapping of keys"
    ]


def test_yaml_error_line_counts_from_the_file_start() -> None:
    assert problems("---\ntitle: x\ntitle: y\n---\n") == [
        f"{NAME}:3: title: duplicate key (first given on line 2)"
    ]


def test_date_error_names_file_line_and_key() -> None:
    found = problems(doc("title: X\n\ndate: yesterday\n"))
    assert len(found) == 1
    assert found[0].startswith(f"{NAME}:4: date: not an RFC 3339 date-time")


def test_impossible_calendar_date_is_a_date_error() -> None:
    found = problems(doc("title: X\ndate: 2025-13-01T10:00:00Z\n"))
    assert len(found) == 1
    assert found[0].startswith(f"{NAME}:3: date: not an RFC 3339 date-time")


def test_every_key_error_is_collected() -> None:
    front = (
        "title: [not, text]\n"  # 2
        "date: tomorrow\n"  # 3
        "updated: 3\n"  # 4
        "expires: [1]\n"  # 5
        "lang: 12\n"  # 6
        "draft: yes\n"  # 7
        "tags: {a: 1}\n"  # 8
        "topics: [world, wrld]\n"  # 9
        "source_url: javascript:alert(1)\n"  # 10
        "slug: Bad Slug\n"  # 11
    )
    found = problems(doc(front))
    expected_prefixes = [
        f"{NAME}:2: title: expected text, got list",
        f"{NAME}:3: date: not an RFC 3339 date-time",
        f"{NAME}:4: updated: not an RFC 3339 date-time",
        f"{NAME}:5: expires: not an RFC 3339 date-time",
        f"{NAME}:6: lang: expected a BCP 47 language tag",
        f"{NAME}:7: draft: expected true or false",
        f"{NAME}:8: tags: expected a list of names",
        f"{NAME}:9: topics: unknown topic 'wrld'; define it under topics in site.yaml "
        "(did you mean 'world'?)",
        f"{NAME}:10: source_url: expected an http(s) URL",
        f"{NAME}:11: slug: not a valid slug; use 'bad-slug'",
    ]
    assert len(found) == len(expected_prefixes), found
    for line, prefix in zip(found, expected_prefixes, strict=True):  # in the file's line order
        assert line.startswith(prefix)


def test_missing_required_keys() -> None:
    assert problems("---\n---\nBody\n") == [f"{NAME}: title: required", f"{NAME}: date: required"]


def test_zone_less_date_takes_the_site_zone() -> None:
    assert parse(doc("title: X\ndate: 2025-01-28T10:00:00\n")).date == datetime(
        2025, 1, 28, 10, tzinfo=BERLIN_WINTER
    )
    summer = parse(doc("title: X\ndate: 2025-07-28 10:00\n")).date
    assert summer.utcoffset() == timedelta(hours=2)
    assert summer == datetime(2025, 7, 28, 10, tzinfo=BERLIN_SUMMER)


def test_bare_date_is_midnight_in_the_site_zone() -> None:
    assert parse(doc("title: X\ndate: 2025-01-28\n")).date == datetime(
        2025, 1, 28, tzinfo=BERLIN_WINTER
    )


def test_date_with_zone_keeps_it() -> None:
    article = parse(doc("title: X\ndate: '2025-01-27T22:30:00-05:00'\n"))
    assert article.date.utcoffset() == timedelta(hours=-5)
    assert article.date == datetime(2025, 1, 28, 3, 30, tzinfo=UTC)


def test_utf8_bom_and_crlf() -> None:
    data = b"\xef\xbb\xbf---\r\ntitle: BOM\r\ndate: 2025-01-01T00:00:00Z\r\n---\r\nOne\r\ntwo\r\n"
    article, body = parse_both(data)
    assert article.title == "BOM"
    assert body.html == "<p>One\ntwo</p>\n"


def test_old_mac_line_ends() -> None:
    article, body = parse_both(b"---\rtitle: CR\rdate: 2025-01-01T00:00:00Z\r---\rBody\r")
    assert article.title == "CR" and body.html == "<p>Body</p>\n"


def test_nul_byte_is_refused_with_its_line() -> None:
    assert problems(doc(GOOD, "ok\nA\x00B\n")) == [f"{NAME}:6: file contains a NUL byte"]


def test_utf16_is_refused() -> None:
    assert problems(doc(GOOD).encode("utf-16")) == [f"{NAME}: file is UTF-16; save it as UTF-8"]


def test_invalid_utf8_names_its_line() -> None:
    found = problems(doc(GOOD).encode() + b"caf\xe9\n")
    assert len(found) == 1 and found[0].startswith(f"{NAME}:6: not valid UTF-8")


def test_unknown_keys_reach_extra() -> None:
    article = parse(doc(GOOD + "subtitle: More\nrating: {stars: 4}\n"))
    assert article.extra == {"subtitle": "More", "rating": {"stars": 4}}


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("DeepSeek R1: Chinas Offene KI-Entwicklung Überrascht Die Welt",
         "deepseek-r1-chinas-offene-ki-entwicklung-ueberrascht-die-welt"),
        ("Straßenbahn in Köln", "strassenbahn-in-koeln"),
    ],
)  # fmt: skip
def test_slug_from_title(title: str, slug: str) -> None:
    assert parse(doc(f"title: '{title}'\ndate: 2025-01-01T00:00:00Z\n")).slug == slug


def test_explicit_slug() -> None:
    assert parse(doc(GOOD + "slug: my-slug\n")).slug == "my-slug"


def test_title_without_latin_letters_still_gets_a_slug() -> None:
    slug = parse(doc("title: 日本語のニュース\ndate: 2025-01-01T00:00:00Z\n")).slug
    assert slug.startswith("t-") and len(slug) > 2


def test_control_and_bidi_characters_are_removed_from_text() -> None:
    article = parse(doc('title: "\\u202eevil\\x07 title"\ndate: 2025-01-01T00:00:00Z\n'))
    assert article.title == "evil title"


def test_tags_differing_in_case_or_normalization_are_one() -> None:
    nfd = "Mu\u0308ller"
    article = parse(doc(GOOD + f"tags: [KI, ki, '{nfd}', Müller]\n"))
    assert article.tags == (TermRef("KI", "ki"), TermRef("Müller", "mueller"))


def test_single_tag_as_text() -> None:
    assert parse(doc(GOOD + "tags: KI\n")).tags == (TermRef("KI", "ki"),)


def test_empty_tag_is_an_error() -> None:
    assert problems(doc(GOOD + "tags: [a, '']\n")) == [f"{NAME}:4: tags: empty name"]


def test_topics_take_their_title_from_site_yaml() -> None:
    assert parse(doc(GOOD + "topics: [World, science]\n")).topics == (
        TermRef("World", "world"),
        TermRef("Science", "science"),
    )


def test_summary_defaults_to_the_first_paragraph_cut_at_a_word() -> None:
    body = "# Heading\n\n" + "word " * 100 + "\n\nSecond paragraph.\n"
    summary = parse(doc(GOOD, body)).summary
    assert summary.endswith("…") and len(summary) <= CONFIG.summary_length
    assert summary.startswith("word word")


def test_explicit_summary() -> None:
    assert parse(doc(GOOD + "summary: Short.\n")).summary == "Short."


def test_other_fields() -> None:
    front = GOOD + (
        "updated: 2025-01-29T08:00:00Z\nexpires: 2026-01-01T00:00:00Z\nsource: IT BOLTWISE\n"
        "source_url: https://example.org/a\nauthor: Jane Doe\ndateline: PEKING / MÜNCHEN\n"
        "lang: de\ndraft: true\n"
    )
    article = parse(doc(front))
    assert article.updated == datetime(2025, 1, 29, 8, tzinfo=UTC)
    assert article.expires == datetime(2026, 1, 1, tzinfo=UTC)
    assert article.last_modified == article.updated
    assert (article.source_name, article.source_url) == ("IT BOLTWISE", "https://example.org/a")
    assert (article.author, article.dateline, article.lang) == (
        "Jane Doe",
        "PEKING / MÜNCHEN",
        "de",
    )
    assert article.draft is True


def test_dots_close_front_matter_too() -> None:
    assert body_html("---\ntitle: X\ndate: 2025-01-01T00:00:00Z\n...\nBody\n") == "<p>Body</p>\n"


def test_body_line_is_known() -> None:
    raw = split_front_matter("---\ntitle: X\n---\nBody\n", NAME)
    assert raw.body == "Body\n" and raw.body_line == 4


def test_same_bytes_same_hash_different_bytes_different_hash() -> None:
    first, again = parse(doc(GOOD)), parse(doc(GOOD))
    other = parse(doc(GOOD, "Other body.\n"))
    assert first.content_hash == again.content_hash != other.content_hash
