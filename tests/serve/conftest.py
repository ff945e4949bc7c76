"""Fixtures for preview-server tests: a mini site in tmp_path and a running PreviewServer."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from serve_helpers import write_site

from sitegen.serve import PreviewServer, ServeOptions


@pytest.fixture
def site(tmp_path: Path) -> Path:
    folder = tmp_path / "site"
    folder.mkdir()
    return write_site(folder)


@pytest.fixture
def preview(site: Path) -> Iterator[PreviewServer]:
    server = PreviewServer(ServeOptions(site, port=0, debounce=0.05), log=lambda _: None)
    server.start()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def user_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Previews on a fixed port build under $XDG_CACHE_HOME: keep that inside tmp_path."""
    folder = tmp_path / "xdg-cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(folder))
    return folder
