"""The bad-input suite (issue 8): every case built cold and after a good build, every guarantee
checked on each (see hardening_harness.run_case), plus checks that the checks can fail."""

from __future__ import annotations

from pathlib import Path

import pytest
from hardening_cases import CASES
from hardening_harness import MARK, REPO, Case, Mode, run_case, scan_html, scan_output

FAMILIES = {
    "front matter", "yaml", "encoding", "size", "hostile text", "links", "markdown", "names",
    "dates", "files", "output dir", "themes", "config",
}  # fmt: skip


def _params() -> list[object]:
    params = []
    for case in CASES:
        marks: list[pytest.MarkDecorator] = []
        if case.skip:
            marks.append(pytest.mark.skip(reason=case.skip))
        if case.needs_fix:
            marks.append(pytest.mark.xfail(strict=True, reason=case.needs_fix))
        for mode in case.modes:
            params.append(pytest.param(case, mode, id=f"{case.name}-{mode}", marks=marks))
    return params


@pytest.mark.parametrize(("case", "mode"), _params())
def test_bad_input(
    case: Case, mode: Mode, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outcome = run_case(case, tmp_path, mode)
    assert outcome.handled, "\n".join(outcome.failures)
    leaked = capsys.readouterr()
    assert "Traceback" not in leaked.out + leaked.err


def test_at_least_sixty_cases_in_every_family() -> None:
    assert len(CASES) >= 60
    assert {case.family for case in CASES} == FAMILIES
    assert sum(1 for case in CASES if case.code != 0) >= 30, "most cases must be refused"


@pytest.mark.parametrize(
    "page",
    [
        f"<p><script>alert('{MARK}')</script></p>",
        f"<img src=x onerror=\"alert('{MARK}')\">",
        f"<a href=\" JaVa\tScRiPt:alert('{MARK}')\">x</a>",
        f"<a href='data:text/html,{MARK}'>x</a>",
        f"<iframe src='https://evil.example/{MARK}'></iframe>",
        f"<meta http-equiv=refresh content='0;url=https://e.example/{MARK}'>",
        f'<script type="application/ld+json">{{"a": "</script><script>{MARK}"}}</script>',
        f"<svg><a xlink:href='javascript:{MARK}'>x</a></svg>",
    ],
)
def test_the_marker_scan_finds_what_it_looks_for(page: str) -> None:
    assert scan_html(page, "page")


def test_the_marker_scan_reads_feeds_and_search_files(tmp_path: Path) -> None:
    escaped = f"&lt;img src=x onerror=&quot;{MARK}&quot;&gt;"
    (tmp_path / "atom.xml").write_text(
        f'<feed xmlns="http://www.w3.org/2005/Atom"><entry><content type="html">{escaped}'
        "</content></entry></feed>",
        encoding="utf-8",
    )
    (tmp_path / "feed.json").write_text(
        f'{{"items": [{{"content_html": "<script>{MARK}</script>"}}]}}', encoding="utf-8"
    )
    (tmp_path / "rss.xml").write_text("<rss><channel><title>]]></title>", encoding="utf-8")
    found = "\n".join(scan_output(tmp_path))
    assert "atom.xml (entry HTML)" in found
    assert "feed.json (content_html)" in found
    assert "rss.xml: does not parse as XML" in found


def test_escaped_text_is_not_an_injection() -> None:
    assert not scan_html(f"<p>&lt;script&gt;{MARK}&lt;/script&gt;</p>", "page")
    assert not scan_html(f'<meta content="&lt;b onmouseover={MARK}&gt;">', "page")


def test_theme_scripts_never_turn_data_into_html() -> None:
    """Search results and reader features put titles and summaries into the page as text:
    that is what makes the search index (plain JSON from content) safe to hold any text."""
    sinks = ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(")
    scripts = sorted((REPO / "themes").rglob("*.js"))
    assert scripts
    for script in scripts:
        text = script.read_text(encoding="utf-8")
        assert not [s for s in sinks if s in text], script
