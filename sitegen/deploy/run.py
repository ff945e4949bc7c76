"""One deploy to one target: plan, show, check deletes, apply; and a directory's rollback."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import assert_never

from sitegen.deploy import directory, git, rsync, s3
from sitegen.deploy.config import DirectoryTarget, GitTarget, RsyncTarget, S3Target, TargetConfig
from sitegen.deploy.errors import DeployAborted, DeployError
from sitegen.deploy.local import scan, staged_source, target_lock
from sitegen.deploy.plan import DeployPlan, describe

Log = Callable[[str], None]


@dataclass(frozen=True)
class DeployReport:
    """What a deploy (or rollback) did: its plan, whether it was applied, and a closing note."""

    target: str
    plan: DeployPlan
    dry_run: bool
    applied: bool
    note: str

    @property
    def uploaded(self) -> int:
        return len(self.plan.uploads) if self.applied else 0

    @property
    def deleted(self) -> int:
        return len(self.plan.deletes) if self.applied else 0


def plan_deploy(site_output: Path, target: TargetConfig) -> DeployPlan:
    """What deploying the built site to the target would upload and delete; changes nothing."""
    _check_output(site_output)
    with target_lock(target.cache_dir), staged_source(site_output, target.extra_files) as source:
        return _plan(source, target)


def run_deploy(
    site_output: Path,
    target: TargetConfig,
    *,
    dry_run: bool,
    max_deletes: int | None,
    confirm: Callable[[str], bool],
    log: Log,
) -> DeployReport:
    """Deploy the built site: show the plan, stop for a dry run or unconfirmed mass deletes,
    then upload in deploy order and delete last. Running it again after a crash completes it."""
    _check_output(site_output)
    with target_lock(target.cache_dir), staged_source(site_output, target.extra_files) as source:
        plan = _plan(source, target)
        for line in describe(plan):
            log(line)
        if dry_run:
            if max_deletes is not None and len(plan.deletes) > max_deletes:
                log(f"note: {len(plan.deletes)} deletes exceed --max-deletes {max_deletes}")
            return DeployReport(target.name, plan, True, False, "dry run: nothing was changed")
        if plan.is_empty:
            log(f"{target.name}: already up to date")
            return DeployReport(target.name, plan, False, False, "already up to date")
        _check_deletes(plan, max_deletes, confirm)
        note = _apply(plan, source, target, log)
    log(note)
    return DeployReport(target.name, plan, False, True, note)


def rollback(target: TargetConfig, log: Log) -> DeployReport:
    """Make the release before the live one live again (directory targets keep releases)."""
    if not isinstance(target, DirectoryTarget):
        raise DeployError(
            f"rollback: {target.name!r} keeps no releases; only directory targets "
            "can roll back (redeploy an older build instead)"
        )
    with target_lock(target.cache_dir):
        change, note = directory.rollback(target)
    log(note)
    return DeployReport(target.name, change, False, True, note)


def _check_output(site_output: Path) -> None:
    if not site_output.is_dir():
        raise DeployError(f"{site_output} is not a built site; run `sitegen build` first")


def _check_deletes(
    plan: DeployPlan, max_deletes: int | None, confirm: Callable[[str], bool]
) -> None:
    count = len(plan.deletes)
    if max_deletes is None or count <= max_deletes:
        return
    question = (
        f"deploy {plan.target!r} would delete {count} files, more than --max-deletes "
        f"{max_deletes}. Delete them?"
    )
    if not confirm(question):
        raise DeployAborted(
            f"deploy {plan.target!r} aborted before any change: {count} deletes "
            f"exceed --max-deletes {max_deletes} (raise it or pass --yes)"
        )


def _plan(source: Path, target: TargetConfig) -> DeployPlan:
    local = scan(source, target.exclude)
    match target:
        case DirectoryTarget():
            return directory.plan(local, target)
        case GitTarget():
            return git.plan(local, target)
        case RsyncTarget():
            return rsync.plan(source, local, target)
        case S3Target():
            return s3.plan(local, target)
        case _:
            assert_never(target)


def _apply(plan: DeployPlan, source: Path, target: TargetConfig, log: Log) -> str:
    match target:
        case DirectoryTarget():
            return directory.apply(plan, source, target, log)
        case GitTarget():
            return git.apply(plan, source, target, log)
        case RsyncTarget():
            return rsync.apply(plan, source, target, log)
        case S3Target():
            return s3.apply(plan, source, target, log)
        case _:
            assert_never(target)
