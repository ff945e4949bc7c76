"""Find an article's title in its own text: a quoted string it repeats, or the headline line."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence

from sitegen.importer.lines import WORD, Kind, Line

MIN_WORDS = 2
MAX_WORDS = 25
HEADLINE_LOOKBACK = 15  # lines before the body searched for the headline
MIN_OVERLAP = 0.3  # share of a headline's content words that must recur in the body


def quoted_strings(text: str, quotes: Mapping[str, str]) -> Counter[str]:
    """Every quoted span of MIN_WORDS..MAX_WORDS words, counted."""
    found: Counter[str] = Counter()
    for opening, closing in quotes.items():
        pattern = re.escape(opening) + r"([^\n" + re.escape(opening + closing) + r"]{3,200})"
        for match in re.finditer(pattern + re.escape(closing), text):
            span = match.group(1).strip()
            if MIN_WORDS <= len(WORD.findall(span)) <= MAX_WORDS:
                found[span] += 1
    return found


def repeated_quote(text: str, quotes: Mapping[str, str]) -> str | None:
    """A quoted string the page repeats (comment and share prompts quote the title)."""
    ranked = [(n, len(s), s) for s, n in quoted_strings(text, quotes).items() if n >= 2]
    return max(ranked)[2] if ranked else None


def content_words(text: str, stopwords: frozenset[str]) -> set[str]:
    return {w.lower() for w in WORD.findall(text) if len(w) > 3 and w.lower() not in stopwords}


def headline_score(line: Line, body_words: set[str], stopwords: frozenset[str]) -> float:
    """How much a line before the body looks like this article's headline (0 = not at all)."""
    if line.kind is Kind.BAD or line.bullet or not MIN_WORDS < line.words <= MAX_WORDS:
        return 0.0
    if line.text.endswith((".", ",", ";")) and line.sentences > 1:
        return 0.0
    words = content_words(line.text, stopwords)
    if len(words) < 2:
        return 0.0
    overlap = len(words & body_words) / len(words)
    return overlap if overlap >= MIN_OVERLAP else 0.0


def headline(
    before: Sequence[Line], body: Sequence[Line], stopwords: frozenset[str]
) -> Line | None:
    """The line just above the body that shares the most vocabulary with it."""
    body_words = content_words(" ".join(line.text for line in body), stopwords)
    candidates = list(before)[-HEADLINE_LOOKBACK:]
    scored = [
        (headline_score(line, body_words, stopwords) + i / 1000, line)
        for i, line in enumerate(candidates)
    ]
    best = max(scored, default=(0.0, None), key=lambda pair: pair[0])
    return best[1] if best[0] >= MIN_OVERLAP else None


def find_title(
    text: str,
    before: Sequence[Line],
    body: Sequence[Line],
    quotes: Mapping[str, str],
    stopwords: frozenset[str],
) -> tuple[str | None, Line | None]:
    """The title and, when it was a line of its own, that line; (None, None) if nothing fits.

    The headline line above the body wins; else a quoted string the page repeats.
    """
    line = headline(before, body, stopwords)
    if line is not None:
        return line.text.strip(), line
    return repeated_quote(text, quotes), None
