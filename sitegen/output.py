"""The output folder: refuse unsafe places, stage writes, swap them in, keep a manifest."""

from __future__ import annotations

import glob
import hashlib
import os
import shutil
import threading
import uuid
from collections import deque
from collections.abc import Iterable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from sitegen.model import InputError, Problem
from sitegen.slug import RESERVED_NAMES

STAGING_SUFFIX = ".sitegen-staging"
OLD_SUFFIX = ".sitegen-old"  # the previous output while replace_all swaps a new one in
OLD_FILES_SUFFIX = ".sitegen-old-files-"  # files update_in_place replaced, until deleted
WINDOWS_RESERVED = RESERVED_NAMES
# Files staged in place are written by one thread beside the build: making a file is mostly
# the kernel's work, which then overlaps the rendering of the next pages. At most this many wait.
WRITES_AHEAD = 64


def file_hash(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def check_output_dir(site_dir: Path, output: Path) -> Path:
    """Resolve the output folder and refuse ones whose replacement would destroy user files."""
    site = site_dir.resolve()
    target = (site / output).resolve() if not output.is_absolute() else output.resolve()
    home = Path.home().resolve()
    reasons = []
    if target == Path(target.anchor):
        reasons.append("it is the root of the file system")
    if target == home:
        reasons.append("it is your home folder")
    if target == site or target in site.parents:
        reasons.append("it is the site folder or one of its parents")
    for protected in ("content", "themes", "static", ".git", ".sitegen-cache"):
        folder = site / protected
        if target == folder or folder in target.parents:
            reasons.append(f"it is inside {protected}/")
    if reasons:
        raise InputError(
            [
                Problem(
                    "site.yaml",
                    None,
                    "output_dir",
                    f"refusing to write the site to {target}: {'; '.join(reasons)}",
                )
            ]
        )
    return target


def safe_relative(path: str) -> PurePosixPath:
    """A '/'-separated output path, checked: no absolute, '..', empty, NUL or device names."""
    check_relative(path)
    return PurePosixPath(path)


def check_relative(path: str) -> None:
    """Raise ValueError unless `path` is a safe output path (see safe_relative), which is
    then also its own normal form."""
    if not path or "\0" in path or "\\" in path or path.startswith("/"):
        raise ValueError(f"unsafe output path {path!r}")
    for part in path.split("/"):  # PurePosixPath would quietly drop '' and '.' parts
        if part in ("", ".", "..") or part.split(".")[0].lower() in WINDOWS_RESERVED:
            raise ValueError(f"unsafe output path {path!r}")


@dataclass(frozen=True)
class Commit:
    written: int
    deleted: int


class Staging:
    """A build's new files, written into a private folder beside the output as they are made
    (a site never sits in memory whole), then swapped in: all at once, or file by file.

    With `in_place`, the files are staged flat, numbered in the order they came, since they
    will be moved one by one into folders the output mostly has already: making a folder
    costs more than writing a page (an edit in a preview stages a few hundred pages).

    Forked render workers stage the files they render themselves (`write_now`), and this
    process counts them in (`adopt`): making files is mostly the kernel's work, which then
    runs on every core. Files this process renders in place (an update) are written by a
    thread of their own, beside the rendering; the swap waits for them.
    If the build fails before the swap, `discard` leaves the output as it was.
    """

    def __init__(self, output: Path, in_place: bool = False) -> None:
        if output.is_symlink() or output.is_file():
            message = f"{output} is a file or link, not a folder"
            raise InputError([Problem("site.yaml", None, "output_dir", message)])
        self.output = output
        self.folder = output.with_name(output.name + STAGING_SUFFIX)
        self.in_place = in_place
        self.written: list[str] = []
        self._names: list[str] = []  # each written file's name in the staging folder
        self._made: set[str] = set()  # folders made, known to the writing thread only
        self._process = (os.getpid(), "")  # staged in place, a worker's names are its own
        self._count = 0
        self._writer: ThreadPoolExecutor | None = None
        self._pending: deque[Future[None]] = deque()
        for leftover in (self.folder, output.with_name(output.name + OLD_SUFFIX)):
            if leftover.exists():  # a build killed while swapping or staging left it
                shutil.rmtree(leftover)
        for leftover in output.parent.glob(f"{glob.escape(output.name)}{OLD_FILES_SUFFIX}*"):
            shutil.rmtree(leftover, ignore_errors=True)  # perhaps being deleted already

    def add(self, relative: str, data: bytes) -> None:
        try:
            name = self._name(relative)
            if not self.in_place:
                self._write(name, data)
            else:
                if self._writer is None:
                    self._writer = ThreadPoolExecutor(1, thread_name_prefix="sitegen-staging")
                pending = self._pending
                pending.append(self._writer.submit(self._write, name, data))
                while pending and (len(pending) > WRITES_AHEAD or pending[0].done()):
                    pending.popleft().result()  # a write's error surfaces here
        except BaseException:  # a bad name or a full disk leaves no staging behind
            self.discard()
            raise
        self.adopt(relative, name)

    def write_now(self, relative: str, data: bytes) -> str:
        """Stage one file at once, from a forked render worker, which hands the returned name
        to `adopt` in the process that swaps; an error is raised, not cleaned up, here."""
        name = self._name(relative)
        self._write(name, data)
        return name

    def adopt(self, relative: str, name: str) -> None:
        """Count a staged file in: it goes to `relative` in the swap."""
        self.written.append(relative)
        self._names.append(name)

    def _name(self, relative: str) -> str:
        """The staging folder's name for a new file for output path `relative`: the path
        itself, checked; in place, a number unique among all processes staging."""
        check_relative(relative)  # refused here, before anything is written
        if not self.in_place:
            return relative
        if self._process[0] != os.getpid():  # a forked worker: names of its own
            self._process = (os.getpid(), uuid.uuid4().hex[:12] + "-")
        self._count += 1
        return f"{self._process[1]}{self._count}"

    def _write(self, name: str, data: bytes) -> None:
        # Strings, not Paths: a cold build writes ~15,000 files, and pathlib's parsing of each
        # name cost more than the checks.
        target = os.path.join(self.folder, name)
        folder = os.path.dirname(target)
        if folder not in self._made:  # a private folder: no temp files needed
            os.makedirs(folder, exist_ok=True)
            self._made.add(folder)
        with open(target, "wb") as file:
            file.write(data)

    def _finish_writes(self) -> None:
        """Wait for the staged files to be written; discard all if one could not be."""
        try:
            while self._pending:
                self._pending.popleft().result()
        except BaseException:
            self.discard()
            raise
        self._stop_writer()

    def _stop_writer(self) -> None:
        if self._writer is not None:
            self._writer.shutdown(wait=True, cancel_futures=True)
            self._writer = None
        self._pending.clear()

    def discard(self) -> None:
        self._stop_writer()
        shutil.rmtree(self.folder, ignore_errors=True)

    def replace_all(self) -> Commit:
        """Swap the staged folder, a complete site, in for the old output."""
        if self.in_place:
            raise ValueError("files staged to be moved in place are not a site to swap in")
        self._finish_writes()
        output = self.output
        self.folder.mkdir(parents=True, exist_ok=True)  # an empty site is a site too
        old = output.with_name(output.name + OLD_SUFFIX)
        if output.exists():
            os.replace(output, old)
        os.replace(self.folder, output)
        if old.exists():
            shutil.rmtree(old)
        return Commit(len(self.written), 0)

    def update_in_place(self, stale: Iterable[str], tidy_later: bool = False) -> Commit:
        """Move each staged file into place, atomically, then delete stale ones last: a
        reader never gets a half-written file.

        Each replaced file is first linked into a folder of old files, so that the move does
        not also free its blocks (slow on some disks); the folder is deleted afterwards, by a
        thread of its own with `tidy_later` (a preview, which goes on running)."""
        self._finish_writes()
        output = self.output
        stale = list(stale)
        targets = [os.path.join(output, safe_relative(r)) for r in self.written]
        try:
            checked: set[str] = set()
            for target in [*targets, *(os.path.join(output, safe_relative(r)) for r in stale)]:
                _refuse_links(output, Path(target), checked)  # before the first move
        except BaseException:
            self.discard()
            raise
        old = self.output.with_name(f"{output.name}{OLD_FILES_SUFFIX}{uuid.uuid4().hex[:12]}")
        keep_old = _make_folder(old)
        present: set[str] = set()
        for number, target in enumerate(targets):
            folder = os.path.dirname(target)
            if folder not in present and not os.path.isdir(folder):
                os.makedirs(folder, exist_ok=True)
            present.add(folder)
            if keep_old:
                try:
                    os.link(target, os.path.join(old, str(number)))
                except FileNotFoundError:
                    pass  # a new file
                except OSError:  # no hard links here: replacing frees the blocks, that is all
                    keep_old = False
            os.replace(self.folder / self._names[number], target)
        deleted = 0
        for relative in stale:
            path = output / safe_relative(relative)
            if path.is_file():
                path.unlink()
                deleted += 1
                _remove_empty_parents(output, path.parent)
        self.discard()
        if tidy_later:
            threading.Thread(target=shutil.rmtree, args=(old, True), daemon=True).start()
        else:
            shutil.rmtree(old, ignore_errors=True)
        return Commit(len(self.written), deleted)


def replace_all(output: Path, files: Mapping[str, bytes]) -> Commit:
    """Write a complete site into a staging folder, then swap it in for the old one."""
    staging = Staging(output)
    for relative, data in files.items():
        staging.add(relative, data)
    return staging.replace_all()


def update_in_place(output: Path, changed: Mapping[str, bytes], stale: Iterable[str]) -> Commit:
    """Stage every changed file first, then move each into place and delete stale ones last."""
    staging = Staging(output, in_place=True)
    for relative, data in changed.items():
        staging.add(relative, data)
    return staging.update_in_place(stale)


def _refuse_links(output: Path, target: Path, checked: set[str] | None = None) -> None:
    """A symlink planted in the output must never lead a write outside it. `checked`: folders
    already found to be no links, shared between the calls of one update."""
    current = target
    while current != output:
        if checked is not None:
            if str(current) in checked:
                return
            if current != target:
                checked.add(str(current))
        if current.is_symlink():
            raise InputError(
                [
                    Problem(
                        str(current),
                        None,
                        None,
                        "is a symbolic link inside the output folder; refusing "
                        "to write through it (delete the output folder)",
                    )
                ]
            )
        current = current.parent


def _make_folder(folder: Path) -> bool:
    try:
        folder.mkdir()
    except OSError:
        return False
    return True


def _remove_empty_parents(output: Path, folder: Path) -> None:
    while folder != output and output in folder.parents:
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


def list_files(output: Path) -> set[str]:
    """Relative paths of the regular files under output (symlinks are not files of ours)."""
    found: set[str] = set()
    folders = [("", str(output))]
    while folders:
        prefix, folder = folders.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                folders.append((f"{prefix}{entry.name}/", entry.path))
            elif entry.is_file(follow_symlinks=False):
                found.add(prefix + entry.name)
    return found


def read_tree(output: Path) -> dict[str, str]:
    """Hash every file under output: the manifest when no trusted one is at hand."""
    manifest = {}
    for path in output.rglob("*"):
        if path.is_file() and not path.is_symlink():
            manifest[path.relative_to(output).as_posix()] = file_hash(path.read_bytes())
    return manifest
