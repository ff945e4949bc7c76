"""The build cache: a damaged, foreign or stale cache never yields a wrong site."""

from __future__ import annotations

import multiprocessing
import os
import shutil
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from sitegen import pipeline
from sitegen.build import BuildOptions, BuildReport, build, clean
from sitegen.cache import CACHE_DIR, Cache, WarmCache
from sitegen.model import InputError

NOW = datetime(2026, 11, 29, 12, tzinfo=UTC)
SITE_YAML = "title: Cache\nbase_url: https://example.org/\nlanguage: en\n"


def write_article(site: Path, name: str, title: str, date: str, body: str = "Text.") -> None:
    path = site / "content" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"---\ntitle: {title}\ndate: {date}\n---\n{body}\n", encoding="utf-8")


def same_day_site(site: Path, count: int) -> Path:
    """A site of `count` articles of one day: a000.md ... (a0.md ... below 100 articles)."""
    site.mkdir()
    (site / "site.yaml").write_text(SITE_YAML, encoding="utf-8")
    width = 3 if count > 100 else 1
    for i in range(count):
        write_article(
            site, f"a{i:0{width}d}.md", f"Article {i}", "2026-01-05T08:00:00Z", f"Body {i}."
        )
    return site


@pytest.fixture
def site(tmp_path: Path) -> Path:
    (tmp_path / "site.yaml").write_text(SITE_YAML, encoding="utf-8")
    for i in range(1, 6):
        write_article(tmp_path, f"a{i}.md", f"Article {i}", f"2026-0{i}-01T08:00:00Z", f"Body {i}.")
    return tmp_path


def run(
    site: Path, now: datetime = NOW, output: Path | None = None, **kw: bool | WarmCache
) -> BuildReport:
    return build(BuildOptions(site_dir=site, now=now, jobs=1, output=output, **kw))


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def clean_build(site: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    out = tmp_path_factory.mktemp("clean")
    run(site, output=out, use_cache=False)
    return tree(out)


@pytest.mark.parametrize("damage", ["garbage", "empty", "truncated", "delete-bodies"])
def test_damaged_cache_still_builds_the_right_site(
    site: Path, damage: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    run(site)
    cache = site / CACHE_DIR
    if damage == "garbage":
        for path in cache.rglob("*.pickle"):
            path.write_bytes(b"not a pickle at all")
    elif damage == "empty":
        for path in cache.rglob("*.pickle"):
            path.write_bytes(b"")
    elif damage == "truncated":
        for path in cache.rglob("*.pickle"):
            path.write_bytes(path.read_bytes()[:20])
    else:
        for path in cache.rglob("bodies/*.pickle"):
            path.unlink()
    write_article(site, "a3.md", "Article 3 edited", "2026-03-01T08:00:00Z", "New body 3.")
    report = run(site)
    assert report.articles == 5
    assert tree(site / "public") == clean_build(site, tmp_path_factory)


def test_bodies_lost_from_the_cache_are_parsed_again(
    site: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    run(site)
    for path in (site / CACHE_DIR).rglob("bodies/*.pickle"):
        path.unlink()
    write_article(site, "a5.md", "Article 5", "2026-05-01T08:00:00Z", "Body 5, edited.")
    run(site)  # the feeds show every body: the missing ones must be read from content/ again
    feed = (site / "public" / "atom.xml").read_text("utf-8")
    assert all(f"Body {i}." in feed for i in (1, 2, 3, 4))
    assert tree(site / "public") == clean_build(site, tmp_path_factory)


def test_no_change_build_renders_and_writes_nothing(site: Path) -> None:
    run(site)
    report = run(site)
    assert (report.rendered, report.written, report.deleted) == ((), 0, 0)
    assert report.articles == 5


def test_an_article_falling_due_is_published_without_any_file_changing(site: Path) -> None:
    write_article(site, "later.md", "Later", "2026-12-24T08:00:00Z")
    run(site)
    assert not (site / "public" / "2026" / "12").exists()
    report = run(site, now=datetime(2026, 12, 25, tzinfo=UTC))
    assert report.articles == 6
    assert (site / "public" / "2026" / "12" / "later" / "index.html").is_file()


def test_clean_forgets_the_cache(site: Path) -> None:
    run(site)
    assert clean(site) == ["removed build cache"]
    report = run(site)
    assert report.rendered  # everything again
    assert clean(site) == ["removed build cache"]


def test_changing_the_output_folder_writes_a_complete_site_there(
    site: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    run(site)
    other = tmp_path_factory.mktemp("other") / "site"
    run(site, output=other)
    assert tree(other) == tree(site / "public")


def test_a_preview_killed_before_writing_its_index_costs_a_render_not_a_wrong_site(
    site: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    run(site)  # an index on disk that describes public/ as it is now
    warm = WarmCache(defer_index=True)  # what `sitegen serve` keeps between saves
    run(site, warm=warm)
    write_article(site, "a2.md", "Article 2 edited", "2026-02-01T08:00:00Z", "New body 2.")
    warm_report = run(site, warm=warm)
    assert len(warm_report.rendered) < warm_report.routes  # the in-memory index was used
    # The process dies here: nothing flushed. The writer undoes the edit; the index on disk
    # matches the content again, but not public/, which shows the edit.
    write_article(site, "a2.md", "Article 2", "2026-02-01T08:00:00Z", "Body 2.")
    cold_report = run(site)
    assert len(cold_report.rendered) == cold_report.routes
    assert tree(site / "public") == clean_build(site, tmp_path_factory)


def test_a_preview_that_stops_leaves_an_index_the_next_build_trusts(site: Path) -> None:
    warm = WarmCache(defer_index=True)
    run(site, warm=warm)
    write_article(site, "a2.md", "Article 2 edited", "2026-02-01T08:00:00Z", "New body 2.")
    run(site, warm=warm)
    warm.flush()
    report = run(site)
    assert (report.rendered, report.written) == ((), 0)


def test_parsing_in_processes_gives_what_one_process_gives(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Past PARALLEL_PARSE_THRESHOLD files, batches go to worker processes and come back as
    they finish: the same site, and the same problems in file order, as one process."""
    (tmp_path / "site.yaml").write_text(SITE_YAML, encoding="utf-8")
    for i in range(330):
        day = f"2026-{1 + i % 12:02d}-{1 + i % 28:02d}T08:{i % 60:02d}:00Z"
        write_article(tmp_path, f"{i // 100}/a{i:03d}.md", f"Article {i}", day, f"Body {i}.")
    parallel = tmp_path_factory.mktemp("parallel")
    build(BuildOptions(site_dir=tmp_path, output=parallel, now=NOW, jobs=2, use_cache=False))
    serial = tmp_path_factory.mktemp("serial")
    build(BuildOptions(site_dir=tmp_path, output=serial, now=NOW, jobs=1, use_cache=False))
    assert tree(parallel) == tree(serial) and len(tree(serial)) > 330
    for name in ("0/a007.md", "2/a250.md"):  # in the first and the last batch
        (tmp_path / "content" / name).write_text("---\ntitle: [broken\n---\n", encoding="utf-8")
    problems = []
    for jobs in (2, 1):
        with pytest.raises(InputError) as caught:
            build(
                BuildOptions(site_dir=tmp_path, output=serial, now=NOW, jobs=jobs, use_cache=False)
            )
        problems.append([p.path for p in caught.value.problems])
    assert problems[0] == problems[1] == ["content/0/a007.md", "content/2/a250.md"]


@pytest.mark.parametrize("jobs", [1, 2])
def test_touched_files_are_read_again_but_parsed_only_where_their_text_changed(
    tmp_path: Path, jobs: int
) -> None:
    """A checkout touches every file: each is read and hashed again (by the workers, past
    PARALLEL_PARSE_THRESHOLD files), and only a changed one is parsed."""
    site = same_day_site(tmp_path / "site", 220)
    out = tmp_path / "out"
    first = build(BuildOptions(site_dir=site, output=out, now=NOW, jobs=jobs))
    assert first.parsed == 220
    later = time.time() + 60
    for path in (site / "content").iterdir():
        os.utime(path, (later, later))
    write_article(site, "a007.md", "Article 7, edited", "2026-01-05T08:00:00Z", "Body 7.")
    again = build(BuildOptions(site_dir=site, output=out, now=NOW, jobs=jobs))
    assert again.parsed == 1
    assert (
        "Article 7, edited" in (out / "2026" / "01" / "article-7-edited" / "index.html").read_text()
    )
    assert build(BuildOptions(site_dir=site, output=out, now=NOW, jobs=jobs)).parsed == 0


def test_a_preview_started_on_an_unchanged_site_renders_and_writes_nothing(site: Path) -> None:
    run(site)
    warm = WarmCache(defer_index=True)
    first = run(site, warm=warm)  # assembles the site in memory for the saves to come
    assert (first.rendered, first.written, first.deleted) == ((), 0, 0)
    write_article(site, "a2.md", "Article 2", "2026-02-01T08:00:00Z", "Another body.")
    edit = run(site, warm=warm)
    assert "article:content/a2.md" in edit.rendered and len(edit.rendered) < edit.routes


def test_no_cache_parses_every_article_again(site: Path) -> None:
    assert run(site).parsed == 5
    assert run(site, use_cache=False).parsed == 5
    assert run(site).parsed == 0


def test_a_large_build_saves_what_it_parsed_beside_the_rendering(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past BACKGROUND_SAVE_THRESHOLD articles a CLI build saves them from a forked process;
    the next build finds them all. A save that fails costs the next build a parse, not a
    wrong site, and says so."""
    monkeypatch.setattr(pipeline, "BACKGROUND_SAVE_THRESHOLD", 3)
    site = same_day_site(tmp_path / "site", 5)
    out = tmp_path / "out"
    first = build(BuildOptions(site_dir=site, output=out, now=NOW, jobs=2))
    assert (first.parsed, first.notices) == (5, ())
    assert build(BuildOptions(site_dir=site, output=out, now=NOW, jobs=2)).parsed == 0

    shutil.rmtree(site / CACHE_DIR)
    write_article(site, "a0.md", "Article 0, edited", "2026-01-05T08:00:00Z", "Body 0.")
    monkeypatch.setattr(Cache, "save_articles", _refuse_to_save)
    failed = build(BuildOptions(site_dir=site, output=out, now=NOW, jobs=2))
    assert failed.parsed == 5
    assert any("could not be saved" in notice for notice in failed.notices)
    page = out / "2026" / "01" / "article-0-edited" / "index.html"
    assert "Article 0, edited" in page.read_text(encoding="utf-8")
    monkeypatch.undo()
    write_article(site, "a1.md", "Article 1, edited", "2026-01-05T08:00:00Z", "Body 1.")
    assert build(BuildOptions(site_dir=site, output=out, now=NOW, jobs=2)).parsed == 5


def _refuse_to_save(self: Cache, *args: object) -> None:
    raise OSError("disk full")


def test_a_large_build_that_fails_leaves_no_process_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The process saving the parsed articles, and the one making the search index, are
    waited for or stopped when the build fails later; the old site stays."""
    monkeypatch.setattr(pipeline, "BACKGROUND_SAVE_THRESHOLD", 3)
    monkeypatch.setattr(pipeline, "PARALLEL_RENDER_THRESHOLD", 1)
    site = same_day_site(tmp_path / "site", 5)
    out = tmp_path / "out"
    build(BuildOptions(site_dir=site, output=out, now=NOW, jobs=2))
    before = tree(out)
    for name in ("_save_parsed", "_produce_alone"):  # slow: still at work when the build fails
        monkeypatch.setattr(pipeline, name, _slowly(getattr(pipeline, name)))
    shutil.rmtree(site / CACHE_DIR)
    templates = site / "themes" / "mine" / "templates"
    templates.mkdir(parents=True)
    (templates.parent / "theme.yaml").write_text("extends: default\n", "utf-8")
    (templates / "404.html").write_text("{{ page.nothing_here }}", "utf-8")
    (site / "site.yaml").write_text(SITE_YAML + "theme: mine\n", encoding="utf-8")
    with pytest.raises(InputError):
        build(BuildOptions(site_dir=site, output=out, now=NOW, jobs=2))
    assert not multiprocessing.active_children()
    assert tree(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "site"]


def _slowly(function: Callable[..., Any]) -> Callable[..., Any]:
    def slow(*args: Any) -> Any:
        time.sleep(1.5)
        return function(*args)

    return slow
