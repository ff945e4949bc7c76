"""A preview told which paths changed looks only at those: it must see what a full scan sees,
or say it cannot (and the build scans everything)."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from hypothesis import example, given, settings
from hypothesis import strategies as st

from sitegen.load import Scan, rescan, scan

NAMES = [
    "a.md",
    "b.md",
    "2025/c.md",
    "2025/d.md",
    "2025/deep/e.md",
    "x.md/f.md",
    "notes.txt",
    ".h.md",
]
ACTIONS = ["write", "touch-bigger", "delete", "delete-folder", "move-folder", "mkdir-md"]


def files_of(found: Scan) -> dict[str, tuple[int, int]]:
    return {name: (st.st_mtime_ns, st.st_size) for name, st in found.files.items()}


def act(site: Path, action: str, name: str, n: int) -> set[Path]:
    """Do one thing to content/ and return the paths a watcher reports for it."""
    content = site / "content"
    path = content / name
    if action == "write":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"---\ntitle: T{n}\n---\n", encoding="utf-8")
        return {path}
    if action == "touch-bigger" and path.is_file():
        path.write_text(path.read_text(encoding="utf-8") + "more\n", encoding="utf-8")
        return {path}
    if action == "delete" and path.is_file():
        path.unlink()
        return {path}
    folder = path.parent
    if action == "delete-folder" and folder != content and folder.is_dir():
        shutil.rmtree(folder)
        return {folder}
    target = content / f"moved{n}"
    if action == "move-folder" and folder != content and folder.is_dir() and not target.exists():
        folder.rename(target)
        return {folder, target}
    if action == "mkdir-md":  # a folder named like an article
        (content / f"folder{n}.md").mkdir(exist_ok=True)
        return {content / f"folder{n}.md"}
    return set()


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(ACTIONS), st.sampled_from(NAMES), st.integers(0, 3)),
        max_size=8,
    )
)
@example([("write", "x.md/f.md", 0), ("delete-folder", "x.md/f.md", 0)])
def test_a_rescan_sees_what_a_full_scan_sees_or_declines(
    steps: list[tuple[str, str, int]],
) -> None:
    with tempfile.TemporaryDirectory() as temp:
        site = Path(temp)
        for name in NAMES[:4]:
            act(site, "write", name, 0)
        known = scan(site)
        for action, name, n in steps:
            changed = act(site, action, name, n)
            quick = rescan(known, site, changed)
            full = scan(site)
            if quick is not None:
                assert files_of(quick) == files_of(full)
                assert list(quick.files) == list(full.files)  # the same order too
            known = full


def test_only_files_under_content_count(tmp_path: Path) -> None:
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "a.md").write_text("x", encoding="utf-8")
    known = scan(tmp_path)
    (tmp_path / "site.yaml").write_text("title: x\n", encoding="utf-8")
    (tmp_path / "content" / "b.md").write_text("y", encoding="utf-8")
    quick = rescan(known, tmp_path, {tmp_path / "site.yaml", tmp_path / "content" / "b.md"})
    assert quick is not None and list(quick.files) == ["content/a.md", "content/b.md"]
    assert rescan(known, tmp_path / "elsewhere", set()) is None
