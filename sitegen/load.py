"""Read content/ into Articles and Bodies, parsing only files the cache does not already know."""

from __future__ import annotations

import gc
import itertools
import os
import stat
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from sitegen.cache import BodyStore, BuildIndex, Cache, SourceFile
from sitegen.content import content_hash, parse_article
from sitegen.markdown import MarkdownRenderer
from sitegen.model import Article, Body, Config, InputError, Problem

CONTENT_DIR = "content"
PARALLEL_PARSE_THRESHOLD = 200
PARSE_BATCH = 100

Parsed = tuple[Article, Body] | InputError


@dataclass(frozen=True)
class Scan:
    """The article files under content/ with their stat, and links refused on the way."""

    site_dir: Path
    files: dict[str, os.stat_result]  # path relative to site_dir -> its stat
    problems: list[Problem]

    def path(self, name: str) -> Path:
        return self.site_dir / name

    def unchanged_since(self, index: BuildIndex) -> bool:
        if self.problems or set(self.files) != set(index.files):
            return False
        return all(
            (st.st_mtime_ns, st.st_size) == (index.files[name].mtime_ns, index.files[name].size)
            for name, st in self.files.items()
        )


@dataclass(frozen=True)
class Loaded:
    articles: dict[str, Article]
    bodies: BodyStore
    files: dict[str, SourceFile]
    parsed: int
    removed: frozenset[str]  # files the last build read that are gone


def scan(site_dir: Path) -> Scan:
    """Every .md file under content/ in a stable order; symlinks leading out are refused."""
    content = site_dir / CONTENT_DIR
    files: dict[str, os.stat_result] = {}
    problems: list[Problem] = []
    if not content.is_dir():
        return Scan(site_dir, files, problems)
    root = content.resolve()
    folders = [(f"{CONTENT_DIR}/", str(content))]
    while folders:  # os.scandir: one stat a file at most (pathlib costs ~4x more at 10k files)
        prefix, folder = folders.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError as error:
            problems.append(Problem(prefix.rstrip("/"), None, None, f"cannot read: {error}"))
            continue
        for entry in entries:
            name, rel = entry.name, prefix + entry.name
            if name.startswith("."):
                continue
            try:
                if entry.is_dir(follow_symlinks=False):
                    folders.append((rel + "/", entry.path))
                    continue
                if name.startswith("#") or not name.endswith(".md"):
                    continue
                if entry.is_symlink() and root not in Path(entry.path).resolve().parents:
                    message = "symbolic link leads outside content/; refusing to read it"
                    problems.append(Problem(rel, None, None, message))
                    continue
                st = entry.stat()
                if not stat.S_ISREG(st.st_mode):  # a FIFO or device would block the read
                    message = "not a regular file; refusing to read it"
                    problems.append(Problem(rel, None, None, message))
                    continue
                files[rel] = st
            except (OSError, RuntimeError) as error:
                problems.append(Problem(rel, None, None, f"cannot read: {error}"))
    return Scan(site_dir, dict(sorted(files.items())), problems)


def rescan(previous: Scan, site_dir: Path, changed: Iterable[Path]) -> Scan | None:
    """`previous` with the changed paths looked at again, as `scan` would see them; None
    where only a full scan can tell: another site, problems last time, a folder or anything
    but a plain article file changed under content/."""
    if previous.site_dir != site_dir or previous.problems:
        return None
    content = site_dir / CONTENT_DIR
    files = dict(previous.files)
    added = False
    for path in changed:
        if not path.is_relative_to(content):
            continue  # a theme, static file or site.yaml: not an article
        parts = path.relative_to(content).parts
        if any(part.startswith(".") for part in parts) or parts[-1].startswith("#"):
            continue  # scan skips these
        name = f"{CONTENT_DIR}/" + "/".join(parts)
        if not name.endswith(".md"):
            return None  # perhaps a folder, created, moved or deleted
        try:
            st = os.lstat(path)
        except FileNotFoundError:
            if files.pop(name, None) is None and any(f.startswith(name + "/") for f in files):
                return None  # a folder named like an article went
            continue
        except OSError:
            return None
        if not stat.S_ISREG(st.st_mode):
            return None  # a folder, link or device: scan decides
        added = added or name not in files
        files[name] = st
    return Scan(site_dir, dict(sorted(files.items())) if added else files, [])


# A file to read: its name, and the content hash of its cached article (None: none cached).
Job = tuple[str, str | None]
# What a worker found: the file's content hash (None: unreadable), and its parse (None: the
# cached article holds).
Read = tuple[str | None, Parsed | None]


def _load_batch(config: Config, site_dir: Path, batch: Sequence[Job]) -> list[Read]:
    """Read, hash and (unless the cache holds that version) parse each file of the batch."""
    renderer = MarkdownRenderer()
    results: list[Read] = []
    for name, cached in batch:
        try:
            data = (site_dir / name).read_bytes()
        except OSError as error:
            problem = Problem(name, None, None, f"cannot read: {error.strerror}")
            results.append((None, InputError([problem])))
            continue
        version = content_hash(data)
        if version == cached:
            results.append((version, None))
            continue
        try:
            results.append((version, parse_article(name, data, config, renderer)))
        except InputError as error:
            results.append((version, error))
    return results


def _load_many(config: Config, site_dir: Path, todo: Sequence[Job], jobs: int) -> list[Read]:
    """Load in `jobs` processes, in batches of PARSE_BATCH files: each batch comes back as
    soon as it is done, so no worker holds its share of the site at once. The workers read
    the files too: this process would read them one after another before any parse began."""
    if jobs <= 1 or len(todo) < PARALLEL_PARSE_THRESHOLD:
        return _load_batch(config, site_dir, todo)
    batches = [todo[i : i + PARSE_BATCH] for i in range(0, len(todo), PARSE_BATCH)]
    loaded: list[Read] = []
    with ProcessPoolExecutor(jobs, initializer=gc.enable) as pool:  # paused in the build
        for results in pool.map(
            _load_batch, itertools.repeat(config), itertools.repeat(site_dir), batches
        ):
            loaded += results
    return loaded


def load_content(
    config: Config,
    site_dir: Path,
    found: Scan,
    index: BuildIndex | None,
    cache: Cache,
    jobs: int,
    use_cache: bool = True,
) -> Loaded:
    """Articles of every file; with `use_cache`, those the cache holds for the file's
    content come from it. Raises InputError."""
    problems = list(found.problems)
    known: Mapping[str, SourceFile] = index.files if index else {}
    files: dict[str, SourceFile] = {}
    for name, st in found.files.items():
        before = known.get(name)
        if before and (before.mtime_ns, before.size) == (st.st_mtime_ns, st.st_size):
            files[name] = before  # unchanged since the last build: its hash holds
    cached = cache.cached_articles(found.files) if use_cache else {}
    articles: dict[str, Article] = {}
    todo: list[Job] = []
    for name in found.files:
        version, article = cached.get(name, (None, None))
        if name in files and version == files[name].content_hash and article is not None:
            articles[name] = article
        else:  # new, changed, or lost from the cache: read it, and parse it unless cached
            todo.append((name, version))
    fresh: dict[str, Body] = {}
    for (name, _), (version, result) in zip(
        todo, _load_many(config, site_dir, todo, jobs), strict=True
    ):
        if version is not None:
            st = found.files[name]
            files[name] = SourceFile(st.st_mtime_ns, st.st_size, version)
        if result is None:
            articles[name] = cached[name][1]
        elif isinstance(result, InputError):
            problems.extend(result.problems)
        else:
            articles[name], fresh[name] = result
    if problems:
        raise InputError(problems)
    files = {name: files[name] for name in found.files}  # in the scan's (sorted) order

    def reparse(name: str) -> Body:
        return parse_article(name, (site_dir / name).read_bytes(), config, MarkdownRenderer())[1]

    kept = {name: files[name].content_hash for name in articles if name not in fresh}
    bodies = cache.body_store(fresh, kept, reparse)
    removed = frozenset(known) - frozenset(files)
    return Loaded(dict(sorted(articles.items())), bodies, files, len(fresh), removed)
