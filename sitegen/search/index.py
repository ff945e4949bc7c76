"""Build the sharded search index: number documents, weigh postings, write shards and chunks.

Files, relative to the output's search/ folder (all deflated with zlib):
    index.bin      root: counts, languages, sources, topics, shard boundaries, chunk dates
    t/<hash>.bin   term shards: a content-defined run of the sorted keys with their postings
    d/<n>.bin      metadata chunks: K documents each (URL, title, day, facets, excerpt)
Documents are numbered oldest first, so sorting by date is sorting by number, and a new
article, being the newest, only appends: it touches the last chunk and the shards of its keys.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sitegen.search.encode import (
    IMPACT_BITS,
    IMPACT_MAX,
    Entry,
    Postings,
    add_postings,
    encode_shard,
    pack,
    shard_name,
    split_shards,
    utf16_order,
)
from sitegen.search.text import STEMMERS, KeyMap, fold, language, tokenize

FORMAT = 1
ROOT = "index.bin"
K1 = 1.2
B = 0.75
AVGDL = 300  # fixed, not measured, so that one edit never re-weighs every posting
EXCERPT_CHARS = 150
RECORD_TAGS = 4
MIN_SHARD_BYTES = 4096
EPOCH = date(1970, 1, 1)
FACETS = {"topic": "t", "tag": "g", "source": "s", "lang": "l"}


@dataclass(frozen=True)
class SearchDoc:
    """What the index needs to know about one article."""

    doc_id: str  # stable id (the article's source path, e.g. 'content/2025/x.md')
    url: str  # site-relative URL path without the base path, e.g. '2025/01/slug/'
    title: str
    lang: str  # 'de', 'en'; others are not stemmed
    date: datetime  # tz-aware
    summary: str  # plain text
    text: str  # plain text body
    tags: tuple[str, ...]
    topics: tuple[str, ...]  # topic display names
    source: str  # source name, may be ''


def facet_key(kind: str, value: str) -> str:
    """The key under which the documents of one topic, tag, source or language are listed."""
    return "\x01" + FACETS[kind] + fold(" ".join(value.split()))


def day_number(moment: datetime) -> int:
    """Days since 1970-01-01 of the article's own calendar date."""
    return (moment.date() - EPOCH).days


def order(docs: Sequence[SearchDoc]) -> list[SearchDoc]:
    """Documents oldest first (by local date, then instant, then id): their numbers."""
    ids = Counter(d.doc_id for d in docs)
    twice = sorted(i for i, n in ids.items() if n > 1)
    if twice:
        raise ValueError(f"search: duplicate doc_id {twice[0]!r}")
    return sorted(docs, key=lambda d: (d.date.date(), d.date.timestamp(), d.doc_id))


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
    tf = keymap.count(tokenize(doc.summary + "\n" + doc.text))
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
    text = " ".join((doc.summary or doc.text).split())
    if len(text) <= EXCERPT_CHARS:
        return text
    cut = text.rfind(" ", 0, EXCERPT_CHARS)
    return text[: cut if cut > EXCERPT_CHARS // 2 else EXCERPT_CHARS].rstrip(" ,;:.") + "…"


def _record(doc: SearchDoc) -> list[object]:
    return [
        doc.url,
        doc.title,
        day_number(doc.date),
        language(doc.lang),
        doc.source,
        list(doc.topics),
        list(doc.tags[:RECORD_TAGS]),
        _excerpt(doc),
    ]


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
    total = sum(e.size for e in entries)
    target = max(MIN_SHARD_BYTES, _step_up(total / max(1, budget * 0.9)))
    while True:
        shards = split_shards(entries, target)
        if len(shards) <= budget:
            return shards
        target = _step_up(target * 1.05)


def _counts(values: Iterable[str]) -> list[list[object]]:
    counts = Counter(v for v in values if v)
    return [[name, counts[name]] for name in sorted(counts)]


def root_file(ordered: Sequence[SearchDoc], k: int, shards: Sequence[Sequence[Entry]]) -> bytes:
    """index.bin: what the browser needs before its first query."""
    days = [day_number(d.date) for d in ordered[::k]]
    return pack(
        _json(
            {
                "v": FORMAT,
                "n": len(ordered),
                "k": k,
                "bits": IMPACT_BITS,
                "stem": sorted({language(d.lang) for d in ordered} & STEMMERS.keys()),
                "langs": _counts(language(d.lang) for d in ordered),
                "sources": _counts(d.source for d in ordered),
                "topics": _counts(t for d in ordered for t in d.topics),
                "bounds": [""] + [s[0].key for s in shards[1:]],
                "days": [b - a for a, b in zip([0, *days], days, strict=False)],
                "end": day_number(ordered[-1].date) if ordered else 0,
            }
        )
    )


def build_search_index(docs: Sequence[SearchDoc]) -> dict[str, bytes]:
    """Files of the index, keyed by path relative to the output's 'search/' folder."""
    ordered = order(docs)
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
