"""One build from site.yaml to the output folder; returns a BuildReport of what it did."""

from __future__ import annotations

import fcntl
import multiprocessing
import os
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from sitegen import cache
from sitegen.config import config_fingerprint, load_config
from sitegen.content import content_hash, parse_article
from sitegen.markdown import MarkdownRenderer
from sitegen.model import Article, Config, InputError, Problem, Site
from sitegen.output import (
    check_output_dir,
    file_hash,
    replace_all,
    safe_relative,
    update_in_place,
)
from sitegen.produce import Asset, Files, Producer
from sitegen.render import Renderer, resolve_theme
from sitegen.routes import Fingerprints, Route, card_fingerprints, digest, plan_routes
from sitegen.site import build_site

CONTENT_DIR = "content"
SITE_STATIC_DIR = "static"
FINGERPRINTED = (".css", ".js")
PARALLEL_PARSE_THRESHOLD = 200
PARALLEL_RENDER_THRESHOLD = 400

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


def _discover(content: Path, site_dir: Path) -> tuple[list[Path], list[Problem]]:
    """Every article file under content/, in a stable order; links that lead out are refused."""
    if not content.is_dir():
        return [], []
    found, problems = [], []
    root = content.resolve()
    for dirpath, dirnames, filenames in os.walk(content, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.startswith((".", "#")) or not name.endswith(".md"):
                continue
            path = Path(dirpath) / name
            if path.is_symlink() and root not in path.resolve().parents:
                problems.append(
                    Problem(
                        _rel(path, site_dir),
                        None,
                        None,
                        "symbolic link leads outside content/; skipped",
                    )
                )
                continue
            found.append(path)
    return found, problems


def _rel(path: Path, site_dir: Path) -> str:
    return path.relative_to(site_dir).as_posix()


def _parse_batch(config: Config, batch: Sequence[tuple[str, bytes]]) -> list[Article | InputError]:
    renderer = MarkdownRenderer()
    results: list[Article | InputError] = []
    for name, data in batch:
        try:
            results.append(parse_article(name, data, config, renderer))
        except InputError as error:
            results.append(error)
    return results


def _parse_all(
    config: Config, site_dir: Path, state: cache.BuildState | None, jobs: int
) -> tuple[list[Article], list[Problem], int, dict[str, cache.CachedFile]]:
    paths, problems = _discover(site_dir / CONTENT_DIR, site_dir)
    previous = state.articles if state else {}
    kept: dict[str, cache.CachedFile] = {}
    todo: list[tuple[str, bytes, os.stat_result]] = []
    for path in paths:
        name = _rel(path, site_dir)
        try:
            stat = path.stat()
            cached = previous.get(name)
            if cached and (cached.mtime_ns, cached.size) == (stat.st_mtime_ns, stat.st_size):
                kept[name] = cached
                continue
            data = path.read_bytes()
        except OSError as error:
            problems.append(Problem(name, None, None, f"cannot read: {error.strerror}"))
            continue
        if cached and cached.content_hash == content_hash(data):
            kept[name] = cache.CachedFile(
                stat.st_mtime_ns, stat.st_size, cached.content_hash, cached.article
            )
        else:
            todo.append((name, data, stat))
    batches = [[(n, d) for n, d, _ in todo[i::jobs]] for i in range(jobs)]
    if jobs > 1 and len(todo) >= PARALLEL_PARSE_THRESHOLD:
        with ProcessPoolExecutor(jobs) as pool:
            results = [
                r for batch in pool.map(_parse_batch, [config] * jobs, batches) for r in batch
            ]
        order = [item for i in range(jobs) for item in todo[i::jobs]]
    else:
        results, order = _parse_batch(config, [(n, d) for n, d, _ in todo]), todo
    for (name, _, stat), result in zip(order, results, strict=True):
        if isinstance(result, InputError):
            problems.extend(result.problems)
        else:
            kept[name] = cache.CachedFile(
                stat.st_mtime_ns, stat.st_size, result.content_hash, result
            )
    articles = [kept[name] for name in sorted(kept)]
    return [c.article for c in articles], problems, len(todo), kept


def collect_assets(site_dir: Path, static_dirs: Sequence[Path]) -> dict[str, Asset]:
    """Theme static files (css/js renamed by content hash) under static/, then the site's own."""
    assets: dict[str, Asset] = {}
    for folder in reversed(static_dirs):  # the most specific theme wins
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            name = path.relative_to(folder).as_posix()
            data_hash = file_hash(path.read_bytes())
            output = f"static/{name}"
            if path.suffix in FINGERPRINTED:
                output = f"static/{name[: -len(path.suffix)]}.{data_hash[:10]}{path.suffix}"
            assets[name] = Asset(path, output, data_hash)
    site_static = site_dir / SITE_STATIC_DIR
    if site_static.is_dir():
        for path in sorted(p for p in site_static.rglob("*") if p.is_file()):
            name = path.relative_to(site_static).as_posix()
            assets["/" + name] = Asset(path, name, file_hash(path.read_bytes()))
    return assets


@contextmanager
def build_lock(site_dir: Path, log: Log) -> Iterator[None]:
    """Two builds of one site never write at once: the second waits for the first."""
    folder = site_dir / cache.CACHE_DIR
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
        config = replace(config, base_url=options.base_url.rstrip("/") + "/")
    output = check_output_dir(site_dir, options.output or Path(config.output_dir))
    with build_lock(site_dir, log):
        return _build_locked(options, config, site_dir, output, started, log)


def _build_locked(
    options: BuildOptions, config: Config, site_dir: Path, output: Path, started: float, log: Log
) -> BuildReport:
    stages: dict[str, float] = {}
    mark = time.perf_counter()
    notices = []
    key = cache.state_key(config_fingerprint(config))
    state, notice = cache.load_state(site_dir, key, output) if options.use_cache else (None, None)
    if notice:
        notices.append(notice)
        log(notice)
    if (state is None or not state.manifest) and not _is_ours_or_empty(output):
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
    if state is not None and not output.is_dir():
        state = cache.BuildState(key, str(output), articles=state.articles)
    jobs = options.jobs or os.cpu_count() or 1
    articles, problems, parsed, parsed_files = _parse_all(config, site_dir, state, jobs)
    if problems:
        raise InputError(problems)
    stages["parse"] = time.perf_counter() - mark
    mark = time.perf_counter()
    now = options.now or datetime.now(UTC)
    site = build_site(config, articles, now, options.drafts, options.future)
    theme = resolve_theme(site_dir, config.theme)
    assets = collect_assets(site_dir, theme.static_dirs)
    renderer = Renderer(theme, _template_globals(config, assets))
    fingerprints = Fingerprints(
        config=digest(config_fingerprint(config), options.drafts, options.future),
        templates=renderer.template_fingerprints(),
        assets=digest(sorted((n, a.output) for n, a in assets.items())),
        cards=card_fingerprints(site),
        chrome=digest([(t.slug, t.name) for t in site.topics]),
    )
    asset_routes = {a.output: a.content_hash for a in assets.values()}
    routes = plan_routes(site, fingerprints, asset_routes)
    stages["plan"] = time.perf_counter() - mark
    mark = time.perf_counter()
    producer = Producer(site, renderer, assets)
    new_state = cache.BuildState(key, str(output), articles=parsed_files)
    files, rendered = _render(routes, producer, state, new_state, output, jobs, log)
    stages["render"] = time.perf_counter() - mark
    mark = time.perf_counter()
    old_manifest = state.manifest if state else {}
    changed = {
        path: data
        for path, data in files.items()
        if old_manifest.get(path) != new_state.manifest[path]
    }
    stale = sorted(set(old_manifest) - set(new_state.manifest))
    if state is None or not state.manifest:
        commit = replace_all(output, files)
    else:
        interim = cache.BuildState(key, str(output), articles=parsed_files)
        cache.save_state(site_dir, interim)  # a crash mid-commit forces a full write next time
        commit = update_in_place(output, changed, stale)
    cache.save_state(site_dir, new_state)
    stages["write"] = time.perf_counter() - mark
    return BuildReport(
        output=output,
        articles=len(site.articles),
        parsed=parsed,
        routes=len(routes),
        rendered=tuple(rendered),
        written=commit.written,
        deleted=commit.deleted,
        files=len(new_state.manifest),
        seconds=time.perf_counter() - started,
        notices=tuple(notices),
        stages=stages,
    )


def _template_globals(config: Config, assets: dict[str, Asset]) -> dict[str, object]:
    def url(path: str = "") -> str:
        return config.base_path + path.lstrip("/")

    def asset(name: str) -> str:
        found = assets.get(name)
        if found is None:
            raise ValueError(f"no theme asset named {name!r}")
        return config.base_path + found.output

    return {"url": url, "asset": asset}


def _render(
    routes: Sequence[Route],
    producer: Producer,
    state: cache.BuildState | None,
    new_state: cache.BuildState,
    output: Path,
    jobs: int,
    log: Log,
) -> tuple[dict[str, bytes], list[str]]:
    """Produce every route whose fingerprint changed; carry the others over from the last build."""
    previous = state.routes if state else {}
    manifest = state.manifest if state else {}
    todo = [
        route for route in routes if not _reusable(previous.get(route.key), route, manifest, output)
    ]
    if todo:
        log(f"rendering {len(todo)} of {len(routes)} routes")
    produced = dict(zip((r.key for r in todo), _produce_all(producer, todo, jobs), strict=True))
    files: dict[str, bytes] = {}
    owner: dict[str, str] = {}
    for route in routes:
        if route.key in produced:
            outputs = tuple(path for path, _ in produced[route.key])
            for path, data in produced[route.key]:
                safe_relative(path)
                files[path] = data
                new_state.manifest[path] = file_hash(data)
        else:
            outputs = previous[route.key][1]
            for path in outputs:
                new_state.manifest[path] = manifest[path]
        for path in outputs:
            if owner.setdefault(path, route.key) != route.key:
                raise InputError(
                    [
                        Problem(
                            route.key, None, None, f"writes {path}, which {owner[path]} writes too"
                        )
                    ]
                )
        new_state.routes[route.key] = (route.fingerprint, outputs)
    return files, [r.key for r in todo]


def _reusable(
    before: tuple[str, tuple[str, ...]] | None,
    route: Route,
    manifest: dict[str, str],
    output: Path,
) -> bool:
    return (
        before is not None
        and before[0] == route.fingerprint
        and all(path in manifest and (output / path).is_file() for path in before[1])
    )


def _produce_all(producer: Producer, routes: Sequence[Route], jobs: int) -> list[Files]:
    """Render routes, in forked worker processes when there are many (cold builds)."""
    if (
        jobs <= 1
        or len(routes) < PARALLEL_RENDER_THRESHOLD
        or "fork" not in (multiprocessing.get_all_start_methods())
    ):
        return [producer.produce(route) for route in routes]
    context = multiprocessing.get_context("fork")
    with context.Pool(jobs, initializer=_set_worker_producer, initargs=(producer,)) as pool:
        return pool.map(_produce_in_worker, routes, chunksize=32)


# Set once in each forked worker by its initializer; the parent never touches it.
_worker_producer: list[Producer] = []


def _set_worker_producer(producer: Producer) -> None:
    _worker_producer.append(producer)


def _produce_in_worker(route: Route) -> Files:
    return _worker_producer[0].produce(route)


def clean(site_dir: Path) -> list[str]:
    """Forget the build cache; the next build renders everything."""
    return ["removed build cache"] if cache.clear_state(site_dir.resolve()) else []


def utc_now() -> datetime:
    return datetime.now(UTC)


__all__ = ["BuildOptions", "BuildReport", "Site", "build", "clean", "utc_now"]
