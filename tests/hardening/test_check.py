"""`sitegen check`: every kind of problem it reports, its exit codes, and that it writes nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hardening_harness import REPO, article, raw, snapshot, write_site

from sitegen.check import EXIT_CLEAN, EXIT_PROBLEMS, _feed_problem, check_site, run_check
from sitegen.cli import main

DATE = "2025-03-01T10:00:00+01:00"


def check(site: Path, strict: bool = False) -> tuple[int, list[str]]:
    lines: list[str] = []
    code = run_check(site, strict, lines.append)
    return code, lines


def make(tmp_path: Path, files: dict[str, str | bytes], **config: object) -> Path:
    site = tmp_path / "site"
    write_site(site, files, config or None)
    return site


def test_a_clean_site_passes(tmp_path: Path) -> None:
    site = make(tmp_path, {"content/a.md": article("Alpha", tags=["x"], topics=["world"])})
    assert check(site) == (EXIT_CLEAN, ["sitegen check: no problems in 1 article"])
    assert check(site, strict=True)[0] == EXIT_CLEAN


def test_the_example_site_has_only_warnings(tmp_path: Path) -> None:
    code, lines = check(REPO)
    assert code == EXIT_CLEAN, lines
    assert lines[-1].startswith("sitegen check: 0 errors")


def test_front_matter_errors_name_file_line_and_key(tmp_path: Path) -> None:
    site = make(
        tmp_path,
        {
            "content/a.md": raw("title: T\ndate: yesterday\ntags: {a: 1}\n"),
            "content/b.md": "no front matter\n",
            "content/c.md": article("Fine"),
        },
    )
    code, lines = check(site)
    assert code == EXIT_PROBLEMS
    assert "content/a.md:3: date: not an RFC 3339 date-time" in "\n".join(lines)
    assert "content/a.md:4: tags: expected a list of names" in "\n".join(lines)
    assert "content/b.md:1: front matter missing" in "\n".join(lines)
    assert lines[-1] == "sitegen check: 3 errors, 0 warnings in 1 article"


def test_dates_without_a_zone_warn_and_fail_only_when_strict(tmp_path: Path) -> None:
    site = make(
        tmp_path,
        {
            "content/a.md": raw("title: A\ndate: 2025-03-01 10:00:00\nupdated: 2025-03-02\n", "A"),
            "content/b.md": raw("title: B\ndate: '2025-03-01T10:00:00'\n", "B"),
            "content/c.md": raw(f"title: C\ndate: {DATE}\n", "C"),
        },
    )
    code, lines = check(site)
    assert code == EXIT_CLEAN
    assert lines[:3] == [
        "content/a.md:3: warning: date: 2025-03-01T10:00:00 has no UTC offset; it is read as "
        "Europe/Berlin time (write e.g. 2025-01-28T10:00:00+01:00)",
        "content/a.md:4: warning: updated: 2025-03-02 has no UTC offset; it is read as "
        "Europe/Berlin time (write e.g. 2025-01-28T10:00:00+01:00)",
        "content/b.md:3: warning: date: 2025-03-01T10:00:00 has no UTC offset; it is read as "
        "Europe/Berlin time (write e.g. 2025-01-28T10:00:00+01:00)",
    ]
    assert lines[-1] == "sitegen check: 0 errors, 3 warnings in 3 articles"
    assert check(site, strict=True)[0] == EXIT_PROBLEMS


def test_tag_spellings_that_share_a_page_warn(tmp_path: Path) -> None:
    nfd = "Cafe\u0301"  # the same word as 'Café' once normalized: not a second spelling
    site = make(
        tmp_path,
        {
            "content/a.md": article("A", tags=["KI", "Café", "Müller"]),
            "content/b.md": article("B", tags=["Ki", nfd, "Mueller"]),
            "content/c.md": article("C", tags=["ki"]),
        },
    )
    code, lines = check(site)
    text = "\n".join(lines)
    assert code == EXIT_CLEAN
    assert "tags 'KI', 'Ki', 'ki' all become the one page /tags/ki/" in text
    assert "tags 'Mueller', 'Müller' all become the one page /tags/mueller/" in text
    assert "/tags/cafe/" not in text
    assert check(site, strict=True)[0] == EXIT_PROBLEMS


def test_articles_whose_urls_collide_are_errors(tmp_path: Path) -> None:
    site = make(
        tmp_path,
        {"content/a.md": article("Müller"), "content/b.md": article("MUELLER")},
    )
    code, lines = check(site)
    assert code == EXIT_PROBLEMS
    assert "content/b.md: slug: URL /2025/03/mueller/ is also the URL of content/a.md" in lines[0]


LINKS = """\
See [the other](/2025/03/other/), [its part](../other/#background), [same](#details),
[tag](/tags/x/), [feed](/atom.xml), [search](/search/), [no slash](/2025/03/other),
[absolute](https://example.org/2025/03/other/), [external](https://elsewhere.example/x),
[mail](mailto:a@example.org), a footnote[^1] and an image ![i](/img/logo.png).

## Details

Dead: [gone](/2025/03/gone/), [bad anchor](/2025/03/other/#nowhere),
[own bad anchor](#nothing), [file](/static/missing.png), [abs](https://example.org/nope/).

[^1]: The note.
"""


def test_dead_internal_links_and_anchors_are_errors(tmp_path: Path) -> None:
    site = make(
        tmp_path,
        {
            "content/a.md": article("Linking", body=LINKS, tags=["x"]),
            "content/b.md": article("Other", body="Text.\n\n## Background\n\nMore.\n"),
            "static/img/logo.png": b"\x89PNG",
        },
    )
    code, lines = check(site)
    assert code == EXIT_PROBLEMS
    assert lines[:-1] == [
        "content/a.md: dead link /2025/03/gone/: no such page",
        "content/a.md: dead link /2025/03/other/#nowhere: the page has no anchor #nowhere",
        "content/a.md: dead link #nothing: the page has no anchor #nothing",
        "content/a.md: dead link /static/missing.png: no such page",
        "content/a.md: dead link https://example.org/nope/: no such page",
    ]


def test_links_honour_a_base_path(tmp_path: Path) -> None:
    body = "[ok](/news/2025/03/other/) [dead](/news/2025/03/gone/) [elsewhere](/2025/03/x/)\n"
    site = make(
        tmp_path,
        {"content/a.md": article("A", body=body), "content/b.md": article("Other")},
        base_url="https://example.org/news/",
    )
    code, lines = check(site)
    assert code == EXIT_PROBLEMS
    assert lines[:-1] == ["content/a.md: dead link /news/2025/03/gone/: no such page"]


def test_duplicate_content_warns(tmp_path: Path) -> None:
    body = "The same report, word for word.\n\nTwice.\n"
    site = make(
        tmp_path,
        {
            "content/a.md": article("First", body=body),
            "content/b.md": article("Second", body=body.upper().replace("\n\n", "\n\n\n")),
            "content/c.md": article("Third", body=""),
            "content/d.md": article("Fourth", body=""),
        },
    )
    code, lines = check(site)
    assert code == EXIT_CLEAN
    assert lines[:-1] == ["content/b.md: warning: same text as content/a.md; a duplicate import?"]


def test_config_and_theme_errors(tmp_path: Path) -> None:
    site = make(tmp_path, {"content/a.md": article("A")}, output_dir=".", titel="x")
    code, lines = check(site)
    assert code == EXIT_PROBLEMS
    assert "titel: unknown key (did you mean 'title'?)" in lines[0]

    broken = tmp_path / "broken"
    write_site(
        broken,
        {
            "content/a.md": article("A"),
            "themes/t/theme.yaml": "extends: default\n",
            "themes/t/templates/term.html": "{% if %}\n",
        },
        {"theme": "t", "output_dir": "."},
    )
    code, lines = check(broken)
    assert code == EXIT_PROBLEMS
    assert any("output_dir: refusing to write the site" in line for line in lines)
    assert any(line.startswith("themes/t/templates/term.html:1:") for line in lines)


def test_feeds_are_parsed() -> None:
    assert _feed_problem("atom", b'<feed xmlns="http://www.w3.org/2005/Atom"/>') is None
    assert _feed_problem("rss", b"<rss><channel/></rss>") is None
    assert _feed_problem("json", b'{"version": "1.1", "items": []}') is None
    assert "not well-formed" in str(_feed_problem("atom", b"<feed>]]></feed"))
    assert "not an RSS channel" in str(_feed_problem("rss", b"<rss/>"))
    assert _feed_problem("json", b"{") is not None


def test_hostile_content_gives_valid_feeds(tmp_path: Path) -> None:
    site = make(
        tmp_path,
        {"content/a.md": article("a ]]> <b> \x01 & é", body="x ]]> <![CDATA[ \x0b\n")},
    )
    report = check_site(site)
    assert [p for p in report.problems if "feed" in p.message] == []


def test_check_writes_nothing(tmp_path: Path) -> None:
    site = make(
        tmp_path,
        {"content/a.md": article("A", body="[x](#nope)\n"), "content/b.md": article("B")},
    )
    before = snapshot(tmp_path)
    check(site)
    assert snapshot(tmp_path) == before
    assert not (site / ".sitegen-cache").exists()
    assert not (site / "public").exists()


def test_a_fifo_in_content_is_reported_not_read(tmp_path: Path) -> None:
    site = make(tmp_path, {"content/a.md": article("A")})
    os.mkfifo(site / "content/pipe.md")
    script = (
        "import sys; from pathlib import Path; from sitegen.check import run_check; "
        "sys.exit(run_check(Path(sys.argv[1]), False, print))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(site)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == EXIT_PROBLEMS
    assert "content/pipe.md: not a regular file" in done.stdout


def test_drafts_and_future_articles_are_checked_too(tmp_path: Path) -> None:
    site = make(
        tmp_path,
        {
            "content/a.md": article("Draft", draft=True, body="[x](/2025/03/future/)\n"),
            "content/b.md": article("Future", date="2999-01-01T00:00:00Z"),
            "content/c.md": article("Broken", draft=True, date="soon"),
        },
    )
    code, lines = check(site)
    assert code == EXIT_PROBLEMS
    assert lines[:-1] == [
        "content/a.md: dead link /2025/03/future/: no such page",
        "content/c.md:3: date: not an RFC 3339 date-time (e.g. 2025-01-28T10:00:00+01:00)",
    ]


def test_the_command_line_runs_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = make(tmp_path, {"content/a.md": raw("title: A\ndate: 2025-03-01\n")})
    assert main(["check", "--site", str(site)]) == 0
    assert main(["check", "--site", str(site), "--strict"]) == 1
    out = capsys.readouterr().out
    assert "content/a.md:3: warning: date:" in out


def test_deploy_targets_and_import_sources_are_checked_too(tmp_path: Path) -> None:
    """What `sitegen deploy` and `sitegen import` would refuse later, `check` finds now."""
    site = make(
        tmp_path,
        {"content/a.md": article("Alpha", topics=["world"])},
        deploy={"default": "www", "targets": {"www": {"type": "dirctory", "path": "/tmp/x"}}},
        sources=[
            {"name": "Wire", "url": "https://wire.example/feed.xml", "topics": ["world", "nope"]}
        ],
    )
    code, lines = check(site)
    text = "\n".join(lines)
    assert code == EXIT_PROBLEMS
    assert "site.yaml: deploy.targets.www.type:" in text and "directory" in text
    assert "site.yaml: sources[0].topics: 'nope' is not a topic of the site" in text
    assert lines[-1] == "sitegen check: 2 errors, 0 warnings in 1 article"


@pytest.mark.parametrize(
    ("source", "problem"),
    [
        ({"topics": "world"}, "site.yaml: sources[0].topics: expected a list"),
        ({"topics": 5}, "site.yaml: sources[0]: not a valid source"),
        ({"topics": ["World"]}, None),  # a topic's name stands for its slug, as in articles
    ],
)
def test_odd_sources_are_problems_not_crashes(
    tmp_path: Path, source: dict[str, object], problem: str | None
) -> None:
    site = make(
        tmp_path,
        {"content/a.md": article("Alpha", topics=["world"])},
        sources=[{"name": "Wire", "url": "https://wire.example/feed.xml", **source}],
    )
    code, lines = check(site)
    if problem is None:
        assert code == EXIT_CLEAN, lines
    else:
        assert code == EXIT_PROBLEMS and any(line.startswith(problem) for line in lines), lines
