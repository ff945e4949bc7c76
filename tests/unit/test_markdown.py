"""sitegen.markdown: fixture cases (title / input / expected), safety, and bounded cost."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import NamedTuple

import pytest

from sitegen.markdown import MarkdownRenderer, MarkdownTooLarge, cut_at_word
from sitegen.model import Heading

CASES = Path(__file__).resolve().parent.parent / "cases" / "markdown"
RENDERER = MarkdownRenderer()
TIME_LIMIT = 5.0  # seconds; generous, so a slow CI machine passes while a blow-up does not


class Case(NamedTuple):
    file: str
    line: int
    title: str
    source: str
    expected: str


def read_cases(path: Path) -> list[Case]:
    """markdown-it's fixture format: title, '.', input, '.', expected HTML, '.', blank lines."""
    lines = path.read_text(encoding="utf-8").split("\n")
    cases, index = [], 0
    while index < len(lines):
        if not lines[index].strip():
            index += 1
            continue
        title, start = lines[index], index + 1
        assert lines[start] == ".", f"{path.name}:{start + 1}: expected '.' after the title"
        parts, cursor = [], start + 1
        for _ in range(2):
            end = lines.index(".", cursor)
            parts.append("\n".join(lines[cursor:end]))
            cursor = end + 1
        source, expected = parts
        cases.append(Case(path.name, index + 1, title, source, expected + "\n" if expected else ""))
        index = cursor
    return cases


ALL_CASES = [case for path in sorted(CASES.glob("*.md")) for case in read_cases(path)]


def test_fixture_files_are_found() -> None:
    files = {case.file for case in ALL_CASES}
    assert {"tables.md", "footnotes.md", "strikethrough.md", "anchors.md", "raw_html.md",
            "unsafe_links.md", "commonmark.md"} <= files  # fmt: skip


@pytest.mark.parametrize("case", ALL_CASES, ids=[f"{c.file}:{c.line}" for c in ALL_CASES])
def test_fixture(case: Case) -> None:
    assert RENDERER.render(case.source).html == case.expected, case.title


UNSAFE = [case for case in ALL_CASES if case.file == "unsafe_links.md"]


@pytest.mark.parametrize("case", UNSAFE, ids=[c.title for c in UNSAFE])
def test_unsafe_schemes_never_reach_an_attribute(case: Case) -> None:
    html = RENDERER.render(case.source).html
    assert "<a " not in html and "<img " not in html
    assert not re.search(r"(href|src)\s*=", html)


@pytest.mark.parametrize(
    "url",
    ["javascript:alert(1)", " javascript:alert(1)", "JAVASCRIPT:alert(1)", "\tjavascript:x",
     "java\nscript:x", "vbscript:x", "data:text/html,x", "VbScRiPt:x"],
)  # fmt: skip
def test_unsafe_schemes_in_angle_brackets_and_references(url: str) -> None:
    for source in (f"[a](<{url}>)", f"[a][r]\n\n[r]: <{url}>", f"![a](<{url}>)"):
        html = RENDERER.render(source).html
        assert "href=" not in html and "src=" not in html, source


def test_raw_html_never_survives() -> None:
    html = RENDERER.render("<b>x</b>\n\n<script>y</script>\n\n<a href='z'>z</a>").html
    assert "<b>" not in html and "<script" not in html and "<a " not in html


def test_plain_text_first_paragraph_and_headings() -> None:
    rendered = RENDERER.render(
        "# Title\n\nThe *first* paragraph\nwraps.\n\n## Über uns\n\n"
        "More `code`.\n\n```\nx = 1\n```\n"
    )
    assert rendered.first_paragraph == "The first paragraph wraps."
    assert rendered.text == "Title\nThe first paragraph wraps.\nÜber uns\nMore code.\nx = 1"
    assert rendered.headings == (Heading(2, "ueber-uns", "Über uns"),)


def test_first_paragraph_skips_empty_and_nested_ones() -> None:
    rendered = RENDERER.render("> quoted first\n\n- item\n\nReal paragraph.\n")
    assert rendered.first_paragraph == "Real paragraph."


def test_empty_body() -> None:
    rendered = RENDERER.render("")
    assert (rendered.html, rendered.text, rendered.first_paragraph) == ("", "", "")


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("short text", 240, "short text"),
        ("one two three four", 12, "one two…"),
        ("  spaced   out  ", 240, "spaced out"),
        ("word, another, third", 16, "word, another…"),
        ("x" * 30, 10, "x" * 9 + "…"),
    ],
)
def test_cut_at_word(text: str, limit: int, expected: str) -> None:
    assert cut_at_word(text, limit) == expected
    assert len(cut_at_word(text, limit)) <= limit


def timed(source: str) -> tuple[float, str | None]:
    """Seconds to render, and the HTML (None when refused as too large)."""
    started = time.perf_counter()
    try:
        html: str | None = RENDERER.render(source).html
    except MarkdownTooLarge:
        html = None
    return time.perf_counter() - started, html


PATHOLOGICAL = {
    "deep block quotes": ">" * 10000 + " deep\n",
    "many stars": "*" * 50000,
    "many underscores": "_" * 50000,
    "many open brackets": "[" * 20000,
    "nested links": "[" * 5000 + "a" + "](b)" * 5000,
    "nested images": "![" * 5000 + "a" + "](b)" * 5000,
    "emphasis soup": "*a **b _c " * 5000,
    "backtick runs": "".join("`" * (i % 50 + 1) + "x" for i in range(10000)),
    "deep lists": "".join("  " * i + "- x\n" for i in range(1000)),
    "compact nested lists": "- " * 10000 + "x\n",
    "many equal headings": "## Same\n\n" * 10000,
    "many footnotes": "".join(f"[^{i}]" for i in range(5000))
    + "\n\n"
    + "".join(f"[^{i}]: n\n" for i in range(5000)),
    "wide table": "|a" * 5000 + "|\n" + "|-" * 5000 + "|\n" + "|b" * 5000 + "|\n",
    "unclosed angle brackets": "<a" * 20000,
}


@pytest.mark.parametrize("name", list(PATHOLOGICAL))
def test_pathological_input_finishes_in_bounded_time_and_size(name: str) -> None:
    source = PATHOLOGICAL[name]
    seconds, html = timed(source)
    assert seconds < TIME_LIMIT, f"{name}: {seconds:.1f} s"
    if html is not None:
        assert len(html) <= max(1_000_000, 12 * len(source))


def test_link_reference_bomb_is_refused_quickly() -> None:
    # 21 KB that would expand to 5 MB of HTML: every [x] repeats the 1,000-character URL.
    bomb = "[x]: /" + "a" * 1000 + "\n\n" + "[x] " * 5000
    seconds, html = timed(bomb)
    assert html is None
    assert seconds < TIME_LIMIT


def test_huge_link_reference_bomb_is_refused_before_rendering() -> None:
    # Would render to 4 GB: refused from the token sizes, before the HTML string exists.
    bomb = "[x]: /" + "a" * 200_000 + "\n\n" + "[x]" * 20_000
    seconds, html = timed(bomb)
    assert html is None
    assert seconds < TIME_LIMIT


def test_deep_nesting_keeps_the_nesting_bounded() -> None:
    _, html = timed(">" * 10000 + " deep\n")
    assert html is not None and html.count("<blockquote>") <= 20


def test_a_long_ordinary_article_is_not_refused() -> None:
    paragraph = "Ein ganz gewöhnlicher Satz mit [einem Link](https://example.org/x). " * 20
    source = "\n\n".join(f"## Abschnitt {i}\n\n{paragraph}" for i in range(300))
    seconds, html = timed(source)
    assert html is not None and html.count("<h2") == 300
    assert seconds < TIME_LIMIT
