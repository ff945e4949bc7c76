"""Group articles that report the same story: MinHash + LSH near-duplicates within a time window.

Per language: word 3-shingles of folded tokens, minus each source's boilerplate shingles; a
one-permutation MinHash of BINS bins; LSH bands of two bins propose pairs, kept when within the
window and similar enough (estimated Jaccard, or containment of the shorter text). Optionally,
languages are bridged by shared rare names plus shared title tokens. Pairs merge strongest
first, never into a story spanning more than the window. Same input in any order, same output;
a story's id comes from its earliest member, so new articles never rename other stories.
"""

from __future__ import annotations

import math
import operator
import re
import unicodedata
from array import array
from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from hashlib import blake2b
from itertools import compress, filterfalse, pairwise, repeat
from typing import Literal

from sitegen.forking import Mapper, in_process
from sitegen.model import Story

BINS = 128  # one-permutation MinHash bins (a power of two)
VALUE_BITS = 22  # bits of a shingle hash compared inside its bin (b-bit MinHash)
SAMPLE_DOCS = 64  # documents per source sampled to find boilerplate candidates ...
SAMPLE_FLOOR = 4  # ... which must be in this many of them (a 20% shingle: 12.8 expected)
BAND_GROUP = 16  # LSH bands bucketed per pass
MAX_BUCKET_PAIRS = 64  # each document meets at most this many later ones per LSH bucket
MAX_NAME_DOCS = 50  # names in more documents than this do not propose cross-language pairs
MIN_TITLE_NAMES = 2  # titles in two languages share this many names, numbers or title words

_HASH_MASK = (BINS << VALUE_BITS) - 1  # shingle hashes: single-digit ints, so sorting is fast
_WORD = re.compile(r"\w+")
_NAME = re.compile(r"[^\W\d_]\w*")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_Link = tuple[float, int, int]  # score, then the two documents' indices (lower first)
_SENTENCE_END = ".!?:\"'“”»«’)]"  # a capitalized word after one of these may just start a sentence
_MARKS = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


def _digest(text: str, size: int) -> int:
    return int.from_bytes(blake2b(text.encode(), digest_size=size).digest(), "little")


# Two 32-bit bins make one 64-bit band key, salted per band so bands never share keys.
_BAND_SALTS = tuple(_digest(f"sitegen-band-{i}", 8) for i in range(BINS // 2))
# An odd step per bin: an empty bin borrows from the first filled bin along its own probe cycle.
_ALL_BINS = frozenset(range(BINS))
_STEPS = tuple(2 * (_digest(f"sitegen-bin-{i}", 4) % (BINS // 2)) + 1 for i in range(BINS))


@dataclass(frozen=True)
class StoryDoc:
    """What clustering needs to know of one article."""

    doc_id: str  # stable id (the article's source path)
    date: datetime  # timezone-aware
    lang: str
    title: str
    text: str  # plain text body (or "" when StoryIndex.update is given text_of)
    source: str  # source name ('' if unknown)
    word_count: int
    text_key: str = ""  # equal keys, equal texts ('' : a hash of text)


@dataclass(frozen=True)
class StoryOptions:
    window_hours: float = 72.0  # members of one story lie at most this far apart
    threshold: float = 0.3  # estimated Jaccard of 3-shingle sets that makes two texts one story
    cross_language: bool = False
    primary: Literal["earliest", "longest"] = "earliest"
    containment: float = 0.85  # ... or this share of the shorter text's shingles in the longer
    min_shingles: int = 8  # texts with fewer shingles are never linked by text
    boilerplate_share: float = 0.2  # shingles in more than this share of a source's documents
    boilerplate_min_docs: int = 5  # ... and in at least this many are dropped as boilerplate
    cross_threshold: float = 0.5  # weighted share of the smaller name set found in the other
    min_shared_names: int = 3  # cross-language pairs share at least this many names

    def __post_init__(self) -> None:
        if self.window_hours < 0:
            raise ValueError("window_hours must not be negative")
        for name in ("threshold", "containment", "boilerplate_share", "cross_threshold"):
            if not 0.0 < getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must be in (0, 1]")


@dataclass(frozen=True)
class _Sketch:
    signature: array[int]  # BINS b-bit minimum hashes
    size: int  # shingles hashed (after boilerplate)


class _Vocabulary(dict[str, int]):
    """Whitespace-separated chunk -> blake2b id of its folded word characters (0: none).

    'Straße,' and 'STRASSE' share an id; local to one call, so each chunk is hashed once.
    """

    def __missing__(self, chunk: str) -> int:
        word = "".join(_WORD.findall(fold(chunk)))
        value = self[chunk] = (_digest(word, 4) >> 2 or 1) if word else 0
        return value


def cluster_stories(
    docs: Sequence[StoryDoc], options: StoryOptions = StoryOptions()
) -> tuple[Story, ...]:
    """Stories of two or more documents, ordered by their earliest member's date and id.

    An added document changes only the story it joins, unless it tips a shingle of its source
    over the boilerplate share or (cross_language) changes how rare a name is.
    """
    return StoryIndex(options).update(docs)


def _check(docs: Sequence[StoryDoc]) -> None:
    for before, after in pairwise(docs):
        if before.doc_id == after.doc_id:
            raise ValueError(f"duplicate doc_id: {after.doc_id}")
    for doc in docs:
        if doc.date.utcoffset() is None:
            raise ValueError(f"{doc.doc_id}: date has no timezone")


# --- the state one clustering leaves for the next ---------------------------------------------


@dataclass(frozen=True)
class _DocState:
    text_key: str
    source: str
    shingles: array[int] | None  # word 3-shingle hashes, kept for its source's sample only
    hits: frozenset[int]  # its source's boilerplate candidates found among them
    sketch: _Sketch | None  # None: too little text
    names: frozenset[str]  # cross_language only
    place: tuple[float, str]  # timestamp and language: what pairing depends on besides the sketch


@dataclass(frozen=True)
class _SourceState:
    members: frozenset[str]
    sample: tuple[str, ...]  # the documents whose shingles propose boilerplate candidates
    candidates: frozenset[int]
    boilerplate: frozenset[int]


_SourceWork = tuple[_SourceState, dict[str, _DocState]]  # a source's state, its documents'

# A quick update (StoryIndex._quick) takes at most this many changed documents.
QUICK_CHANGES = 16


@dataclass
class _Recent:
    """The documents and stories of the last update in this process."""

    docs: dict[str, StoryDoc]
    stories: tuple[Story, ...]
    timeline: list[tuple[float, str]] | None  # (timestamp, id) of documents with a sketch


class StoryIndex:
    """Clusters documents and keeps what the next clustering can reuse (for the build cache).

    `update` returns exactly what `cluster_stories` would for the same documents; it reads the
    text of a document only when its text_key is new, and re-pairs only documents whose sketch,
    date or language changed, against the documents within the window. Whenever reuse cannot
    be proven exact (many changes, or a crowded LSH bucket), everything is paired again.
    """

    def __init__(self, options: StoryOptions = StoryOptions()) -> None:
        self.options = options
        self._docs: dict[str, _DocState] = {}
        self._sources: dict[str, _SourceState] = {}
        self._links: dict[tuple[str, str], float] = {}  # text links by doc id (lower id first)
        self._exact = False  # the links are complete: no bucket was cut at MAX_BUCKET_PAIRS
        self.modified = False  # the last update changed what is kept (worth saving again)
        self._recent: _Recent | None = None  # the last update of this process, see _quick
        self._made: dict[str, tuple[object, StoryDoc]] = {}  # see doc_for

    def doc_for(
        self, doc_id: str, origin: object, make: Callable[[StoryDoc | None], StoryDoc]
    ) -> StoryDoc:
        """The document made from `origin` (an article, say) before in this process if it is
        the very same object, else `make(the last update's document of that id, or None)`.
        Passing the same document object again tells a quick update it did not change."""
        made = self._made.get(doc_id)
        if made is not None and made[0] is origin:
            return made[1]
        doc = make(self._recent.docs.get(doc_id) if self._recent is not None else None)
        self._made[doc_id] = (origin, doc)
        return doc

    def __getstate__(self) -> dict[str, object]:
        return {**self.__dict__, "_recent": None, "_made": {}}  # cheap to make, costly to store

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update({"_recent": None, "_made": {}, **state})

    def update(
        self,
        docs: Sequence[StoryDoc],
        text_of: Callable[[StoryDoc], str] | None = None,
        each: Mapper = in_process,
    ) -> tuple[Story, ...]:
        """The stories of `docs`; `text_of(doc)` gives a text (default: doc.text). `each`
        runs the work of the sources whose documents changed (forking.forked: in processes)."""
        read = text_of or operator.attrgetter("text")
        if self._recent is not None:
            quick = self._quick(docs, read, self._recent)
            if quick is not None:
                return quick
        ordered = sorted(docs, key=lambda d: d.doc_id)
        _check(ordered)
        old_docs = self._docs
        shingled = _Shingler(self.options, read, old_docs, ordered)
        by_source: defaultdict[str, list[StoryDoc]] = defaultdict(list)
        for doc in ordered:
            by_source[doc.source].append(doc)
        new_docs: dict[str, _DocState] = {}
        new_sources: dict[str, _SourceState] = {}
        kept = {s: self._kept(s, m, shingled) for s, m in by_source.items()}
        work = sorted((s for s, k in kept.items() if k is None), key=lambda s: -len(by_source[s]))
        made = each(lambda source: self._source(source, by_source[source], shingled), work)
        made_for = dict(zip(work, made, strict=True))
        for source in by_source:  # in order: what is kept does not depend on `each`
            state, states = kept[source] or made_for[source]
            new_sources[source] = state
            new_docs.update(states)
        dirty = {i for i, state in new_docs.items() if _moved(old_docs.get(i), state)}
        dirty.update(set(old_docs) - set(new_docs))
        self.modified = (
            bool(dirty)
            or new_sources.keys() != self._sources.keys()
            or any(state is not self._sources[k] for k, state in new_sources.items())
            or any(state is not old_docs.get(k) for k, state in new_docs.items())
        )
        self._docs, self._sources = new_docs, new_sources

        times = [d.date.timestamp() for d in ordered]
        window = self.options.window_hours * 3600.0
        if not self._relink(ordered, dirty, window):
            sketches = [new_docs[d.doc_id].sketch for d in ordered]
            langs = [_lang(d.lang) for d in ordered]
            pairs, self._exact = _band_pairs(sketches, langs, times, window, each)
            self._links = {}
            for a, b in sorted(pairs):  # an order that does not depend on `each`
                score = _text_score(_known(sketches[a]), _known(sketches[b]), self.options)
                if score is not None:
                    self._links[ordered[a].doc_id, ordered[b].doc_id] = score
        position = {d.doc_id: n for n, d in enumerate(ordered)}
        links = [(s, position[a], position[b]) for (a, b), s in self._links.items()]
        if self.options.cross_language:
            found = [set(new_docs[d.doc_id].names) for d in ordered]
            links += _name_links(found, ordered, times, window, self.options)
        groups = sorted(_merge(links, times, window), key=lambda g: min((times[i], i) for i in g))
        stories = tuple(_story(group, ordered, times, self.options) for group in groups)
        self._recent = _Recent({d.doc_id: d for d in ordered}, stories, None)
        return stories

    def _quick(
        self, docs: Sequence[StoryDoc], read: Callable[[StoryDoc], str], recent: _Recent
    ) -> tuple[Story, ...] | None:
        """The stories when a few documents changed only their text, title or length since
        the last update of this process: their sketches are made again and paired within the
        window, and while no link changes, only their stories are made again. None where that
        could differ from a full update: other documents, a changed source, date or language,
        a text in its source's boilerplate sample or tipping its boilerplate, too little text
        to pair on one side of the edit, cross-language names, or many changes."""
        by_id = {d.doc_id: d for d in docs}
        if (
            self.options.cross_language
            or not self._exact
            or len(by_id) != len(docs)
            or by_id.keys() != recent.docs.keys()
        ):
            return None
        changed = [d for d in docs if recent.docs[d.doc_id] is not d]
        if len(changed) > QUICK_CHANGES:
            return None
        shingled = _Shingler(self.options, read, self._docs, changed)
        states = {}
        for doc in changed:
            state = self._new_state(doc, recent.docs[doc.doc_id], shingled)
            if state is None:
                return None
            states[doc.doc_id] = state
        dirty = {i for i, state in states.items() if _moved(self._docs[i], state)}
        before = self._docs
        self._docs = {**before, **states}
        old_links = {p: s for p, s in self._links.items() if p[0] in dirty or p[1] in dirty}
        if not self._relink(docs, dirty, self.options.window_hours * 3600.0, recent):
            self._docs = before
            return None
        new_links = {p: s for p, s in self._links.items() if p[0] in dirty or p[1] in dirty}
        if new_links != old_links:
            self._recent = None  # the groups may change: made again from the links
            stories = self.update(docs, read)
            self.modified = True  # that update started from the new states and links
            return stories
        self.modified = any(states[i] is not before[i] for i in states)
        latest = {**recent.docs, **{d.doc_id: d for d in changed}}
        touched = {d.doc_id for d in changed}
        stories = tuple(
            _restory(story, latest, self.options) if touched.intersection(story.members) else story
            for story in recent.stories
        )
        self._recent = _Recent(latest, stories, recent.timeline)
        return stories

    def _new_state(self, doc: StoryDoc, before: StoryDoc, shingled: _Shingler) -> _DocState | None:
        """A changed document's state, or None where the change reaches beyond it."""
        state = self._docs[doc.doc_id]
        if (doc.source, doc.date, doc.lang) != (before.source, before.date, before.lang):
            return None
        if not shingled.is_new(doc.doc_id):
            return state
        source = self._sources[doc.source]
        shingles = shingled.of(doc.doc_id)
        sampled = doc.doc_id in source.sample
        if sampled:  # its shingles take part in proposing the boilerplate candidates
            sample = (
                shingles if i == doc.doc_id else _kept(self._docs[i].shingles)
                for i in source.sample
            )
            if _candidates(sample) != source.candidates:
                return None
        hits = source.candidates.intersection(shingles)
        need = self._boilerplate_need(len(source.members))
        if len(source.members) >= need:
            for shingle in hits.symmetric_difference(state.hits):
                others = sum(shingle in self._docs[m].hits for m in source.members)
                others -= shingle in state.hits
                if (others + (shingle in hits) >= need) != (shingle in source.boilerplate):
                    return None  # the edit tips the source's boilerplate
        sketch = _sketch(shingles, source.boilerplate, self.options)
        if (sketch is None) != (state.sketch is None):
            return None  # it joins or leaves the documents that pair at all
        kept = shingles if sampled else None
        return _DocState(
            shingled.key(doc), doc.source, kept, frozenset(hits), sketch, frozenset(), state.place
        )

    def _kept(
        self, source: str, members: list[StoryDoc], shingled: _Shingler
    ) -> _SourceWork | None:
        """The last states of a source whose documents have the same texts (only dates or
        languages may have moved), or None: it needs `_source`."""
        old = self._sources.get(source)
        ids = frozenset(d.doc_id for d in members)
        if not old or old.members != ids or any(map(shingled.is_new, ids)):
            return None
        states = {}
        for doc in members:
            kept = self._docs[doc.doc_id]
            place = (doc.date.timestamp(), _lang(doc.lang))
            states[doc.doc_id] = kept if kept.place == place else replace(kept, place=place)
        return old, states

    def _source(self, source: str, members: list[StoryDoc], shingled: _Shingler) -> _SourceWork:
        """The boilerplate of one source and its documents' sketches, reusing what still holds
        (where `_kept` found it changed)."""
        old = self._sources.get(source)
        ids = frozenset(d.doc_id for d in members)
        new_docs: dict[str, _DocState] = {}
        sample = old.sample if old and old.members == ids else _sample(ids)
        if old and old.sample == sample and not any(shingled.is_new(i) for i in sample):
            candidates = old.candidates
        else:
            candidates = _candidates(shingled.of(i) for i in sample)
        reuse_hits = old is not None and old.candidates == candidates
        hits: dict[str, frozenset[int]] = {}
        counts = Counter[int]()
        for doc in members:
            before = self._docs.get(doc.doc_id) if reuse_hits else None
            if before is None or before.source != source or shingled.is_new(doc.doc_id):
                found = candidates.intersection(shingled.of(doc.doc_id))
            else:
                found = before.hits
            hits[doc.doc_id] = frozenset(found)
            counts.update(found)
        need = self._boilerplate_need(len(members))
        boilerplate = frozenset(h for h, n in counts.items() if n >= need)
        if len(members) < need:
            boilerplate = frozenset()
        same_boilerplate = old is not None and old.boilerplate == boilerplate
        sampled = set(sample)
        for doc in members:
            before = self._docs.get(doc.doc_id)
            place = (doc.date.timestamp(), _lang(doc.lang))
            if (
                before is not None
                and same_boilerplate
                and before.source == source
                and not shingled.is_new(doc.doc_id)
            ):
                sketch, names = before.sketch, before.names
            else:
                sketch = _sketch(shingled.of(doc.doc_id), boilerplate, self.options)
                names = shingled.names(doc)
            new_docs[doc.doc_id] = _DocState(
                shingled.key(doc),
                source,
                shingled.of(doc.doc_id) if doc.doc_id in sampled else None,
                hits[doc.doc_id],
                sketch,
                names,
                place,
            )
        return _SourceState(ids, sample, candidates, boilerplate), new_docs

    def _boilerplate_need(self, members: int) -> int:
        """Documents of a source a shingle must be in to count as its boilerplate."""
        share = math.floor(self.options.boilerplate_share * members) + 1
        return max(self.options.boilerplate_min_docs, share)

    def _relink(
        self,
        ordered: Sequence[StoryDoc],
        dirty: set[str],
        window: float,
        recent: _Recent | None = None,
    ) -> bool:
        """Update the links for the dirty documents only; False when that may not be exact.
        `recent`: where the timeline of documents with a sketch is kept while it holds."""
        if not self._exact or len(dirty) > 64 + len(ordered) // 50:
            return False
        links = {p: s for p, s in self._links.items() if p[0] not in dirty and p[1] not in dirty}
        if recent is not None and recent.timeline is not None:
            timeline = recent.timeline
        else:
            timeline = sorted(
                (state.place[0], doc_id)
                for doc_id, state in self._docs.items()
                if state.sketch is not None
            )
            if recent is not None:
                recent.timeline = timeline
        stamps = [t for t, _ in timeline]
        for doc_id in sorted(dirty):
            me = self._docs.get(doc_id)
            if me is None or me.sketch is None:
                continue
            stamp, lang = me.place
            near = [
                other
                for _, other in timeline[
                    bisect_left(stamps, stamp - window) : bisect_right(stamps, stamp + window)
                ]
                if other != doc_id and self._docs[other].place[1] == lang
            ]
            mine = _bands(me.sketch)
            crowd = [0] * len(mine)
            partners = set()
            for other in near:
                theirs = _bands(_known(self._docs[other].sketch))
                shared = [k for k, (x, y) in enumerate(zip(mine, theirs, strict=True)) if x == y]
                for k in shared:
                    crowd[k] += 1
                if shared:
                    partners.add(other)
            if max(crowd, default=0) >= MAX_BUCKET_PAIRS:  # a full build may cut this bucket
                return False
            for other in partners:
                pair = (doc_id, other) if doc_id < other else (other, doc_id)
                score = _text_score(me.sketch, _known(self._docs[other].sketch), self.options)
                if score is not None:
                    links[pair] = score
        self._links = links
        return True


def _moved(before: _DocState | None, after: _DocState) -> bool:
    """Whether the document's pairs must be found again."""
    if before is None or before.place != after.place:
        return True
    if before.sketch is None or after.sketch is None:
        return before.sketch is not after.sketch
    return before.sketch != after.sketch


def _candidates(sample: Iterable[array[int]]) -> frozenset[int]:
    """Boilerplate candidates of a source: shingles in SAMPLE_FLOOR of its sampled texts."""
    seen = Counter[int]()
    for shingles in sample:
        seen.update(set(shingles))
    return frozenset(h for h, n in seen.items() if n >= SAMPLE_FLOOR)


def _kept(shingles: array[int] | None) -> array[int]:
    assert shingles is not None  # a sampled document's shingles are kept
    return shingles


def _known(sketch: _Sketch | None) -> _Sketch:
    assert sketch is not None
    return sketch


def _bands(sketch: _Sketch) -> list[int]:
    return memoryview(sketch.signature).cast("B").cast("Q").tolist()


def _sample(ids: Iterable[str]) -> tuple[str, ...]:
    """SAMPLE_DOCS documents chosen by a hash of their id, so the sample barely moves as
    documents come and go."""
    return tuple(sorted(ids, key=lambda i: (_digest(i, 8), i))[:SAMPLE_DOCS])


class _Shingler:
    """Texts read and shingled at most once per update: those with a new text key, and those
    whose shingles were not kept when a source's boilerplate must be found again."""

    def __init__(
        self,
        options: StoryOptions,
        read: Callable[[StoryDoc], str],
        known: Mapping[str, _DocState],
        docs: Iterable[StoryDoc],
    ) -> None:
        self._options, self._read, self._known = options, read, known
        self._vocabulary, self._chunk_names = _Vocabulary(), _ChunkNames()
        self._docs = {d.doc_id: d for d in docs}
        self._fresh: dict[str, tuple[array[int], frozenset[str]]] = {}

    def key(self, doc: StoryDoc) -> str:
        return doc.text_key or blake2b(doc.text.encode(), digest_size=16).hexdigest()

    def is_new(self, doc_id: str) -> bool:
        doc = self._docs[doc_id]
        before = self._known.get(doc_id)
        return before is None or before.text_key != self.key(doc)

    def of(self, doc_id: str) -> array[int]:
        known = self._known.get(doc_id)
        if known is not None and known.shingles is not None and not self.is_new(doc_id):
            return known.shingles
        return self._parse(doc_id)[0]

    def names(self, doc: StoryDoc) -> frozenset[str]:
        if not self._options.cross_language:
            return frozenset()
        if not self.is_new(doc.doc_id):
            return self._known[doc.doc_id].names
        return self._parse(doc.doc_id)[1]

    def _parse(self, doc_id: str) -> tuple[array[int], frozenset[str]]:
        if doc_id not in self._fresh:
            chunks = self._read(self._docs[doc_id]).split()
            shingles = array("I", _shingles(chunks, self._vocabulary))
            found = self._options.cross_language and _names(chunks, self._chunk_names)
            self._fresh[doc_id] = shingles, frozenset(found or ())
        return self._fresh[doc_id]


def fold(text: str) -> str:
    """Casefolded, with diacritics removed: 'Über Straße' -> 'uber strasse'."""
    text = text.casefold()
    if text.isascii():
        return text
    return _MARKS.sub("", unicodedata.normalize("NFKD", text))


def _shingles(chunks: list[str], vocabulary: _Vocabulary) -> list[int]:
    """Hashes of the word 3-shingles (repeats kept); a 1-2 word text is one shingle."""
    ids = list(filter(None, map(vocabulary.__getitem__, chunks)))
    if len(ids) < 3:
        return [hash(tuple(ids)) & _HASH_MASK] if ids else []
    # CPython hashes a tuple of ints without per-process randomization: deterministic.
    return list(map(_HASH_MASK.__and__, map(hash, zip(ids, ids[1:], ids[2:], strict=False))))


def _sketch(
    shingles: array[int], boilerplate: frozenset[int], options: StoryOptions
) -> _Sketch | None:
    hashes = list(filterfalse(boilerplate.__contains__, shingles)) if boilerplate else shingles
    if hashes and len(hashes) >= options.min_shingles:
        return _Sketch(_signature(hashes), len(hashes))
    return None


def _signature(hashes: Iterable[int]) -> array[int]:
    """One-permutation MinHash: the top bits of a shingle hash pick its bin, keep the least.

    An empty bin borrows from the first filled bin on its probe cycle (densification).
    """
    descending = sorted(hashes, reverse=True)
    least = dict(zip(map(operator.rshift, descending, repeat(VALUE_BITS)), descending, strict=True))
    values = list(map(least.get, range(BINS), repeat(0)))
    for i in _ALL_BINS.difference(least):
        j = (i + _STEPS[i]) % BINS
        while j not in least:
            j = (j + _STEPS[i]) % BINS
        values[i] = least[j]
    return array("I", values)


# --- candidate pairs and verification --------------------------------------------------------


def _band_pairs(
    sketches: Sequence[_Sketch | None],
    langs: Sequence[str],
    times: Sequence[float],
    window: float,
    each: Mapper = in_process,
) -> tuple[set[tuple[int, int]], bool]:
    """Pairs of one language agreeing on both bins of a band and within the window, and
    whether that is all of them (False: a crowded bucket was cut at MAX_BUCKET_PAIRS). `each`
    runs the groups of bands (forking.forked: in processes)."""
    by_time = sorted((i for i, s in enumerate(sketches) if s is not None), key=times.__getitem__)
    bands = {i: memoryview(s.signature).cast("B").cast("Q") for i in by_time if (s := sketches[i])}

    def group(start: int) -> tuple[set[tuple[int, int]], bool]:
        """The pairs of BAND_GROUP bands: a process holds the buckets of one group at a time."""
        salts = _BAND_SALTS[start : start + BAND_GROUP]
        keyed = ((i, langs[i], list(map(operator.xor, bands[i][start:], salts))) for i in by_time)
        pairs: set[tuple[int, int]] = set()
        complete = True
        for bucket in _buckets(keyed):
            pairs.update(_window_pairs(bucket, times, window))
            complete = complete and not _cut(bucket, times, window)
        return pairs, complete

    found = each(group, range(0, BINS // 2, BAND_GROUP))
    pairs = found[0][0]
    for more, _ in found[1:]:
        pairs |= more
    return pairs, all(complete for _, complete in found)


def _cut(by_time: Sequence[int], times: Sequence[float], window: float) -> bool:
    """Whether _window_pairs leaves out a pair within the window of this bucket."""
    reach = MAX_BUCKET_PAIRS + 1
    return any(
        times[by_time[n + reach]] - times[a] <= window for n, a in enumerate(by_time[:-reach])
    )


def _buckets(keyed: Iterable[tuple[int, str, list[int]]]) -> Iterable[list[int]]:
    """Documents (in the given order) sharing a key, per language, for keys shared at all.

    Each key remembers its first document; only keys seen twice get a bucket, so the common
    case (no collision) stays in C.
    """
    first: defaultdict[str, dict[int, int]] = defaultdict(dict)
    buckets: defaultdict[tuple[str, int], list[int]] = defaultdict(list)
    for i, lang, keys in keyed:
        owners = list(map(first[lang].setdefault, keys, repeat(i)))
        if owners.count(i) == len(keys):
            continue
        for key, owner in zip(keys, owners, strict=True):
            if owner != i:
                bucket = buckets[lang, key]
                bucket.extend((owner, i) if not bucket else (i,))
    return buckets.values()


def _window_pairs(
    by_time: Sequence[int], times: Sequence[float], window: float
) -> Iterator[tuple[int, int]]:
    """(lower, higher) index pairs of time-ordered documents at most `window` apart."""
    for n, a in enumerate(by_time):
        for b in by_time[n + 1 : n + 1 + MAX_BUCKET_PAIRS]:
            if times[b] - times[a] > window:
                break
            yield (a, b) if a < b else (b, a)


def _text_score(a: _Sketch, b: _Sketch, options: StoryOptions) -> float | None:
    """Estimated Jaccard (the share of bins that agree) when the texts are one story, else None."""
    same: int = sum(map(operator.eq, a.signature.tolist(), b.signature.tolist()))
    jaccard = same / BINS
    if jaccard >= options.threshold:
        return jaccard
    small = min(a.size, b.size)
    # |A ∩ B| = J (|A| + |B|) / (1 + J): the shorter text's share found in the longer.
    contained = jaccard * (a.size + b.size) / ((1.0 + jaccard) * small)
    return jaccard if contained >= options.containment else None


def _lang(tag: str) -> str:
    return tag.split("-", 1)[0].split("_", 1)[0].casefold()


# --- cross-language: shared names ------------------------------------------------------------


def names(text: str) -> set[str]:
    """Tokens likely to survive translation: names, acronyms and numbers of 2+ digits, folded.

    Mixed case ("DeepSeek") and acronyms ("NATO") count anywhere, a capitalized word only
    inside a sentence. Numbers lose their separators ("1.000" = "1,000").
    """
    return _names(text.split(), _ChunkNames())


class _ChunkNames(dict[tuple[str, str], frozenset[str]]):
    """(last character of the chunk before, chunk) -> the names in it; local to one call."""

    def __missing__(self, key: tuple[str, str]) -> frozenset[str]:
        before, chunk = key
        initial = before in _SENTENCE_END  # '' (the text's first chunk) too
        found = set()
        for n, word in enumerate(_NAME.findall(chunk)):
            anywhere = not word[1:].islower()  # 'DeepSeek', 'NATO'; 'Trump' not as a first word
            if len(word) > 1 and not word.islower() and (anywhere or not (initial and n == 0)):
                found.add(fold(word))
        numbers = (m.replace(".", "").replace(",", "") for m in _NUMBER.findall(chunk))
        value = self[key] = frozenset(found.union(n for n in numbers if len(n) > 1))
        return value


def _names(chunks: list[str], cache: _ChunkNames) -> set[str]:
    found: set[str] = set()
    for k in compress(range(len(chunks)), map(operator.not_, map(str.islower, chunks))):
        # chunks[k] is capitalized, numeric or punctuation; its names depend on the chunk before
        found |= cache[chunks[k - 1][-1:] if k else "", chunks[k]]
    return found


def _title_names(title: str) -> set[str]:
    """Every token of a title that is not all lower case (titles capitalize their words)."""
    return {fold(w) for w in filterfalse(str.islower, _WORD.findall(title))}


def _name_links(
    sets: Sequence[set[str]],
    docs: Sequence[StoryDoc],
    times: Sequence[float],
    window: float,
    options: StoryOptions,
) -> list[_Link]:
    df = Counter[str]()
    for found in sets:
        df.update(found)
    weight = {n: math.log(1.0 + len(docs) / c) for n, c in df.items()}
    langs = [_lang(d.lang) for d in docs]
    links = []
    for a, b in _name_pairs(sets, df, langs, times, window):
        shared = sets[a] & sets[b]
        titles = _title_names(docs[a].title) & _title_names(docs[b].title)
        if len(shared) < options.min_shared_names or len(titles) < MIN_TITLE_NAMES:
            continue
        # fsum is exact: the order of a set of strings (it varies by process) cannot matter
        total = min(math.fsum(map(weight.__getitem__, found)) for found in (sets[a], sets[b]))
        score = math.fsum(map(weight.__getitem__, shared)) / total
        if score >= options.cross_threshold:
            links.append((score, a, b))
    return links


def _name_pairs(
    sets: Sequence[set[str]],
    df: Counter[str],
    langs: Sequence[str],
    times: Sequence[float],
    window: float,
) -> set[tuple[int, int]]:
    """Pairs in different languages, within the window, sharing an uncommon name."""
    postings: defaultdict[str, list[int]] = defaultdict(list)
    for i in sorted(range(len(sets)), key=times.__getitem__):
        for name in sets[i]:
            if df[name] <= MAX_NAME_DOCS:
                postings[name].append(i)
    pairs: set[tuple[int, int]] = set()
    for posting in postings.values():
        if len(posting) > 1:
            found = _window_pairs(posting, times, window)
            pairs.update(p for p in found if langs[p[0]] != langs[p[1]])
    return pairs


# --- merging and naming ----------------------------------------------------------------------


def _merge(links: Sequence[_Link], times: Sequence[float], window: float) -> list[list[int]]:
    """Union-find over links, strongest first; no merge makes a group span beyond the window.

    Only linked documents take part, so the cost follows the links, not the corpus.
    """
    parent: dict[int, int] = {}
    first: dict[int, float] = {}
    last: dict[int, float] = {}

    def root(i: int) -> int:
        if i not in parent:
            parent[i], first[i], last[i] = i, times[i], times[i]
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for _, a, b in sorted(links, key=lambda k: (-k[0], k[1], k[2])):
        ra, rb = root(a), root(b)
        if ra == rb or max(last[ra], last[rb]) - min(first[ra], first[rb]) > window:
            continue
        keep, gone = min(ra, rb), max(ra, rb)
        parent[gone] = keep
        first[keep], last[keep] = min(first[ra], first[rb]), max(last[ra], last[rb])
    groups: defaultdict[int, list[int]] = defaultdict(list)
    for i in sorted(parent):
        groups[root(i)].append(i)
    return [g for g in groups.values() if len(g) > 1]


def _story(
    group: Sequence[int], docs: Sequence[StoryDoc], times: Sequence[float], options: StoryOptions
) -> Story:
    by_date = sorted(group, key=lambda i: (times[i], i))  # indices follow doc_id order
    primary = by_date[0]
    if options.primary == "longest":
        primary = min(by_date, key=lambda i: (-docs[i].word_count, times[i], i))
    members = [primary, *(i for i in by_date if i != primary)]
    ids = tuple(docs[i].doc_id for i in members)
    return Story(story_id(docs[by_date[0]].doc_id), ids[0], ids)


def _restory(story: Story, docs: Mapping[str, StoryDoc], options: StoryOptions) -> Story:
    """The story of the same members, made again (a member's length may name the primary)."""
    members = [docs[m] for m in sorted(story.members)]  # _story expects doc_id order
    times = [d.date.timestamp() for d in members]
    return _story(range(len(members)), members, times, options)


def story_id(earliest_doc_id: str) -> str:
    """'story-' and 12 hex digits of the earliest member's doc_id."""
    return "story-" + blake2b(earliest_doc_id.encode(), digest_size=6).hexdigest()
