"""sitegen.output: unsafe output folders refused, paths checked, swaps that never half-finish."""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import pytest

from sitegen.build import BuildReport
from sitegen.model import InputError
from sitegen.output import (
    Staging,
    check_output_dir,
    file_hash,
    list_files,
    read_tree,
    replace_all,
    safe_relative,
    update_in_place,
)

MakeSite = Callable[..., Path]  # the conftest fixtures
RunBuild = Callable[..., BuildReport]


@pytest.fixture
def site(tmp_path: Path) -> Path:
    folder = tmp_path / "work" / "site"
    (folder / "content").mkdir(parents=True)
    (folder / "site.yaml").write_text("title: x\n", encoding="utf-8")
    return folder


@pytest.mark.parametrize(
    ("output", "reason"),
    [
        (".", "it is the site folder or one of its parents"),
        ("./", "it is the site folder or one of its parents"),
        ("..", "it is the site folder or one of its parents"),
        ("../..", "it is the site folder or one of its parents"),
        ("content", "it is inside content/"),
        ("content/2025", "it is inside content/"),
        ("themes", "it is inside themes/"),
        ("static/out", "it is inside static/"),
        (".git", "it is inside .git/"),
        (".sitegen-cache", "it is inside .sitegen-cache/"),
        ("/", "it is the root of the file system"),
    ],
)
def test_unsafe_output_folders_are_refused(site: Path, output: str, reason: str) -> None:
    with pytest.raises(InputError) as caught:
        check_output_dir(site, Path(output))
    message = str(caught.value)
    assert message.startswith("site.yaml: output_dir: refusing to write the site to ")
    assert reason in message


def test_home_folder_is_refused(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    with pytest.raises(InputError, match="it is your home folder"):
        check_output_dir(site, home)


def test_absolute_parent_of_the_site_is_refused(site: Path) -> None:
    with pytest.raises(InputError, match="one of its parents"):
        check_output_dir(site, site.parent.resolve())


@pytest.mark.parametrize("output", ["public", "build/site", "../public", "../site-out"])
def test_ordinary_output_folders_resolve(site: Path, output: str) -> None:
    assert check_output_dir(site, Path(output)) == (site / output).resolve()


def test_output_folder_through_a_symlink_to_content_is_refused(site: Path) -> None:
    (site / "sneaky").symlink_to(site / "content")
    with pytest.raises(InputError, match="inside content/"):
        check_output_dir(site, Path("sneaky"))


@pytest.mark.parametrize(
    "path",
    ["", "..", "../x", "a/../../b", "a/..", "/etc/passwd", "a\0b", "a\\b", ".", "a//b", "a/",
     "./a", "con", "CON.html", "nul/index.html", "com1.txt", "lpt9/x"],
)  # fmt: skip
def test_unsafe_relative_paths_are_refused(path: str) -> None:
    with pytest.raises(ValueError, match="unsafe output path"):
        safe_relative(path)


@pytest.mark.parametrize(
    "path", ["index.html", "2025/01/slug/index.html", "static/style.0123456789.css", "a.b/c"]
)
def test_ordinary_relative_paths(path: str) -> None:
    assert safe_relative(path).as_posix() == path


def test_replace_all_swaps_the_whole_folder(tmp_path: Path) -> None:
    output = tmp_path / "public"
    replace_all(output, {"index.html": b"one", "old/index.html": b"stale"})
    commit = replace_all(output, {"index.html": b"two", "new/index.html": b"fresh"})
    assert commit.written == 2
    assert read_tree(output) == {
        "index.html": file_hash(b"two"),
        "new/index.html": file_hash(b"fresh"),
    }
    assert sorted(p.name for p in tmp_path.iterdir()) == ["public"]  # no staging left


def test_replace_all_refuses_an_output_that_is_a_file(tmp_path: Path) -> None:
    output = tmp_path / "public"
    output.write_text("mine", encoding="utf-8")
    with pytest.raises(InputError, match="is a file or link"):
        replace_all(output, {"index.html": b"x"})
    assert output.read_text(encoding="utf-8") == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["public"]


def test_replace_all_refuses_unsafe_paths_before_touching_the_output(tmp_path: Path) -> None:
    output = tmp_path / "public"
    replace_all(output, {"index.html": b"one"})
    with pytest.raises(ValueError):
        replace_all(output, {"index.html": b"two", "../escape.html": b"x"})
    assert (output / "index.html").read_bytes() == b"one"
    assert not (tmp_path / "escape.html").exists()


def test_a_file_that_cannot_be_written_fails_the_swap_and_leaves_the_old_site(
    tmp_path: Path,
) -> None:
    output = tmp_path / "public"
    replace_all(output, {"index.html": b"one"})
    with pytest.raises(OSError):  # "x" is a file, so "x/index.html" cannot be
        replace_all(output, {"x": b"file", "x/index.html": b"below a file"})
    assert read_tree(output) == {"index.html": file_hash(b"one")}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["public"]


def test_a_write_failing_in_the_writer_thread_stops_an_update(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An update in place has its files written by a thread of their own; a write failing
    there (a full disk) still stops the update before any file moves."""
    output = tmp_path / "public"
    replace_all(output, {"index.html": b"one"})
    write = Staging._write
    calls = []

    def failing(self: Staging, target: Path, data: bytes) -> None:
        calls.append(target)
        if len(calls) == 150:
            raise OSError(28, "No space left on device")
        write(self, target, data)

    monkeypatch.setattr(Staging, "_write", failing)
    staging = Staging(output, in_place=True)
    with pytest.raises(OSError, match="No space left"):
        for n in range(200):  # more than are waited for
            staging.add(f"page/{n}/index.html", b"p")
        staging.update_in_place([])
    assert read_tree(output) == {"index.html": file_hash(b"one")}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["public"]


def test_replaced_files_are_deleted_later_when_asked(tmp_path: Path) -> None:
    """A preview has its replaced files deleted by a thread of their own; a reader holding
    one open still reads it whole, and nothing is left beside the output afterwards."""
    output = tmp_path / "public"
    replace_all(output, {f"t/{n}/index.html": b"old" * 1000 for n in range(50)})
    with (output / "t" / "0" / "index.html").open("rb") as reader:
        staging = Staging(output, in_place=True)
        for n in range(50):
            staging.add(f"t/{n}/index.html", b"new")
        assert staging.update_in_place([], tidy_later=True).written == 50
        assert reader.read() == b"old" * 1000
    assert (output / "t" / "7" / "index.html").read_bytes() == b"new"
    deadline = time.monotonic() + 10
    while len(list(tmp_path.iterdir())) > 1 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["public"]


@pytest.mark.parametrize("in_place", [False, True])
def test_files_staged_by_forked_workers_are_swapped_in(tmp_path: Path, in_place: bool) -> None:
    """Render workers stage their own files and hand back the names; in place, each process
    names its files apart, so none overwrites another's."""
    output = tmp_path / "public"
    output.mkdir()
    (output / "old.html").write_bytes(b"old")
    staging = Staging(output, in_place=in_place)
    context = multiprocessing.get_context("fork")
    with context.Pool(2) as pool:
        staged = pool.map(partial(_stage_in_worker, staging), range(6), chunksize=1)
    staging.add("a/index.html", b"main")
    for number, name in staged:
        staging.adopt(f"w/{number}/index.html", name)
    commit = staging.update_in_place([]) if in_place else staging.replace_all()
    assert commit.written == 7
    expected = {"a/index.html": b"main"} | {f"w/{n}/index.html": b"%d" % n for n in range(6)}
    if in_place:
        expected["old.html"] = b"old"
    assert {path: (output / path).read_bytes() for path in list_files(output)} == expected
    assert not staging.folder.exists()


def _stage_in_worker(staging: Staging, number: int) -> tuple[int, str]:
    return number, staging.write_now(f"w/{number}/index.html", b"%d" % number)


def test_update_in_place_never_writes_through_a_planted_symlink(tmp_path: Path) -> None:
    output, outside = tmp_path / "public", tmp_path / "outside"
    outside.mkdir()
    replace_all(output, {"index.html": b"1"})
    os.symlink(outside, output / "tags")
    with pytest.raises(InputError, match="symbolic link"):
        update_in_place(output, {"tags/index.html": b"evil"}, [])
    assert list(outside.iterdir()) == []


SITE_FILES = {
    "content/a.md": "---\ntitle: Alpha\ndate: 2026-01-01T10:00:00Z\ntags: [x]\n---\nAlpha text.\n",
    "content/b.md": "---\ntitle: Beta\ndate: 2026-01-02T10:00:00Z\ntags: [x]\n---\nBeta text.\n",
}


@pytest.mark.parametrize("use_cache", [True, False])
def test_invalid_content_leaves_the_previous_output_byte_identical(
    make_site: MakeSite, run_build: RunBuild, use_cache: bool
) -> None:
    site = make_site(SITE_FILES)
    run_build(site, use_cache=use_cache)
    before = read_tree(site / "public")
    assert "index.html" in before
    (site / "content/a.md").write_text("---\ntitle: Alpha\ndate: never\n---\nx\n", encoding="utf-8")
    (site / "content/c.md").write_text("---\ntitle: Gamma\ndate: 2026-01-03\n---\nNew.\n")
    with pytest.raises(InputError, match="date: not an RFC 3339 date-time"):
        run_build(site, use_cache=use_cache)
    assert read_tree(site / "public") == before
    assert sorted(p.name for p in site.iterdir() if "public" in p.name) == ["public"]


@pytest.mark.parametrize("use_cache", [True, False])
def test_template_error_leaves_the_previous_output_byte_identical(
    make_site: MakeSite, run_build: RunBuild, use_cache: bool
) -> None:
    site = make_site(
        {**SITE_FILES, "themes/mine/theme.yaml": "extends: default\n"}, {"theme": "mine"}
    )
    run_build(site, use_cache=use_cache)
    before = read_tree(site / "public")
    broken = site / "themes/mine/templates/article.html"
    broken.parent.mkdir(parents=True)
    broken.write_text('{% extends "base.html" %}{% block content %}{{ article.nope }}'
                      "{% endblock %}", encoding="utf-8")  # fmt: skip
    (site / "content/b.md").write_text(SITE_FILES["content/b.md"] + "\nEdited.\n")
    with pytest.raises(InputError, match="nope"):
        run_build(site, use_cache=use_cache)
    assert read_tree(site / "public") == before


def test_build_refuses_a_folder_it_did_not_write(make_site: MakeSite, run_build: RunBuild) -> None:
    site = make_site(SITE_FILES)
    mine = site / "public" / "thesis.tex"
    mine.parent.mkdir()
    mine.write_text("precious", encoding="utf-8")
    with pytest.raises(InputError, match="holds files sitegen did not write"):
        run_build(site)
    assert mine.read_text(encoding="utf-8") == "precious"


def test_build_writes_nothing_outside_the_output_folder(
    make_site: MakeSite, run_build: RunBuild
) -> None:
    site = make_site(SITE_FILES)
    before = {p for p in site.parent.rglob("*") if ".sitegen-cache" not in p.parts}
    run_build(site)
    after = {p for p in site.parent.rglob("*") if ".sitegen-cache" not in p.parts}
    assert all(site / "public" in p.parents or p == site / "public" for p in after - before)
