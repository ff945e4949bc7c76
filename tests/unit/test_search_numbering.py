"""sitegen.search.numbering: a patched numbering equals a fresh one; counted cuts, split ones."""

from __future__ import annotations

import itertools
import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sitegen.search.encode import Entry, Sizes, shard_cuts, split_shards
from sitegen.search.index import MIN_SHARD_BYTES, _step_up, plan_shards
from sitegen.search.numbering import Numbering, SearchDoc, numbered, order, span_digests

START = datetime(2025, 3, 1, 9, tzinfo=UTC)


def doc(i: int, rng: random.Random) -> SearchDoc:
    return SearchDoc(
        doc_id=f"content/{i:04d}.md",
        url=f"a/{i}/",
        title=f"Titel {i}",
        lang=rng.choice(["de", "en", "de-AT", "fr"]),
        date=START + timedelta(hours=rng.randrange(2000)),
        summary="",
        text=f"Text {i} " * rng.randint(1, 3),
        tags=(),
        topics=tuple(rng.sample(["Welt", "Wissen", "Sport"], rng.randint(0, 2))),
        source=rng.choice(["", "A", "B"]),
    )


def edit(docs: list[SearchDoc], rng: random.Random, serial: list[int]) -> list[SearchDoc]:
    out = list(docs)
    i = rng.randrange(len(out))
    kind = rng.choice(["body", "body", "date", "topic", "source", "add", "delete", "lazy"])
    if kind == "body":
        out[i] = replace(out[i], text=str(out[i].text) + " mehr")
    elif kind == "date":
        out[i] = replace(out[i], date=out[i].date + timedelta(hours=rng.randint(-300, 300)))
    elif kind == "topic":
        out[i] = replace(out[i], topics=("Kultur",))
    elif kind == "source":
        out[i] = replace(out[i], source=rng.choice(["", "C"]))
    elif kind == "add":
        serial[0] += 1
        out.insert(rng.randrange(len(out) + 1), doc(1000 + serial[0], rng))
    elif kind == "delete" and len(out) > 1:
        del out[i]
    elif kind == "lazy":  # a text function without a version: a new meta every time
        out[i] = replace(out[i], text=lambda: "Text", version="")
    rng.shuffle(out)  # the input's order is not the numbers'
    return out


def same_fields(a: Numbering, b: Numbering) -> None:
    assert a.ordered == b.ordered
    assert a.numbers == b.numbers and a.keys == b.keys and a.facts == b.facts
    assert a.known == b.known
    known = [m for m, d in zip(a.metas, a.ordered, strict=True) if d.doc_id in a.known]
    assert known == [m for m, d in zip(b.metas, b.ordered, strict=True) if d.doc_id in b.known]


@pytest.mark.parametrize("seed", range(8))
def test_a_patched_numbering_equals_a_fresh_one(seed: int) -> None:
    rng = random.Random(seed)
    docs = [doc(i, rng) for i in range(rng.randint(1, 120))]
    last = numbered(docs)
    serial = [0]
    for _ in range(40):
        for _ in range(rng.choice([1, 1, 1, 3])):
            docs = edit(docs, rng, serial)
        now = numbered(docs, last)
        same_fields(now, numbered(docs))
        assert now.ordered == order(docs)
        spans = [(a, min(a + 7, len(docs))) for a in range(0, len(docs), 7)]
        known = dict(zip(spans, span_digests(spans, last, {}), strict=True))
        digests = span_digests(spans, now, known if now.changed is not None else {})
        assert digests == span_digests(spans, replace(now, changed=None), {})
        last = now


def test_a_body_edit_keeps_every_number() -> None:
    rng = random.Random(1)
    docs = [doc(i, rng) for i in range(50)]
    last = numbered(docs)
    edited = [replace(d, text="neu") if i == 7 else d for i, d in enumerate(docs)]
    now = numbered(edited, last)
    assert now.changed == [last.numbers[docs[7].doc_id]]
    assert numbered(edited, now).changed == []  # the same objects again: nothing changed


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.text(min_size=1, max_size=6), st.integers(0, 3000)), max_size=300),
    st.integers(1, 20000),
    st.integers(1, 40),
)
def test_counted_cuts_stop_past_the_most(
    rows: list[tuple[str, int]], target: int, most: int
) -> None:
    entries = [Entry.of(k, 1, b"x" * n) for k, n in sorted(dict(rows).items())]
    shards = split_shards(entries, target)
    cuts = shard_cuts(entries, target, Sizes.of(entries), most=most)
    if len(shards) > most:
        assert cuts is None
    else:
        assert cuts == list(itertools.accumulate(len(s) for s in shards if s))


def test_plan_takes_the_first_target_that_fits() -> None:
    rng = random.Random(3)
    entries = [Entry.of(f"k{i:05d}", 1, bytes(rng.randrange(400))) for i in range(3000)]
    for budget in (5, 40, 200, 5000):
        total = sum(e.size for e in entries)
        target = max(MIN_SHARD_BYTES, _step_up(total / (budget * 0.9)))
        while len(expected := split_shards(entries, target)) > budget:  # the rule, plainly
            target = _step_up(target * 1.05)
        assert plan_shards(entries, budget) == expected
