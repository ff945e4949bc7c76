"""What a previous build knew, kept in .sitegen-cache/: a small index, articles, sharded bodies."""

from __future__ import annotations

import hashlib
import os
import pickle
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sitegen import __version__
from sitegen.model import Article, Body
from sitegen.stories import StoryIndex, StoryOptions

CACHE_DIR = ".sitegen-cache"
FORMAT = 3
BODY_SHARDS = 64


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


class Cache:
    """The cache of one site and output folder (a preview and a build keep apart). Every read
    tolerates a missing, corrupt or foreign file."""

    def __init__(self, site_dir: Path, output: Path) -> None:
        tag = hashlib.blake2b(str(output).encode("utf-8"), digest_size=6).hexdigest()
        self.folder = site_dir / CACHE_DIR / f"build-{tag}"

    def _load(self, name: str) -> Any:
        path = self.folder / name
        if not path.exists():
            return None
        with path.open("rb") as handle:
            return pickle.load(handle)

    def _save(self, name: str, value: Any) -> None:
        path = self.folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        temp = path.with_name(f"{path.name}.tmp{os.getpid()}")
        with temp.open("wb") as handle:
            pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temp, path)

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
        return index, None

    def load_articles(self) -> dict[str, Article]:
        try:
            articles = self._load("articles.pickle")
        except Exception:
            return {}
        return articles if isinstance(articles, dict) else {}

    def load_story_index(self, options: StoryOptions) -> StoryIndex:
        """The previous build's story clustering, or a fresh one."""
        try:
            found = self._load("stories.pickle")
        except Exception:
            found = None
        if isinstance(found, StoryIndex) and found.options == options:
            return found
        return StoryIndex(options)

    def save(
        self,
        index: BuildIndex,
        articles: Mapping[str, Article] | None,
        bodies: BodyStore | None,
        stories: StoryIndex | None = None,
    ) -> None:
        """Write bodies, articles and stories first, the index last: the index vouches for
        the rest."""
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / ".gitignore").write_text("*\n", encoding="utf-8")
        if bodies is not None:
            bodies.save()
        if articles is not None:
            self._save("articles.pickle", dict(articles))
        if stories is not None and stories.modified:
            self._save("stories.pickle", stories)
        self._save("index.pickle", index)

    def body_store(
        self, fresh: Mapping[str, Body], kept: set[str], reparse: Callable[[str], Body]
    ) -> BodyStore:
        return BodyStore(self, dict(fresh), kept, reparse)


def _shard(article_id: str) -> str:
    digest = hashlib.blake2b(article_id.encode("utf-8"), digest_size=2).digest()
    return f"bodies/{int.from_bytes(digest, 'big') % BODY_SHARDS:02d}.pickle"


class BodyStore(Mapping[str, Body]):
    """Bodies of this build's articles: newly parsed ones in memory, the rest loaded per shard
    from the cache on first use, so a small edit reads only the bodies it renders."""

    def __init__(
        self, cache: Cache, fresh: dict[str, Body], kept: set[str], reparse: Callable[[str], Body]
    ) -> None:
        self._cache = cache
        self._reparse = reparse
        self._fresh = fresh
        self._ids = kept | set(fresh)
        self._shards: dict[str, dict[str, Body]] = {}

    def __getitem__(self, article_id: str) -> Body:
        if article_id in self._fresh:
            return self._fresh[article_id]
        if article_id not in self._ids:
            raise KeyError(article_id)
        body = self._shard_of(article_id).get(article_id)
        if body is None:  # a damaged or partial cache: parse the file again, never guess
            body = self._fresh[article_id] = self._reparse(article_id)
        return body

    def _shard_of(self, article_id: str) -> dict[str, Body]:
        name = _shard(article_id)
        if name not in self._shards:
            try:
                loaded = self._cache._load(name)
            except Exception:
                loaded = None
            self._shards[name] = loaded if isinstance(loaded, dict) else {}
        return self._shards[name]

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._ids))

    def __len__(self) -> int:
        return len(self._ids)

    def save(self) -> None:
        """Rewrite only the shards that gained, changed or lost a body."""
        fresh_by_shard: dict[str, dict[str, Body]] = {}
        for article_id, body in self._fresh.items():
            fresh_by_shard.setdefault(_shard(article_id), {})[article_id] = body
        touched = set(fresh_by_shard)
        for name, shard in self._shards.items():
            if any(i not in self._ids for i in shard):
                touched.add(name)
        for name in sorted(touched):
            shard = {i: b for i, b in self._load_for_save(name).items() if i in self._ids}
            shard.update(fresh_by_shard.get(name, {}))
            self._cache._save(name, shard)

    def _load_for_save(self, name: str) -> dict[str, Body]:
        if name in self._shards:
            return self._shards[name]
        try:
            loaded = self._cache._load(name)
        except Exception:
            loaded = None
        return loaded if isinstance(loaded, dict) else {}


def forget_all(site_dir: Path) -> int:
    """Drop every build index of the site, so the next builds render and write everything."""
    dropped = 0
    for path in (site_dir / CACHE_DIR).glob("build-*/index.pickle"):
        path.unlink()
        dropped += 1
    return dropped
