"""sitegen.stories: planted duplicates are clustered as planted, and nothing else is."""

from __future__ import annotations

import itertools
import os
import random
import re
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sitegen.forking import forked
from sitegen.stories import (
    Story,
    StoryDoc,
    StoryIndex,
    StoryOptions,
    cluster_stories,
    fold,
    names,
    story_id,
)

T0 = datetime(2025, 3, 3, 8, 0, tzinfo=UTC)
CET = timezone(timedelta(hours=1))
FUNCTION = "the of and to a in that is was for on it with as said by at from his an be has"
SYLLABLES = "ba be bi bo da de di fa fe ga go ka ke la le li lo ma me mo na ne ni ra re ri sa so ta"
NAMES = ["DeepSeek", "Nvidia", "Trump", "NATO", "Scholz", "OpenAI", "Brüssel", "Airbus", "Siemens"]


@dataclass(frozen=True)
class Words:
    """A Zipf-distributed made-up lexicon with function words on top, and a synonym for each."""

    lexicon: tuple[str, ...]
    weights: tuple[float, ...]

    @staticmethod
    def make(rng: random.Random, size: int = 3000) -> Words:
        found = dict.fromkeys(FUNCTION.split())
        while len(found) < size:
            found["".join(rng.choices(SYLLABLES.split(), k=rng.randint(2, 4)))] = None
        lexicon = tuple(found)
        return Words(lexicon, tuple(1.0 / rank for rank in range(1, size + 1)))

    def draw(self, rng: random.Random, n: int) -> list[str]:
        return rng.choices(self.lexicon, weights=self.weights, k=n)

    def synonym(self, word: str) -> str:
        return self.lexicon[(self.lexicon.index(word) + 7) % len(self.lexicon)]


def body(rng: random.Random, words: Words, n: int, names: Sequence[str] = ()) -> str:
    """Sentences of 8-20 words; each names one of `names` now and then."""
    out: list[str] = []
    while len(out) < n:
        sentence = words.draw(rng, rng.randint(8, 20))
        if names and rng.random() < 0.5:
            sentence.insert(rng.randrange(1, len(sentence)), rng.choice(names))
        out.extend([sentence[0].capitalize(), *sentence[1:-1], sentence[-1] + "."])
    return " ".join(out[:n])


def reword(rng: random.Random, words: Words, text: str, share: float) -> str:
    """Swaps `share` of the words (not function words or names) for a synonym."""
    tokens = text.split()
    swappable = [i for i, t in enumerate(tokens) if t.islower() and t not in FUNCTION.split()]
    for i in rng.sample(swappable, round(share * len(tokens))):
        tokens[i] = words.synonym(tokens[i].rstrip("."))
    return " ".join(tokens)


def doc(
    doc_id: str, hours: float, text: str, *, title: str = "", source: str = "", lang: str = "en"
) -> StoryDoc:
    return StoryDoc(
        doc_id=doc_id,
        date=T0 + timedelta(hours=hours),
        lang=lang,
        title=title or doc_id,
        text=text,
        source=source,
        word_count=len(text.split()),
    )


@dataclass(frozen=True)
class Corpus:
    docs: tuple[StoryDoc, ...]
    planted: frozenset[frozenset[str]]  # the stories as planted
    boilerplate_ids: tuple[str, ...]  # unrelated articles sharing boilerplate
    late_id: str  # a copy of story 0 ten days later: a story of its own
    words: Words


def make_corpus(seed: int = 7) -> Corpus:
    rng = random.Random(seed)
    words = Words.make(rng)
    docs: list[StoryDoc] = []
    planted = []
    for n in range(5):
        start = n * 30.0  # stories overlap in time
        text = body(rng, words, rng.randint(250, 500), rng.sample(NAMES, 3))
        title = " ".join(words.draw(rng, 7)).capitalize()
        group = [
            doc(f"s{n}/base", start, text, title=title, source="wire"),
            doc(f"s{n}/reworded", start + 5, reword(rng, words, text, 0.15), source="daily"),
            doc(
                f"s{n}/short",
                start + 20,
                " ".join(text.split()[: len(text.split()) * 6 // 10]),
                source="agency",
            ),
            doc(f"s{n}/retitled", start + 60, text, title=f"Übersetzt: {title}", source="weekly"),
        ]
        docs += group
        planted.append(frozenset(d.doc_id for d in group))
    boilerplate = (
        "Lesen Sie auch: unsere besten Geschichten der Woche im Überblick. Abonnieren Sie "
        "jetzt den Newsletter und verpassen Sie keine Nachricht mehr aus Ihrer Region. Folgen "
        "Sie uns auch auf allen Kanälen, damit Sie immer wissen, was in der Stadt passiert."
    )
    ids = []
    for n in range(12):  # short unrelated articles, each half boilerplate
        text = f"{body(rng, words, 30)} {boilerplate}"
        docs.append(doc(f"local/{n:02d}", n * 6.0, text, source="Lokalblatt"))
        ids.append(f"local/{n:02d}")
    for n in range(20):  # unrelated articles of various sources
        text = body(rng, words, rng.randint(80, 400), rng.sample(NAMES, 2))
        docs.append(doc(f"misc/{n:02d}", n * 7.0, text, source=f"src{n % 4}"))
    late = doc("s0/late", 240.0, docs[0].text, source="monthly")
    return Corpus((*docs, late), frozenset(planted), tuple(ids), late.doc_id, words)


CORPUS = make_corpus()


def clusters(stories: Sequence[Story]) -> frozenset[frozenset[str]]:
    return frozenset(frozenset(s.members) for s in stories)


def pairs(groups: frozenset[frozenset[str]]) -> set[tuple[str, str]]:
    return {p for g in groups for p in itertools.combinations(sorted(g), 2)}


# --- the planted corpus ----------------------------------------------------------------------


def test_planted_corpus_is_clustered_exactly_as_planted() -> None:
    found = clusters(cluster_stories(CORPUS.docs))
    true_pairs, found_pairs = pairs(CORPUS.planted), pairs(found)
    precision = len(true_pairs & found_pairs) / len(found_pairs)
    recall = len(true_pairs & found_pairs) / len(true_pairs)
    assert (precision, recall) == (1.0, 1.0)
    assert found == CORPUS.planted


def test_unrelated_articles_sharing_boilerplate_are_not_merged() -> None:
    stories = cluster_stories(CORPUS.docs)
    clustered = {m for s in stories for m in s.members}
    assert clustered.isdisjoint(CORPUS.boilerplate_ids)
    # The test has teeth: without the boilerplate filter, the boilerplate alone merges them.
    unfiltered = cluster_stories(CORPUS.docs, StoryOptions(boilerplate_share=1.0))
    assert {m for s in unfiltered for m in s.members} & set(CORPUS.boilerplate_ids)


def test_the_same_story_outside_the_window_is_not_merged() -> None:
    stories = cluster_stories(CORPUS.docs)
    assert all(CORPUS.late_id not in s.members for s in stories)
    wide = cluster_stories(CORPUS.docs, StoryOptions(window_hours=24 * 14))
    assert any({CORPUS.late_id, "s0/base"} <= set(s.members) for s in wide)


def test_no_story_spans_more_than_the_window_even_through_a_chain() -> None:
    rng = random.Random(3)
    words = Words.make(rng)
    first = body(rng, words, 300)
    second = reword(rng, words, first, 0.05)
    third = reword(rng, words, second, 0.05)
    docs = [doc("a", 0, first), doc("b", 50, second), doc("c", 100, third)]
    stories = cluster_stories(docs)
    assert len(stories) == 1
    assert set(stories[0].members) in ({"a", "b"}, {"b", "c"})


# --- stability and determinism ---------------------------------------------------------------


def test_ids_and_members_are_stable_across_runs_and_input_orders() -> None:
    forward = cluster_stories(CORPUS.docs)
    assert cluster_stories(tuple(reversed(CORPUS.docs))) == forward
    assert cluster_stories(CORPUS.docs) == forward
    dates = {d.doc_id: d.date for d in CORPUS.docs}
    for s in forward:
        assert s.story_id == story_id(min(s.members, key=lambda m: (dates[m], m)))
    assert re.fullmatch(r"story-[0-9a-f]{12}", story_id("s0/base"))


def test_adding_articles_leaves_unrelated_stories_unchanged() -> None:
    before = {s.story_id: s for s in cluster_stories(CORPUS.docs)}
    rng = random.Random(11)
    joining = doc("s2/follow", 125, reword(rng, CORPUS.words, CORPUS.docs[8].text, 0.05))
    alone = doc("new/alone", 75, body(rng, CORPUS.words, 300, NAMES[:2]), source="src1")
    after = {s.story_id: s for s in cluster_stories((*CORPUS.docs, joining, alone))}
    assert after.keys() == before.keys()
    s2 = story_id("s2/base")
    assert after[s2].members == (*before[s2].members, "s2/follow")
    assert {k: v for k, v in after.items() if k != s2} == {
        k: v for k, v in before.items() if k != s2
    }


@settings(max_examples=20, deadline=None)
@given(st.permutations(CORPUS.docs))
def test_shuffling_the_input_never_changes_the_output(docs: list[StoryDoc]) -> None:
    assert cluster_stories(docs) == cluster_stories(CORPUS.docs)


# --- what a story looks like -----------------------------------------------------------------


def test_members_list_the_primary_first_then_by_date_then_id() -> None:
    docs = [
        doc("b", 0, CORPUS.docs[0].text),
        doc("a", 0, CORPUS.docs[0].text),
        doc("c", 10, CORPUS.docs[0].text + " " + CORPUS.docs[20].text),
        doc("d", 5, CORPUS.docs[0].text),
    ]
    (earliest,) = cluster_stories(docs)
    assert earliest == Story(story_id("a"), "a", ("a", "b", "d", "c"))
    (longest,) = cluster_stories(docs, StoryOptions(primary="longest"))
    assert longest == Story(story_id("a"), "c", ("c", "a", "b", "d"))


def test_dates_compare_as_instants_across_zones() -> None:
    text = CORPUS.docs[0].text
    berlin = replace(doc("berlin", 0, text), date=datetime(2025, 3, 3, 9, 0, tzinfo=CET))
    utc = doc("utc", 0.5, text)  # 08:30 UTC is after 09:00 CET (08:00 UTC)
    (story,) = cluster_stories([utc, berlin])
    assert story.members == ("berlin", "utc")


def test_languages_are_kept_apart_and_tags_compare_by_language() -> None:
    text = CORPUS.docs[0].text
    docs = [doc("en", 0, text), doc("en-gb", 1, text, lang="en-GB"), doc("de", 2, text, lang="de")]
    (story,) = cluster_stories(docs)
    assert story.members == ("en", "en-gb")


def test_short_empty_and_boilerplate_only_texts_are_left_alone() -> None:
    docs = [
        doc("x", 0, ""),
        doc("y", 1, ""),
        doc("z", 2, "Breaking news."),
        doc("w", 3, "Breaking news."),
    ]
    assert cluster_stories(docs) == ()
    assert cluster_stories([]) == ()


# --- across languages ------------------------------------------------------------------------


def translated(rng: random.Random, text: str) -> str:
    """A stand-in translation: every lower-case word replaced, names and numbers kept."""
    german = Words.make(random.Random(99))
    return " ".join(t if not t.islower() else german.draw(rng, 1)[0] for t in text.split())


def bilingual() -> list[StoryDoc]:
    """An English report, its German translation, and a German report sharing one name."""
    rng = random.Random(5)
    words = Words.make(rng)
    text = body(rng, words, 300, ["DeepSeek", "Nvidia", "Trump"]) + " Shares fell 600 points."
    english = doc("en/deepseek", 0, text, title="Nvidia shares fall 600 points after DeepSeek")
    german = doc(
        "de/deepseek",
        6,
        translated(rng, text),
        title="Nvidia-Aktie fällt nach DeepSeek um 600 Punkte",
        lang="de",
    )
    other = doc(
        "de/trump", 3, translated(rng, body(rng, words, 300, ["Trump"])), title="Trump", lang="de"
    )
    return [english, german, other]


def test_a_translation_is_linked_only_with_cross_language_on() -> None:
    docs = [*bilingual(), *CORPUS.docs]
    assert all("de/deepseek" not in s.members for s in cluster_stories(docs))
    stories = cluster_stories(docs, StoryOptions(cross_language=True))
    pair = frozenset({"en/deepseek", "de/deepseek"})
    assert clusters(stories) == CORPUS.planted | {pair}


def test_output_does_not_depend_on_the_process_hash_seed() -> None:
    script = (
        "import sys; sys.path[:0] = sys.argv[1:]; import test_stories as t; "
        "from sitegen.stories import StoryOptions, cluster_stories; "
        "docs = [*t.bilingual(), *t.CORPUS.docs]; "
        "print(repr(cluster_stories(docs, StoryOptions(cross_language=True))))"
    )
    here = Path(__file__).resolve()
    args = [sys.executable, "-c", script, str(here.parent), str(here.parents[2])]
    outputs = {
        subprocess.run(
            args,
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2")
    }
    (output,) = outputs
    assert "en/deepseek" in output


def test_names_are_the_tokens_that_survive_translation() -> None:
    text = "The DeepSeek model cost 5.600 dollars. The firm told NATO and Trump. Nvidia fell 3 %."
    assert names(text) == {"deepseek", "5600", "nato", "trump"}


def test_fold_removes_case_and_diacritics() -> None:
    assert fold("Über STRASSE Straße café") == "uber strasse strasse cafe"


# --- invalid input ---------------------------------------------------------------------------


def test_duplicate_ids_and_naive_dates_are_rejected() -> None:
    with pytest.raises(ValueError, match="duplicate doc_id: a"):
        cluster_stories([doc("a", 0, "x"), doc("a", 1, "y")])
    with pytest.raises(ValueError, match="no timezone"):
        cluster_stories([replace(doc("a", 0, "x"), date=datetime(2025, 1, 1))])


@pytest.mark.parametrize(
    "bad", [{"threshold": 0.0}, {"threshold": 1.5}, {"window_hours": -1.0}, {"containment": 2.0}]
)
def test_options_out_of_range_are_rejected(bad: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        StoryOptions(**bad)  # type: ignore[arg-type]


# --- the incremental index -------------------------------------------------------------------

EDITS = ("reword", "copy", "move", "resource", "drop", "add", "boilerplate")
# Edits of a document's text, title or length only: what a preview sees most.
TEXT_EDITS = ("reword", "join", "leave", "lengthen", "retitle")
Edit = tuple[str, int]  # a kind of edit, and a number that picks the document


def mutate(rng: random.Random, text: str, share: float) -> str:
    """Replaces `share` of the tokens by words of the lexicon (any text, unlike reword)."""
    tokens = text.split()
    for i in rng.sample(range(len(tokens)), round(share * len(tokens))):
        tokens[i] = rng.choice(CORPUS.words.lexicon)
    return " ".join(tokens)


def edited(docs: list[StoryDoc], edit: str, pick: int, rng: random.Random) -> list[StoryDoc]:
    """One edit a writer or an import makes to a corpus."""
    docs = list(docs)
    k = pick % len(docs)
    target = docs[k]
    if edit == "reword":
        docs[k] = replace(target, text=mutate(rng, target.text, 0.1))
    elif edit == "copy":  # becomes a report of another document's story
        other = docs[(k + 7) % len(docs)]
        docs[k] = replace(target, text=other.text, date=other.date + timedelta(hours=2))
    elif edit == "move":
        docs[k] = replace(target, date=target.date + timedelta(hours=rng.choice((-80, -9, 30))))
    elif edit == "resource":
        docs[k] = replace(target, source=rng.choice(("wire", "Lokalblatt", "src9")))
    elif edit == "drop" and len(docs) > 2:
        del docs[k]
    elif edit == "add":
        text = mutate(rng, target.text, 0.05)
        docs.append(replace(target, doc_id=f"new/{pick}-{len(docs)}", text=text))
    elif edit == "boilerplate":  # tips the source's boilerplate share
        docs[k] = replace(target, source="Lokalblatt", text=CORPUS.docs[-2].text)
    elif edit == "join":  # the text of a report of another story, near in time
        others = (d for d in docs if d is not target)
        other = min(others, key=lambda d: (abs(d.date - target.date), d.doc_id))
        docs[k] = replace(target, text=other.text)
    elif edit == "leave":  # a text of its own
        docs[k] = replace(target, text=body(rng, CORPUS.words, 120))
    elif edit == "lengthen":
        docs[k] = replace(target, word_count=target.word_count + rng.randint(1, 900))
    elif edit == "retitle":
        docs[k] = replace(target, title=target.title + " (update)")
    return docs


def builds_of(kinds: tuple[str, ...], most: int) -> st.SearchStrategy[list[list[Edit]]]:
    """Builds, each after up to `most` edits of the given kinds."""
    edit = st.tuples(st.sampled_from(kinds), st.integers(0, 10**6))
    return st.lists(st.lists(edit, min_size=1, max_size=most), min_size=1, max_size=5)


def assert_updates_equal_fresh(builds: list[list[Edit]], options: StoryOptions) -> None:
    index = StoryIndex(options)
    docs = list(CORPUS.docs)
    rng = random.Random(len(builds))
    assert index.update(docs) == cluster_stories(docs, options)
    for edits in builds:
        for edit, pick in edits:
            docs = edited(docs, edit, pick, rng)
        docs = list({d.doc_id: d for d in docs}.values())
        assert index.update(docs) == cluster_stories(docs, options)


@settings(max_examples=40, deadline=None)
@given(builds_of(EDITS, 4), st.booleans())
def test_an_index_updated_through_edits_equals_a_fresh_clustering(
    builds: list[list[Edit]], cross_language: bool
) -> None:
    assert_updates_equal_fresh(builds, StoryOptions(cross_language=cross_language))


@settings(max_examples=40, deadline=None)
@given(builds_of(TEXT_EDITS, 3), st.sampled_from(("earliest", "longest")))
def test_a_preview_s_text_edits_give_what_a_fresh_clustering_gives(
    builds: list[list[Edit]], primary: str
) -> None:
    """A few texts, titles or lengths change per build: the quick path of an update."""
    assert_updates_equal_fresh(builds, StoryOptions(primary=primary))  # type: ignore[arg-type]


def test_an_update_reads_only_the_texts_that_changed() -> None:
    index = StoryIndex()
    docs = list(CORPUS.docs)
    index.update(docs)
    read: list[str] = []

    def text_of(doc: StoryDoc) -> str:
        read.append(doc.doc_id)
        return doc.text

    rng = random.Random(3)
    docs[9] = replace(docs[9], text=mutate(rng, docs[9].text, 0.1))
    docs[2] = replace(docs[2], date=docs[2].date + timedelta(hours=1))
    assert index.update(docs, text_of) == cluster_stories(docs)
    assert read == [docs[9].doc_id]


@pytest.mark.parametrize("cross_language", [False, True])
def test_sources_clustered_in_processes_give_what_one_process_gives(cross_language: bool) -> None:
    """A cold build clusters its sources, and pairs documents band group by band group, in
    forked processes: the same stories, and the same index kept for the next update."""
    options = StoryOptions(cross_language=cross_language)
    here, there = StoryIndex(options), StoryIndex(options)
    docs = list(CORPUS.docs)
    assert there.update(docs, each=forked(2)) == here.update(docs) == cluster_stories(docs, options)
    assert vars(there) == vars(here)
    rng = random.Random(5)
    docs[3] = replace(docs[3], text=mutate(rng, docs[3].text, 0.3))
    docs[20] = replace(docs[20], source="daily")
    assert there.update(docs, each=forked(2)) == here.update(docs) == cluster_stories(docs, options)
    assert vars(there) == vars(here)


def test_a_crowded_bucket_falls_back_to_pairing_everything() -> None:
    """Copies beyond MAX_BUCKET_PAIRS in one window: a full pairing cuts the bucket, so an
    update must not reuse links it cannot prove."""
    rng = random.Random(5)
    text = body(rng, CORPUS.words, 200)
    copies = [doc(f"copy/{n:03d}", n * 0.5, text, source=f"s{n % 40}") for n in range(90)]
    index = StoryIndex()
    assert index.update(copies) == cluster_stories(copies)
    copies[45] = replace(copies[45], text=mutate(rng, text, 0.02))
    assert index.update(copies) == cluster_stories(copies)
