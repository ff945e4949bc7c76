"""Tell whether an article is already in content/: the same source URL or near-duplicate text."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

import yaml

WORD = re.compile(r"\w+")
SHINGLE = 4  # words per shingle
MAX_DISTANCE = 10  # of 64 bits: texts this close are the same article (random pairs: ~32)
FRONT_MATTER = re.compile(r"\A\ufeff?---\s*\n(.*?)\n---\s*(?:\n|\Z)", re.S)


def simhash(text: str) -> int:
    """64-bit SimHash over word shingles: similar texts get hashes a few bits apart."""
    words = [w.lower() for w in WORD.findall(text)]
    grams = [" ".join(words[i : i + SHINGLE]) for i in range(max(1, len(words) - SHINGLE + 1))]
    weights = [0] * 64
    for gram in grams:
        value = int.from_bytes(hashlib.blake2b(gram.encode(), digest_size=8).digest(), "big")
        for bit in range(64):
            weights[bit] += 1 if value >> bit & 1 else -1
    return sum(1 << bit for bit in range(64) if weights[bit] > 0)


def distance(a: int, b: int) -> int:
    return (a ^ b).bit_count()


def normalize_url(url: str) -> str:
    """Compare URLs without scheme, 'www.', fragment or trailing slash."""
    url = url.strip().split("#", 1)[0]
    url = re.sub(r"^https?://(?:www\.)?", "", url, flags=re.I)
    return url.rstrip("/").lower()


@dataclass(frozen=True)
class Known:
    """One article already in content/."""

    path: str  # relative to the site folder
    source_url: str
    fingerprint: int


@dataclass(frozen=True)
class DedupeIndex:
    """Every article in content/, by source URL and by text fingerprint."""

    articles: tuple[Known, ...] = ()
    by_url: Mapping[str, Known] = field(default_factory=lambda: MappingProxyType({}))

    def find(self, source_url: str | None, text: str) -> tuple[Known, str] | None:
        """The known article this one duplicates, and how; None when it is new."""
        if source_url and normalize_url(source_url) in self.by_url:
            return self.by_url[normalize_url(source_url)], "same source URL"
        if len(WORD.findall(text)) < 2 * SHINGLE:
            return None
        mark = simhash(text)
        for known in self.articles:
            if distance(mark, known.fingerprint) <= MAX_DISTANCE:
                return known, "near-duplicate text"
        return None

    def add(self, known: Known) -> DedupeIndex:
        by_url = dict(self.by_url)
        if known.source_url:
            by_url[normalize_url(known.source_url)] = known
        return DedupeIndex((*self.articles, known), MappingProxyType(by_url))


def split_document(text: str) -> tuple[dict[str, object], str]:
    """Front matter (as a dict; empty when missing or broken) and body of an article file."""
    match = FRONT_MATTER.match(text)
    if not match:
        return {}, text
    try:
        data = yaml.safe_load(match.group(1))
    except yaml.YAMLError:
        return {}, text[match.end() :]
    return (data if isinstance(data, dict) else {}), text[match.end() :]


def build_index(site_dir: Path, files: Iterable[Path]) -> DedupeIndex:
    """Read the given article files (content/**/*.md) into an index."""
    index = DedupeIndex()
    for path in files:
        try:
            front, body = split_document(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError):
            continue
        url = front.get("source_url")
        rel = path.relative_to(site_dir).as_posix()
        index = index.add(Known(rel, str(url) if url else "", simhash(body)))
    return index
