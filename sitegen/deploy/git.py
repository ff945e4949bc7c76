"""Deploy to a branch of a git remote (GitHub Pages style) through a cached working copy."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

from sitegen.deploy.config import GitTarget
from sitegen.deploy.errors import DeployError
from sitegen.deploy.local import copy_file, remove_file, scan
from sitegen.deploy.plan import DeployPlan, Manifest, diff

USERINFO_RE = re.compile(r"(?<=://)[^/@\s]+@")
SKIP = frozenset({".git"})


def redact(text: str) -> str:
    """Hide `user:token@` in URLs, so a remote's credentials never reach a log or an error."""
    return USERINFO_RE.sub("***@", text)


def worktree(target: GitTarget) -> Path:
    return target.cache_dir / "repo"


def run_git(work: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run one git command in the working copy; never prompts, errors name the command."""
    if shutil.which("git") is None:
        raise DeployError("git is not installed (apt-get install git)")
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}
    proc = subprocess.run(
        ["git", "-C", str(work), *args], capture_output=True, text=True, env=env, check=False
    )
    if check and proc.returncode != 0:
        raise DeployError(redact(f"git {args[0]} failed: {proc.stderr.strip() or proc.stdout}"))
    return proc


def checkout(target: GitTarget) -> Path:
    """Make the cached working copy equal the remote branch (or empty when it does not exist).

    Whatever a killed deploy left behind (edits, an unpushed commit) is thrown away here.
    """
    work = worktree(target)
    if not (work / ".git").is_dir():
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        run_git(work, "init", "-q")
    run_git(work, "config", "core.autocrlf", "false")
    has_origin = run_git(work, "remote", "get-url", "origin", check=False).returncode == 0
    run_git(work, "remote", "set-url" if has_origin else "add", "origin", target.remote)
    ref = f"refs/heads/{target.branch}"
    if run_git(work, "ls-remote", "--heads", "origin", ref).stdout.strip():
        tracking = f"refs/remotes/origin/{target.branch}"
        run_git(work, "fetch", "-q", "--depth", "1", "origin", f"+{ref}:{tracking}")
        run_git(work, "checkout", "-q", "--force", "-B", target.branch, tracking)
    else:
        run_git(work, "symbolic-ref", "HEAD", ref)
        run_git(work, "update-ref", "-d", ref, check=False)
        run_git(work, "read-tree", "--empty")
    run_git(work, "clean", "-q", "-f", "-f", "-d", "-x")
    return work


def plan(local: Manifest, target: GitTarget) -> DeployPlan:
    """Fetch the branch and compare the site with its files."""
    work = checkout(target)
    remote = {p: f.sha256 for p, f in scan(work, target.exclude, SKIP).items()}
    return diff(target.name, local, remote, lambda f: remote[f.path] == f.sha256)


def apply(plan: DeployPlan, source: Path, target: GitTarget, log: Callable[[str], None]) -> str:
    """Change the working copy as planned, commit only if something changed, push."""
    work = worktree(target)
    for upload in plan.uploads:
        copy_file(source / upload.path, work / upload.path)
        log(f"upload {upload.reason} {upload.path}")
    for path in plan.deletes:
        remove_file(work, path)
        log(f"delete {path}")
    run_git(work, "add", "--all", "--force", ".")
    if run_git(work, "diff", "--cached", "--quiet", check=False).returncode == 0:
        return f"branch {target.branch} already has this site; nothing committed"
    message = f"sitegen deploy: {plan.new} new, {plan.changed} changed, {len(plan.deletes)} deleted"
    run_git(work, *_identity(work), "commit", "-q", "-m", message)
    run_git(work, "push", "-q", "origin", f"HEAD:refs/heads/{target.branch}")
    commit = run_git(work, "rev-parse", "--short", "HEAD").stdout.strip()
    return f"pushed {commit} to {redact(target.remote)} {target.branch}: {message}"


def _identity(work: Path) -> tuple[str, ...]:
    """A committer for machines with no git identity set; a configured one always wins."""
    if run_git(work, "config", "user.email", check=False).stdout.strip():
        return ()
    return ("-c", "user.name=sitegen", "-c", "user.email=sitegen@localhost")
