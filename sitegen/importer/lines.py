"""Describe each line of a text by general features; weigh how much it looks like article text."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from sitegen.importer.rules import Rule, Rules

WORD = re.compile(r"\w+")
BULLET = re.compile(r"^\s*(?:[-*•–·▪►]|\d{1,2}[.)])\s+")
SENTENCE_END = re.compile(r"[.!?…:;。！？][\"'”’»«“)\]」』]*\s*$")
WIDE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
INNER_END = re.compile(r"\w[\"'”’»)]?[.!?…][\"'”’»)]?\s+[\"'“„»«(]?[A-ZÄÖÜÀ-Þ0-9]")
GOOD_WORDS = 8  # a line of this many words ending like a sentence reads as article text
LONG_WORDS = 25  # this many words read as text even without an ending
SHORT_PENALTY = 20.0
COMMA_ENDS = (",", "、", "，")
DATUM = re.compile(r"\d|\w:\s+\S")
BAD_MIN = 40.0
BARRIER = 200.0  # weight of a line that walls off the article (related stories, share bar)


class Kind(Enum):
    GOOD = "good"  # sentence-like text
    SHORT = "short"  # too short to tell: headings, bylines, menu entries
    BAD = "bad"  # boilerplate by a rule or by its link words


@dataclass(frozen=True)
class Line:
    """One non-empty line of the input with the features the cleaner decides by."""

    index: int
    text: str  # without a list marker
    bullet: bool
    words: int
    sentences: int
    ends_sentence: bool
    link_hits: int
    stop_ratio: float
    drop: Rule | None
    tail: Rule | None
    barrier: Rule | None

    @property
    def kind(self) -> Kind:
        if self.drop is not None or self.barrier is not None or self.link_heavy:
            return Kind.BAD
        if self.words >= LONG_WORDS or (self.words >= GOOD_WORDS and self.sentence_like):
            return Kind.GOOD
        return Kind.SHORT

    @property
    def sentence_like(self) -> bool:
        """Ends like a sentence, holds two, or breaks off after a comma (the sentence goes on
        in the next line, as in text wrapped by <br>)."""
        return self.ends_sentence or self.sentences >= 2 or self.text.endswith(COMMA_ENDS)

    @property
    def link_heavy(self) -> bool:
        """Mostly navigation or call-to-action words: short lines need only a few."""
        if self.link_hits == 0:
            return False
        return self.link_hits * (4 if self.words < GOOD_WORDS else 8) >= self.words

    @property
    def data_like(self) -> bool:
        """A short line that carries content rather than a menu entry: a figure, a `label:
        value` pair, a sentence end, or a sentence that goes on (lower-case start, comma end)."""
        text = self.text
        return (
            DATUM.search(text) is not None
            or text[:1].islower()
            or self.ends_sentence
            or text.endswith(COMMA_ENDS)
        )

    @property
    def weight(self) -> float:
        """Positive for text, negative for boilerplate, small negative when unsure."""
        kind = self.kind
        if kind is Kind.GOOD:
            return float(len(self.text)) * (1.0 if self.stop_ratio >= 0.08 else 0.5)
        if self.barrier is not None or self.tail is not None:
            return -BARRIER
        if kind is Kind.BAD:
            return -max(float(len(self.text)), BAD_MIN)
        return -SHORT_PENALTY

    @property
    def markdown(self) -> str:
        return f"- {self.text}" if self.bullet else self.text


def describe(index: int, raw: str, rules: Rules, stopwords: frozenset[str]) -> Line:
    text = raw.strip()
    marker = BULLET.match(text)
    body = text[marker.end() :] if marker else text
    words = WORD.findall(body)
    stops = sum(1 for w in words if w.lower() in stopwords)
    return Line(
        index=index,
        text=body,
        bullet=marker is not None,
        words=max(len(words), len(WIDE.findall(body)) // 2),
        sentences=len(INNER_END.findall(body)) + (1 if SENTENCE_END.search(body) else 0),
        ends_sentence=SENTENCE_END.search(body) is not None,
        link_hits=rules.link_hits(body),
        stop_ratio=stops / len(words) if words else 0.0,
        drop=rules.first_drop(body),
        tail=rules.first_tail(body),
        barrier=rules.first_barrier(body),
    )


def describe_all(text: str, rules: Rules, stopwords: frozenset[str]) -> list[Line]:
    """The lines of a text that hold a word, described."""
    raw_lines = [r for r in text.splitlines() if WORD.search(r)]
    return [describe(i, raw, rules, stopwords) for i, raw in enumerate(raw_lines)]
