"""Slugs: transliterated, lower-case, URL-safe names for articles, tags and topics."""

from __future__ import annotations

import hashlib
import re
import unicodedata

MAX_SLUG_LENGTH = 80

# German first (ü -> ue, the spelling readers expect), then a few letters NFKD cannot split.
_TRANSLITERATION = str.maketrans(
    {
        "ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss", "ẞ": "SS",
        "æ": "ae", "Æ": "Ae", "ø": "o", "Ø": "O", "œ": "oe", "Œ": "Oe", "đ": "d", "Đ": "D",
        "ł": "l", "Ł": "L", "þ": "th", "Þ": "Th", "ð": "d", "Ð": "D", "ı": "i",
        "&": " and ", "+": " plus ",
    }
)  # fmt: skip
_NOT_SLUG = re.compile(r"[^a-z0-9]+")
# Device names Windows reserves in every folder: a page folder named so cannot be created,
# copied or deployed there ('CON' as a tag or title would break the whole site).
RESERVED_NAMES = frozenset(
    {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}
)


def slugify(text: str, max_length: int = MAX_SLUG_LENGTH) -> str:
    """'Überraschung in München!' -> 'ueberraschung-in-muenchen'; '' when no Latin letters.

    Windows device names get a suffix: 'CON' -> 'con-1'.
    """
    composed = unicodedata.normalize("NFC", text).translate(_TRANSLITERATION)
    ascii_only = unicodedata.normalize("NFKD", composed).encode("ascii", "ignore").decode("ascii")
    slug = _NOT_SLUG.sub("-", ascii_only.lower()).strip("-")
    if len(slug) > max_length:
        cut = slug[:max_length]
        slug = cut.rsplit("-", 1)[0] if "-" in cut else cut
    return slug + "-1" if slug in RESERVED_NAMES else slug


def term_slug(name: str) -> str:
    """Slug of a tag or topic name; names without Latin letters get a short stable hash."""
    slug = slugify(name)
    if slug:
        return slug
    folded = unicodedata.normalize("NFC", name).casefold().strip()
    return "t-" + hashlib.sha1(folded.encode("utf-8")).hexdigest()[:10]
