"""What a previous build knew, kept in .sitegen-cache/: a small index, articles, sharded bodies."""

from __future__ import annotations

import hashlib
import os
import pickle
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from sitegen import __version__
from sitegen.model import Article, Body
from sitegen.routes import Plan
from sitegen.search import SearchMemo
from sitegen.site import SiteState
from sitegen.stories import StoryIndex, StoryOptions

CACHE_DIR = ".sitegen-cache"
FORMAT = 4
SHARDS = 64  # article and body shards: an edit rewrites 1/64 of each
WRITING = "writing"  # present while a build moves files into the output folder


@dataclass(frozen=True)
class SourceFile:
    mtime_ns: int
    size: int
    content_hash: str


@dataclass
class BuildIndex:
    """The small part of the cache, read by every build: enough to see that nothing changed."""

    key: str  # sitegen version + cache format + config fingerprint
    output: str  # the output folder the routes and manifest describe
    inputs: str = ""  # stat digest of site.yaml, theme and static files, and build options
    valid_until: datetime | None = None  # when a future article or an expiry changes the site
    files: dict[str, SourceFile] = field(default_factory=dict)  # content file -> what it was
    routes: dict[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)  # fp, outputs
    manifest: dict[str, str] = field(default_factory=dict)  # output file -> hash of its bytes
    related: tuple[str, Mapping[str, tuple[str, ...]]] | None = None  # key, related lists
    published: int = 0  # articles on the site


def state_key(config_fingerprint: str) -> str:
    return f"{__version__}/{FORMAT}/{config_fingerprint}"


@dataclass(frozen=True)
class LastPlan:
    """The last successful build of a long-lived process: its site and its route plan."""

    state: SiteState
    plan: Plan


class WarmCache:
    """Unpickled cache files kept in memory between builds of one process (the preview
    server): a file is taken from here only while its size and mtime are what was read or
    written, so a build by another process is noticed.

    With `defer_index`, the index and story clustering stay in memory until `flush` (the
    preview's stop); meanwhile a 'writing' marker tells any later build not to trust the
    index on disk, so a preview killed before flushing costs a full render, never a wrong site.
    """

    def __init__(self, defer_index: bool = False) -> None:
        self.files: dict[Path, tuple[tuple[int, int], Any]] = {}  # cache file -> stat, value
        self.template_refs: dict[str, frozenset[str]] = {}  # see render.Renderer
        self.defer_index = defer_index
        self.deferred: dict[Path, Any] = {}  # cache file -> what it will hold
        self.search: dict[str, Any] = {}  # the search index route's memo and documents
        self.fragments: dict[Any, Any] = {}  # partial_cached's output, see produce.Producer
        self.cards: dict[Any, Any] = {}  # card views, see views.ViewBuilder
        self.last: LastPlan | None = None  # the last site built, to patch the next one from
        self.scan: object = None  # the last look at content/ (a load.Scan), see BuildOptions

    def flush(self) -> None:
        """Write what was deferred, then lift the markers."""
        memo = self.search.get("memo")
        if isinstance(memo, SearchMemo):
            memo.save()  # best effort: an old memo costs time, never bytes
        for path, value in sorted(self.deferred.items()):
            _write_pickle(path, value)
        for folder in {path.parent for path in self.deferred}:
            (folder / WRITING).unlink(missing_ok=True)
        self.deferred.clear()


def _write_pickle(path: Path, value: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f"{path.name}.tmp{os.getpid()}")
    with temp.open("wb") as handle:
        pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(temp, path)


class Cache:
    """The cache of one site and output folder (a preview and a build keep apart). Every read
    tolerates a missing, corrupt or foreign file.

    Articles and bodies live in shards keyed by (article id, content hash) under `key` (the
    sitegen version and config fingerprint): a shard is never wrong, only incomplete, so it is
    written whenever its articles change, and a build reads what it finds."""

    def __init__(
        self, site_dir: Path, output: Path, key: str = "", warm: WarmCache | None = None
    ) -> None:
        tag = hashlib.blake2b(str(output).encode("utf-8"), digest_size=6).hexdigest()
        self.folder = site_dir / CACHE_DIR / f"build-{tag}"
        self.key = key
        self._warm = warm
        self.template_refs = warm.template_refs if warm is not None else None

    def _load(self, name: str) -> Any:
        path = self.folder / name
        if self._warm is not None and path in self._warm.deferred:
            return self._warm.deferred[path]
        try:
            st = path.stat()
        except FileNotFoundError:
            return None
        stamp = (st.st_mtime_ns, st.st_size)
        if self._warm is not None and path in self._warm.files:
            seen, value = self._warm.files[path]
            if seen == stamp:
                return value
        with path.open("rb") as handle:
            value = pickle.load(handle)
        if self._warm is not None:
            self._warm.files[path] = stamp, value
        return value

    def _save(self, name: str, value: Any) -> None:
        path = self.folder / name
        _write_pickle(path, value)
        if self._warm is not None:
            st = path.stat()
            self._warm.files[path] = (st.st_mtime_ns, st.st_size), value

    def _load_dict(self, name: str) -> dict[Any, Any]:
        """A shard's entries, or {} when it is missing, damaged or of another key."""
        try:
            found = self._load(name)
        except Exception:  # a cache is never worth a failed build
            return {}
        if not isinstance(found, tuple) or len(found) != 2 or found[0] != self.key:
            return {}
        return found[1] if isinstance(found[1], dict) else {}

    def load_index(self, key: str) -> tuple[BuildIndex | None, str | None]:
        """The previous index, or None with a notice saying why it cannot be used."""
        try:
            index = self._load("index.pickle")
        except Exception as error:  # a cache is never worth a failed build
            return None, f"build cache unreadable ({type(error).__name__}); rebuilding everything"
        if index is None:
            return None, None
        if not isinstance(index, BuildIndex):
            return None, "build cache is from another sitegen; rebuilding everything"
        if index.key != key:
            return None, "sitegen version or site.yaml changed; rebuilding everything"
        ours = self._warm is not None and self.folder / "index.pickle" in self._warm.deferred
        if not ours and (self.folder / WRITING).exists():  # a build died moving files in
            return BuildIndex(key, index.output, files=index.files), None
        return index, None

    def cached_articles(self, wanted: Iterable[str]) -> dict[str, tuple[str, Article]]:
        """The cached article of each id in `wanted` that has one, with the content hash of
        the file it was parsed from."""
        ids = set(wanted)
        found: dict[str, tuple[str, Article]] = {}
        for name in sorted({_shard("articles", i) for i in ids}):
            for (article_id, version), article in self._load_dict(name).items():
                if article_id in ids and isinstance(article, Article):
                    found[article_id] = (version, article)
        return found

    def save_articles(self, articles: Mapping[str, Article], touched: Iterable[str]) -> None:
        """Rewrite the shards holding a touched (new, changed or removed) article."""
        grouped: dict[str, dict[tuple[str, str], Article]] = {
            name: {} for name in {_shard("articles", i) for i in touched}
        }
        for article_id, article in articles.items():
            name = _shard("articles", article_id)
            if name in grouped:
                grouped[name][article_id, article.content_hash] = article
        for name, entries in sorted(grouped.items()):
            self._save(name, (self.key, entries))

    def load_story_index(self, options: StoryOptions) -> StoryIndex:
        """The previous build's story clustering, or a fresh one."""
        try:
            found = self._load("stories.pickle")
        except Exception:
            found = None
        if isinstance(found, StoryIndex) and found.options == options:
            return found
        return StoryIndex(options)

    def compiled_templates(self) -> Path:
        """Where Jinja2 keeps compiled templates (keyed by their source) for this sitegen."""
        folder = self.folder / f"templates-{__version__}"
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def writing(self) -> None:
        """Mark the outputs as changing: until save() the index's manifest is not trusted."""
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / WRITING).touch()

    def save(self, index: BuildIndex, stories: StoryIndex | None = None) -> None:
        """Write the story clustering, then the index, which vouches for the outputs."""
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / ".gitignore").write_text("*\n", encoding="utf-8")
        if self._warm is not None and self._warm.defer_index:
            self.writing()
            if stories is not None:
                self._warm.deferred[self.folder / "stories.pickle"] = stories
            self._warm.deferred[self.folder / "index.pickle"] = index
            return
        if stories is not None and stories.modified:
            self._save("stories.pickle", stories)
        self._save("index.pickle", index)
        (self.folder / WRITING).unlink(missing_ok=True)

    def body_store(
        self,
        fresh: Mapping[str, Body],
        kept: Mapping[str, str],
        reparse: Callable[[str], Body],
    ) -> BodyStore:
        return BodyStore(self, dict(fresh), dict(kept), reparse)


@lru_cache(maxsize=1 << 18)
def _shard(kind: str, article_id: str) -> str:
    digest = hashlib.blake2b(article_id.encode("utf-8", "surrogateescape"), digest_size=2).digest()
    return f"{kind}/{int.from_bytes(digest, 'big') % SHARDS:02d}.pickle"


class BodyStore(Mapping[str, Body]):
    """Bodies of this build's articles: newly parsed ones in memory, the rest loaded per shard
    from the cache on first use, so a small edit reads only the bodies it renders."""

    def __init__(
        self,
        cache: Cache,
        fresh: dict[str, Body],
        kept: dict[str, str],
        reparse: Callable[[str], Body],
    ) -> None:
        self._cache = cache
        self._reparse = reparse
        self._fresh = fresh
        self._kept = kept  # article id -> content hash, for bodies to take from the cache
        self._ids = set(kept) | set(fresh)
        self._shards: dict[str, dict[tuple[str, str], Body]] = {}

    def __getitem__(self, article_id: str) -> Body:
        if article_id in self._fresh:
            return self._fresh[article_id]
        if article_id not in self._ids:
            raise KeyError(article_id)
        name = _shard("bodies", article_id)
        if name not in self._shards:
            self._shards[name] = self._cache._load_dict(name)
        body = self._shards[name].get((article_id, self._kept[article_id]))
        if not isinstance(body, Body):  # a damaged or partial cache: parse the file again
            body = self._fresh[article_id] = self._reparse(article_id)
        return body

    @property
    def fresh_ids(self) -> frozenset[str]:
        """Articles whose bodies were parsed in this build."""
        return frozenset(self._fresh)

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._ids))

    def __len__(self) -> int:
        return len(self._ids)

    def save(self, articles: Mapping[str, Article], removed: Iterable[str]) -> None:
        """Rewrite the shards that gained, changed or lost a body; `articles`: every article."""
        fresh: dict[str, list[str]] = {}  # shard -> its fresh bodies
        for article_id in self._fresh:
            fresh.setdefault(_shard("bodies", article_id), []).append(article_id)
        names = {*fresh, *(_shard("bodies", i) for i in removed)}
        for name in sorted(names):
            entries = {
                key: body
                for key, body in (self._shards.get(name) or self._cache._load_dict(name)).items()
                if key[0] in articles
                and articles[key[0]].content_hash == key[1]
                and key[0] not in self._fresh
            }
            for article_id in fresh.get(name, ()):
                entries[article_id, articles[article_id].content_hash] = self._fresh[article_id]
            self._cache._save(name, (self._cache.key, entries))


def forget_all(site_dir: Path) -> int:
    """Drop every build index of the site, so the next builds render and write everything."""
    dropped = 0
    for path in (site_dir / CACHE_DIR).glob("build-*/index.pickle"):
        path.unlink()
        dropped += 1
    return dropped
