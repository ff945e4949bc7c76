"""Watch the files a build reads (watchdog) and hand relevant changes on, debounced."""

from __future__ import annotations

import contextlib
import logging
import os
import re
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver, ObservedWatch

from sitegen.config import CONFIG_FILE
from sitegen.model import InputError

WATCHED_FOLDERS = ("content", "themes", "static")
SKIPPED_FOLDERS = frozenset({".git", ".hg", ".svn", ".sitegen-cache", "__pycache__"})
EDITOR_NOISE = re.compile(
    r"""( \.sw[a-z]$       # vim swap files (.swp, .swx, .swo, ...)
        | ~$               # backups
        | ^\.\#            # emacs lock files
        | ^\#.*\#$         # emacs auto-saves
        | ^4913$           # vim's can-I-write-here probe
        | \.tmp$ | \.tmp\d+$ | \.part$ | \.crdownload$
        | ^\.DS_Store$ | ^Thumbs\.db$ )""",
    re.VERBOSE,
)
COUNTED_EVENTS = frozenset({"created", "deleted", "moved", "modified"})


def is_noise(name: str) -> bool:
    """Swap, backup, lock and temporary files editors write next to the real one."""
    return bool(EDITOR_NOISE.search(name))


@dataclass(frozen=True)
class Change:
    """What the watcher saw: paths a build reads, and whether the watches must be re-planned."""

    paths: frozenset[Path]
    structural: bool = False  # a watched top-level folder or site.yaml itself changed
    doubt: bool = False  # events may have been lost: rebuild everything


def classify(paths: Iterable[Path], site_dir: Path, extra_dirs: Sequence[Path]) -> Change | None:
    """The relevant part of one event's paths (a move has two); None if only noise."""
    kept, structural = set(), False
    for path in paths:
        where = _place(path, site_dir, extra_dirs)
        if where is None:
            continue
        kept.add(path)
        structural = structural or where == "top"
    return Change(frozenset(kept), structural) if kept else None


def _place(path: Path, site_dir: Path, extra_dirs: Sequence[Path]) -> str | None:
    """'top' for site.yaml and the watched folders themselves, 'inside' below them, else None."""
    if is_noise(path.name):
        return None
    for root in extra_dirs:
        if path.is_relative_to(root):
            return _inside(path.relative_to(root).parts)
    if not path.is_relative_to(site_dir):
        return None
    parts = path.relative_to(site_dir).parts
    if parts in ((CONFIG_FILE,), *((f,) for f in WATCHED_FOLDERS)):
        return "top"
    if not parts or parts[0] not in WATCHED_FOLDERS:
        return None
    return _inside(parts[1:])


def _inside(parts: tuple[str, ...]) -> str | None:
    return None if any(p in SKIPPED_FOLDERS or is_noise(p) for p in parts) else "inside"


def event_paths(event: FileSystemEvent) -> list[Path] | None:
    """The paths an event touches, or None for events that change nothing a build reads."""
    if event.event_type not in COUNTED_EVENTS:
        return None  # opened/closed/attrib: our own build reading files must not loop
    if event.event_type == "modified" and event.is_directory:
        return None  # a folder's mtime moves with every file in it, swap files included
    paths = [Path(os.fsdecode(event.src_path))]
    if event.dest_path:
        paths.append(Path(os.fsdecode(event.dest_path)))
    return paths


@dataclass(frozen=True)
class Batch:
    """The changes one build picks up; `covers` is the gate number of the last of them."""

    paths: frozenset[Path]
    structural: bool
    full: bool
    covers: int


class ChangeQueue:
    """Changes collected until the writer pauses for `debounce` seconds, then taken at once.

    A burst of saves becomes one build; `max_wait` bounds the delay when saves never pause.
    `number` gives each change its gate number (SiteGate.want), under this queue's lock, so a
    batch covers exactly the changes it holds.
    """

    def __init__(self, debounce: float, number: Callable[[], int], max_wait: float = 2.0) -> None:
        self._cond = threading.Condition()
        self._debounce = debounce
        self._max_wait = max(max_wait, debounce)
        self._number = number
        self._paths: set[Path] = set()
        self._structural = self._full = False
        self._pending = False
        self._covers = 0
        self._first = self._last = 0.0
        self._closed = False

    def put(self, change: Change) -> None:
        with self._cond:
            now = time.monotonic()
            if not self._pending:
                self._pending, self._first = True, now
            self._last = now
            self._paths |= change.paths
            self._structural |= change.structural
            self._full |= change.doubt
            self._covers = self._number()
            self._cond.notify_all()

    def take(self) -> Batch | None:
        """Block until a batch is due; None once the queue is closed."""
        with self._cond:
            while True:
                if self._closed:
                    return None
                if self._pending:
                    due = min(self._last + self._debounce, self._first + self._max_wait)
                    if time.monotonic() >= due:
                        return self._drain()
                    self._cond.wait(due - time.monotonic())
                else:
                    self._cond.wait()

    def _drain(self) -> Batch:
        batch = Batch(frozenset(self._paths), self._structural, self._full, self._covers)
        self._paths = set()
        self._structural = self._full = self._pending = False
        return batch

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()


class _Relay(FileSystemEventHandler):
    """Runs on the observer's thread: keeps relevant events, passes them on."""

    def __init__(
        self,
        site_dir: Path,
        extra_dirs: Callable[[], Sequence[Path]],
        put: Callable[[Change], None],
    ) -> None:
        self._site_dir = site_dir
        self._extra_dirs = extra_dirs
        self._put = put

    def on_any_event(self, event: FileSystemEvent) -> None:
        paths = event_paths(event)
        change = classify(paths, self._site_dir, self._extra_dirs()) if paths else None
        if change is not None:
            self._put(change)


class _LostEvents(logging.Handler):
    """watchdog only logs an inotify queue overflow or a failed watch; any of it is doubt."""

    def __init__(self, put: Callable[[Change], None]) -> None:
        super().__init__(logging.WARNING)
        self._put = put

    def emit(self, record: logging.LogRecord) -> None:
        self._put(Change(frozenset(), structural=True, doubt=True))


class Watcher:
    """A watchdog Observer over site.yaml, content/, themes/, static/ and outside theme folders.

    Folders are watched only while they exist; `replan` (after a structural change) drops and
    re-creates the watches, so a folder deleted and created again is watched again.
    """

    def __init__(
        self,
        site_dir: Path,
        put: Callable[[Change], None],
        theme_dirs: Callable[[], Sequence[Path]] = tuple,
    ) -> None:
        self._site_dir = site_dir
        self._theme_dirs = theme_dirs
        self._extra: tuple[Path, ...] = ()
        self._relay = _Relay(site_dir, lambda: self._extra, put)
        self._alarm = _LostEvents(put)
        self._observer: BaseObserver = Observer()
        self._watches: list[ObservedWatch] = []
        self._lock = threading.Lock()

    def start(self) -> None:
        logging.getLogger("watchdog").addHandler(self._alarm)
        self.replan()
        self._observer.start()

    def replan(self) -> None:
        """Drop every watch and watch what exists now (after a structural change)."""
        with self._lock:
            for watch in self._watches:
                with contextlib.suppress(KeyError, OSError):
                    self._observer.unschedule(watch)
            with contextlib.suppress(InputError):  # a broken site.yaml: keep the last theme
                self._extra = tuple(
                    d for d in self._theme_dirs() if not d.is_relative_to(self._site_dir)
                )
            roots = [(self._site_dir, False)]
            roots += [(self._site_dir / name, True) for name in WATCHED_FOLDERS]
            roots += [(folder, True) for folder in self._extra]
            self._watches = [w for path, deep in roots if (w := self._schedule(path, deep))]

    def _schedule(self, path: Path, recursive: bool) -> ObservedWatch | None:
        if not path.is_dir():
            return None
        try:
            return self._observer.schedule(self._relay, str(path), recursive=recursive)
        except OSError:  # vanished since is_dir(); its creation will replan again
            return None

    def stop(self) -> None:
        logging.getLogger("watchdog").removeHandler(self._alarm)
        self._observer.stop()
        if self._observer.is_alive():
            self._observer.join()
