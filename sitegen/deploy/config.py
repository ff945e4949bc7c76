"""Read the `deploy:` mapping of site.yaml into typed targets; every error names its key path."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from sitegen.deploy.errors import (
    NO_SECRETS,
    DeployConfigError,
    add_problem,
    check_keys,
    did_you_mean,
    fail,
)
from sitegen.deploy.extras import parse_headers, parse_redirects, site_files
from sitegen.model import Problem

CACHE_DIR = Path(".sitegen-cache") / "deploy"
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
BRANCH_RE = re.compile(r"^(?!-)(?!.*\.\.)[A-Za-z0-9._/-]+(?<![./])$")
HOST_RE = re.compile(r"^(?=.{1,253}$)[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
BUCKET_RE = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
PASSWORD_IN_URL = re.compile(r"://[^/@\s]*:[^/@\s]*@")
DEPLOY_KEYS = ("default", "targets", "headers", "redirects")
COMMON_KEYS = ("type", "exclude")
TYPE_KEYS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "directory": ("path", "keep"),
        "git": ("remote", "branch", "cname", "nojekyll"),
        "rsync": ("dest", "options"),
        "s3": ("bucket", "prefix", "endpoint_url", "region", "profile", "workers"),
    }
)


@dataclass(frozen=True, kw_only=True)
class TargetBase:
    """What every target has: its name, a private cache folder, exclusions, generated files."""

    name: str
    cache_dir: Path
    exclude: tuple[str, ...] = ()
    extra_files: tuple[tuple[str, bytes], ...] = ()


@dataclass(frozen=True, kw_only=True)
class DirectoryTarget(TargetBase):
    """A local folder served through a symlink to the live release folder."""

    path: Path
    keep: int = 5

    @property
    def releases_dir(self) -> Path:
        return self.path.with_name(self.path.name + ".releases")


@dataclass(frozen=True, kw_only=True)
class GitTarget(TargetBase):
    """A branch of a git remote (e.g. gh-pages), committed from a cached working copy."""

    remote: str
    branch: str = "gh-pages"
    cname: str | None = None
    nojekyll: bool = True


@dataclass(frozen=True, kw_only=True)
class RsyncTarget(TargetBase):
    """A local path or `[user@]host:path` reached by rsync (over ssh for remote hosts)."""

    dest: str
    options: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class S3Target(TargetBase):
    """A bucket (and key prefix) on S3 or an S3-compatible service such as R2 or MinIO."""

    bucket: str
    prefix: str = ""
    endpoint_url: str | None = None
    region: str | None = None
    profile: str | None = None
    workers: int = 8


TargetConfig = DirectoryTarget | GitTarget | RsyncTarget | S3Target


@dataclass(frozen=True)
class DeployConfig:
    """Every configured target by name, and the one `sitegen deploy` uses without a name."""

    default: str | None = None
    targets: Mapping[str, TargetConfig] = field(default_factory=lambda: MappingProxyType({}))

    def select(self, name: str | None) -> TargetConfig:
        """The target called `name`, or the default one; a clear error when there is none."""
        if not self.targets:
            fail("deploy.targets", "no deploy targets are configured")
        chosen = name or self.default
        if chosen is None:
            fail("deploy.default", f"not set; name a target ({', '.join(self.targets)})")
        if chosen not in self.targets:
            hint = did_you_mean(chosen, self.targets)
            fail(
                "deploy.targets",
                f"no target named {chosen!r}{hint}; known: {', '.join(self.targets)}",
            )
        return self.targets[chosen]


def parse_targets(raw: Mapping[str, Any], site_dir: Path) -> DeployConfig:
    """Validate the `deploy:` mapping; raise DeployConfigError listing every problem found."""
    problems: list[Problem] = []
    if not raw:
        return DeployConfig()
    if not isinstance(raw, Mapping):
        fail("deploy", "expected a mapping with `targets:`")
    check_keys(raw, "deploy", DEPLOY_KEYS, problems)
    generated = site_files(
        parse_headers(raw.get("headers"), problems), parse_redirects(raw.get("redirects"), problems)
    )
    targets: dict[str, TargetConfig] = {}
    specs = raw.get("targets")
    if not isinstance(specs, Mapping) or not specs:
        add_problem(problems, "deploy.targets", "required: a mapping of target names to targets")
        specs = {}
    for name, spec in specs.items():
        target = _target(str(name), spec, site_dir, generated, problems)
        if target is not None:
            targets[target.name] = target
    default = _default(raw.get("default"), specs, problems)
    if problems:
        raise DeployConfigError(problems)
    return DeployConfig(default, MappingProxyType(targets))


def _default(value: Any, specs: Mapping[str, Any], problems: list[Problem]) -> str | None:
    if value is None:
        return str(next(iter(specs))) if len(specs) == 1 else None
    if not isinstance(value, str) or value not in specs:
        add_problem(
            problems,
            "deploy.default",
            f"{value!r} is not a target{did_you_mean(str(value), tuple(map(str, specs)))}",
        )
        return None
    return value


def _target(
    name: str,
    spec: Any,
    site_dir: Path,
    generated: tuple[tuple[str, bytes], ...],
    problems: list[Problem],
) -> TargetConfig | None:
    where = f"deploy.targets.{name}"
    if not NAME_RE.match(name):
        add_problem(problems, where, "a target name uses letters, digits, '.', '_' and '-'")
        return None
    if not isinstance(spec, Mapping):
        add_problem(problems, where, "expected a mapping with `type:`")
        return None
    kind = spec.get("type")
    if not isinstance(kind, str) or kind not in TYPE_KEYS:
        message = "required" if kind is None else f"unknown type {kind!r}"
        add_problem(problems, f"{where}.type", f"{message} (one of: {', '.join(TYPE_KEYS)})")
        return None
    count = len(problems)
    check_keys(spec, where, COMMON_KEYS + TYPE_KEYS[kind], problems)
    common: dict[str, Any] = {
        "name": name,
        "cache_dir": Path(os.path.abspath(site_dir)) / CACHE_DIR / name,
        "exclude": _str_list(spec, "exclude", where, problems),
        "extra_files": generated,
    }
    target = _BUILDERS[kind](_Spec(spec, where, site_dir, problems), common)
    return target if len(problems) == count else None


@dataclass(frozen=True)
class _Spec:
    """One target's raw mapping with where it sits in site.yaml, for readers of single keys."""

    spec: Mapping[str, Any]
    where: str
    site_dir: Path
    problems: list[Problem]

    def text(
        self,
        key: str,
        default: str | None = None,
        *,
        required: bool = False,
        pattern: re.Pattern[str] | None = None,
        hint: str = "",
    ) -> str | None:
        value = self.spec.get(key, default)
        if value is None:
            if required:
                self.add(key, "required")
            return None
        if isinstance(value, str) and PASSWORD_IN_URL.search(value):
            self.add(key, NO_SECRETS)
            return None
        if not isinstance(value, str) or (pattern is not None and not pattern.match(value)):
            self.add(key, f"{value!r} is not valid{hint}")
            return None
        return value

    def add(self, key: str, message: str) -> None:
        add_problem(self.problems, f"{self.where}.{key}", message)

    def integer(self, key: str, default: int, low: int, high: int) -> int:
        value = self.spec.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            add_problem(
                self.problems, f"{self.where}.{key}", f"expected a whole number {low}..{high}"
            )
            return default
        return value

    def flag(self, key: str, default: bool) -> bool:
        value = self.spec.get(key, default)
        if not isinstance(value, bool):
            self.add(key, "expected true or false")
            return default
        return value

    def local_path(self, value: str) -> Path:
        """A path from site.yaml: `~` expanded, relative to the site folder, links not followed."""
        return Path(os.path.abspath(self.site_dir / os.path.expanduser(value)))


def _str_list(
    spec: Mapping[str, Any], key: str, where: str, problems: list[Problem]
) -> tuple[str, ...]:
    value = spec.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        add_problem(problems, f"{where}.{key}", "expected a list of strings")
        return ()
    return tuple(value)


def _directory(f: _Spec, common: dict[str, Any]) -> DirectoryTarget:
    path = f.text("path", required=True) or "."
    keep = f.integer("keep", 5, 2, 1000)
    return DirectoryTarget(**common, path=f.local_path(path), keep=keep)


def _git(f: _Spec, common: dict[str, Any]) -> GitTarget:
    remote = f.text("remote", required=True) or ""
    if remote and not is_remote_url(remote):
        remote = str(f.local_path(remote))
    branch = f.text("branch", "gh-pages", pattern=BRANCH_RE, hint=" as a branch name") or ""
    cname = f.text("cname", pattern=HOST_RE, hint=": expected a host name like news.example.org")
    nojekyll = f.flag("nojekyll", True)
    extra = list(common.pop("extra_files"))
    if nojekyll:
        extra.append((".nojekyll", b""))
    if cname:
        extra.append(("CNAME", f"{cname}\n".encode()))
    return GitTarget(
        **common,
        extra_files=tuple(extra),
        remote=remote,
        branch=branch,
        cname=cname,
        nojekyll=nojekyll,
    )


def _rsync(f: _Spec, common: dict[str, Any]) -> RsyncTarget:
    dest = (
        f.text(
            "dest", required=True, pattern=re.compile(r"^[^-]"), hint=": must not start with '-'"
        )
        or ""
    )
    if dest and not is_remote_rsync(dest):
        dest = str(f.local_path(dest))
    options = _str_list(f.spec, "options", f.where, f.problems)
    return RsyncTarget(**common, dest=dest, options=options)


def _s3(f: _Spec, common: dict[str, Any]) -> S3Target:
    bucket = f.text("bucket", required=True, pattern=BUCKET_RE, hint=" as a bucket name") or ""
    prefix = (f.text("prefix", "") or "").strip("/")
    endpoint = f.text(
        "endpoint_url",
        pattern=re.compile(r"^https?://"),
        hint=": expected an http:// or https:// URL",
    )
    return S3Target(
        **common,
        bucket=bucket,
        prefix=f"{prefix}/" if prefix else "",
        endpoint_url=endpoint,
        region=f.text("region"),
        profile=f.text("profile"),
        workers=f.integer("workers", 8, 1, 64),
    )


_BUILDERS: Mapping[str, Callable[[_Spec, dict[str, Any]], TargetConfig]] = MappingProxyType(
    {
        "directory": _directory,
        "git": _git,
        "rsync": _rsync,
        "s3": _s3,
    }
)


def is_remote_url(remote: str) -> bool:
    """True for `scheme://...` and scp-like `user@host:path` remotes; False for local paths."""
    return "://" in remote or is_remote_rsync(remote)


def is_remote_rsync(dest: str) -> bool:
    """rsync's own rule: a ':' before any '/' names a host (`host:path`, `host::module`)."""
    head = dest.split("/", 1)[0]
    return dest.startswith("rsync://") or (":" in head and not dest.startswith(("./", "~")))
