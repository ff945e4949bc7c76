"""Deploy to a local folder: release folders behind one symlink, swapped atomically; rollback."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sitegen.deploy.config import DirectoryTarget
from sitegen.deploy.errors import DeployError
from sitegen.deploy.local import copy_file, link_or_copy, scan
from sitegen.deploy.plan import DeployPlan, Manifest, diff

RELEASE_RE = re.compile(r"^(\d{6})-\d{8}T\d{6}Z$")
PARTIAL_PREFIX = ".partial-"


@dataclass(frozen=True)
class Release:
    """One complete release folder; `number` orders releases, newest highest."""

    number: int
    path: Path


def releases(target: DirectoryTarget) -> list[Release]:
    """The complete releases, oldest first; unfinished `.partial-*` folders are not releases."""
    if not target.releases_dir.is_dir():
        return []
    found = [
        Release(int(m.group(1)), entry)
        for entry in target.releases_dir.iterdir()
        if (m := RELEASE_RE.match(entry.name)) and entry.is_dir()
    ]
    return sorted(found, key=lambda r: r.number)


def live_release(target: DirectoryTarget) -> Release | None:
    """The release the symlink points at; None before the first deploy."""
    path = target.path
    if path.is_symlink():
        pointed = Path(os.path.normpath(path.parent / os.readlink(path)))
        match = RELEASE_RE.match(pointed.name)
        if pointed.parent != target.releases_dir or not match or not pointed.is_dir():
            raise DeployError(
                f"{path} links to {pointed}, which is not one of sitegen's releases "
                f"in {target.releases_dir}; remove the link to deploy here"
            )
        return Release(int(match.group(1)), pointed)
    if path.exists() and not (path.is_dir() and not any(path.iterdir())):
        raise DeployError(
            f"{path} already exists and is not empty; sitegen makes it a symlink "
            "to release folders, so move it away first"
        )
    return None


def plan(local: Manifest, target: DirectoryTarget) -> DeployPlan:
    """Compare the site with the live release."""
    live = live_release(target)
    remote = {p: f.sha256 for p, f in scan(live.path).items()} if live else {}
    return diff(target.name, local, remote, lambda f: remote[f.path] == f.sha256)


def apply(
    plan: DeployPlan, source: Path, target: DirectoryTarget, log: Callable[[str], None]
) -> str:
    """Write a new release (changed files copied, the rest hard-linked), then make it live."""
    target.releases_dir.mkdir(parents=True, exist_ok=True)
    clear_partials(target)
    live = live_release(target)
    number = max((r.number for r in releases(target)), default=0) + 1
    partial = target.releases_dir / f"{PARTIAL_PREFIX}{number:06d}"
    partial.mkdir()
    for upload in plan.uploads:
        copy_file(source / upload.path, partial / upload.path)
        log(f"upload {upload.reason} {upload.path}")
    for path in plan.unchanged:
        assert live is not None, "unchanged files need a live release"
        link_or_copy(live.path / path, partial / path)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    final = partial.with_name(f"{number:06d}-{stamp}")
    os.rename(partial, final)
    point_to(target, final)
    removed = prune(target, Release(number, final))
    return f"release {final.name} is live ({removed} old release(s) removed)"


def clear_partials(target: DirectoryTarget) -> None:
    """Remove release folders a killed deploy left unfinished; they were never live."""
    for entry in target.releases_dir.iterdir():
        if entry.name.startswith(PARTIAL_PREFIX):
            shutil.rmtree(entry)


def point_to(target: DirectoryTarget, release: Path) -> None:
    """Swap the symlink in one step: a new link under a temporary name, renamed over the old."""
    path = target.path
    temp = path.with_name(f".{path.name}.sitegen-swap-{os.getpid()}")
    temp.unlink(missing_ok=True)
    os.symlink(os.path.relpath(release, path.parent), temp)
    if path.is_dir() and not path.is_symlink():
        path.rmdir()  # empty: checked by live_release
    os.replace(temp, path)


def prune(target: DirectoryTarget, live: Release) -> int:
    """Keep the newest `keep` releases and the live one; delete the rest."""
    old = [r for r in releases(target)[: -target.keep] if r.number != live.number]
    for release in old:
        shutil.rmtree(release.path)
    return len(old)


def rollback(target: DirectoryTarget) -> tuple[DeployPlan, str]:
    """Point the symlink at the release before the live one; returns what that changed."""
    live = live_release(target)
    if live is None:
        raise DeployError(f"nothing to roll back: {target.path} has no release yet")
    earlier = [r for r in releases(target) if r.number < live.number]
    if not earlier:
        raise DeployError(f"no release before {live.path.name} is kept to roll back to")
    previous = earlier[-1]
    current = {p: f.sha256 for p, f in scan(live.path).items()}
    change = diff(target.name, scan(previous.path), current, lambda f: current[f.path] == f.sha256)
    point_to(target, previous.path)
    return change, f"rolled back from {live.path.name} to {previous.path.name}"
