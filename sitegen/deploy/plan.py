"""The shared deploy plan: diff the built site against a target, in an order safe for readers."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import IntEnum
from typing import Literal

Reason = Literal["new", "changed"]
LIST_ROOTS = frozenset({"tags", "topics", "search", "page"})
FEED_NAMES = frozenset({"feed.json", "robots.txt", "_headers", "_redirects", "CNAME"})
PAGE_SEGMENT = re.compile(r"(^|/)page/\d+/")


class Group(IntEnum):
    """Upload groups, in the order they go out: nothing live may link to what is not yet there."""

    ASSETS = 0
    ARTICLES = 1
    LISTS = 2
    FEEDS = 3


@dataclass(frozen=True)
class LocalFile:
    """One file of the built site: its '/'-separated path, size and content hashes."""

    path: str
    size: int
    sha256: str
    md5: str


Manifest = Mapping[str, LocalFile]


@dataclass(frozen=True)
class Upload:
    """A file to send, and why: it is `new` on the target or its content `changed`."""

    path: str
    reason: Reason
    size: int
    group: Group
    sha256: str


@dataclass(frozen=True)
class DeployPlan:
    """What a deploy will do: uploads in deploy order, then deletes; unchanged files stay."""

    target: str
    uploads: tuple[Upload, ...]
    deletes: tuple[str, ...]
    unchanged: tuple[str, ...]

    @property
    def upload_bytes(self) -> int:
        return sum(u.size for u in self.uploads)

    @property
    def new(self) -> int:
        return sum(1 for u in self.uploads if u.reason == "new")

    @property
    def changed(self) -> int:
        return sum(1 for u in self.uploads if u.reason == "changed")

    @property
    def is_empty(self) -> bool:
        return not self.uploads and not self.deletes

    def batches(self) -> list[tuple[Group, tuple[Upload, ...]]]:
        """The uploads cut into their groups, in deploy order."""
        return [(g, tuple(us)) for g, us in itertools.groupby(self.uploads, lambda u: u.group)]

    def summary(self) -> str:
        return (
            f"{self.new} new, {self.changed} changed, {len(self.deletes)} deleted, "
            f"{len(self.unchanged)} unchanged; {format_bytes(self.upload_bytes)} to upload"
        )


def upload_group(path: str) -> Group:
    """Which group a site file belongs to, judged from its path alone."""
    parts = path.split("/")
    name = parts[-1]
    if name in FEED_NAMES or name.endswith((".xml", ".opml")):
        return Group.FEEDS
    if not name.endswith((".html", ".htm")):
        return Group.ASSETS
    folders = parts[:-1]
    is_index = name.startswith("index.")
    if (folders and folders[0] in LIST_ROOTS) or PAGE_SEGMENT.search(path):
        return Group.LISTS
    if is_index and all(f.isdigit() for f in folders):
        return Group.LISTS
    return Group.ARTICLES


def deploy_order(uploads: Iterable[Upload]) -> tuple[Upload, ...]:
    """The one upload order every target uses: by group, new files before changed ones.

    New files go first inside a group because changed pages are the ones that link to them
    (an edited list or a related-articles box), rarely the other way round.
    """
    return tuple(sorted(uploads, key=lambda u: (u.group, u.reason != "new", u.path)))


def delete_order(paths: Iterable[str]) -> tuple[str, ...]:
    """Deletes run last, lists and feeds before the pages and assets they used to point at."""
    return tuple(sorted(paths, key=lambda p: (-upload_group(p), p)))


def diff(
    target: str, local: Manifest, remote: Iterable[str], same: Callable[[LocalFile], bool]
) -> DeployPlan:
    """Compare the local manifest with the paths on the target; `same` judges common files."""
    remote_paths = set(remote)
    new = {p for p in local if p not in remote_paths}
    changed = {p for p in local if p in remote_paths and not same(local[p])}
    return plan_from_changes(target, local, new, changed, remote_paths - local.keys())


def plan_from_changes(
    target: str, local: Manifest, new: Iterable[str], changed: Iterable[str], deletes: Iterable[str]
) -> DeployPlan:
    """Build the plan from sets of new, changed and stale paths (however they were found)."""
    new_set, changed_set = set(new), set(changed) - set(new)
    uploads = [_upload(local[p], "new") for p in new_set]
    uploads += [_upload(local[p], "changed") for p in changed_set]
    unchanged = sorted(local.keys() - new_set - changed_set)
    return DeployPlan(target, deploy_order(uploads), delete_order(deletes), tuple(unchanged))


def _upload(file: LocalFile, reason: Reason) -> Upload:
    return Upload(file.path, reason, file.size, upload_group(file.path), file.sha256)


def describe(plan: DeployPlan) -> list[str]:
    """The plan as lines for the terminal: a summary, then every upload and delete."""
    lines = [f"deploy {plan.target!r}: {plan.summary()}"]
    lines += [f"  {u.reason:<8} {format_bytes(u.size):>9}  {u.path}" for u in plan.uploads]
    lines += [f"  {'delete':<8} {'':>9}  {p}" for p in plan.deletes]
    return lines


def format_bytes(count: int) -> str:
    """Bytes for people: 512 B, 12.3 kB, 4.0 MB (decimal units)."""
    if count < 1000:
        return f"{count} B"
    size = count / 1000
    for unit in ("kB", "MB", "GB"):
        if size < 1000:
            return f"{size:.1f} {unit}"
        size /= 1000
    return f"{size:.1f} TB"
