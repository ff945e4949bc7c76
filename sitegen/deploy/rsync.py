"""Deploy with the real rsync, locally or over ssh: checksum diff, grouped uploads, delete last."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

from sitegen.deploy.config import RsyncTarget, is_remote_rsync
from sitegen.deploy.errors import DeployError
from sitegen.deploy.plan import DeployPlan, Manifest, Upload, plan_from_changes

ITEM_RE = re.compile(r"^([<>ch.])f([.+a-zA-Z?]{9}) (.+)$")
DELETE_RE = re.compile(r"^\*deleting\s+(.+)$")
COPY = ("--recursive", "--links", "--times", "--checksum")


def rsync_args(target: RsyncTarget, *args: str) -> list[str]:
    """An rsync command line: our flags, exclusions, the user's options, then `args`."""
    exe = shutil.which("rsync")
    if exe is None:
        raise DeployError("rsync is not installed (apt-get install rsync)")
    excludes = [f"--exclude=/{p.replace('*', '**')}" for p in target.exclude]
    return [exe, *excludes, *target.options, *args]


def run_rsync(command: list[str]) -> str:
    """Run rsync; a failure raises with rsync's own message (ssh asks the agent, not us)."""
    proc = subprocess.run(command, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise DeployError(f"rsync failed (exit {proc.returncode}): {proc.stderr.strip()}")
    return proc.stdout


def destination(target: RsyncTarget) -> str:
    return target.dest.rstrip("/") + "/"


def plan(source: Path, local: Manifest, target: RsyncTarget) -> DeployPlan:
    """Ask rsync itself (a checksum dry run with --delete) what it would send and delete."""
    out = run_rsync(
        rsync_args(
            target,
            "--dry-run",
            *COPY,
            "--delete",
            "--8-bit-output",
            "--out-format=%i %n",
            f"{source}/",
            destination(target),
        )
    )
    new: set[str] = set()
    changed: set[str] = set()
    deletes: set[str] = set()
    for line in out.splitlines():
        if item := ITEM_RE.match(line):
            kind, flags, path = item.groups()
            if kind in "<>" and path in local:
                (new if flags == "+" * 9 else changed).add(path)
        elif (gone := DELETE_RE.match(line)) and not gone.group(1).endswith("/"):
            deletes.add(gone.group(1))
    return plan_from_changes(target.name, local, new, changed, deletes)


def apply(plan: DeployPlan, source: Path, target: RsyncTarget, log: Callable[[str], None]) -> str:
    """One rsync pass per upload group, in deploy order, then one pass that only deletes."""
    if not is_remote_rsync(target.dest):
        Path(target.dest).mkdir(parents=True, exist_ok=True)
    for group, uploads in plan.batches():
        _send(source, target, uploads)
        for upload in uploads:
            log(f"upload {upload.reason} {upload.path}")
        log(f"rsync: {len(uploads)} {group.name.lower()} sent")
    if plan.deletes:
        run_rsync(
            rsync_args(
                target,
                "--recursive",
                "--delete",
                "--existing",
                "--ignore-existing",
                f"{source}/",
                destination(target),
            )
        )
        for path in plan.deletes:
            log(f"delete {path}")
    return f"rsync to {target.dest}: {len(plan.uploads)} sent, {len(plan.deletes)} deleted"


def _send(source: Path, target: RsyncTarget, uploads: Iterable[Upload]) -> None:
    with tempfile.NamedTemporaryFile("wb", prefix="sitegen-rsync-", suffix=".list") as listing:
        listing.write(b"".join(u.path.encode() + b"\0" for u in uploads))
        listing.flush()
        run_rsync(
            rsync_args(
                target,
                *COPY,
                "--from0",
                f"--files-from={listing.name}",
                f"{source}/",
                destination(target),
            )
        )
