"""The search memo in `sitegen build`: an edit reworks only its article, bytes as a clean build."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from sitegen.build import BuildOptions, build
from sitegen.cache import WarmCache
from sitegen.search import SearchMemo

NOW = datetime(2026, 11, 29, 12, tzinfo=UTC)
SITE_YAML = """\
title: Memo
base_url: https://example.org/
language: de
topics:
  welt: {title: Welt}
  wissen: {title: Wissen}
"""
WORDS = [
    "Hafen",
    "Schiff",
    "Wetter",
    "Forschung",
    "Gletscher",
    "Strom",
    "Bahn",
    "Rathaus",
    "Markt",
    "Schule",
]


def article(n: int, extra: str = "", day: int | None = None) -> str:
    body = " ".join(WORDS[(n * 7 + i) % len(WORDS)] for i in range(40))
    return (
        f"---\ntitle: Meldung {n} über {WORDS[n % len(WORDS)]}\n"
        f"date: 2026-0{1 + n % 9}-{day or 1 + n % 27:02d}T10:00:00Z\n"
        f"tags: [{WORDS[n % 4]}]\ntopics: [{'welt' if n % 2 else 'wissen'}]\n---\n"
        f"Der erste Absatz zu Nummer {n}.\n\n{body} {extra}\n"
    )


@pytest.fixture
def site(tmp_path: Path) -> Path:
    (tmp_path / "site.yaml").write_text(SITE_YAML, encoding="utf-8")
    content = tmp_path / "content"
    content.mkdir()
    for n in range(60):
        (content / f"a{n:02d}.md").write_text(article(n), encoding="utf-8")
    return tmp_path


def search_files(output: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(output)): p.read_bytes()
        for p in sorted((output / "search").rglob("*"))
        if p.is_file()
    }


def test_edits_rebuild_the_index_as_a_clean_build_would(
    site: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    memos: list[SearchMemo] = []
    load = SearchMemo.load.__func__  # type: ignore[attr-defined]

    def spy(cls: type[SearchMemo], folder: Path, salt: str = "") -> SearchMemo:
        memos.append(load(cls, folder, salt))
        return memos[-1]

    monkeypatch.setattr(SearchMemo, "load", classmethod(spy))
    build(BuildOptions(site_dir=site, now=NOW, jobs=1))
    assert memos[-1].misses == 60
    content = site / "content"
    edits = [
        ("a07.md", article(7, "Ein neuer Satz über Zeppeline.")),  # body
        ("a12.md", article(12).replace("Meldung 12", "Meldung zwölf")),  # title
        ("a30.md", article(30, day=28)),  # date
        ("a61.md", article(61)),  # a new article
    ]
    for name, text in edits:
        (content / name).write_text(text, encoding="utf-8")
        report = build(BuildOptions(site_dir=site, now=NOW, jobs=1))
        assert "search_index" in report.rendered
        assert memos[-1].misses == 1  # only the edited article's text was read and worked out
        clean = tmp_path_factory.mktemp("clean")
        build(BuildOptions(site_dir=site, output=clean, now=NOW, use_cache=False, jobs=1))
        assert search_files(site / "public") == search_files(clean), name
    (content / "a40.md").unlink()
    build(BuildOptions(site_dir=site, now=NOW, jobs=1))
    assert memos[-1].misses == 0
    clean = tmp_path_factory.mktemp("clean")
    build(BuildOptions(site_dir=site, output=clean, now=NOW, use_cache=False, jobs=1))
    assert search_files(site / "public") == search_files(clean)


def test_a_preview_keeps_the_memo_in_memory_and_builds_the_same_bytes(
    site: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    warm = WarmCache()
    build(BuildOptions(site_dir=site, now=NOW, jobs=1, warm=warm))
    memo = warm.search["memo"]
    loads: list[Path] = []
    monkeypatch.setattr(SearchMemo, "load", classmethod(lambda cls, f, s="": loads.append(f)))
    content = site / "content"
    for name, text in [("a07.md", article(7, "Ein Satz über Zeppeline.")), ("a61.md", article(61))]:
        (content / name).write_text(text, encoding="utf-8")
        build(BuildOptions(site_dir=site, now=NOW, jobs=1, warm=warm))
        assert warm.search["memo"] is memo and not loads and memo.misses == 1
        clean = tmp_path_factory.mktemp("clean")
        build(BuildOptions(site_dir=site, output=clean, now=NOW, use_cache=False, jobs=1))
        assert search_files(site / "public") == search_files(clean), name
    page = (site / "public" / "search" / "index.html").read_text(encoding="utf-8")
    assert '"n":61' in page  # the root, inline, counts the new article
