"""Fixtures for deploy tests: a site folder, a built site in it, targets parsed from dicts."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from deploy_helpers import Files, site_files, write_tree

from sitegen.deploy import TargetConfig, parse_targets


@pytest.fixture
def site_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "site"
    folder.mkdir()
    return folder


@pytest.fixture
def built(site_dir: Path) -> Callable[..., Path]:
    """Write a built site under the site folder: built(version, edits, deletes) -> its path."""

    def make(
        version: str = "1",
        edits: Files | None = None,
        drop: tuple[str, ...] = (),
        name: str = "public",
    ) -> Path:
        files = {**site_files(version), **(edits or {})}
        for rel in drop:
            files.pop(rel)
        out = site_dir / name
        shutil.rmtree(out, ignore_errors=True)
        out.mkdir()
        return write_tree(out, files)

    return make


@pytest.fixture
def target_for(site_dir: Path) -> Callable[..., TargetConfig]:
    """Parse one target the way site.yaml would give it: target_for({'type': ...}, **deploy)."""

    def make(spec: dict[str, object], **deploy_keys: object) -> TargetConfig:
        raw = {"targets": {"t": spec}, **deploy_keys}
        return parse_targets(raw, site_dir).select(None)

    return make
