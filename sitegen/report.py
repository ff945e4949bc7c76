"""What a build is asked to do (BuildOptions) and what it did (BuildReport)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sitegen.cache import WarmCache

Log = Callable[[str], None]


@dataclass(frozen=True)
class BuildOptions:
    site_dir: Path
    output: Path | None = None
    drafts: bool = False
    future: bool = False
    base_url: str | None = None
    use_cache: bool = True
    jobs: int | None = None
    now: datetime | None = None  # None: the clock; tests pass a fixed moment
    warm: WarmCache | None = None  # a long-lived process keeps the unpickled cache here
    # With `warm`: the paths a file watcher saw change since this process's last build; only
    # those under content/ are looked at again. None: unknown, every file is looked at.
    changed: frozenset[Path] | None = None


@dataclass
class Timer:
    """Where a build is in time: its start, the stage being timed, what it has said so far."""

    started: float
    stages: dict[str, float]
    mark: float
    notices: list[str]


@dataclass(frozen=True)
class BuildReport:
    output: Path
    articles: int
    parsed: int
    routes: int
    rendered: tuple[str, ...]  # route keys rendered this time
    written: int
    deleted: int
    files: int
    seconds: float
    notices: tuple[str, ...] = ()
    stages: dict[str, float] = field(default_factory=dict)

    @property
    def skipped(self) -> int:
        return self.routes - len(self.rendered)
