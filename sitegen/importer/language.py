"""Guess a text's language by counting each language's most frequent function words."""

from __future__ import annotations

import re
from collections.abc import Mapping

WORD = re.compile(r"[^\W\d_]+")
MIN_HITS = 5  # fewer stopword hits than this is no evidence
MIN_LEAD = 1.3  # the winner must beat the runner-up by this factor


def detect_language(text: str, stopwords: Mapping[str, frozenset[str]]) -> str | None:
    """The language code whose stopwords occur most often, or None when the text is unclear."""
    words = [w.lower() for w in WORD.findall(text[:20000])]
    counts = sorted(
        ((sum(1 for w in words if w in stops), lang) for lang, stops in stopwords.items()),
        reverse=True,
    )
    if not counts or counts[0][0] < MIN_HITS:
        return None
    best, lang = counts[0]
    runner_up = counts[1][0] if len(counts) > 1 else 0
    return lang if best >= MIN_LEAD * runner_up else None
