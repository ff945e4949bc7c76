"""One build from site.yaml to the output folder; returns a BuildReport of what it did."""

from __future__ import annotations

import fcntl
import gc
import hashlib
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from sitegen.cache import CACHE_DIR, BuildIndex, Cache, forget_all, state_key
from sitegen.config import config_fingerprint, load_config, override_base_url
from sitegen.load import Scan, rescan, scan
from sitegen.model import Config, InputError, Problem
from sitegen.output import check_output_dir
from sitegen.report import BuildOptions, BuildReport, Log, Timer

__all__ = ["BuildOptions", "BuildReport", "build", "build_lock", "clean"]
from sitegen.theme import resolve_theme

SITE_STATIC_DIR = "static"


@contextmanager
def build_lock(site_dir: Path, log: Log) -> Iterator[None]:
    """Two builds of one site never write at once: the second waits for the first."""
    folder = site_dir / CACHE_DIR
    folder.mkdir(exist_ok=True)
    with (folder / "build.lock").open("w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log("another build of this site is running; waiting for it to finish")
            fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def _is_ours_or_empty(output: Path) -> bool:
    if not output.exists():
        return True
    if not output.is_dir():
        return False
    if not any(output.iterdir()):
        return True
    index = output / "index.html"
    return index.is_file() and b'name="generator" content="sitegen' in index.read_bytes()[:4096]


def build(options: BuildOptions, log: Log = lambda _: None) -> BuildReport:
    """Build the site. Raises InputError (nothing written) when content or config is invalid."""
    started = time.perf_counter()
    site_dir = options.site_dir.resolve()
    config = load_config(site_dir)
    if options.base_url:
        config = override_base_url(config, options.base_url)
    output = check_output_dir(site_dir, options.output or Path(config.output_dir))
    with build_lock(site_dir, log), collector_paused():
        return _build_locked(options, config, site_dir, output, started, log)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while this process builds.

    A build loads hundreds of thousands of cached objects that live until it ends; the
    collector would walk them again and again (a third of an edit build at 10,000 articles).
    Reference counting still frees almost everything; worker processes collect as usual.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _inputs_digest(site_dir: Path, config: Config, options: BuildOptions) -> str:
    """A stat digest of everything besides content/ that a build reads."""
    theme = resolve_theme(site_dir, config.theme)
    folders = [*theme.dirs, site_dir / SITE_STATIC_DIR]
    stats = [
        (str(p), st.st_mtime_ns, st.st_size)
        for folder in folders
        if folder.is_dir()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and (st := p.stat())  # a dangling link is no input
    ]
    parts = repr((stats, options.drafts, options.future, config.base_url)).encode("utf-8")
    return hashlib.blake2b(parts, digest_size=12).hexdigest()


def _look_at_content(site_dir: Path, options: BuildOptions) -> Scan:
    """Every article file with its stat: in a preview told what changed, only those again."""
    warm = options.warm
    found = None
    if warm is not None and options.changed is not None and isinstance(warm.scan, Scan):
        found = rescan(warm.scan, site_dir, options.changed)
    found = found or scan(site_dir)
    if warm is not None:
        warm.scan = found
    return found


def _build_locked(
    options: BuildOptions, config: Config, site_dir: Path, output: Path, started: float, log: Log
) -> BuildReport:
    stages: dict[str, float] = {}
    mark = time.perf_counter()
    notices = []
    now = options.now or datetime.now(UTC)
    key = state_key(config_fingerprint(config))
    store = Cache(site_dir, output, key, options.warm)
    index, notice = store.load_index(key) if options.use_cache else (None, None)
    if notice:
        notices.append(notice)
        log(notice)
    if index is not None and (index.output != str(output) or not output.is_dir()):
        index = BuildIndex(key, str(output), files=index.files)  # keep parses, not outputs
    if (index is None or not index.manifest) and not _is_ours_or_empty(output):
        raise InputError(
            [
                Problem(
                    "site.yaml",
                    None,
                    "output_dir",
                    f"{output} holds files sitegen did not write; empty it or "
                    "choose another --output",
                )
            ]
        )
    found = _look_at_content(site_dir, options)
    inputs = _inputs_digest(site_dir, config, options)
    if (
        index is not None
        and index.manifest
        and index.inputs == inputs
        and (index.valid_until is None or now < index.valid_until)
        and found.unchanged_since(index)
        # A preview's first build assembles the site anyway (rendering nothing): the next
        # save patches it instead of assembling everything then.
        and (options.warm is None or options.warm.last is not None)
    ):
        stages["check"] = time.perf_counter() - mark
        return BuildReport(
            output,
            index.published,
            0,
            len(index.routes),
            (),
            0,
            0,
            len(index.manifest),
            time.perf_counter() - started,
            tuple(notices),
            stages,
        )
    # Rendering pulls in Jinja2, Babel, the feed and search writers: a build that finds
    # nothing changed must not pay for importing them.
    from sitegen.pipeline import rebuild

    return rebuild(
        options,
        config,
        site_dir,
        output,
        store,
        index,
        found,
        inputs,
        now,
        log,
        Timer(started, stages, mark, notices),
    )


def clean(site_dir: Path) -> list[str]:
    """Forget the build cache; the next build renders and writes everything."""
    return ["removed build cache"] if forget_all(site_dir.resolve()) else []
