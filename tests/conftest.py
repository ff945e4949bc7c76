"""Shared fixtures: whole mini sites written inline, a fixed clock, builds into tmp_path only."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from sitegen.build import BuildOptions, BuildReport, build

REPO = Path(__file__).resolve().parent.parent
FIXED_NOW = datetime(2026, 11, 29, 12, tzinfo=UTC)

# The site.yaml every mini site starts from; a test's `config` is merged over it.
DEFAULT_CONFIG: dict[str, Any] = {
    "title": "Test News",
    "base_url": "https://example.org/",
    "language": "en",
    "timezone": "Europe/Berlin",
    "topics": {"world": {"title": "World"}, "science": {"title": "Science"}},
}
# What of the repository makes up the example site (the rest is sitegen itself).
EXAMPLE_SITE_PARTS = ("site.yaml", "content", "static")

MakeSite = Callable[..., Path]
RunBuild = Callable[..., BuildReport]
ArticleText = Callable[..., str]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite tests/golden/ from the example site's current output",
    )


def article_text(
    title: str,
    date: str = "2026-11-01T10:00:00+01:00",
    body: str = "A first paragraph.\n",
    **front: Any,
) -> str:
    """An article file: YAML front matter (title, date, then `front` in order) and a body."""
    meta = {"title": title, "date": date, **front}
    dumped = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=1000)
    return f"---\n{dumped}---\n{body}"


def write_site(
    root: Path, files: Mapping[str, str | bytes], config: Mapping[str, Any] | None
) -> Path:
    """Write site.yaml (unless `files` holds one) and every file, paths relative to root."""
    root.mkdir(parents=True, exist_ok=True)
    if "site.yaml" not in files:
        settings = {**DEFAULT_CONFIG, **(config or {})}
        text = yaml.safe_dump(settings, allow_unicode=True, sort_keys=False)
        (root / "site.yaml").write_text(text, encoding="utf-8")
    for name, data in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8")
    return root


@pytest.fixture
def fixed_now() -> datetime:
    return FIXED_NOW


@pytest.fixture
def article() -> ArticleText:
    """article(title, date=..., body=..., tags=[...], ...) -> the text of an article file."""
    return article_text


@pytest.fixture
def make_site(tmp_path: Path) -> MakeSite:
    """make_site(files, config=None) writes a whole site into tmp_path and returns its folder."""
    made: list[Path] = []

    def make(files: Mapping[str, str | bytes], config: Mapping[str, Any] | None = None) -> Path:
        root = tmp_path / ("site" if not made else f"site{len(made) + 1}")
        made.append(root)
        return write_site(root, files, config)

    return make


@pytest.fixture
def run_build() -> RunBuild:
    """run_build(site_dir, **BuildOptions fields) builds with the fixed clock, in this process."""

    def run(site_dir: Path, **options: Any) -> BuildReport:
        settings: dict[str, Any] = {"now": FIXED_NOW, "jobs": 1, **options}
        return build(BuildOptions(site_dir=site_dir, **settings))

    return run


def copy_example_site(target: Path) -> Path:
    """The repository's example site (site.yaml, content/, static/) copied to target."""
    target.mkdir(parents=True, exist_ok=True)
    for part in EXAMPLE_SITE_PARTS:
        source = REPO / part
        if source.is_dir():
            shutil.copytree(source, target / part)
        elif source.is_file():
            shutil.copy2(source, target / part)
    return target


@pytest.fixture(scope="session")
def example_output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example site built once per test process with the fixed clock; do not modify it."""
    site = copy_example_site(tmp_path_factory.mktemp("example") / "site")
    output = site.parent / "out"
    build(BuildOptions(site_dir=site, output=output, now=FIXED_NOW, use_cache=False, jobs=1))
    return output
