"""Git target: deploy to a bare repository's gh-pages branch, clone it back, compare trees."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from deploy_helpers import Crash, crash_after, deploy, read_tree, site_files, uploads_in

from sitegen.deploy import GitTarget, TargetConfig, run_deploy

Built = Callable[..., Path]
EDIT = "2025/11/second-story/index.html"
PAGES_FILES = {".nojekyll": b"", "CNAME": b"news.example.org\n"}


def git(*args: str, cwd: Path | None = None) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, text=True, check=True
    ).stdout


@pytest.fixture
def bare(tmp_path: Path) -> Path:
    repo = tmp_path / "remote.git"
    git("init", "-q", "--bare", str(repo))
    return repo


@pytest.fixture
def pages(bare: Path, target_for: Callable[..., TargetConfig]) -> GitTarget:
    target = target_for({"type": "git", "remote": str(bare), "cname": "news.example.org"})
    assert isinstance(target, GitTarget)
    return target


def clone(bare: Path, into: Path) -> dict[str, bytes]:
    git("clone", "-q", "--branch", "gh-pages", str(bare), str(into))
    return read_tree(into)


def test_deploy_then_clone_gives_the_built_tree(
    built: Built, pages: GitTarget, bare: Path, tmp_path: Path
) -> None:
    deploy(built(), pages)
    assert clone(bare, tmp_path / "c") == {**site_files(), **PAGES_FILES}
    assert git("log", "--format=%s", "gh-pages", cwd=bare).strip() == (
        f"sitegen deploy: {len(site_files()) + 2} new, 0 changed, 0 deleted"
    )


def test_second_deploy_commits_only_the_edited_file(
    built: Built, pages: GitTarget, bare: Path, tmp_path: Path
) -> None:
    deploy(built(), pages)
    lines = deploy(built(edits={EDIT: b"<p>edited</p>"}), pages)
    assert uploads_in(lines) == [EDIT]
    stat = git("show", "--stat", "--format=%s", "gh-pages", cwd=bare)
    assert stat.splitlines()[0] == "sitegen deploy: 0 new, 1 changed, 0 deleted"
    assert f" {EDIT} " in stat and "1 file changed" in stat
    assert clone(bare, tmp_path / "c")[EDIT] == b"<p>edited</p>"


def test_unchanged_site_makes_no_commit_and_deletes_are_committed(
    built: Built, pages: GitTarget, bare: Path, tmp_path: Path
) -> None:
    deploy(built(), pages)
    deploy(built(), pages)
    assert git("rev-list", "--count", "gh-pages", cwd=bare).strip() == "1"
    deploy(built(drop=("static/app.js",)), pages)
    assert "static/app.js" not in clone(bare, tmp_path / "c")
    assert git("rev-list", "--count", "gh-pages", cwd=bare).strip() == "2"


def test_killed_deploy_then_rerun_pushes_the_complete_site(
    built: Built, pages: GitTarget, bare: Path, tmp_path: Path
) -> None:
    deploy(built("1"), pages)
    site = built("2")
    with pytest.raises(Crash):
        run_deploy(
            site, pages, dry_run=False, max_deletes=None, confirm=lambda _: True, log=crash_after(3)
        )
    assert clone(bare, tmp_path / "before") == {**site_files("1"), **PAGES_FILES}
    deploy(site, pages)
    assert clone(bare, tmp_path / "after") == {**site_files("2"), **PAGES_FILES}


def test_dry_run_pushes_nothing(built: Built, pages: GitTarget, bare: Path) -> None:
    lines = deploy(built(), pages, dry_run=True)
    assert "0 deleted" in lines[0]
    assert git("branch", "--list", cwd=bare).strip() == ""


def test_works_without_a_git_identity(
    built: Built, pages: GitTarget, bare: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", "/dev/null")
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    deploy(built(), pages)
    assert git("log", "--format=%an <%ae>", "gh-pages", cwd=bare).strip() == (
        "sitegen <sitegen@localhost>"
    )


def test_credentials_in_a_remote_url_never_reach_messages() -> None:
    from sitegen.deploy.git import redact

    assert redact("fatal: https://me:ghp_secret@github.com/me/news.git not found") == (
        "fatal: https://***@github.com/me/news.git not found"
    )
