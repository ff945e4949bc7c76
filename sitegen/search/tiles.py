"""Postings kept per tile, so that a build redoes only the tiles whose documents changed.

The numbered documents are cut into tiles: runs of about TILE_MEAN documents that end where a
document's id hashes to a cut, so an edit, an insertion or a removal changes only the tile
around it (the others keep their documents, and their postings, only moved as a whole).
A tile holds, per key, a piece: its postings inside the tile with numbers counted from the
tile's start. Joining the pieces of all tiles in order gives the index's postings lists; that
costs one step per (key, tile), not per (key, document), which is what makes a rebuild from
memoized tiles fast.
"""

from __future__ import annotations

import zlib
from array import array
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, NamedTuple

from sitegen.search.encode import IMPACT_BITS, SMALL_VARINTS, varint

TILE_MEAN = 256  # documents per tile on average: a power of two
TILE_MAX = 1024  # cut here at the latest; at most 2048, so local varints stay in SMALL_VARINTS


class Pieces(NamedTuple):
    """Every key's postings inside one tile; field i of each column belongs to keys[i]."""

    keys: tuple[str, ...]
    firsts: array[int]  # (first local number << IMPACT_BITS) | its impact
    lasts: array[int]  # last local number
    counts: array[int]  # postings in this tile
    rests: tuple[bytes, ...]  # the postings after the first, gap-coded as in the index


def tile_starts(ids: Sequence[str]) -> list[int]:
    """Where each tile begins: before a document whose id hashes to a cut, or at the limit."""
    most = TILE_MAX
    mask = TILE_MEAN - 1
    starts = [0] if ids else []
    last = 0
    for i in range(1, len(ids)):
        if i - last >= most or not zlib.crc32(ids[i].encode("utf-8", "surrogatepass")) & mask:
            starts.append(i)
            last = i
    return starts


def build_pieces(impacts: Sequence[Mapping[str, int]]) -> Pieces:
    """The pieces of one tile from its documents' impacts (key -> level), in local order."""
    if len(impacts) > 2048:
        raise ValueError("search: a tile holds at most 2048 documents")
    small = SMALL_VARINTS
    bits = IMPACT_BITS
    open_: dict[str, list[Any]] = {}  # key -> [first, last, count, rest]: a list is fastest
    get = open_.get
    for local, levels in enumerate(impacts):
        for key, level in levels.items():
            piece = get(key)
            if piece is None:
                open_[key] = [(local << bits) | level, local, 1, bytearray()]
            else:
                piece[3] += small[((local - piece[1] - 1) << bits) | level]
                piece[1] = local
                piece[2] += 1
    values = open_.values()
    return Pieces(
        tuple(open_),
        array("l", [p[0] for p in values]),
        array("l", [p[1] for p in values]),
        array("l", [p[2] for p in values]),
        tuple(bytes(p[3]) for p in values),
    )


def _decode(first: int, rest: bytes) -> dict[int, int]:
    """One piece's postings: local number -> impact."""
    mask = (1 << IMPACT_BITS) - 1
    local = first >> IMPACT_BITS
    out = {local: first & mask}
    value = shift = 0
    for byte in rest:
        value |= (byte & 0x7F) << shift
        if byte & 0x80:
            shift += 7
            continue
        local += (value >> IMPACT_BITS) + 1
        out[local] = value & mask
        value = shift = 0
    return out


def _encode(postings: dict[int, int]) -> tuple[int, int, int, bytes]:
    """(first, last, count, rest) of a piece from its postings: local number -> impact."""
    small = SMALL_VARINTS
    bits = IMPACT_BITS
    locals_ = sorted(postings)
    first = locals_[0]
    rest = bytearray()
    previous = first
    for local in locals_[1:]:
        rest += small[((local - previous - 1) << bits) | postings[local]]
        previous = local
    return (first << bits) | postings[first], previous, len(locals_), bytes(rest)


def patch_pieces(
    old: Pieces, changes: Mapping[int, tuple[Mapping[str, int], Mapping[str, int]]]
) -> tuple[Pieces, set[str]]:
    """A tile's pieces after some of its documents changed, and the keys whose piece did.

    `changes`: local number -> (impacts of the document there before, impacts now), each
    empty where there was or is no document. Only the keys whose impact changed somewhere
    are decoded and encoded again.
    """
    touched: set[str] = set()
    for before, after in changes.values():
        touched.update(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    index = {key: i for i, key in enumerate(old.keys)}
    postings = {
        key: _decode(old.firsts[index[key]], old.rests[index[key]]) if key in index else {}
        for key in touched
    }
    for local, (before, after) in changes.items():
        for key in before.keys() & touched:
            del postings[key][local]
        for key in after.keys() & touched:
            postings[key][local] = after[key]
    keep = [i for i, key in enumerate(old.keys) if key not in touched]
    made = [(key, _encode(found)) for key, found in postings.items() if found]
    return Pieces(
        tuple([old.keys[i] for i in keep] + [key for key, _ in made]),
        array("l", [old.firsts[i] for i in keep] + [m[0] for _, m in made]),
        array("l", [old.lasts[i] for i in keep] + [m[1] for _, m in made]),
        array("l", [old.counts[i] for i in keep] + [m[2] for _, m in made]),
        tuple([old.rests[i] for i in keep] + [m[3] for _, m in made]),
    ), touched


def join(tiles: Sequence[tuple[int, Pieces]], only: set[str] | None = None) -> dict[str, Any]:
    """Keys' postings lists over all tiles (each given with its first number): key -> [last
    number, df, *encoded parts]. With `only`, just those keys (that many lookups per tile)."""
    small = SMALL_VARINTS
    bits = IMPACT_BITS
    lists: dict[str, list[Any]] = {}
    get = lists.get
    for start, pieces in tiles:
        if only is None:
            rows: Iterable[tuple[str, int, int, int, bytes]] = zip(
                pieces.keys, pieces.firsts, pieces.lasts, pieces.counts, pieces.rests, strict=True
            )
        else:
            index = {key: i for i, key in enumerate(pieces.keys)}
            found = [index[k] for k in only if k in index]
            rows = [
                (
                    pieces.keys[i],
                    pieces.firsts[i],
                    pieces.lasts[i],
                    pieces.counts[i],
                    pieces.rests[i],
                )
                for i in found
            ]
        for key, first, last, count, rest in rows:
            acc = get(key)
            if acc is None:
                value = (start << bits) + first
                lists[key] = [
                    start + last,
                    count,
                    small[value] if value < 16384 else varint(value),
                    rest,
                ]
            else:
                value = ((start - acc[0] - 1) << bits) + first
                acc[0] = start + last
                acc[1] += count
                acc.append(small[value] if value < 16384 else varint(value))
                acc.append(rest)
    return lists


def joined(acc: list[Any]) -> tuple[int, bytes]:
    """(df, postings) of a key from what join() gathered for it."""
    return acc[1], b"".join(acc[2:])
