"""sitegen.search: words to keys, postings and shard bytes, determinism, incrementality, bounds."""

from __future__ import annotations

import json
import random
import unicodedata
import zlib
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sitegen.search import (
    SearchDoc,
    SearchMemo,
    build_search_index,
    facet_key,
    fold,
    stem,
    term_key,
    tiles,
    tokenize,
)
from sitegen.search import index as index_module
from sitegen.search.encode import (
    Entry,
    cyrb53,
    encode_shard,
    is_big,
    is_boundary,
    shard_name,
    split_shards,
    utf16_order,
    varint,
)
from sitegen.search.index import ROOT, chunk_size, file_budget, order, plan_shards, record_url
from sitegen.slug import slugify

# --- a reader of the format, as the search client reads it -----------------------------------


def read_varint(data: bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return value, pos


def read_shard(blob: bytes) -> dict[str, list[tuple[int, int]]]:
    """key -> [(document number, impact)] of one packed shard."""
    data = zlib.decompress(blob)
    count, pos = read_varint(data, 0)
    heads: list[tuple[str, int]] = []
    previous = b""
    for _ in range(count):
        shared, pos = read_varint(data, pos)
        length, pos = read_varint(data, pos)
        raw = previous[:shared] + data[pos : pos + length]
        pos += length
        df, pos = read_varint(data, pos)
        heads.append((raw.decode(), df))
        previous = raw
    out: dict[str, list[tuple[int, int]]] = {}
    for key, df in heads:
        doc, plist = -1, []
        for _ in range(df):
            value, pos = read_varint(data, pos)
            doc += (value >> 3) + 1
            plist.append((doc, value & 7))
        out[key] = plist
    assert pos == len(data)
    return out


def read_root(files: dict[str, bytes]) -> dict[str, object]:
    root: dict[str, object] = json.loads(zlib.decompress(files[ROOT]))
    return root


def all_postings(files: dict[str, bytes]) -> dict[str, list[tuple[int, int]]]:
    out: dict[str, list[tuple[int, int]]] = {}
    for name, blob in files.items():
        if name.startswith("t/"):
            out.update(read_shard(blob))
    return out


# --- corpora ---------------------------------------------------------------------------------

START = datetime(2024, 1, 1, 8, tzinfo=UTC)


def doc(i: int, title: str, text: str, lang: str = "de", **extra: object) -> SearchDoc:
    fields: dict[str, object] = {
        "doc_id": f"content/{i:05d}.md",
        "url": f"a/{i}/",
        "title": title,
        "lang": lang,
        "date": START + timedelta(hours=7 * i),
        "summary": "",
        "text": text,
        "tags": (),
        "topics": (),
        "source": "",
    }
    fields.update(extra)
    return SearchDoc(**fields)  # type: ignore[arg-type]


def synthetic(n: int, seed: int = 7, words: int = 60) -> list[SearchDoc]:
    """n documents over a Zipf-like vocabulary of pseudo-words, German and English."""
    rng = random.Random(seed)
    syllables = ["ka", "lo", "mi", "ten", "ber", "sch", "ung", "ra", "vo", "pel", "dor", "fi"]
    vocab = ["".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))) for _ in range(4000)]
    weights = [1 / (r + 2) for r in range(len(vocab))]
    topics = ["Politik", "Wirtschaft", "Kultur", "Sport"]
    out = []
    for i in range(n):
        body = " ".join(rng.choices(vocab, weights, k=words))
        out.append(
            doc(
                i,
                " ".join(rng.choices(vocab, weights, k=6)),
                body,
                lang=rng.choice(["de", "en"]),
                topics=(rng.choice(topics),),
                tags=tuple(rng.sample(vocab[:50], 2)),
                source=rng.choice(["A", "B"]),
            )
        )
    return out


def changed(before: dict[str, bytes], after: dict[str, bytes]) -> set[str]:
    return {n for n in before.keys() | after.keys() if before.get(n) != after.get(n)}


# --- words -----------------------------------------------------------------------------------


def test_tokenize_lowercases_and_splits_on_everything_but_letters_and_digits() -> None:
    assert tokenize("Die EU-Kommission, 2025: snake_case & C++ «Zitat»") == [
        "die",
        "eu",
        "kommission",
        "2025",
        "snake",
        "case",
        "c",
        "zitat",
    ]


def test_tokenize_composes_first() -> None:
    assert tokenize("Cafe\u0301 na\u0308he") == ["café", "nähe"]


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("entwicklungen", "entwickl"),
        ("entwicklung", "entwickl"),
        ("häuser", "haus"),
        ("haeuser", "haus"),
        ("münchen", "munch"),
        ("muenchen", "munch"),
        ("straße", "strass"),
    ],
)
def test_german_stemming(word: str, expected: str) -> None:
    assert fold(stem(word, "de")) == expected


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("models", "model"),
        ("running", "run"),
        ("generously", "generous"),
        ("skies", "sky"),
        ("news", "news"),
        ("dying", "die"),
    ],
)
def test_english_stemming(word: str, expected: str) -> None:
    assert stem(word, "en") == expected


def test_unknown_languages_and_other_scripts_are_not_stemmed() -> None:
    assert stem("models", "fr") == "models"
    assert stem("модели", "en") == "модели"
    assert stem("models", "en-GB") == "model"


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("München", "munchen"),
        ("Straße", "strasse"),
        ("Ærø", "aero"),
        ("naïve", "naive"),
        ("Łódź", "lodz"),
        ("İstanbul", "istanbul"),
    ],
)
def test_fold(word: str, expected: str) -> None:
    assert fold(word) == expected


def test_term_keys_drop_stop_words_and_odd_lengths() -> None:
    assert term_key("die", "de") is None
    assert term_key("the", "en") is None
    assert term_key("x", "en") is None
    assert term_key("a" * 41, "en") is None
    assert term_key("Munchen".lower(), "de") == term_key("münchen", "de") == "munch"


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_tokenizer_on_any_text(text: str) -> None:
    tokens = tokenize(text)
    assert tokens == tokenize(text)
    assert tokenize(" ".join(tokens)) == tokens
    for token in tokens:
        assert token and all(unicodedata.category(c)[0] in "LN" for c in token)
        assert fold(fold(token)) == fold(token)
        for lang in ("de", "en", "xx"):
            term_key(token, lang)


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_folding_is_idempotent(text: str) -> None:
    assert fold(fold(text)) == fold(text)


# --- bytes -----------------------------------------------------------------------------------


@pytest.mark.parametrize("n", [0, 1, 127, 128, 300, 16383, 16384, 2**40])
def test_varint_round_trip(n: int) -> None:
    assert read_varint(varint(n) + b"\xff", 0) == (n, len(varint(n)))


def test_cyrb53_matches_the_javascript_reference() -> None:
    # Values computed with the search client's cyrb53 in Node/Chromium.
    assert cyrb53("") == 3338908027751811
    assert cyrb53("a") == 7929297801672961
    assert shard_name("") == "t/0bdcb81aee8d83.bin"


def test_keys_sort_as_javascript_compares() -> None:
    keys = ["\uffef", "\U0001f600", "b", "a"]
    assert sorted(keys, key=utf16_order) == ["a", "b", "\U0001f600", "\uffef"]


def test_shard_round_trip_and_postings() -> None:
    docs = [
        doc(0, "Entwicklung", "Die Entwicklung", topics=("Technik",), source="dpa"),
        doc(1, "Wetter", "Entwicklungen beim Wetter in München", tags=("KI",)),
        doc(2, "Modelle", "Neue Entwicklung", lang="en"),
    ]
    files = build_search_index(docs)
    index = all_postings(files)
    assert [d for d, _ in index["entwickl"]] == [0, 1]
    assert [d for d, _ in index["entwicklung"]] == [2]  # English does not stem it
    impacts = dict(index["entwickl"])
    assert impacts[0] > impacts[1]  # the title counts more
    assert [d for d, _ in index[facet_key("topic", "technik")]] == [0]
    assert [d for d, _ in index[facet_key("tag", "KI")]] == [1]
    assert [d for d, _ in index[facet_key("source", "dpa")]] == [0]
    assert [d for d, _ in index[facet_key("lang", "en")]] == [2]
    assert "munch" in index


def test_documents_are_numbered_oldest_first() -> None:
    docs = synthetic(40)
    files = build_search_index(list(reversed(docs)))
    root = read_root(files)
    first = json.loads(zlib.decompress(files["d/0.bin"]))
    assert first[0][0] == docs[0].url
    assert root["n"] == 40 and root["k"] == 8
    assert root["days"][0] == first[0][2] == (docs[0].date.date() - START.date()).days + 19723  # type: ignore[index]


def test_duplicate_ids_are_an_error() -> None:
    d = doc(0, "a", "b")
    with pytest.raises(ValueError, match="duplicate"):
        order([d, replace(d, title="c")])


# --- sharding --------------------------------------------------------------------------------


def entries(n: int, seed: int = 3) -> list[Entry]:
    rng = random.Random(seed)
    keys = sorted(
        {"".join(rng.choices("abcdefghij", k=rng.randint(3, 9))) for _ in range(n)}, key=utf16_order
    )
    return [Entry.of(k, 1, bytes(rng.randint(1, 60))) for k in keys]


def test_split_covers_every_key_in_order() -> None:
    es = entries(5000)
    shards = split_shards(es, 4096)
    assert [e for s in shards for e in s] == es
    sizes = [sum(e.size for e in s) for s in shards]
    assert max(sizes[:-1]) <= 4 * 4096 + 200
    assert min(sizes[:-1]) >= 2048


def test_split_is_content_defined() -> None:
    es = entries(5000)
    before = split_shards(es, 4096)
    grown = [Entry.of(e.key, 1, e.postings + b"xx") if i == 2500 else e for i, e in enumerate(es)]
    after = split_shards(grown, 4096)
    moved = {encode_shard(s) for s in after} - {encode_shard(s) for s in before}
    assert len(moved) <= 3


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.text(min_size=1, max_size=6), st.integers(0, 3000)), max_size=400),
    st.integers(1, 20000),
)
def test_split_cuts_where_is_boundary_says(rows: list[tuple[str, int]], target: int) -> None:
    entries = [Entry.of(k, 1, b"x" * n) for k, n in sorted(dict(rows).items())]
    expected: list[list[Entry]] = []
    current: list[Entry] = []
    filled = 0
    for entry in entries:  # the plain reading of the rule, entry by entry
        if current and is_boundary(current[-1], entry, filled, target):
            expected.append(current)
            current, filled = [], 0
        current.append(entry)
        filled += entry.size
    if current or not expected:
        expected.append(current)
    assert split_shards(entries, target) == expected


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.text(min_size=1, max_size=6), st.integers(0, 5000)), max_size=400),
    st.integers(256, 20000),
)
def test_split_bounds_every_shard(rows: list[tuple[str, int]], target: int) -> None:
    """A big postings list is alone; any other shard stops within 4 targets and one entry."""
    entries = [Entry.of(k, 1, b"x" * n) for k, n in sorted(dict(rows).items())]
    for shard in split_shards(entries, target):
        if any(is_big(e, target) for e in shard):
            assert len(shard) == 1
        else:
            assert sum(e.size for e in shard[:-1]) < 4 * target


def zipf_entries(n_docs: int, n_keys: int, seed: int = 5) -> list[Entry]:
    """Keys with Zipf-distributed document frequency, a byte per posting (as the index has)."""
    rng = random.Random(seed)
    keys = sorted({f"{rng.randrange(36**7):07x}" for _ in range(n_keys)})
    return [
        Entry.of(k, df, bytes(df))
        for k, df in ((k, n_docs // rng.randint(1, n_keys)) for k in keys)
        if df
    ]


@pytest.mark.parametrize("n_docs", [10_000, 100_000])
def test_plan_keeps_the_budget_and_frequent_words_alone(n_docs: int) -> None:
    """As a big site's index: at most its file budget (less the chunks), and a query for a
    word in a fifth of the documents fetches only that word's postings."""
    budget = file_budget(n_docs) - -(-n_docs // chunk_size(n_docs))
    entries = zipf_entries(n_docs, 60_000)
    shards = plan_shards(entries, budget)
    assert len(shards) <= budget
    assert [e for s in shards for e in s] == entries
    frequent = [e for e in entries if e.df >= n_docs // 5]
    assert frequent
    assert all([e] in shards for e in frequent)


def test_plan_respects_the_file_budget() -> None:
    es = entries(20000)
    assert len(plan_shards(es, 10)) <= 10


@pytest.mark.parametrize(("n", "most"), [(10, 1000), (10_000, 1000), (100_000, 5000)])
def test_file_count_bound(n: int, most: int) -> None:
    assert file_budget(n) <= most
    assert -(-n // chunk_size(n)) <= file_budget(n) * 2 // 3


def test_built_index_stays_within_budget() -> None:
    files = build_search_index(synthetic(600))
    assert len(files) <= file_budget(600)
    root = read_root(files)
    names = {shard_name(b) for b in root["bounds"]}  # type: ignore[attr-defined]
    assert names == {n for n in files if n.startswith("t/")}


# --- determinism and incrementality ----------------------------------------------------------


def test_same_documents_same_bytes_in_any_order() -> None:
    docs = synthetic(300)
    shuffled = docs[:]
    random.Random(1).shuffle(shuffled)
    assert build_search_index(docs) == build_search_index(shuffled)


def test_adding_the_newest_article_touches_only_its_keys() -> None:
    docs = synthetic(800, words=30)
    before = build_search_index(docs)
    new = doc(
        900,
        "Hafenfest in Kiel",
        "Das Hafenfest beginnt am Freitag mit Musik.",
        topics=("Kultur",),
        source="A",
    )
    after = build_search_index([*docs, new])
    diff = changed(before, after)
    key_shards = {
        n
        for n, blob in after.items()
        if n.startswith("t/")
        and any(d == 800 for plist in read_shard(blob).values() for d, _ in plist)
    }
    last_chunk = f"d/{800 // int(read_root(after)['k'])}.bin"  # type: ignore[call-overload]
    assert diff <= key_shards | {ROOT, last_chunk}
    assert len(diff) <= 0.1 * len(before)


def test_editing_a_title_rewrites_a_few_files() -> None:
    docs = synthetic(800, words=30)
    before = build_search_index(docs)
    docs[400] = replace(docs[400], title=docs[400].title + " Hafenfest")
    diff = changed(before, build_search_index(docs))
    assert f"d/{400 // int(read_root(before)['k'])}.bin" in diff  # type: ignore[call-overload]
    assert len(diff) <= 3


# --- the memo: incremental builds give the same bytes as fresh ones --------------------------


def _edit(docs: list[SearchDoc], rng: random.Random, serial: list[int]) -> list[SearchDoc]:
    """One random edit of the kinds a site sees: text, title, facets, dates, new, gone."""
    out = list(docs)
    i = rng.randrange(len(out))
    d = out[i]
    kind = rng.choice(
        [
            "body",
            "body",
            "title",
            "tags",
            "topic",
            "source",
            "lang",
            "summary",
            "near date",
            "far date",
            "newest",
            "backdated",
            "delete",
            "delete newest",
            "several",
            "none",
        ]
    )
    if kind == "body":
        out[i] = replace(d, text=str(d.text) + " Nachtrag: Die Zahlen wurden ergänzt.")
    elif kind == "title":
        out[i] = replace(d, title=d.title + " (aktualisiert)")
    elif kind == "tags":
        out[i] = replace(d, tags=(*d.tags[1:], "Hafenfest"))
    elif kind == "topic":
        out[i] = replace(d, topics=("Wetter",))
    elif kind == "source":
        out[i] = replace(d, source="C")
    elif kind == "lang":
        out[i] = replace(d, lang="fr" if d.lang != "fr" else "en")
    elif kind == "summary":
        out[i] = replace(d, summary="Kurz: " + d.title)
    elif kind == "near date":
        out[i] = replace(d, date=d.date + timedelta(hours=rng.choice([-20, -3, 2, 9])))
    elif kind == "far date":
        out[i] = replace(d, date=d.date + timedelta(days=rng.choice([-300, -40, 30, 500])))
    elif kind in ("newest", "backdated"):
        serial[0] += 1
        newest = max(x.date for x in out)
        when = newest + timedelta(hours=1) if kind == "newest" else d.date + timedelta(minutes=1)
        out.append(
            replace(d, doc_id=f"content/new{serial[0]}.md", url=f"n/{serial[0]}/", date=when)
        )
    elif kind == "delete":
        del out[i]
    elif kind == "delete newest":
        out.remove(max(out, key=lambda x: x.date))
    elif kind == "several":
        for _ in range(rng.randint(2, 12)):
            out = _edit(out, rng, serial)
    return out


@pytest.mark.parametrize("seed", range(6))
def test_memo_builds_equal_fresh_builds(
    seed: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tiles, "TILE_MEAN", 8)  # many small tiles: every path is taken
    monkeypatch.setattr(tiles, "TILE_MAX", 24)
    rng = random.Random(seed)
    docs = synthetic(160 + 40 * seed, seed=seed, words=25)
    memo = SearchMemo()
    serial = [0]
    for step in range(30):
        if step % 3 == 0:  # now and then through the files
            memo.save(tmp_path) if step else None
            memo = SearchMemo.load(tmp_path) if step else memo
        assert build_search_index(docs, memo) == build_search_index(docs), step
        docs = _edit(docs, rng, serial)


def test_memo_reads_only_the_texts_of_changed_documents(tmp_path: Path) -> None:
    docs = synthetic(400, words=20)
    read: list[str] = []

    def lazy(d: SearchDoc, version: str = "1") -> SearchDoc:
        text = str(d.text)

        def give() -> str:
            read.append(d.doc_id)
            return text

        return replace(d, text=give, version=version, summary="" if d.url < "a/2" else "s")

    memo = SearchMemo.load(tmp_path)
    first = build_search_index([lazy(d) for d in docs], memo)
    assert memo.misses == len(docs) and memo.save()
    assert first == build_search_index(
        docs[:0] + [replace(d, summary=lazy(d).summary) for d in docs]
    )
    read.clear()
    edited = [lazy(d, "2" if d is docs[123] else "1") for d in docs]
    memo = SearchMemo.load(tmp_path)
    again = build_search_index(edited, memo)
    assert read == [docs[123].doc_id] and (memo.hits, memo.misses) == (len(docs) - 1, 1)
    assert again == first  # the same text under a new version: the same bytes


def test_a_damaged_or_foreign_memo_is_ignored(tmp_path: Path) -> None:
    docs = synthetic(300, words=20)
    memo = SearchMemo.load(tmp_path, salt="a")
    expected = build_search_index(docs, memo)
    assert memo.save()
    assert SearchMemo.load(tmp_path, salt="b").postings is None  # another salt: empty
    memo_file = tmp_path / "search" / "memo.pickle"
    data = bytearray(memo_file.read_bytes())
    data[len(data) // 2] ^= 0xFF
    memo_file.write_bytes(bytes(data))
    damaged = SearchMemo.load(tmp_path, salt="a")
    assert damaged.postings is None
    assert build_search_index(docs, damaged) == expected
    assert damaged.save()
    for docs_file in (tmp_path / "search" / "docs").iterdir():
        docs_file.write_bytes(b"not a pickle")
    edited = [replace(d, title=d.title + "!") if i % 50 == 0 else d for i, d in enumerate(docs)]
    lost = SearchMemo.load(tmp_path, salt="a")
    assert build_search_index(edited, lost) == build_search_index(edited)
    assert lost.misses == len(docs)  # every document worked out again, none guessed


def test_many_new_documents_are_worked_out_in_two_processes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(index_module, "PARALLEL_MISSES", 50)
    docs = synthetic(600, words=20)
    memo = SearchMemo()
    assert build_search_index(docs, memo, workers=2) == build_search_index(docs)
    assert memo.misses == len(docs)


@pytest.mark.parametrize(
    ("url", "title", "held"),
    [
        ("2025/01/ueberraschung-in-muenchen/", "Überraschung in München!", "2025/01/*/"),
        ("ueberraschung/", "Überraschung", "*/"),
        ("2025/01/my-own-slug/", "Überraschung in München!", "2025/01/my-own-slug/"),
        ("2025/01/kiev/", "Київ", "2025/01/kiev/"),  # not Latin: the browser might differ
        ("2025/01/sprache-ss/", "Sprache ẞ", "2025/01/sprache-ss/"),  # ẞ is above U+0250
        ("2025/01/a/a/", "A", "2025/01/a/a/"),  # the slug twice: which one?
        ("2025/a*b/a/", "A", "2025/a*b/a/"),  # a '*' of its own
        ("2025/01/ueberraschung-2/", "Überraschung", "2025/01/*-2/"),  # made unique
        (
            "2025/01/" + "wort-" * 20 + "ende/",
            "Wort " * 20 + "Ende",
            "2025/01/*" + "-wort" * 4 + "-ende/",
        ),
        ("2025/01/ueberraschungen/", "Überraschung", "2025/01/ueberraschungen/"),  # not a word
        ("2025/a-b/a/", "A", "2025/a-b/a/"),  # one part is the slug, one begins with it
    ],
)
def test_a_record_holds_a_star_for_a_slug_the_browser_makes_again(
    url: str, title: str, held: str
) -> None:
    assert record_url(url, title) == held
    if held != url:
        assert held.replace("*", slugify(title)) == url
