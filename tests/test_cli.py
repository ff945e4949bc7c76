"""The `sitegen` command: exit codes 0 / 1 / 2, quiet and verbose output, `new` then `build`."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from sitegen.cli import main

MakeSite = Callable[..., Path]
ArticleText = Callable[..., str]
SUMMARY = re.compile(
    r"^built (?P<articles>\d+) articles?: (?P<files>\d+) files .* in \d+\.\d\d s -> (?P<out>.+)$"
)


@pytest.fixture
def site(make_site: MakeSite, article: ArticleText) -> Path:
    return make_site(
        {
            "content/a.md": article("Alpha", tags=["x"], topics=["world"]),
            "content/b.md": article("Beta", date="2026-11-02T10:00:00+01:00", tags=["x", "y"]),
            "content/draft.md": article("Draft", draft=True),
            "content/future.md": article("Future", date="2099-01-01T00:00:00Z"),
        }
    )


def test_build_succeeds_with_a_summary_line(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["build", "--site", str(site)]) == 0
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    match = SUMMARY.match(lines[-1])
    assert match, lines
    assert match["articles"] == "2"
    files = sum(1 for p in (site / "public").rglob("*") if p.is_file())
    assert int(match["files"]) == files
    assert match["out"] == str((site / "public").resolve())


def test_quiet_prints_nothing_on_success(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["build", "--site", str(site), "--quiet"]) == 0
    assert capsys.readouterr() == ("", "")
    assert (site / "public" / "index.html").is_file()


def test_verbose_prints_time_per_stage(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["build", "--site", str(site), "--verbose"]) == 0
    err = capsys.readouterr().err
    assert re.search(r"^\s+\w+\s+\d+\.\d ms$", err, re.MULTILINE), err
    assert SUMMARY.match(err.splitlines()[-1])


def test_drafts_and_future_flags(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["build", "--site", str(site), "--drafts", "--future", "--no-cache"]) == 0
    match = SUMMARY.match(capsys.readouterr().err.splitlines()[-1])
    assert match and match["articles"] == "4"


def test_output_and_base_url_flags(
    site: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    output = tmp_path / "elsewhere"
    code = main(["build", "--site", str(site), "--output", str(output),
                 "--base-url", "https://preview.example.net/pr-7"])  # fmt: skip
    assert code == 0
    home = (output / "index.html").read_text(encoding="utf-8")
    assert '<link rel="canonical" href="https://preview.example.net/pr-7/">' in home
    assert 'href="/pr-7/tags/"' in home
    assert not (site / "public").exists()


def test_invalid_content_exits_1(
    make_site: MakeSite, article: ArticleText, capsys: pytest.CaptureFixture[str]
) -> None:
    site = make_site({"content/a.md": article("A", date="not a date")})
    assert main(["build", "--site", str(site)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("content/a.md:3: date: not an RFC 3339 date-time")
    assert err.endswith("sitegen build: 1 problem; nothing was written\n")


def test_missing_site_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["build", "--site", str(tmp_path)]) == 1
    assert "site.yaml: not found" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv",
    [
        ["build", "--jobs", "0"],
        ["build", "--jobs", "-3"],
        ["build", "--jobs", "many"],
        ["build", "--no-such-flag"],
        ["build", "--quiet", "--verbose"],
        ["frobnicate"],
        [],
        ["new"],
    ],
)
def test_usage_errors_exit_2(
    argv: list[str], site: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(site)
    assert main(argv) == 2
    assert capsys.readouterr().err  # argparse or the command says why
    assert not (site / "public").exists()


@pytest.mark.parametrize("argv", [["--version"], ["--help"], ["build", "--help"]])
def test_version_and_help_exit_0(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 0
    assert capsys.readouterr().out


def test_new_then_build_in_that_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["new", "mysite"]) == 0
    assert (tmp_path / "mysite" / "site.yaml").is_file()
    monkeypatch.chdir(tmp_path / "mysite")
    capsys.readouterr()
    assert main(["build"]) == 0
    match = SUMMARY.match(capsys.readouterr().err.splitlines()[-1])
    assert match and match["articles"] == "1"
    public = tmp_path / "mysite" / "public"
    assert (public / "index.html").is_file()
    assert len(list(public.glob("*/*/hello-sitegen/index.html"))) == 1


def test_new_refuses_an_existing_site(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = (site / "site.yaml").read_bytes()
    assert main(["new", str(site)]) == 1
    assert "a site already exists here" in capsys.readouterr().err
    assert (site / "site.yaml").read_bytes() == before


def test_new_keeps_an_article_already_where_its_first_would_go(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A folder of articles without a site.yaml yet: `new` must not write over one of them."""
    year = datetime.now(UTC).year
    mine = tmp_path / "content" / str(year) / "hello-sitegen.md"
    mine.parent.mkdir(parents=True)
    mine.write_text("MINE", encoding="utf-8")
    assert main(["new", str(tmp_path)]) == 1
    assert "hello-sitegen.md: exists already; not overwritten" in capsys.readouterr().err
    assert mine.read_text(encoding="utf-8") == "MINE"
    assert not (tmp_path / "site.yaml").exists()


def test_the_installed_command_outside_the_repository(tmp_path: Path) -> None:
    """`python -m sitegen new` and `build` in a folder that is not this checkout."""
    env = {**os.environ, "PYTHONPATH": ""}

    def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "sitegen", *args], cwd=cwd, env=env,
                              capture_output=True, text=True, timeout=120)  # fmt: skip

    created = run("new", "news", cwd=tmp_path)
    assert created.returncode == 0, created.stderr
    built = run("build", cwd=tmp_path / "news")
    assert built.returncode == 0, built.stderr
    assert SUMMARY.match(built.stderr.splitlines()[-1])
    assert (tmp_path / "news" / "public" / "index.html").is_file()
    assert run("build", "--jobs", "0", cwd=tmp_path / "news").returncode == 2
    assert run("build", "--site", str(tmp_path), cwd=tmp_path).returncode == 1


@pytest.mark.parametrize("where", ["site", "content", "parent"])
def test_output_onto_the_site_is_refused(
    where: str, site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = {"site": site, "content": site / "content", "parent": site.parent}[where]
    before = sorted(site.parent.rglob("*"))
    assert main(["build", "--site", str(site), "--output", str(target)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"site.yaml: output_dir: refusing to write the site to {target}")
    assert sorted(site.parent.rglob("*")) == before  # refused before anything was touched
