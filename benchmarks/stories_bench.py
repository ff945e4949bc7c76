"""Score and time story clustering on a synthetic corpus with planted duplicate groups.

Usage: python benchmarks/stories_bench.py [--articles 10000] [--seed 1] [--days 90]
       [--share 0.3] [--cross-language] [--threshold T] [--no-memory]

Deterministic for a seed. Two languages (en, de) with a Zipf-distributed lexicon each (real
function words, then 12,000 made-up words, rank i of one language "translating" rank i of the
other; 8 topics with 40 stock phrases each, in 30% of sentences); a pool of names (people,
firms, acronyms, CamelCase brands) and numbers; 30 sources, each writing one language and
putting 1-3 boilerplate sentences ("Read also", newsletter prompts) on most of its articles.
`--share` of the articles belong to planted groups of 2-6: a base report and variants from
other sources within 66 hours: the same text under a new title, synonym swaps of 5-25% of the
words, shortened to 40-80%, combinations, and (with --cross-language) a word-by-word
translation keeping names and numbers. Some bases are republished 5-10 days later: those
copies are separate stories (outside the window).

Prints precision, recall and F1 over pairs of articles, recall per variant kind, the time of
one `cluster_stories` call and (unless --no-memory) its peak traced memory.
"""

from __future__ import annotations

import argparse
import itertools
import random
import sys
import time
import tracemalloc
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sitegen.stories import StoryDoc, StoryOptions, cluster_stories

START = datetime(2025, 1, 1, tzinfo=UTC)


def _words(text: str) -> list[str]:
    return text.split()


FUNCTION = {
    "en": _words(
        "the of and to a in that is was for on it with as he said by at from his an be has"
        " have are not but had they which were this will their been who its would after also"
    ),
    "de": _words(
        "der die und in den von zu das mit sich des auf für ist im dem nicht ein eine als"
        " auch es an werden aus er hat dass sie nach wird bei einer um am sind noch wie"
    ),
}
SYLLABLES = {
    "en": _words(
        "ba be bi bo ca co da de di do fa fe fi ga go ha he hi la le li lo ma me mi mo na ne"
        " ni no pa pe pi po ra re ri ro sa se si so ta te ti to va ve vi wa we wi ar er or an en"
        " in on al el il st th sh ch"
    ),
    "de": _words(
        "ba be bi bo da de di do fa fe fi ga ge gi ha he hi ka ke ki ko la le li lo ma me mi"
        " mo na ne ni no ra re ri ro sa se si so ta te ti to wa we wi zu zei sch ch ei au eu ge"
        " ung ter ber"
    ),
}
LEXICON_SIZE = 12_000
TOPICS, PHRASES, PHRASE_SHARE = 8, 40, 0.3  # stock phrases shared by unrelated articles
SOURCES = 30
KINDS = (
    "retitled",
    "reword-5",
    "reword-10",
    "reword-15",
    "reword-20",
    "reword-25",
    "short-80",
    "short-60",
    "short-40",
    "reword-10+short-70",
)


class Zipf:
    """Draws items with probability proportional to 1 / rank ** s."""

    def __init__(self, items: Sequence[str], s: float) -> None:
        self.items = list(items)
        self.cum = list(itertools.accumulate(1.0 / r**s for r in range(1, len(items) + 1)))

    def draw(self, rng: random.Random, k: int = 1) -> list[str]:
        return rng.choices(self.items, cum_weights=self.cum, k=k)

    def rank(self, word: str) -> int:
        return self.items.index(word)


@dataclass(frozen=True)
class Language:
    words: Zipf
    function: frozenset[str]
    rank: dict[str, int]


@dataclass(frozen=True)
class Report:
    """One generated article and the truth about it."""

    doc: StoryDoc
    group: int  # articles of one planted group report the same story
    kind: str  # 'base', a variant kind, 'translated', 'late', or 'single'


def lexicon(lang: str, rng: random.Random) -> Language:
    words: list[str] = list(FUNCTION[lang])
    seen = set(words)
    while len(words) < LEXICON_SIZE:
        word = "".join(rng.choices(SYLLABLES[lang], k=rng.choice((2, 2, 3, 3, 3, 4))))
        if word not in seen:
            seen.add(word)
            words.append(word)
    return Language(
        Zipf(words, 1.05), frozenset(FUNCTION[lang]), {w: i for i, w in enumerate(words)}
    )


def name_pool(rng: random.Random) -> Zipf:
    pool = ["Trump", "Nvidia", "DeepSeek", "OpenAI", "NATO", "EU", "Berlin", "Scholz", "Merz"]
    parts = SYLLABLES["en"]
    while len(pool) < 3000:
        body = "".join(rng.choices(parts, k=rng.randint(2, 3)))
        style = rng.random()
        if style < 0.1:
            name = body[:3].upper()
        elif style < 0.25:
            name = body.capitalize() + "".join(rng.choices(parts, k=2)).capitalize()
        else:
            name = body.capitalize()
        if name not in pool:
            pool.append(name)
    return Zipf(pool, 0.8)


class Writer:
    """Texts of one language; the same rng state gives the same story."""

    def __init__(self, langs: dict[str, Language], names: Zipf, rng: random.Random) -> None:
        self.langs = langs
        self.names = names
        self.name_set = frozenset(names.items)
        self.phrases = {  # stock phrases of a topic ("the central bank said on Tuesday")
            (lang, topic): [lang_.words.draw(rng, rng.randint(4, 8)) for _ in range(PHRASES)]
            for lang, lang_ in langs.items()
            for topic in range(TOPICS)
        }

    def story(self, rng: random.Random, lang: str) -> tuple[list[str], list[str]]:
        """A title and a body as token lists; names and numbers are kept through edits."""
        names = self.names.draw(rng, rng.randint(3, 7))
        numbers = [str(rng.choice((rng.randint(10, 999), rng.randint(1000, 99000))))]
        words = self.langs[lang].words
        phrases = self.phrases[lang, rng.randrange(TOPICS)]
        body: list[str] = []
        for _ in range(rng.randint(150, 900) // 15):
            sentence = words.draw(rng, max(5, round(rng.gauss(15, 5))))
            if rng.random() < PHRASE_SHARE:
                at = rng.randrange(len(sentence))
                sentence[at:at] = rng.choice(phrases)
            if rng.random() < 0.5:
                sentence.insert(rng.randrange(1, len(sentence)), rng.choice(names))
            if rng.random() < 0.1:
                sentence.insert(rng.randrange(1, len(sentence)), rng.choice(numbers))
            sentence[0] = sentence[0].capitalize()
            sentence[-1] += "."
            body.extend(sentence)
        title = [*words.draw(rng, rng.randint(4, 9)), names[0], numbers[0]]
        rng.shuffle(title)
        return title, body

    def reword(self, rng: random.Random, lang: str, tokens: list[str], share: float) -> list[str]:
        """Swaps about `share` of all words for a 'synonym' (a word of nearby rank)."""
        language = self.langs[lang]
        out = list(tokens)
        content = [i for i, t in enumerate(tokens) if self._word(t)[0] not in language.function]
        content = [i for i in content if self._word(tokens[i])[0] in language.rank]
        for i in rng.sample(content, min(len(content), round(share * len(tokens)))):
            word, upper, dot = self._word(tokens[i])
            rank = language.rank[word] + rng.choice((-2, -1, 1, 2))
            rank = min(max(rank, len(language.function)), LEXICON_SIZE - 1)
            out[i] = _token(language.words.items[rank], upper, dot)
        return out

    def translate(self, source: str, target: str, tokens: list[str]) -> list[str]:
        """Word by word through equal ranks; names and numbers stay."""
        ranks, words = self.langs[source].rank, self.langs[target].words.items
        out = []
        for token in tokens:
            word, upper, dot = self._word(token)
            out.append(_token(words[ranks[word]], upper, dot) if word in ranks else token)
        return out

    def _word(self, token: str) -> tuple[str, bool, bool]:
        """(lexicon form or the name itself, capitalized, ends a sentence)."""
        bare = token.removesuffix(".")
        if bare in self.name_set:
            return bare, False, token.endswith(".")
        return bare.lower(), bare[:1].isupper(), token.endswith(".")


def _token(word: str, upper: bool, dot: bool) -> str:
    return (word.capitalize() if upper else word) + ("." if dot else "")


class Corpus:
    """Generates the articles: planted groups first, then unrelated single reports."""

    def __init__(self, articles: int, seed: int, days: float, share: float, cross: bool) -> None:
        self.rng = random.Random(seed)
        self.articles, self.days, self.share, self.cross = articles, days, share, cross
        self.langs = {lang: lexicon(lang, self.rng) for lang in ("en", "de")}
        self.writer = Writer(self.langs, name_pool(self.rng), self.rng)
        self.sources = [self._source(i) for i in range(SOURCES)]
        self.reports: list[Report] = []
        self.groups = itertools.count()

    def _source(self, i: int) -> tuple[str, str, list[tuple[list[str], float]]]:
        lang = "en" if i % 5 < 3 else "de"
        words = self.langs[lang].words
        prompts = []
        for _ in range(self.rng.randint(1, 3)):
            sentence = words.draw(self.rng, self.rng.randint(6, 14))
            prompts.append(
                (
                    [sentence[0].capitalize(), *sentence[1:-1], sentence[-1] + "."],
                    self.rng.uniform(0.4, 0.9),
                )
            )
        return f"source-{i:02d}", lang, prompts

    def generate(self) -> list[Report]:
        planted = int(self.articles * self.share)
        while sum(1 for r in self.reports if r.group >= 0) < planted:
            self._group()
        while len(self.reports) < self.articles:
            self._single()
        return self.reports[: self.articles]

    def _when(self) -> datetime:
        return START + timedelta(seconds=self.rng.uniform(0, self.days * 86400))

    def _emit(
        self, source: int, when: datetime, title: list[str], body: list[str], group: int, kind: str
    ) -> None:
        name, lang, prompts = self.sources[source]
        tokens = list(body)
        for prompt, share in prompts:
            if self.rng.random() < share:
                at = self.rng.choice((0, len(tokens)))
                tokens[at:at] = prompt
        n = len(self.reports)
        doc = StoryDoc(
            doc_id=f"content/{when:%Y}/{n:06d}-{kind}.md",
            date=when,
            lang=lang,
            title=" ".join(title).rstrip("."),
            text=" ".join(tokens),
            source=name,
            word_count=len(tokens),
        )
        self.reports.append(Report(doc, group, kind))

    def _pick_source(self, lang: str, used: set[int]) -> int:
        options = [i for i, s in enumerate(self.sources) if s[1] == lang and i not in used]
        choice = self.rng.choice(options)
        used.add(choice)
        return choice

    def _single(self) -> None:
        source = self.rng.randrange(SOURCES)
        title, body = self.writer.story(self.rng, self.sources[source][1])
        self._emit(source, self._when(), title, body, -1 - len(self.reports), "single")

    def _group(self) -> None:
        group, rng = next(self.groups), self.rng
        used: set[int] = set()
        lang = rng.choice(("en", "en", "en", "de", "de"))
        base_time = self._when()
        title, body = self.writer.story(rng, lang)
        self._emit(self._pick_source(lang, used), base_time, title, body, group, "base")
        for _ in range(rng.randint(1, 5)):
            when = base_time + timedelta(hours=rng.uniform(0, 66))
            if self.cross and rng.random() < 0.2:
                other = "de" if lang == "en" else "en"
                words = (self.writer.translate(lang, other, t) for t in (title, body))
                t2, b2 = words
                self._emit(self._pick_source(other, used), when, t2, b2, group, "translated")
                continue
            kind = rng.choice(KINDS)
            t2, b2 = self._variant(kind, lang, title, body)
            self._emit(self._pick_source(lang, used), when, t2, b2, group, kind)
        if rng.random() < 0.1:  # republished much later: another story as far as readers care
            when = base_time + timedelta(days=rng.uniform(5, 10))
            late = next(self.groups)
            self._emit(self._pick_source(lang, used), when, title, body, late, "late")

    def _variant(
        self, kind: str, lang: str, title: list[str], body: list[str]
    ) -> tuple[list[str], list[str]]:
        rng = self.rng
        new_title = self.writer.story(rng, lang)[0]
        new_title[rng.randrange(len(new_title))] = title[0]
        for part in kind.split("+"):
            if part.startswith("reword-"):
                body = self.writer.reword(rng, lang, body, int(part[7:]) / 100)
            elif part.startswith("short-"):
                body = body[: round(len(body) * int(part[6:]) / 100)]
        return new_title, body


def pair_scores(
    reports: Sequence[Report], clusters: Sequence[Sequence[str]]
) -> tuple[float, float, float]:
    truth: defaultdict[int, list[str]] = defaultdict(list)
    for r in reports:
        truth[r.group].append(r.doc.doc_id)
    true_pairs = {p for ids in truth.values() for p in itertools.combinations(sorted(ids), 2)}
    found = {p for ids in clusters for p in itertools.combinations(sorted(ids), 2)}
    hits = len(true_pairs & found)
    precision = hits / len(found) if found else 1.0
    recall = hits / len(true_pairs) if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def kind_recall(reports: Sequence[Report], clusters: Sequence[Sequence[str]]) -> dict[str, str]:
    """Per variant kind: how many variants share a cluster with their group's base."""
    cluster_of = {doc_id: n for n, ids in enumerate(clusters) for doc_id in ids}
    base = {r.group: r.doc.doc_id for r in reports if r.kind == "base"}
    hit, total = Counter[str](), Counter[str]()
    for r in reports:
        if r.kind in ("base", "single", "late"):
            continue
        total[r.kind] += 1
        mine = cluster_of.get(r.doc.doc_id)
        hit[r.kind] += mine is not None and mine == cluster_of.get(base[r.group])
    late = [r for r in reports if r.kind == "late"]
    out = {k: f"{hit[k]}/{total[k]}" for k in sorted(total)}
    out["late (kept apart)"] = f"{sum(r.doc.doc_id not in cluster_of for r in late)}/{len(late)}"
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--days", type=float, default=90.0, help="time span of the corpus")
    parser.add_argument("--share", type=float, default=0.3, help="share in planted groups")
    parser.add_argument("--cross-language", action="store_true")
    parser.add_argument("--threshold", type=float, help="StoryOptions.threshold")
    parser.add_argument("--no-memory", action="store_true", help="skip the tracemalloc run")
    args = parser.parse_args(argv)

    began = time.perf_counter()
    corpus = Corpus(args.articles, args.seed, args.days, args.share, args.cross_language)
    reports = corpus.generate()
    docs = [r.doc for r in reports]
    options = StoryOptions(cross_language=args.cross_language)
    if args.threshold is not None:
        options = replace(options, threshold=args.threshold)
    words = sum(d.word_count for d in docs)
    print(
        f"corpus: {len(docs)} articles, {words / len(docs):.0f} words on average, "
        f"{args.days:g} days, generated in {time.perf_counter() - began:.1f} s"
    )

    began, cpu = time.perf_counter(), time.process_time()
    stories = cluster_stories(docs, options)
    seconds, cpu = time.perf_counter() - began, time.process_time() - cpu
    clusters = [s.members for s in stories]
    precision, recall, f1 = pair_scores(reports, clusters)
    print(f"options: {options}")
    print(f"stories: {len(stories)} of 2+ articles, {sum(map(len, clusters))} articles in them")
    print(f"pairs: precision {precision:.4f}  recall {recall:.4f}  F1 {f1:.4f}")
    for kind, figure in kind_recall(reports, clusters).items():
        print(f"  {kind:22s} {figure}")
    print(
        f"time: {seconds:.2f} s wall, {cpu:.2f} s CPU ({cpu / len(docs) * 1e6:.0f} µs per article)"
    )
    if not args.no_memory:
        tracemalloc.start()
        cluster_stories(docs, options)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        print(f"memory: {peak / 2**20:.1f} MiB peak traced during clustering")
    return 0


if __name__ == "__main__":
    sys.exit(main())
