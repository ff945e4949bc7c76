"""What one build of the search index keeps for the next: per-document work and the files.

Kept in <folder>/search/ (the build passes its cache folder):
    memo.pickle        the last build: its tiles (document ids, postings pieces, first numbers),
                       every key's postings, and the packed term shards and metadata chunks
    docs/<tile>.pickle per tile: each document's fingerprint, impacts and metadata record
A document's work is reused while its fingerprint (every SearchDoc field, and the text or its
version) is unchanged. A missing, damaged or foreign memo is ignored: it can cost time, never
bytes, since the index is the same with or without one.
"""

from __future__ import annotations

import os
import pickle
import zlib
from array import array
from pathlib import Path
from typing import Any, NamedTuple

from sitegen.search.encode import FORMAT, IMPACT_BITS
from sitegen.search.numbering import Numbering
from sitegen.search.tiles import Pieces

MEMO_FORMAT = 3
FOLDER = "search"
MEMO = "memo.pickle"
DOCS = "docs"


class DocMemo(NamedTuple):
    """The work done for one document, valid while its fingerprint is."""

    fp: bytes
    keys: str  # its index keys, joined by '\n' (no key holds one)
    levels: bytes  # impact of each key
    record: str  # its metadata record, as JSON

    def impacts(self) -> dict[str, int]:
        return dict(zip(self.keys.split("\n"), self.levels, strict=True)) if self.keys else {}


class Tile(NamedTuple):
    ids: tuple[str, ...]  # its documents, in order
    pieces: Pieces


class Lists(NamedTuple):
    """Every key of an index with its postings, in the order of the index."""

    keys: list[str]
    dfs: array[int]
    lists: list[bytes]


class ShardMemo(NamedTuple):
    last: str  # its last key (the first names it)
    n: int  # keys in it
    packed: bytes


def _stemmer_id() -> str:
    try:
        import Stemmer

        return f"PyStemmer {getattr(Stemmer, '__version__', '?')}"
    except ImportError:  # pragma: no cover - depends on the environment
        import snowballstemmer

        return f"snowballstemmer {getattr(snowballstemmer, '__version__', '?')}"


def _header(salt: str) -> tuple[object, ...]:
    return (MEMO_FORMAT, FORMAT, IMPACT_BITS, _stemmer_id(), salt)


class SearchMemo:
    """The last build of an index: per-document impacts and records, tiles, postings, files.

    build_search_index(docs, memo) reuses what is still valid and leaves the memo describing
    the new build; save() writes it. Documents are looked up by id and fingerprint, so an
    edit invalidates exactly the edited documents.
    """

    def __init__(self, salt: str = "") -> None:
        self.salt = salt
        self.folder: Path | None = None  # where it lives: docs files are read when needed
        self.starts: dict[bytes, int] = {}  # tile digest -> its first number, in order
        self.postings: Lists | None = None
        self.shards: dict[str, ShardMemo] = {}  # first key -> term shard
        self.chunks: dict[bytes, bytes] = {}  # digest of a chunk's documents -> packed
        self._blobs: dict[bytes, bytes] = {}  # tile digest -> pickled tile, as read or written
        self._tiles: dict[bytes, Tile] = {}  # tiles unpickled or made
        self._docs: dict[bytes, dict[str, DocMemo]] = {}  # tile digest -> its documents' work
        self._unsaved: set[bytes] = set()  # tiles whose docs file is not on disk
        self._where: dict[str, bytes] | None = None  # doc id -> tile digest
        # In memory only, for a caller that keeps the memo and gives the same document objects
        # again: the last build's numbering (patched, not redone, when few documents changed),
        # its tiles' spans, the digests of its tiles' and chunks' metas by span, shard names.
        self.numbering: Numbering | None = None
        self.spans: list[tuple[int, int]] = []
        self.digests: dict[tuple[int, int], bytes] = {}
        self.names: dict[str, str] = {}  # first key -> shard name
        self.hits = 0  # documents whose work the last build reused
        self.misses = 0  # documents the last build worked out

    # --- lookups during a build ---------------------------------------------------------------

    def has(self, tile: bytes) -> bool:
        return tile in self.starts

    def tile(self, tile: bytes) -> Tile:
        found = self._tiles.get(tile)
        if found is None:
            ids, columns = pickle.loads(self._blobs[tile])
            found = self._tiles[tile] = Tile(ids, Pieces(*columns))
            _check(found)
        return found

    def group(self, tile: bytes) -> dict[str, DocMemo]:
        """The work of a tile's documents, by id (empty if its docs file is lost)."""
        group = self._docs.get(tile)
        if group is None:
            group = self._docs[tile] = self._read_group(tile)
        return group

    def doc(self, doc_id: str, fp: bytes) -> DocMemo | None:
        """The memoized work for a document, if its fingerprint is unchanged."""
        if self._where is None:
            self._where = {i: d for d in self.starts for i in self.tile(d).ids}
        tile = self._where.get(doc_id)
        if tile is None:
            return None
        found = self.group(tile).get(doc_id)
        return found if found is not None and found.fp == fp else None

    def _read_group(self, tile: bytes) -> dict[str, DocMemo]:
        if self.folder is None:
            return {}
        try:
            with (self.folder / DOCS / f"{tile.hex()}.pickle").open("rb") as handle:
                header, rows = pickle.load(handle)
            if header != _header(self.salt):
                return {}
            return {row[0]: DocMemo(*row[1:]) for row in rows}
        except Exception:  # missing or damaged: its documents are worked out again
            return {}

    # --- after a build ------------------------------------------------------------------------

    def replace(
        self,
        starts: dict[bytes, int],
        made: dict[bytes, tuple[Tile, dict[str, DocMemo]]],
        postings: Lists,
        shards: dict[str, ShardMemo],
        chunks: dict[bytes, bytes],
    ) -> None:
        """Describe the build just made: its tiles (`made`: the new ones, with the work of
        their documents), postings and files."""
        for digest_, (tile, group) in made.items():
            self._tiles[digest_] = tile
            self._docs[digest_] = group
            self._blobs.pop(digest_, None)
            self._unsaved.add(digest_)
        for kept in (self._blobs, self._tiles, self._docs):
            for gone in [d for d in kept if d not in starts]:
                del kept[gone]
        self._unsaved &= set(starts)
        self.starts = starts
        self.postings = postings
        self.shards = shards
        self.chunks = chunks
        self._where = None

    # --- files --------------------------------------------------------------------------------

    @classmethod
    def load(cls, folder: Path, salt: str = "") -> SearchMemo:
        """The memo kept in folder/search/, or an empty one if it is missing, damaged or was
        written by another version or for another salt (e.g. another site configuration)."""
        memo = cls(salt)
        memo.folder = folder / FOLDER
        try:
            starts, blobs, postings, shards, chunks = pickle.loads(_read(memo.folder / MEMO, salt))
            keys, dfs, lists = postings
            memo.postings = Lists(keys, dfs, lists)
            memo.shards = {first: ShardMemo(*s) for first, s in shards.items()}
            memo.chunks = chunks
            memo.starts = starts
            memo._blobs = blobs
            if not (
                isinstance(dfs, array)
                and len(keys) == len(dfs) == len(lists)
                and set(starts) == set(blobs)
                and all(isinstance(b, bytes) for b in chunks.values())
            ):
                raise ValueError("search memo: bad shape")
        except Exception:  # a memo is never worth a failed or wrong build
            fresh = cls(salt)
            fresh.folder = memo.folder
            return fresh
        return memo

    def save(self, folder: Path | None = None) -> bool:
        """Write the memo to folder/search/ (by default where it was loaded from): new docs
        files first, the memo last, then drop docs files of tiles gone. False if it failed."""
        target = folder / FOLDER if folder is not None else self.folder
        if target is None:
            raise ValueError("search memo: no folder to save to")
        if self.postings is None:
            return False  # nothing built yet
        try:
            docs = target / DOCS
            docs.mkdir(parents=True, exist_ok=True)
            header = _header(self.salt)
            moved = target != self.folder
            for tile in self.starts:
                if tile in self._unsaved or moved:
                    rows = [(i, *m) for i, m in self.group(tile).items()]
                    _write(docs / f"{tile.hex()}.pickle", (header, rows))
            blobs = {d: self._blob(d) for d in self.starts}
            shards = {first: tuple(s) for first, s in self.shards.items()}
            state = (self.starts, blobs, tuple(self.postings), shards, self.chunks)
            _write_checked(target / MEMO, header, pickle.dumps(state, pickle.HIGHEST_PROTOCOL))
            keep = {f"{d.hex()}.pickle" for d in self.starts}
            for name in os.listdir(docs):
                if name not in keep:
                    (docs / name).unlink(missing_ok=True)
        except OSError:
            return False
        self.folder = target
        self._unsaved.clear()
        return True

    def _blob(self, tile: bytes) -> bytes:
        blob = self._blobs.get(tile)
        if blob is None:
            found = self._tiles[tile]
            value = (found.ids, tuple(found.pieces))  # plain tuples load faster than named ones
            blob = self._blobs[tile] = pickle.dumps(value, pickle.HIGHEST_PROTOCOL)
        return blob


MAGIC = b"sitegen search memo\n"


def _write_checked(path: Path, header: tuple[object, ...], payload: bytes) -> None:
    """MAGIC, the header (pickled), then the payload and its CRC: readable in one go."""
    head = pickle.dumps(header, pickle.HIGHEST_PROTOCOL)
    check = zlib.crc32(payload).to_bytes(4, "big")
    temp = path.with_name(f"{path.name}.tmp{os.getpid()}")
    with temp.open("wb") as handle:
        handle.write(MAGIC + len(head).to_bytes(4, "big") + head + check)
        handle.write(payload)
    os.replace(temp, path)


def _read(path: Path, salt: str) -> memoryview:
    """The payload _write_checked wrote, if its header is this version's and its CRC holds."""
    data = memoryview(path.read_bytes())
    if data[: len(MAGIC)] != MAGIC:
        raise ValueError("search memo: not one")
    at = len(MAGIC) + 4
    end = at + int.from_bytes(data[at - 4 : at], "big")
    if pickle.loads(data[at:end]) != _header(salt):
        raise ValueError("search memo: another version or salt")
    payload = data[end + 4 :]
    if zlib.crc32(payload) != int.from_bytes(data[end : end + 4], "big"):
        raise ValueError("search memo: damaged")
    return payload


def _write(path: Path, value: Any) -> None:
    temp = path.with_name(f"{path.name}.tmp{os.getpid()}")
    with temp.open("wb") as handle:
        pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(temp, path)


def _check(tile: Tile) -> None:
    """Raise unless a tile read back has the expected shape (a cheap sanity check)."""
    p = tile.pieces
    if not all(isinstance(c, array) for c in (p.firsts, p.lasts, p.counts)):
        raise TypeError("search memo: bad tile")
    if not len(p.keys) == len(p.firsts) == len(p.lasts) == len(p.counts) == len(p.rests):
        raise ValueError("search memo: bad tile")
