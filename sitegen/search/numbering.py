"""Number the documents oldest first, patching the last build's numbering where few changed.

A long-lived process (the preview) builds the index again after each edit, with the same
document objects for every article but the edited ones. Sorting 10,000 documents, hashing
their metas and counting their facets again would cost more than the rest of such a build,
so a Numbering keeps them and the next one swaps, drops and inserts only what changed.
"""

from __future__ import annotations

import bisect
import hashlib
import os
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sitegen.search.text import language


@dataclass(frozen=True)
class SearchDoc:
    """What the index needs to know about one article."""

    doc_id: str  # stable id (the article's source path, e.g. 'content/2025/x.md')
    url: str  # site-relative URL path without the base path, e.g. '2025/01/slug/'
    title: str
    lang: str  # 'de', 'en'; others are not stemmed
    date: datetime  # tz-aware
    summary: str  # plain text
    text: str | Callable[[], str]  # plain text body, or a function that gives it (see version)
    tags: tuple[str, ...]
    topics: tuple[str, ...]  # topic display names
    source: str  # source name, may be ''
    # With text given as a function, what identifies that text (e.g. a hash of the source file):
    # a memo then reuses the document's work without calling the function. Without it, such
    # a document is worked out again on every build.
    version: str = ""


OrderKey = tuple[date, float, str]
Span = tuple[int, int]


def digest(data: str) -> bytes:
    """A short digest of a string: of a meta, or of some NUL-separated metas."""
    return hashlib.sha256(data.encode("utf-8", "surrogatepass")).digest()[:16]


def order_key(doc: SearchDoc) -> OrderKey:
    moment = doc.date
    return moment.date(), moment.timestamp(), doc.doc_id


def _unique_ids(docs: Sequence[SearchDoc]) -> set[str]:
    ids = {d.doc_id for d in docs}
    if len(ids) != len(docs):
        counts = Counter(d.doc_id for d in docs)
        raise ValueError(f"search: duplicate doc_id {min(i for i, n in counts.items() if n > 1)!r}")
    return ids


def order(docs: Sequence[SearchDoc]) -> list[SearchDoc]:
    """Documents oldest first (by local date, then instant, then id): their numbers."""
    _unique_ids(docs)
    return sorted(docs, key=order_key)


def meta(doc: SearchDoc) -> str:
    """Everything the index takes from a document, as one string: equal iff that is."""
    if isinstance(doc.text, str):
        text = "t" + hashlib.sha256(doc.text.encode("utf-8", "surrogatepass")).hexdigest()
    elif doc.version:
        text = "v" + doc.version
    else:
        text = "?" + os.urandom(16).hex()  # the text is unknown: never equal to a memoized one
    parts = [doc.doc_id, doc.url, doc.title, doc.lang, doc.date.isoformat(), doc.summary]
    parts += [doc.source, str(len(doc.tags)), *doc.tags, str(len(doc.topics)), *doc.topics, text]
    joined = "\x00".join(parts)
    if joined.count("\x00") == len(parts) - 1:
        return "p\x00" + joined  # its parts, and so its end, can be read back: unambiguous
    return "l" + ",".join(map(str, map(len, parts))) + "\x00" + joined  # a field holds NUL


def _known_text(doc: SearchDoc) -> bool:
    """Whether the same document object has the same meta next time (a text function without
    a version may give another text each time)."""
    return bool(doc.version) or isinstance(doc.text, str)


@dataclass(frozen=True)
class Facts:
    """What the root counts over all documents: languages, sources and topics."""

    langs: Counter[str]
    sources: Counter[str]
    topics: Counter[str]

    @classmethod
    def of(cls, docs: Iterable[SearchDoc]) -> Facts:
        return cls(Counter(), Counter(), Counter()).changed((), docs)

    def changed(self, gone: Iterable[SearchDoc], new: Iterable[SearchDoc]) -> Facts:
        """These facts without the documents `gone` and with the documents `new`."""
        langs, sources, topics = self.langs.copy(), self.sources.copy(), self.topics.copy()
        for sign, docs in ((-1, gone), (1, new)):
            for d in docs:
                langs[language(d.lang)] += sign
                sources[d.source] += sign
                for topic in d.topics:
                    topics[topic] += sign
        return Facts(+langs, +sources, +topics)  # unary plus drops the counts gone to 0


@dataclass(frozen=True)
class Numbering:
    """Documents numbered oldest first, with what the next numbering patches from."""

    ordered: list[SearchDoc]
    metas: list[str]  # each document's meta
    numbers: dict[str, int]  # doc id -> number
    keys: list[OrderKey]  # each document's order key
    facts: Facts
    known: dict[str, SearchDoc]  # doc id -> the document, where its meta holds next time
    # Numbers whose document differs from the last numbering's, where all others kept theirs;
    # None where documents moved (or there was no last numbering).
    changed: list[int] | None


def numbered(docs: Sequence[SearchDoc], last: Numbering | None = None) -> Numbering:
    """The documents numbered, as order() numbers them, reusing the last numbering's work."""
    ids = _unique_ids(docs)
    if last is not None:
        patched = _patch(docs, ids, last)
        if patched is not None:
            return patched
    ordered = sorted(docs, key=order_key)
    metas = [_meta_again(d, last) for d in ordered]
    numbers = {d.doc_id: i for i, d in enumerate(ordered)}
    keys = list(map(order_key, ordered))
    known = {d.doc_id: d for d in ordered if _known_text(d)}
    return Numbering(ordered, metas, numbers, keys, Facts.of(ordered), known, None)


def _meta_again(doc: SearchDoc, last: Numbering | None) -> str:
    """The document's meta: the last numbering's if it numbered this very object."""
    if last is None or last.known.get(doc.doc_id) is not doc:
        return meta(doc)
    return last.metas[last.numbers[doc.doc_id]]


def _patch(docs: Sequence[SearchDoc], ids: set[str], last: Numbering) -> Numbering | None:
    """The last numbering with a few documents replaced, dropped or inserted; None if many."""
    numbers, was, get = last.numbers, last.ordered, last.known.get
    new = [d for d in docs if get(d.doc_id) is not d]
    stale = [numbers[d.doc_id] for d in new if d.doc_id in numbers]
    replaced = len(stale) == len(new)
    if len(docs) - len(new) + len(stale) < len(was):  # some documents are gone
        stale += [i for i, d in enumerate(was) if d.doc_id not in ids]
        replaced = False
    if (len(new) + len(stale)) * 8 > len(docs) + 64:
        return None  # many: sorting afresh costs less
    facts = last.facts.changed([was[i] for i in stale], new)
    known = last.known.copy()
    for at in stale:
        known.pop(was[at].doc_id, None)
    known.update((d.doc_id, d) for d in new if _known_text(d))
    ordered, metas = list(was), list(last.metas)
    keys = [order_key(d) for d in new]
    if replaced and all(
        key == last.keys[numbers[d.doc_id]] for d, key in zip(new, keys, strict=True)
    ):
        for d in new:
            at = numbers[d.doc_id]
            ordered[at], metas[at] = d, meta(d)
        return Numbering(ordered, metas, numbers, last.keys, facts, known, sorted(stale))
    order_keys = list(last.keys)
    for at in sorted(stale, reverse=True):
        del ordered[at], metas[at], order_keys[at]
    for d, key in zip(new, keys, strict=True):
        at = bisect.bisect_left(order_keys, key)
        ordered.insert(at, d)
        metas.insert(at, meta(d))
        order_keys.insert(at, key)
    numbers = {d.doc_id: i for i, d in enumerate(ordered)}
    return Numbering(ordered, metas, numbers, order_keys, facts, known, None)


def span_digests(
    spans: Sequence[Span], numbering: Numbering, known: Mapping[Span, bytes]
) -> list[bytes]:
    """A digest of each span's metas: from `known` (the last numbering's) where the documents
    kept their numbers and none in the span changed."""
    metas = numbering.metas
    dirty = numbering.changed
    if dirty is None:
        known = {}
        dirty = []
    out = []
    for a, b in spans:
        found = known.get((a, b))
        at = bisect.bisect_left(dirty, a)
        if found is None or (at < len(dirty) and dirty[at] < b):
            found = digest("\x00".join(metas[a:b]))  # metas, NUL-separated, can be read back
        out.append(found)
    return out
