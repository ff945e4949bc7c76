"""Directory target: release folders, an atomic symlink swap under live HTTP traffic, rollback."""

from __future__ import annotations

import functools
import http.server
import os
import threading
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest
from deploy_helpers import Crash, crash_after, deploy, read_tree, site_files, uploads_in

from sitegen.deploy import (
    DeployAborted,
    DeployError,
    DirectoryTarget,
    TargetConfig,
    plan_deploy,
    rollback,
    run_deploy,
)

Built = Callable[..., Path]
TargetFor = Callable[..., TargetConfig]
EDIT = "2025/11/second-story/index.html"


def releases(target: DirectoryTarget) -> list[str]:
    return sorted(p.name for p in target.releases_dir.iterdir() if not p.name.startswith("."))


@pytest.fixture
def www(tmp_path: Path, target_for: TargetFor) -> DirectoryTarget:
    target = target_for({"type": "directory", "path": str(tmp_path / "srv" / "www"), "keep": 3})
    assert isinstance(target, DirectoryTarget)
    return target


def test_first_deploy_makes_a_release_behind_a_symlink(built: Built, www: DirectoryTarget) -> None:
    lines = deploy(built(), www)
    assert www.path.is_symlink()
    assert not os.path.isabs(os.readlink(www.path)), "relative link: the tree can move"
    assert read_tree(www.path) == site_files()
    assert len(uploads_in(lines)) == len(site_files())
    assert len(releases(www)) == 1


def test_unchanged_files_are_hard_links_and_one_edit_copies_one_file(
    built: Built, www: DirectoryTarget
) -> None:
    deploy(built(), www)
    first = www.path.resolve()
    lines = deploy(built(edits={EDIT: b"<p>edited</p>"}), www)
    second = www.path.resolve()
    assert uploads_in(lines) == [EDIT]
    assert first != second
    assert (second / "index.html").stat().st_ino == (first / "index.html").stat().st_ino
    assert (second / EDIT).stat().st_ino != (first / EDIT).stat().st_ino
    assert (first / EDIT).read_bytes() == site_files()[EDIT], "old release untouched"


def test_nothing_changed_makes_no_release(built: Built, www: DirectoryTarget) -> None:
    deploy(built(), www)
    lines = deploy(built(), www)
    assert uploads_in(lines) == []
    assert len(releases(www)) == 1


def test_keeps_the_newest_releases_and_rolls_back_one_at_a_time(
    built: Built, www: DirectoryTarget
) -> None:
    for version in "12345":
        deploy(built(version), www)
    assert len(releases(www)) == 3
    assert b"v5" in (www.path / "index.html").read_bytes()
    report = rollback(www, lambda _line: None)
    assert report.plan.changed > 0
    assert read_tree(www.path) == site_files("4")
    rollback(www, lambda _line: None)
    assert read_tree(www.path) == site_files("3")
    with pytest.raises(DeployError, match="no release before"):
        rollback(www, lambda _line: None)
    deploy(built("6"), www)
    assert read_tree(www.path) == site_files("6")
    assert len(releases(www)) == 3


def test_dry_run_and_plan_change_nothing(built: Built, www: DirectoryTarget) -> None:
    site = built()
    plan = plan_deploy(site, www)
    assert plan.new == len(site_files())
    deploy(site, www, dry_run=True)
    assert not www.path.exists() and not www.releases_dir.exists()


def test_too_many_deletes_stop_without_confirmation(built: Built, www: DirectoryTarget) -> None:
    deploy(built(), www)
    smaller = built(drop=("2025/11/first-story/index.html", "static/app.js", "rss.xml"))
    with pytest.raises(DeployAborted, match="3 deletes exceed --max-deletes 2"):
        deploy(smaller, www, max_deletes=2)
    assert read_tree(www.path) == site_files()
    asked: list[str] = []

    def yes(question: str) -> bool:
        asked.append(question)
        return True

    run_deploy(smaller, www, dry_run=False, max_deletes=2, log=lambda _: None, confirm=yes)
    assert "would delete 3 files" in asked[0]
    assert "rss.xml" not in read_tree(www.path)


def test_a_killed_deploy_leaves_the_old_release_live_and_a_rerun_completes(
    built: Built, www: DirectoryTarget
) -> None:
    deploy(built("1"), www)
    site = built("2")
    with pytest.raises(Crash):
        run_deploy(
            site, www, dry_run=False, max_deletes=None, confirm=lambda _: True, log=crash_after(4)
        )
    assert read_tree(www.path) == site_files("1")
    assert any(p.name.startswith(".partial-") for p in www.releases_dir.iterdir())
    deploy(site, www)
    assert read_tree(www.path) == site_files("2")
    assert not any(p.name.startswith(".partial-") for p in www.releases_dir.iterdir())


def test_refuses_to_replace_a_real_folder(built: Built, www: DirectoryTarget) -> None:
    www.path.mkdir(parents=True)
    (www.path / "keep.html").write_text("mine")
    with pytest.raises(DeployError, match="move it away"):
        deploy(built(), www)
    assert (www.path / "keep.html").read_text() == "mine"


def test_headers_and_redirects_files_are_added(
    built: Built, target_for: TargetFor, tmp_path: Path
) -> None:
    target = target_for(
        {"type": "directory", "path": str(tmp_path / "out")},
        headers={"/*": {"X-Frame-Options": "DENY"}},
        redirects=[{"from": "/old/", "to": "/2025/11/first-story/"}],
    )
    site = built()
    deploy(site, target)
    tree = read_tree(tmp_path / "out")
    assert tree["_headers"] == b"/*\n  X-Frame-Options: DENY\n"
    assert tree["_redirects"] == b"/old/ /2025/11/first-story/ 301\n"
    assert "_headers" not in read_tree(site), "the build output is never written to"


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def test_every_request_during_deploys_gets_a_complete_old_or_new_page(
    built: Built, www: DirectoryTarget
) -> None:
    versions = {v: site_files(v) for v in "AB"}
    sites = {v: built(v, name=f"public-{v}") for v in "AB"}
    deploy(sites["A"], www)
    handler = functools.partial(QuietHandler, directory=str(www.path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    stop = threading.Event()
    deploys: list[str] = []

    def deploy_loop() -> None:
        while not stop.is_set():
            for v in "BA":
                deploy(sites[v], www)
                deploys.append(v)

    worker = threading.Thread(target=deploy_loop)
    worker.start()
    seen: dict[str, int] = {"A": 0, "B": 0}
    paths = {
        "": "index.html",
        "2025/11/first-story/": "2025/11/first-story/index.html",
        "tags/world/": "tags/world/index.html",
        "atom.xml": "atom.xml",
    }
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    try:
        deadline = time.monotonic() + 2.0
        while time.monotonic() < deadline:
            for url, rel in paths.items():
                with urllib.request.urlopen(base + url, timeout=5) as response:
                    body = response.read()
                match = [v for v in "AB" if versions[v][rel] == body]
                assert match, f"/{url} served a page that is neither version"
                seen[match[0]] += 1
    finally:
        stop.set()
        worker.join()
        server.shutdown()
    print(f"{len(deploys)} deploys, requests served: {seen}")
    assert len(deploys) >= 4 and seen["A"] and seen["B"]
