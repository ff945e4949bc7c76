"""Rsync target: the real rsync to a local folder, grouped uploads, a delete pass last."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from deploy_helpers import Crash, crash_after, deploy, read_tree, site_files, uploads_in

from sitegen.deploy import Group, RsyncTarget, TargetConfig, run_deploy, upload_group

pytestmark = pytest.mark.skipif(shutil.which("rsync") is None, reason="needs rsync")
Built = Callable[..., Path]
EDIT = "2025/11/second-story/index.html"


@pytest.fixture
def box(tmp_path: Path, target_for: Callable[..., TargetConfig]) -> RsyncTarget:
    target = target_for(
        {"type": "rsync", "dest": str(tmp_path / "var" / "www"), "exclude": ["uploads/*"]}
    )
    assert isinstance(target, RsyncTarget)
    return target


def test_deploy_copies_the_site_in_group_order(built: Built, box: RsyncTarget) -> None:
    lines = deploy(built(), box)
    assert read_tree(Path(box.dest)) == site_files()
    groups = [upload_group(p) for p in uploads_in(lines)]
    assert groups == sorted(groups) and groups[0] == Group.ASSETS
    assert [line for line in lines if line.startswith("rsync: ")] == [
        "rsync: 3 assets sent",
        "rsync: 4 articles sent",
        "rsync: 3 lists sent",
        "rsync: 5 feeds sent",
    ]


def test_second_deploy_sends_one_file_and_deletes_last(built: Built, box: RsyncTarget) -> None:
    deploy(built(), box)
    lines = deploy(built(edits={EDIT: b"<p>edited</p>"}, drop=("static/app.js",)), box)
    assert uploads_in(lines) == [EDIT]
    assert lines[-2:] == ["delete static/app.js", lines[-1]]
    expected = {**site_files(), EDIT: b"<p>edited</p>"}
    del expected["static/app.js"]
    assert read_tree(Path(box.dest)) == expected


def test_excluded_remote_files_are_never_deleted(built: Built, box: RsyncTarget) -> None:
    upload = Path(box.dest) / "uploads" / "a.jpg"
    upload.parent.mkdir(parents=True)
    upload.write_bytes(b"user upload")
    deploy(built(), box)
    assert upload.read_bytes() == b"user upload"


def test_killed_after_the_assets_then_rerun_completes(built: Built, box: RsyncTarget) -> None:
    deploy(built("1"), box)
    site = built("2", drop=("static/app.js",))
    with pytest.raises(Crash):
        run_deploy(
            site, box, dry_run=False, max_deletes=None, confirm=lambda _: True, log=crash_after(2)
        )
    half = read_tree(Path(box.dest))
    assert half["index.html"] == site_files("1")["index.html"], "lists not sent yet"
    assert "static/app.js" in half, "deletes come last"
    lines = deploy(site, box)
    assert read_tree(Path(box.dest)) == read_tree(site)
    assert "static/app.js" not in uploads_in(lines)


def test_dry_run_changes_nothing(built: Built, box: RsyncTarget) -> None:
    lines = deploy(built(), box, dry_run=True)
    assert lines[0].startswith(f"deploy 't': {len(site_files())} new")
    assert not Path(box.dest).exists()
