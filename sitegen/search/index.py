"""Build the sharded search index: number documents, weigh postings, write shards and chunks.

Files, relative to the output's search/ folder (all deflated with zlib):
    index.bin      root: counts, languages, sources, topics, shard boundaries, chunk dates
                   (sitegen build inlines it in the search page instead of writing it)
    t/<hash>.bin   term shards: a content-defined run of the sorted keys with their postings
    d/<n>.bin      metadata chunks: K documents each (URL, title, day, facets, excerpt)
Documents are numbered oldest first, so sorting by date is sorting by number, and a new
article, being the newest, only appends: it touches the last chunk and the shards of its keys.

Builds are incremental with a SearchMemo (memo.py): a document's impacts are worked out (its
text read) only when it changed, postings are kept per tile of documents (tiles.py) and joined
again only for the keys an edit touches, and only files whose bytes change are packed again.
"""

from __future__ import annotations

import bisect
import gc
import itertools
import json
import math
import multiprocessing
import zlib
from array import array
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace
from datetime import date, datetime

from sitegen.forking import can_fork
from sitegen.search.encode import (
    FORMAT,
    IMPACT_BITS,
    IMPACT_MAX,
    Entry,
    Postings,
    Sizes,
    add_postings,
    encode_shard,
    pack,
    shard_cuts,
    shard_name,
    shards_at,
    utf16_order,
)
from sitegen.search.memo import DocMemo, Lists, SearchMemo, ShardMemo, Tile
from sitegen.search.numbering import Facts, Span, digest, numbered, span_digests
from sitegen.search.numbering import SearchDoc as SearchDoc
from sitegen.search.numbering import order as order
from sitegen.search.text import STEMMERS, KeyMap, fold, language, tokenize
from sitegen.search.tiles import Pieces, build_pieces, join, joined, patch_pieces, tile_starts
from sitegen.slug import slugify

ROOT = "index.bin"
K1 = 1.2
B = 0.75
AVGDL = 300  # fixed, not measured, so that one edit never re-weighs every posting
EXCERPT_CHARS = 150
RECORD_TAGS = 4
MIN_SHARD_BYTES = 4096
EPOCH = date(1970, 1, 1)
FACETS = {"topic": "t", "tag": "g", "source": "s", "lang": "l"}
PARALLEL_MISSES = 2000  # documents to work out before two processes pay for themselves


def body_text(doc: SearchDoc) -> str:
    """The document's plain text body (calling the function it was given as, if so)."""
    return doc.text if isinstance(doc.text, str) else doc.text()


def facet_key(kind: str, value: str) -> str:
    """The key under which the documents of one topic, tag, source or language are listed."""
    return "\x01" + FACETS[kind] + fold(" ".join(value.split()))


def day_number(moment: datetime) -> int:
    """Days since 1970-01-01 of the article's own calendar date."""
    return (moment.date() - EPOCH).days


def file_budget(n_docs: int) -> int:
    """Most files the index may have: 1,000 up to 10,000 documents, ~4,900 at 100,000."""
    return max(1000, int(1000 * (n_docs / 10_000) ** 0.69))


def chunk_size(n_docs: int) -> int:
    """Documents per metadata chunk: a power of two keeping chunks at 2/3 of the budget."""
    k = 8
    while math.ceil(n_docs / k) > file_budget(n_docs) * 2 // 3:
        k *= 2
    return k


def _body_levels(most: int, length: int) -> list[int]:
    """Impact of the body term frequencies 0..most: BM25's saturation, in IMPACT_BITS."""
    norm = K1 * (1 - B + B * length / AVGDL)
    return [int(tf * (K1 + 1) / (tf + norm) * 1.4) for tf in range(most + 1)]


def _facets(doc: SearchDoc) -> set[str]:
    pairs = [("lang", language(doc.lang))] + [("topic", t) for t in doc.topics]
    pairs += [("tag", t) for t in doc.tags] + ([("source", doc.source)] if doc.source else [])
    return {facet_key(kind, value) for kind, value in pairs}


def impacts(doc: SearchDoc, keymap: KeyMap) -> dict[str, int]:
    """Key -> impact for one document: body frequency plus title and tag bonuses; facets 0."""
    tf = keymap.count(tokenize(doc.summary + "\n" + body_text(doc)))
    levels = _body_levels(max(tf.values(), default=0), sum(tf.values()))
    out = dict(zip(tf.keys(), map(levels.__getitem__, tf.values()), strict=True))
    for key in keymap.keys_of(tokenize(doc.title)):
        out[key] = min(IMPACT_MAX, out.get(key, 0) + 3)
    for key in keymap.keys_of(tokenize(" ".join(doc.tags + doc.topics))):
        out[key] = min(IMPACT_MAX, out.get(key, 0) + 2)
    out.update(dict.fromkeys(_facets(doc), 0))
    return out


def postings(ordered: Sequence[SearchDoc]) -> list[Entry]:
    """Every key's postings over the numbered documents, sorted as the browser compares."""
    lists: dict[str, Postings] = {}
    keymaps: dict[str, KeyMap] = {}
    for number, doc in enumerate(ordered):
        lang = language(doc.lang)
        keymap = keymaps.get(lang) or keymaps.setdefault(lang, KeyMap(lang))
        add_postings(lists, number, impacts(doc, keymap))
    keys = sorted(lists, key=utf16_order)
    return [Entry.of(k, lists[k].df, bytes(lists[k].data)) for k in keys]


def _excerpt(doc: SearchDoc) -> str:
    text = " ".join((doc.summary or body_text(doc)).split())
    if len(text) <= EXCERPT_CHARS:
        return text
    cut = text.rfind(" ", 0, EXCERPT_CHARS)
    return text[: cut if cut > EXCERPT_CHARS // 2 else EXCERPT_CHARS].rstrip(" ,;:.") + "…"


def _record(doc: SearchDoc) -> list[object]:
    return [
        record_url(doc.url, doc.title),
        doc.title,
        day_number(doc.date),
        language(doc.lang),
        doc.source,
        list(doc.topics),
        list(doc.tags[:RECORD_TAGS]),
        _excerpt(doc),
    ]


# Below U+0250 (Latin up to Extended-B), the client's slugify equals ours: decompositions of
# characters that old never change, so the browser's Unicode agrees with Python's.
CLIENT_SLUG_LIMIT = "\u0250"


def record_url(url: str, title: str) -> str:
    """The URL as a result record holds it: '*' for the title's slug, which the client makes
    again (a sixth of a chunk's bytes), where it can: a Latin title whose slug is one whole
    part of the URL, or begins one before a hyphen (a slug made unique, or the title's slug
    before a cut at its length limit)."""
    slug = slugify(title)
    if not slug or "*" in url or max(title) >= CLIENT_SLUG_LIMIT:
        return url
    parts = url.split("/")
    found = [i for i, part in enumerate(parts) if part == slug or part.startswith(slug + "-")]
    if len(found) != 1:
        return url
    parts[found[0]] = "*" + parts[found[0]][len(slug) :]
    return "/".join(parts)


def _json(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def chunk_files(ordered: Sequence[SearchDoc], k: int) -> dict[str, bytes]:
    """The metadata chunks: documents k * n to k * (n + 1) - 1 in d/<n>.bin."""
    return {
        f"d/{n}.bin": pack(_json([_record(d) for d in ordered[start : start + k]]))
        for n, start in enumerate(range(0, len(ordered), k))
    }


def _step_up(size: float) -> int:
    """Round up to an eighth power of two, so targets change rarely as a corpus grows."""
    return int(2 ** (math.ceil(8 * math.log2(max(size, 1.0))) / 8))


def plan_shards(entries: Sequence[Entry], budget: int) -> list[list[Entry]]:
    """Shards about as small as `budget` files allow, never fewer bytes than MIN_SHARD_BYTES."""
    sizes = Sizes.of(entries)
    target = max(MIN_SHARD_BYTES, _step_up(sizes.total / max(1, budget * 0.9)))
    while (cuts := shard_cuts(entries, target, sizes, most=budget)) is None:
        target = _step_up(target * 1.05)
    return shards_at(entries, cuts)


def _listing(counts: Counter[str]) -> list[list[object]]:
    return [[name, counts[name]] for name in sorted(counts) if name]


def root_file(
    ordered: Sequence[SearchDoc],
    k: int,
    shards: Sequence[Sequence[Entry]],
    facts: Facts | None = None,
) -> bytes:
    """index.bin: what the browser needs before its first query (`facts`: those of `ordered`,
    if known)."""
    days = [day_number(d.date) for d in ordered[::k]]
    facts = facts or Facts.of(ordered)
    return pack(
        _json(
            {
                "v": FORMAT,
                "n": len(ordered),
                "k": k,
                "bits": IMPACT_BITS,
                "stem": sorted(facts.langs.keys() & STEMMERS.keys()),
                "langs": _listing(facts.langs),
                "sources": _listing(facts.sources),
                "topics": _listing(facts.topics),
                "bounds": [""] + [s[0].key for s in shards[1:]],
                # Shards holding one key: a frequent word's list, cut off on both sides.
                "solo": [i for i, s in enumerate(shards) if len(s) == 1],
                "days": [b - a for a, b in zip([0, *days], days, strict=False)],
                "end": day_number(ordered[-1].date) if ordered else 0,
            }
        )
    )


def root_attribute(packed: bytes) -> str:
    """The root (its file as build_search_index gives it) as the search page inlines it: its
    JSON escaped for a single-quoted HTML attribute (JSON's many '"' stay one byte each)."""
    text = zlib.decompress(packed).decode()
    return text.replace("&", "&amp;").replace("'", "&#39;").replace("<", "&lt;")


def build_search_index(
    docs: Sequence[SearchDoc], memo: SearchMemo | None = None, workers: int | None = None
) -> dict[str, bytes]:
    """Files of the index, keyed by path relative to the output's 'search/' folder.

    With a memo (see SearchMemo) the build works out only documents it does not know (only
    their text is read), re-weighs only the tiles around them, joins only the postings lists
    they change and packs only files whose bytes change; the memo then describes this build.
    The bytes are the same with or without one. `workers`: processes to work out many new
    documents with, when building with a memo (default 2, where fork is available; 1: none).
    """
    enabled = gc.isenabled()
    gc.disable()  # it makes no cycles, and a collection would walk the caller's whole heap
    try:
        if memo is None:
            return _fresh(order(docs))
        return _Build(docs, memo, workers).files()
    finally:
        if enabled:
            gc.enable()


def _fresh(ordered: Sequence[SearchDoc]) -> dict[str, bytes]:
    """The index made directly, postings document by document: the fastest way without a memo
    (and a second way to the same bytes, which the tests compare)."""
    k = chunk_size(len(ordered))
    chunks = chunk_files(ordered, k)
    shards = plan_shards(postings(ordered), file_budget(len(ordered)) - len(chunks) - 1)
    bounds = [""] + [s[0].key for s in shards[1:]]
    files = {shard_name(b): pack(encode_shard(s)) for b, s in zip(bounds, shards, strict=True)}
    if len(files) != len(shards):
        raise RuntimeError("search: two shard names collide; please report this")
    files.update(chunks)
    files[ROOT] = root_file(ordered, k, shards)
    return files


def _record_json(doc: SearchDoc) -> str:
    return json.dumps(_record(doc), ensure_ascii=False, separators=(",", ":"))


Made = tuple[Tile, dict[str, DocMemo]]  # a tile, and the work of its documents by id
Row = list[DocMemo | None]  # the memoized work of a tile's documents, None where there is none


class _Build:
    """One build of the index, reusing what a memo of the last one still knows."""

    def __init__(self, docs: Sequence[SearchDoc], memo: SearchMemo, workers: int | None) -> None:
        self.numbering = numbered(docs, memo.numbering)
        self.ordered = self.numbering.ordered
        self.metas = self.numbering.metas
        self.memo = memo
        self.workers = workers
        last = memo.numbering
        if self.numbering.changed is not None and last is not None:
            cuts = [a for a, _ in memo.spans] + [len(last.ordered)]  # the same ids in order
        else:
            cuts = [*tile_starts([d.doc_id for d in self.ordered]), len(self.ordered)]
        self.spans: list[Span] = list(itertools.pairwise(cuts))
        self.keys = span_digests(self.spans, self.numbering, memo.digests)
        self.k = chunk_size(len(self.ordered))
        n = len(self.ordered)
        self.chunk_spans = [(a, min(a + self.k, n)) for a in range(0, n, self.k)]
        self.chunk_keys = span_digests(self.chunk_spans, self.numbering, memo.digests)
        self.made: dict[bytes, Made] = {}  # tiles the memo lacks
        self.known: dict[int, DocMemo] = {}  # document number -> its work, where looked at
        self.keymaps: dict[str, KeyMap] = {}
        self.misses = 0
        # Keys whose postings may differ from the memo's; None: no memoized postings.
        self.touched: set[str] | None = set() if memo.postings is not None else None

    def files(self) -> dict[str, bytes]:
        self._tiles()
        files, chunks = self._chunks()
        postings = self._postings()
        entries = [Entry.of(*row) for row in zip(*postings, strict=True)]
        shards = plan_shards(entries, file_budget(len(self.ordered)) - len(files) - 1)
        kept: dict[str, ShardMemo] = {}
        names: dict[str, str] = {}  # first key -> shard name
        for number, shard in enumerate(shards):
            first = shard[0].key if shard else ""
            kept[first] = self._old_shard(first, shard) or ShardMemo(
                shard[-1].key if shard else "", len(shard), pack(encode_shard(shard))
            )
            name = names[first] = self.memo.names.get(first) or shard_name(first)
            files[name if number else shard_name("")] = kept[first].packed
        if len(files) != len(shards) + len(chunks):
            raise RuntimeError("search: two shard names collide; please report this")
        files[ROOT] = root_file(self.ordered, self.k, shards, self.numbering.facts)
        starts = {key: a for (a, _), key in zip(self.spans, self.keys, strict=True)}
        self.memo.replace(starts, self.made, postings, kept, chunks)
        self.memo.numbering = self.numbering
        self.memo.spans = self.spans
        self.memo.digests = dict(zip(self.spans, self.keys, strict=True))
        self.memo.digests.update(zip(self.chunk_spans, self.chunk_keys, strict=True))
        self.memo.names = names
        self.memo.misses = self.misses
        self.memo.hits = len(self.ordered) - self.misses
        return files

    def fp(self, number: int) -> bytes:
        return digest(self.metas[number])

    def _pieces(self, key: bytes) -> Pieces:
        return self.made[key][0].pieces if key in self.made else self.memo.tile(key).pieces

    # --- tiles --------------------------------------------------------------------------------

    def _tiles(self) -> None:
        """Make the tiles the memo lacks (patching the old tile at the same place where few
        of its documents changed), and note the keys whose postings this may change."""
        memo = self.memo
        old_at = {a: key for key, a in memo.starts.items()}
        new_at = {a: key for (a, _), key in zip(self.spans, self.keys, strict=True)}
        patched: set[bytes] = set()
        todo: list[tuple[tuple[int, int], bytes]] = []
        for span, key in zip(self.spans, self.keys, strict=True):
            if memo.has(key):
                continue
            old = old_at.get(span[0])
            if old is not None and self._patch(span, key, old):
                patched.add(key)
            else:
                todo.append((span, key))
        made = self._work_tiles([span for span, _ in todo])
        self.made.update(zip([key for _, key in todo], made, strict=True))
        if self.touched is None:
            return
        for a in old_at.keys() | new_at.keys():
            old, new = old_at.get(a), new_at.get(a)
            if old == new or new in patched:
                continue  # the same tile, or the keys its patch touched are noted already
            if old is not None:
                self.touched.update(memo.tile(old).pieces.keys)
            if new is not None:
                self.touched.update(self._pieces(new).keys)

    def _patch(self, span: tuple[int, int], key: bytes, old_key: bytes) -> bool:
        """Make tile `key` from the memo's tile `old_key` at the same place, if only a few
        of their documents differ; False (and nothing made) otherwise."""
        old = self.memo.tile(old_key)
        group = self.memo.group(old_key)
        a, b = span
        changes: dict[int, tuple[dict[str, int], dict[str, int]]] = {}
        members: dict[str, DocMemo] = {}
        for local in range(max(b - a, len(old.ids))):
            before = group.get(old.ids[local]) if local < len(old.ids) else None
            if before is None and local < len(old.ids):
                return False  # the work of its documents is lost
            if a + local >= b:
                changes[local] = (before.impacts() if before else {}, {})
            elif before is not None and before.fp == self.fp(a + local):
                members[self.ordered[a + local].doc_id] = before
            else:
                now = self._work(a + local)
                members[self.ordered[a + local].doc_id] = now
                changes[local] = (before.impacts() if before else {}, now.impacts())
            if len(changes) > (b - a) // 8 + 2:
                return False  # many: working out the tile anew costs less
        pieces, touched = patch_pieces(old.pieces, changes)
        self.made[key] = (Tile(tuple(d.doc_id for d in self.ordered[a:b]), pieces), members)
        if self.touched is not None:
            self.touched |= touched
        return True

    def _work(self, number: int) -> DocMemo:
        """The work for one document: memoized, or worked out now (reading its text)."""
        found = self.known.get(number)
        if found is None:
            doc = self.ordered[number]
            found = self.memo.doc(doc.doc_id, self.fp(number))
            if found is None:
                found, _ = _work_out(doc, self.fp(number), self.keymaps)
                self.misses += 1
            self.known[number] = found
        return found

    def _work_tiles(self, spans: list[tuple[int, int]]) -> list[Made]:
        """Tiles from their documents' work (memoized, or worked out: in two processes when
        there are many)."""
        rows: list[Row] = [
            [
                self.known.get(i) or self.memo.doc(self.ordered[i].doc_id, self.fp(i))
                for i in range(a, b)
            ]
            for a, b in spans
        ]
        misses = sum(m is None for row in rows for m in row)
        self.misses += misses
        jobs = list(zip(spans, rows, strict=True))
        if misses > PARALLEL_MISSES and len(jobs) > 1 and _can_fork(self.workers):
            _JOB.append((self.ordered, self.metas, jobs))
            try:
                context = multiprocessing.get_context("fork")
                processes = min(self.workers or 2, len(jobs))
                with ProcessPoolExecutor(processes, mp_context=context) as pool:
                    return list(pool.map(_tile_job, range(len(jobs))))
            except (OSError, BrokenProcessPool):
                pass  # no processes to be had: work in this one
            finally:
                _JOB.clear()
        return [_tile(self.ordered, self.metas, span, row, self.keymaps) for span, row in jobs]

    # --- files --------------------------------------------------------------------------------

    def _chunks(self) -> tuple[dict[str, bytes], dict[bytes, bytes]]:
        """The metadata chunks (d/<n>.bin), packed again only where a document changed."""
        files: dict[str, bytes] = {}
        chunks: dict[bytes, bytes] = {}
        records: dict[str, str] | None = None
        for number, ((first, last), key) in enumerate(
            zip(self.chunk_spans, self.chunk_keys, strict=True)
        ):
            packed = self.memo.chunks.get(key)
            if packed is None:
                if records is None:
                    records = {i: m.record for _, g in self.made.values() for i, m in g.items()}
                found = [self._record(i, records) for i in range(first, last)]
                packed = pack(("[" + ",".join(found) + "]").encode())
            files[f"d/{number}.bin"] = chunks[key] = packed
        return files, chunks

    def _record(self, number: int, records: dict[str, str]) -> str:
        doc = self.ordered[number]
        found = records.get(doc.doc_id)
        if found is not None:
            return found
        if not doc.summary and not isinstance(doc.text, str):  # the excerpt needs the text
            return self._work(number).record
        return _record_json(doc)

    def _postings(self) -> Lists:
        """Every key's postings: the memo's, joined again from the tiles where touched."""
        old = self.memo.postings
        touched = self.touched
        if old is not None and touched is not None and not touched:
            return old
        tiles = [(a, self._pieces(key)) for (a, _), key in zip(self.spans, self.keys, strict=True)]
        if old is None or touched is None or len(touched) > len(old.keys) // 4:
            lists = join(tiles)
            keys = sorted(lists, key=utf16_order)
            done = [joined(lists[key]) for key in keys]
            return Lists(keys, array("l", [df for df, _ in done]), [p for _, p in done])
        lists = join(tiles, only=touched)
        keys, dfs, plists = list(old.keys), array("l", old.dfs), list(old.lists)
        index = {key: i for i, key in enumerate(keys)}
        gone = set()
        added = []
        for key in touched:
            at = index.get(key)
            if key not in lists:
                if at is not None:
                    gone.add(at)
            elif at is None:
                added.append(key)
            else:
                dfs[at], plists[at] = joined(lists[key])
        if gone:
            stay = [i for i in range(len(keys)) if i not in gone]
            keys = [keys[i] for i in stay]
            dfs = array("l", [dfs[i] for i in stay])
            plists = [plists[i] for i in stay]
        for key in sorted(added, key=utf16_order):
            at = bisect.bisect_left(keys, utf16_order(key), key=utf16_order)
            df, found = joined(lists[key])
            keys.insert(at, key)
            dfs.insert(at, df)
            plists.insert(at, found)
        return Lists(keys, dfs, plists)

    def _old_shard(self, first: str, shard: Sequence[Entry]) -> ShardMemo | None:
        """The memo's packed shard, where this one holds just its keys and none changed."""
        old = self.memo.shards.get(first)
        if (
            old is None
            or self.touched is None
            or old.n != len(shard)
            or old.last != (shard[-1].key if shard else "")
            or not self.touched.isdisjoint([e.key for e in shard])
        ):
            return None
        return old


def _work_out(
    doc: SearchDoc, fp: bytes, keymaps: dict[str, KeyMap]
) -> tuple[DocMemo, dict[str, int]]:
    """Impacts and record of one document, from its text."""
    if not isinstance(doc.text, str):
        doc = replace(doc, text=body_text(doc))
    lang = language(doc.lang)
    found = impacts(doc, keymaps.get(lang) or keymaps.setdefault(lang, KeyMap(lang)))
    joined_keys = "\n".join(found)
    if joined_keys.count("\n") != len(found) - 1:
        raise RuntimeError("search: an index key holds a line break; please report this")
    return DocMemo(fp, joined_keys, bytes(found.values()), _record_json(doc)), found


# Work for forked processes: set before the pool starts, read by its workers.
_JOB: list[tuple[Sequence[SearchDoc], list[str], list[tuple[tuple[int, int], Row]]]] = []
_KEYMAPS: dict[str, KeyMap] = {}


def _can_fork(workers: int | None) -> bool:
    return (workers is None or workers > 1) and can_fork()


def _tile_job(index: int) -> Made:
    ordered, metas, jobs = _JOB[0]
    span, row = jobs[index]
    return _tile(ordered, metas, span, row, _KEYMAPS)


def _tile(
    ordered: Sequence[SearchDoc],
    metas: list[str],
    span: tuple[int, int],
    row: Row,
    keymaps: dict[str, KeyMap],
) -> Made:
    """One tile: its documents' impacts (memoized, or worked out), then its pieces."""
    levels: list[dict[str, int]] = []
    group: dict[str, DocMemo] = {}
    for number, memoized in zip(range(*span), row, strict=True):
        doc = ordered[number]
        if memoized is None:
            memoized, found = _work_out(doc, digest(metas[number]), keymaps)
            levels.append(found)
        else:
            levels.append(memoized.impacts())
        group[doc.doc_id] = memoized
    ids = tuple(d.doc_id for d in ordered[span[0] : span[1]])
    return Tile(ids, build_pieces(levels)), group
