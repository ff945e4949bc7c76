"""A build past the cache check: parse what changed, assemble the site, render, write."""

from __future__ import annotations

import gc
import math
import multiprocessing
import os
import re
import time
from collections.abc import Generator, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from markupsafe import Markup

from sitegen.cache import BuildIndex, Cache, LastPlan, state_key
from sitegen.config import config_fingerprint
from sitegen.forking import can_fork, forked, in_background, in_process
from sitegen.load import Loaded, Scan, load_content
from sitegen.model import Article, Config, InputError, Problem, Site
from sitegen.output import Staging, check_relative, file_hash, list_files
from sitegen.produce import (
    OFFLINE_FILE,
    Asset,
    Files,
    Fragment,
    FragmentKey,
    Producer,
    offline_manifest,
)
from sitegen.render import Renderer
from sitegen.report import BuildOptions, BuildReport, Log, Timer
from sitegen.routes import Fingerprints, Plan, Route, card_fingerprints, digest, plan_routes
from sitegen.site import SiteState, build_site, story_options
from sitegen.stories import StoryIndex
from sitegen.theme import Theme, resolve_theme

SITE_STATIC_DIR = "static"
FINGERPRINTED = (".css", ".js")
PARALLEL_RENDER_THRESHOLD = 400
# Articles parsed past which the story clustering of their sources runs in processes.
PARALLEL_STORIES_THRESHOLD = 1000
# Articles parsed past which a CLI build saves them in a forked process, as soon as they are
# parsed: saving (~1 s at 10k) then runs while this process assembles and plans the site,
# when one core has nothing to do, instead of at the end, when both would wait for it.
BACKGROUND_SAVE_THRESHOLD = 1000
# A render worker is replaced after some chunks of CHUNK routes: what it copied from the main
# process (every object it touches, through reference counts) is given back. Each worker is
# forked about WORKER_GENERATIONS times (at least WORKER_TASKS chunks each): a fork copies the
# page tables of the whole main process, so a count growing with the site would make the
# kernel's share of a build grow with its square.
CHUNK = 32
WORKER_TASKS = 4
WORKER_GENERATIONS = 15
# The search index reads every article, and it is one route: a render worker would gain
# nothing, and copy much of the site. A CLI build forks a process of its own for it as the
# render workers start, so that it also uses the time this process spends preparing them.
MAIN_PROCESS_KINDS = frozenset({"search_index"})


def rebuild(
    options: BuildOptions,
    config: Config,
    site_dir: Path,
    output: Path,
    store: Cache,
    index: BuildIndex | None,
    found: Scan,
    inputs: str,
    now: datetime,
    log: Log,
    timer: Timer,
) -> BuildReport:
    """Everything after the cache check: parse what changed, plan, render, write."""
    started, stages, mark, notices = timer.started, timer.stages, timer.mark, timer.notices
    key = state_key(config_fingerprint(config))
    jobs = options.jobs or os.cpu_count() or 1
    loaded = load_content(config, site_dir, found, index, store, jobs, options.use_cache)
    stages["parse"] = time.perf_counter() - mark
    saving = None  # a preview keeps what it saves in memory too, so it saves here
    if options.warm is None and jobs > 1 and loaded.parsed >= BACKGROUND_SAVE_THRESHOLD:
        saving = in_background(lambda: _save_parsed(store, loaded))
    saved_bodies = len(loaded.bodies.fresh_ids)
    mark = time.perf_counter()
    try:
        stories = None
        if config.stories.enabled:  # a foreign-version cache may have read bodies another way
            grouping = story_options(config)
            stories = store.load_story_index(grouping) if index else StoryIndex(grouping)
        last = options.warm.last if options.warm else None
        site = build_site(
            config,
            loaded.articles,
            loaded.bodies,
            now,
            options.drafts,
            options.future,
            known_related=index.related if index else None,
            story_index=stories,
            previous=last.state if last else None,
            each=forked(jobs) if loaded.parsed >= PARALLEL_STORIES_THRESHOLD else in_process,
        )
        renderer, assets, plan = plan_site(
            site_dir,
            site,
            options.drafts,
            options.future,
            store if options.use_cache else None,
            last.plan if last else None,
        )
        routes = plan.routes
        stages["plan"] = time.perf_counter() - mark
        mark = time.perf_counter()
        producer = Producer(
            site,
            renderer,
            assets,
            plan.fingerprints,
            store.folder if options.use_cache else None,
            options.warm.search if options.warm is not None else None,
            options.warm.fragments if options.warm is not None else None,
            options.warm.cards if options.warm is not None else None,
        )
        valid_until = _valid_until(loaded.articles.values(), now, options.future)
        new_index = BuildIndex(
            key,
            str(output),
            inputs,
            valid_until,
            loaded.files,
            related=(site.related_key, site.related),
            published=len(site.articles),
        )
        # A long-lived preview owns its output folder; a build checks nobody removed files.
        trusted = options.warm is not None
        old_manifest = index.manifest if index else {}
        staging = Staging(output, in_place=bool(old_manifest))
        try:
            rendered = _render(routes, producer, index, new_index, trusted, staging, jobs, log)
            if config.offline.enabled:
                offline = offline_manifest(site, new_index.manifest)
                new_index.manifest[OFFLINE_FILE] = file_hash(offline)
                if old_manifest.get(OFFLINE_FILE) != new_index.manifest[OFFLINE_FILE]:
                    staging.add(OFFLINE_FILE, offline)
            stages["render"] = time.perf_counter() - mark
            mark = time.perf_counter()
            stale = sorted(set(old_manifest) - set(new_index.manifest))
            if saving is None:
                _save_parsed(store, loaded)
            elif not saving.wait():  # the site is right; the next build parses its articles again
                notices.append("the parsed articles could not be saved in the build cache")
            elif len(loaded.bodies.fresh_ids) > saved_bodies:  # parsed again, from a damaged cache
                loaded.bodies.save(loaded.articles, loaded.removed)
        except BaseException:
            staging.discard()
            raise
        if not old_manifest:
            commit = staging.replace_all()
        else:
            # A crash while files move in leaves a marker: the next build then writes
            # everything again instead of trusting a half-updated folder.
            store.writing()
            commit = staging.update_in_place(stale, tidy_later=options.warm is not None)
        store.save(new_index, stories)
        if options.warm is not None:
            state = SiteState(site, loaded.articles, options.drafts, options.future, valid_until)
            options.warm.last = LastPlan(state, plan)
        stages["write"] = time.perf_counter() - mark
        return BuildReport(
            output=output,
            articles=len(site.articles),
            parsed=loaded.parsed,
            routes=len(routes),
            rendered=tuple(rendered),
            written=commit.written,
            deleted=commit.deleted,
            files=len(new_index.manifest),
            seconds=time.perf_counter() - started,
            notices=tuple(notices),
            stages=stages,
        )
    finally:  # an error on the way must not leave it behind
        if saving is not None:
            saving.wait()


def _save_parsed(store: Cache, loaded: Loaded) -> None:
    """Keep the articles and bodies parsed (or found gone) in this build in the cache."""
    store.save_articles(loaded.articles, {*loaded.bodies.fresh_ids, *loaded.removed})
    loaded.bodies.save(loaded.articles, loaded.removed)


def collect_assets(site_dir: Path, theme: Theme) -> dict[str, Asset]:
    """Theme static files (css/js renamed by content hash) under static/, theme root files
    (such as a service worker, which must sit at the root) at the root, then the site's own."""
    assets: dict[str, Asset] = {}
    static_dirs = theme.static_dirs
    for folder in reversed(static_dirs):  # the most specific theme wins
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            _refuse_links_out(path, folder.parent)
            name = path.relative_to(folder).as_posix()
            data_hash = file_hash(path.read_bytes())
            output = f"static/{name}"
            if path.suffix in FINGERPRINTED:
                output = f"static/{name[: -len(path.suffix)]}.{data_hash[:10]}{path.suffix}"
            assets[name] = Asset(path, output, data_hash)
    for folder in [*reversed(theme.root_dirs), site_dir / SITE_STATIC_DIR]:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            if folder in theme.root_dirs:
                _refuse_links_out(path, folder.parent)
            name = path.relative_to(folder).as_posix()
            assets["/" + name] = Asset(path, name, file_hash(path.read_bytes()))
    return assets


def _refuse_links_out(path: Path, theme_dir: Path) -> None:
    """A theme from the internet must not publish ~/.ssh/id_rsa through a symlink."""
    if theme_dir.resolve() not in path.resolve().parents:
        raise InputError(
            [Problem(str(path), None, None, "symbolic link leads outside its theme; refusing it")]
        )


def plan_site(
    site_dir: Path,
    site: Site,
    drafts: bool,
    future: bool,
    store: Cache | None = None,
    previous: Plan | None = None,
) -> tuple[Renderer, dict[str, Asset], Plan]:
    """The theme's renderer and assets, and every route with its fingerprint. `previous`: the
    last plan of this process, from which what did not change is taken."""
    config = site.config
    theme = resolve_theme(site_dir, config.theme)
    assets = collect_assets(site_dir, theme)
    renderer = Renderer(
        theme,
        _template_globals(config, assets),
        store.compiled_templates() if store else None,
        store.template_refs if store else None,
    )
    fingerprints = Fingerprints(
        config=digest(config_fingerprint(config), drafts, future),
        templates=renderer.template_fingerprints(),  # parses every template: syntax errors
        assets=digest(sorted((n, a.output) for n, a in assets.items())),
        cards=card_fingerprints(
            site, (previous.site, previous.fingerprints.cards) if previous else None
        ),
        chrome=digest([(t.slug, t.name) for t in site.topics]),
    )
    asset_routes = {a.output: a.content_hash for a in assets.values()}
    return renderer, assets, plan_routes(site, fingerprints, asset_routes, previous)


def _valid_until(articles: Iterable[Article], now: datetime, future: bool) -> datetime | None:
    """The next moment the clock alone changes the site: an article falls due or expires."""
    moments = [a.date for a in articles if not future and a.date > now]
    moments += [a.expires for a in articles if a.expires is not None and a.expires > now]
    return min(moments, default=None)


# What resolves against the style sheet's own URL, which an inline copy would resolve against
# the page's: a relative url() (any but "scheme:", "/" or "#"); and, rather than parse them,
# any @import or image-set().
RELATIVE_TO_SHEET = re.compile(
    r"url\((?!\s*['\"]?(?:[a-z][a-z0-9+.-]*:|/|#))|@import|image-set\(", re.IGNORECASE
)


def _template_globals(config: Config, assets: dict[str, Asset]) -> dict[str, object]:
    def url(path: str = "") -> str:
        return config.base_path + path.lstrip("/")

    def theme_asset(name: str) -> Asset:
        found = assets.get(name)
        if found is None:
            raise ValueError(f"no theme asset named {name!r}")
        return found

    def asset(name: str) -> str:
        return config.base_path + theme_asset(name).output

    def inline_style(name: str) -> Markup:
        """A theme style sheet in a <style> element, for a page whose speed matters more than
        caching (the search page paints without waiting for another request); a <link> to it
        where its text could not stay the same inline (relative URLs, "</style")."""
        if name.startswith("/"):  # a site file: no hash in its name to re-render pages by
            raise ValueError(f"only a theme's style sheets can be inlined, not {name!r}")
        href, text = asset(name), theme_asset(name).source.read_text(encoding="utf-8-sig")
        if "</style" in text.lower() or RELATIVE_TO_SHEET.search(text):
            return Markup('<link rel="stylesheet" href="{}">').format(href)
        # data-sheet: the live preview reloads a page whose inline copy of a changed sheet it
        # cannot swap.
        return Markup('<style data-sheet="{}">{}</style>').format(href, Markup(text))

    return {"url": url, "asset": asset, "inline_style": inline_style}


def _render(
    routes: Sequence[Route],
    producer: Producer,
    index: BuildIndex | None,
    new_index: BuildIndex,
    trusted: bool,
    staging: Staging,
    jobs: int,
    log: Log,
) -> list[str]:
    """Produce every route whose fingerprint changed and stage the files whose bytes changed;
    carry the others over from the last build. Returns the keys of the routes produced."""
    previous = index.routes if index else {}
    manifest = index.manifest if index else {}
    present = list_files(staging.output) if previous and not trusted else None
    todo = [
        route
        for route in routes
        if not _reusable(previous.get(route.key), route, manifest, present)
    ]
    if todo:
        log(f"rendering {len(todo)} of {len(routes)} routes")
    todo.sort(key=lambda route: route.kind in MAIN_PROCESS_KINDS)  # stable: those go last
    hashes: dict[str, str] = {}  # output path -> hash, of the routes produced
    produced: dict[str, tuple[str, ...]] = {}  # route key -> its outputs, of those
    results = _produce_each(producer, todo, jobs, Outputs(staging, manifest))
    try:
        for route, pairs in zip(todo, results, strict=True):
            hashes.update(pairs)
            produced[route.key] = tuple(path for path, _ in pairs)
    finally:
        results.close()  # render workers stop before the staging folder may be discarded
    # In plan order: the index (and so the next build) does not depend on which routes rendered.
    owner: dict[str, str] = {}
    for route in routes:
        outputs = produced.get(route.key)
        known = hashes if outputs is not None else manifest
        if outputs is None:
            outputs = previous[route.key][1]
        for path in outputs:
            if owner.setdefault(path, route.key) != route.key:
                clash = f"writes {path}, which {owner[path]} writes too"
                raise InputError([Problem(route.key, None, None, clash)])
            new_index.manifest[path] = known[path]
        new_index.routes[route.key] = (route.fingerprint, outputs)
    return [r.key for r in todo]


def _reusable(
    before: tuple[str, tuple[str, ...]] | None,
    route: Route,
    manifest: dict[str, str],
    present: set[str] | None,
) -> bool:
    """Whether the last build's files of this route are still right and still there."""
    return (
        before is not None
        and before[0] == route.fingerprint
        and all(map(manifest.__contains__, before[1]))
        and (present is None or all(map(present.__contains__, before[1])))
    )


@dataclass(frozen=True)
class Outputs:
    """Where a route's files go: hashed, and staged where their bytes changed."""

    staging: Staging
    manifest: Mapping[str, str]  # the last build's, path -> hash

    def stage(self, route: Route, files: Files, in_worker: bool = False) -> list[Output]:
        """Each file's (path, hash); a render worker also returns its staged files' names."""
        outputs = []
        for path, data in files:
            try:
                check_relative(path)
            except ValueError as error:  # e.g. static/con.txt: Windows cannot hold it
                raise InputError([Problem(route.key, None, None, str(error))]) from None
            data_hash = file_hash(data)
            name = None
            if self.manifest.get(path) != data_hash:
                if in_worker:
                    name = self.staging.write_now(path, data)
                else:
                    self.staging.add(path, data)
            outputs.append((path, data_hash, name))
        return outputs

    def adopt(self, staged: list[Output]) -> list[tuple[str, str]]:
        """Count in the files another process staged; each file's (path, hash)."""
        for path, _, name in staged:
            if name is not None:
                self.staging.adopt(path, name)
        return _hashes(staged)


Output = tuple[str, str, str | None]  # output path, hash of its bytes, name staged by a worker


def _produce_each(
    producer: Producer, routes: Sequence[Route], jobs: int, outputs: Outputs
) -> Generator[list[tuple[str, str]]]:
    """Render and stage routes in order, in forked worker processes when there are many (cold
    builds), giving each route's (path, hash) pairs; a site's files are never all in memory.
    Routes of MAIN_PROCESS_KINDS (sorted last) are rendered in a process of their own beside
    them (see MAIN_PROCESS_KINDS), or here once the workers are gone."""
    if jobs <= 1 or len(routes) < PARALLEL_RENDER_THRESHOLD or not can_fork():
        for route in routes:
            yield _hashes(outputs.stage(route, producer.produce(route)))
        return
    pooled = [route for route in routes if route.kind not in MAIN_PROCESS_KINDS]
    alone = routes[len(pooled) :]
    beside = None
    if alone and producer.warm_search is None:  # a preview keeps its search memo in memory
        beside = in_background(lambda: _produce_alone(producer, alone, outputs))
    try:
        yield from _produce_in_pool(producer, pooled, jobs, outputs)
    except BaseException:  # the staging folder is discarded next: nothing may write to it
        if beside is not None:
            beside.cancel()
        raise
    ok, made = beside.outcome() if beside is not None else (False, None)
    if ok and made is not None:
        for staged in made:
            yield outputs.adopt(staged)
        return
    for route in alone:  # here, as before, where the process failed: its error shows here
        yield _hashes(outputs.stage(route, producer.produce(route)))


def _produce_alone(
    producer: Producer, routes: Sequence[Route], outputs: Outputs
) -> list[list[Output]]:
    """MAIN_PROCESS_KINDS routes, in the process made for them beside the render workers: one
    process, as the render workers use the cores (workers of its own added ~100 MB at 10k)."""
    producer.search_workers = 1
    return [outputs.stage(route, producer.produce(route), in_worker=True) for route in routes]


def _hashes(staged: list[Output]) -> list[tuple[str, str]]:
    return [(path, data_hash) for path, data_hash, _ in staged]


def _produce_in_pool(
    producer: Producer,
    routes: Sequence[Route],
    jobs: int,
    outputs: Outputs,
) -> Iterator[list[tuple[str, str]]]:
    context = multiprocessing.get_context("fork")
    producer.prepare_workers(routes)
    # Frozen objects are never visited by a worker's collector, so the pages holding the
    # site stay shared with this process instead of being copied into every worker.
    gc.freeze()
    try:
        with context.Pool(
            jobs,
            initializer=_set_worker_state,
            initargs=(producer, outputs),
            maxtasksperchild=worker_tasks(len(routes), jobs),
        ) as pool:
            for staged, fragments in pool.imap(_produce_in_worker, routes, chunksize=CHUNK):
                producer.fragments.update(fragments)
                yield outputs.adopt(staged)
    finally:
        gc.unfreeze()


def worker_tasks(routes: int, jobs: int) -> int:
    """Chunks a render worker takes before it is replaced (see WORKER_GENERATIONS)."""
    return max(WORKER_TASKS, math.ceil(routes / (CHUNK * jobs * WORKER_GENERATIONS)))


# Set once in each forked worker by its initializer; the parent never touches it.
_worker_state: list[tuple[Producer, Outputs]] = []


def _set_worker_state(producer: Producer, outputs: Outputs) -> None:
    # What the main process made since its own freeze (such as the fragments earlier workers
    # handed back) is never this worker's garbage: visiting it would copy its pages.
    gc.freeze()
    gc.enable()  # forked from a build that paused it (build.collector_paused)
    _worker_state.append((producer, outputs))


def _produce_in_worker(route: Route) -> tuple[list[Output], list[tuple[FragmentKey, Fragment]]]:
    producer, outputs = _worker_state[0]
    staged = outputs.stage(route, producer.produce(route), in_worker=True)
    return staged, producer.take_fragments()
