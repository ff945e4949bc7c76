"""Byte layouts of the index files: varints, postings lists, term shards and their names.

A term shard is one deflated (zlib) blob:
    varint key count, then per key: varint shared-prefix length (UTF-8 bytes), varint suffix
    length, suffix bytes, varint document frequency (= its number of postings); then the keys'
    postings lists, one after the other (each ends after its df-th varint).
A postings list is a run of varints, one per document in ascending document number:
    ((number - previous number - 1) << IMPACT_BITS) | impact, with previous = -1 at the start.
"""

from __future__ import annotations

import bisect
import itertools
import zlib
from collections.abc import Sequence
from typing import NamedTuple

FORMAT = 3  # of the index as the browser reads it (index.bin's "v")
IMPACT_BITS = 3
IMPACT_MAX = (1 << IMPACT_BITS) - 1
MASK32 = 0xFFFFFFFF


def varint(n: int) -> bytes:
    """LEB128: seven bits a byte, low bits first, high bit set on all but the last byte."""
    out = bytearray()
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


SMALL_VARINTS = tuple(varint(i) for i in range(1 << 14))


def _varint(n: int) -> bytes:
    return SMALL_VARINTS[n] if n < 16384 else varint(n)


class Postings:
    """One key's postings list, encoded as documents are added in ascending number."""

    __slots__ = ("data", "df", "last")

    def __init__(self) -> None:
        self.data = bytearray()
        self.df = 0
        self.last = -1


def add_postings(lists: dict[str, Postings], doc: int, impacts: dict[str, int]) -> None:
    """Append document `doc` (higher than any before) to the lists of its keys.

    The hot loop of a build: one pass per (document, key), so varints are inlined.
    """
    small = SMALL_VARINTS
    for key, impact in impacts.items():
        plist = lists.get(key)
        if plist is None:
            plist = lists[key] = Postings()
        value = ((doc - plist.last - 1) << IMPACT_BITS) | impact
        if value < 16384:
            plist.data += small[value]
        elif value < 2097152:
            plist.data += bytes((value & 127 | 128, value >> 7 & 127 | 128, value >> 14))
        else:
            plist.data += varint(value)
        plist.last = doc
        plist.df += 1


def pack(data: bytes) -> bytes:
    """Deflate in the zlib wrapper, which browsers undo with DecompressionStream('deflate')."""
    return zlib.compress(data, 9)


def utf16_order(key: str) -> bytes:
    """Sort key that orders strings as JavaScript compares them (by UTF-16 code units)."""
    return key.encode("utf-16-be", "surrogatepass")


def _imul(a: int, b: int) -> int:
    return (a * b) & MASK32


def cyrb53(text: str, seed: int = 0) -> int:
    """A 53-bit string hash (over UTF-16 code units) that the search client computes alike."""
    h1 = 0xDEADBEEF ^ seed
    h2 = 0x41C6CE57 ^ seed
    data = text.encode("utf-16-le", "surrogatepass")
    for i in range(0, len(data), 2):
        ch = data[i] | (data[i + 1] << 8)
        h1 = _imul(h1 ^ ch, 2654435761)
        h2 = _imul(h2 ^ ch, 1597334677)
    h1 = _imul(h1 ^ (h1 >> 16), 2246822507) ^ _imul(h2 ^ (h2 >> 13), 3266489909)
    h2 = _imul(h2 ^ (h2 >> 16), 2246822507) ^ _imul(h1 ^ (h1 >> 13), 3266489909)
    return 4294967296 * (2097151 & h2) + h1


def shard_name(first_key: str) -> str:
    """File name of the shard whose keys start at `first_key`: stable when others split."""
    return f"t/{cyrb53(first_key):014x}.bin"


class Entry(NamedTuple):
    """One key of the index with its encoded postings (a tuple: there are 100,000s of them)."""

    key: str
    raw: bytes  # the key in UTF-8
    df: int
    postings: bytes
    size: int  # bytes it adds to a packed shard, about

    @classmethod
    def of(cls, key: str, df: int, postings: bytes) -> Entry:
        raw = key.encode()
        # Front-coded keys deflate to about half; postings, near-random varints, hardly shrink.
        return cls(key, raw, df, postings, (len(raw) + 4) // 2 + len(postings))


BIG_SHARE = 8  # a postings list of at least target / BIG_SHARE bytes gets a shard of its own


def is_big(entry: Entry, target: int) -> bool:
    """Whether a key's postings are big enough (a frequent word) to get a shard of their own."""
    return entry.size * BIG_SHARE >= target


def is_boundary(previous: Entry, entry: Entry, filled: int, target: int) -> bool:
    """Content-defined cut between two keys, decided by them alone once half full.

    A big postings list (a frequent word) is cut off on both sides, so its queries fetch only
    it. Otherwise the chance grows with the two entries' sizes. Cutting by the keys' hash
    rather than by running size keeps the cuts where they were when an edit grows or shrinks
    one shard, so its neighbours keep their bytes and their names.
    """
    if is_big(previous, target) or is_big(entry, target):
        return True
    if filled < target // 2:
        return False
    if filled >= target * 4:
        return True
    chance = (previous.size + entry.size) / (target / 2)
    return zlib.crc32(entry.raw) < chance * 4294967296


class Sizes(NamedTuple):
    """The entries' sizes, and where each ends when they are laid one after another."""

    sizes: list[int]
    ends: list[int]  # ends[i]: bytes of entries 0..i
    total: int

    @classmethod
    def of(cls, entries: Sequence[Entry]) -> Sizes:
        sizes = [e.size for e in entries]
        ends = list(itertools.accumulate(sizes))
        return cls(sizes, ends, ends[-1] if ends else 0)


def split_shards(entries: Sequence[Entry], target: int) -> list[list[Entry]]:
    """Cut the sorted entries into runs of about `target` bytes at content-defined points."""
    return shards_at(entries, shard_cuts(entries, target, Sizes.of(entries)) or [])


def shards_at(entries: Sequence[Entry], cuts: Sequence[int]) -> list[list[Entry]]:
    """The entries cut at `cuts` (as shard_cuts gives them); one empty shard if none."""
    return [list(entries[a:b]) for a, b in itertools.pairwise([0, *cuts])] or [[]]


def shard_cuts(
    entries: Sequence[Entry], target: int, sizes: Sizes, most: int | None = None
) -> list[int] | None:
    """Where split_shards ends each shard (an index past its last entry); None as soon as
    there are more than `most` shards.

    The same cuts as testing is_boundary before every entry, but a shard's first half, where
    it never cuts unless at a big entry, is skipped by bisecting the running sizes.
    """
    least = -(-target // BIG_SHARE)  # the size of a big entry (see is_big), at least
    bigs = [i for i, size in enumerate(sizes.sizes) if size >= least]
    ends, half, limit = sizes.ends, target // 2, target * 4
    cuts: list[int] = []
    start, n = 0, len(entries)
    while start < n:
        if most is not None and len(cuts) >= most:
            return None
        at = bisect.bisect_left(bigs, start)
        if at < len(bigs) and bigs[at] == start:
            cut = start + 1  # a big entry, alone
        else:
            stop = bigs[at] if at < len(bigs) else n  # the next big entry starts a shard
            base = ends[start - 1] if start else 0
            cut = bisect.bisect_left(ends, base + half, start) + 1  # first place filled >= half
            cut = min(cut, stop)
            while cut < stop and ends[cut - 1] - base < limit:
                chance = (sizes.sizes[cut - 1] + sizes.sizes[cut]) / (target / 2)
                if zlib.crc32(entries[cut].raw) < chance * 4294967296:
                    break
                cut += 1
        cuts.append(cut)
        start = cut
    return cuts


def _common_prefix(a: bytes, b: bytes) -> int:
    n = min(len(a), len(b), 127)
    i = 0
    while i < n and a[i] == b[i]:
        i += 1
    return i


def encode_shard(entries: Sequence[Entry]) -> bytes:
    """The bytes of one term shard (before packing): front-coded keys, then postings."""
    head = bytearray(varint(len(entries)))
    previous = b""
    for e in entries:
        shared = _common_prefix(previous, e.raw)
        suffix = e.raw[shared:]
        head += _varint(shared) + _varint(len(suffix)) + suffix
        head += _varint(e.df)
        previous = e.raw
    return bytes(head) + b"".join(e.postings for e in entries)
