"""Every generated page parses as HTML5 without a single error (html5lib, strict)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import html5lib
import pytest
from html5lib.html5parser import ParseError

from sitegen.build import BuildReport

MakeSite = Callable[..., Path]
RunBuild = Callable[..., BuildReport]
ArticleText = Callable[..., str]


def html5_errors(output: Path) -> list[str]:
    """'path: error' for every page that is not clean HTML5; [] when all are."""
    problems = []
    pages = sorted(output.rglob("*.html"))
    assert pages, f"no pages under {output}"
    for page in pages:
        parser = html5lib.HTMLParser(strict=True)
        try:
            parser.parse(page.read_bytes())
        except ParseError as error:
            problems.append(f"{page.relative_to(output)}: {error}")
        if not page.read_bytes().lower().startswith(b"<!doctype html>"):
            problems.append(f"{page.relative_to(output)}: no <!doctype html> first")
    return problems


def test_every_page_of_the_example_site_is_valid_html5(example_output: Path) -> None:
    assert html5_errors(example_output) == []


def test_the_checker_catches_broken_html(tmp_path: Path) -> None:
    (tmp_path / "bad.html").write_text("<!doctype html><p><b>unclosed</p></i>", encoding="utf-8")
    assert len(html5_errors(tmp_path)) == 1


HOSTILE_BODY = """\
Text with <script>alert(1)</script>, <b onclick="x()">tags</b> & ampersands < > "quotes".

| a | b |
|---|---|
| 1 | <td> |

Footnote[^1] and ~~strike~~ and [bad](javascript:alert(1)) and ![img](/i.png "t").

## Überschrift "mit" <Zeichen>

## Überschrift "mit" <Zeichen>

```html
</pre></code><!-- -->
```

[^1]: Note with `</div>`.
"""


@pytest.mark.parametrize("base_url", ["https://example.org/", "https://example.org/news/"])
def test_hostile_articles_still_give_valid_html5(
    make_site: MakeSite, run_build: RunBuild, article: ArticleText, base_url: str
) -> None:
    site = make_site(
        {
            "content/a.md": article(
                'Title with <em>tags</em> & "quotes" </title>',
                body=HOSTILE_BODY,
                tags=["<b>", "R&D", "Ünïcödé", "日本語"],
                topics=["world"],
                summary="Summary </script><script>alert(1)</script>",
                source="Source & Co",
                source_url="https://example.org/a?x=1&y=<2>",
                dateline="BERLIN <i>",
                author='Jane "JD" Doe',
            ),
            "content/b.md": article("Second", date="2026-11-02T10:00:00+01:00", tags=["R&D"]),
        },
        {"base_url": base_url, "description": "Desc </head> & more"},
    )
    run_build(site)
    assert html5_errors(site / "public") == []
    for page in (site / "public").rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        for injected in ("<script>alert", "<b onclick", "<b>", "<em>tags", "<td> |", "<i>"):
            assert injected not in html, f"{page}: {injected}"
