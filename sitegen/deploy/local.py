"""Local files of a deploy: hash a folder, stage generated files beside the site, lock a target."""

from __future__ import annotations

import contextlib
import fcntl
import fnmatch
import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from sitegen.deploy.errors import DeployError
from sitegen.deploy.plan import LocalFile, Manifest

CHUNK = 1 << 20


def is_excluded(path: str, patterns: tuple[str, ...]) -> bool:
    """True when a '/'-separated path matches one of the fnmatch patterns (`*` spans folders)."""
    return any(fnmatch.fnmatchcase(path, pattern) for pattern in patterns)


def hash_file(path: Path, relative: str) -> LocalFile:
    """Read a file once for both hashes: sha256 (our identity) and md5 (what S3 ETags hold)."""
    sha, md5, size = hashlib.sha256(), hashlib.md5(usedforsecurity=False), 0
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            sha.update(chunk)
            md5.update(chunk)
            size += len(chunk)
    return LocalFile(relative, size, sha.hexdigest(), md5.hexdigest())


def walk_files(root: Path, skip: frozenset[str] = frozenset()) -> Iterator[str]:
    """Every regular file under root as a '/'-separated path; top-level names in `skip` left out."""
    for folder, dirs, files in os.walk(root):
        here = Path(folder)
        if here == root:
            dirs[:] = [d for d in dirs if d not in skip]
            files = [f for f in files if f not in skip]
        for name in files:
            full = here / name
            if full.is_file():
                yield full.relative_to(root).as_posix()


def scan(root: Path, exclude: tuple[str, ...] = (), skip: frozenset[str] = frozenset()) -> Manifest:
    """The manifest of a folder: every file not excluded, hashed."""
    return {
        rel: hash_file(root / rel, rel)
        for rel in sorted(walk_files(root, skip))
        if not is_excluded(rel, exclude)
    }


def copy_file(source: Path, dest: Path) -> None:
    """Copy one file, making its folders; the destination gets fresh bytes, never a link."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    if dest.is_symlink() or dest.exists():
        dest.unlink()
    shutil.copyfile(source, dest)


def link_or_copy(source: Path, dest: Path) -> None:
    """Hard-link an unchanged file (no bytes written); copy where links are impossible."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, dest)
    except OSError:
        shutil.copyfile(source, dest)


def remove_file(root: Path, relative: str) -> None:
    """Delete one file and the folders it leaves empty, never leaving root."""
    target = root / relative
    target.unlink(missing_ok=True)
    folder = target.parent
    while folder != root and root in folder.parents:
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


@contextlib.contextmanager
def staged_source(site_output: Path, extra_files: tuple[tuple[str, bytes], ...]) -> Iterator[Path]:
    """The folder to deploy: the built site itself, or a linked copy with generated files added.

    The copy sits beside the site so hard links work; generated files (`_headers`, `CNAME`)
    replace same-named built files. The site output itself is never written to.
    """
    if not extra_files:
        yield site_output
        return
    stage = Path(tempfile.mkdtemp(prefix=".sitegen-deploy-", dir=_stage_parent(site_output)))
    try:
        for rel in walk_files(site_output):
            link_or_copy(site_output / rel, stage / rel)
        for rel, data in extra_files:
            (stage / rel).unlink(missing_ok=True)
            (stage / rel).write_bytes(data)
        yield stage
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def _stage_parent(site_output: Path) -> Path | None:
    parent = site_output.absolute().parent
    return parent if os.access(parent, os.W_OK) else None


@contextlib.contextmanager
def target_lock(cache_dir: Path) -> Iterator[None]:
    """Hold the target's lock so two deploys to one target never interleave.

    The kernel drops the lock when the process dies, so a killed deploy never blocks the next.
    """
    cache_dir.mkdir(parents=True, exist_ok=True)
    with (cache_dir / ".lock").open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise DeployError(
                f"another deploy to {cache_dir.name!r} is running (lock {cache_dir / '.lock'})"
            ) from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
