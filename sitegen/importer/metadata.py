"""Derive front matter from what was extracted: slug, date, tags, topics, summary."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from sitegen.importer.lines import WORD

MAX_SLUG = 80
MAX_TAGS = 8
SUMMARY_LENGTH = 240
TRANSLIT = str.maketrans(
    {"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss", "ẞ": "SS",
     "æ": "ae", "Æ": "AE", "ø": "o", "Ø": "O", "œ": "oe", "Œ": "OE", "ł": "l", "Ł": "L",
     "đ": "d", "Đ": "D", "ð": "d", "þ": "th", "ı": "i"}
)  # fmt: skip
MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january", "januar", "jänner"),
            ("feb", "february", "februar"),
            ("mar", "march", "märz", "maerz", "mrz"),
            ("apr", "april"),
            ("may", "mai"),
            ("jun", "june", "juni"),
            ("jul", "july", "juli"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october", "okt", "oktober"),
            ("nov", "november"),
            ("dec", "december", "dez", "dezember"),
        ],
        1,
    )
    for name in names
}
DAY_MONTH_YEAR = re.compile(r"\b(\d{1,2})\.?\s+([A-Za-zäÄ]+)\.?\s+(\d{4})\b")
MONTH_DAY_YEAR = re.compile(r"\b([A-Za-z]+)\.?\s+(\d{1,2}),?\s+(\d{4})\b")
ACRONYM = re.compile(r"^[A-Z][A-Z0-9]{1,5}$")


def slugify(title: str) -> str:
    """ä -> ae, ß -> ss, other accents stripped; lower-case [a-z0-9-], cut at a hyphen."""
    text = unicodedata.normalize("NFKD", unicodedata.normalize("NFC", title).translate(TRANSLIT))
    ascii_text = "".join(c for c in text if not unicodedata.combining(c))
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(slug) > MAX_SLUG:
        cut = slug[: MAX_SLUG + 1]
        slug = cut[: cut.rfind("-")] if "-" in cut else slug[:MAX_SLUG]
    return slug.strip("-")


def parse_date(value: str | None) -> datetime | None:
    """A date as pages and feeds write it (ISO 8601, RFC 822, '5. März 2025'), zone-aware."""
    if not value or not value.strip():
        return None
    value = value.strip()
    for parse in (_iso, _rfc822, _spelled):
        found = parse(value)
        if found is not None:
            return found if found.tzinfo else found.replace(tzinfo=UTC)
    return None


def _iso(value: str) -> datetime | None:
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def _rfc822(value: str) -> datetime | None:
    try:
        return parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None


def _spelled(value: str) -> datetime | None:
    for pattern, order in ((DAY_MONTH_YEAR, (0, 1, 2)), (MONTH_DAY_YEAR, (1, 0, 2))):
        match = pattern.search(value)
        if match:
            parts = match.groups()
            day, month, year = (parts[i] for i in order)
            number = MONTHS.get(month.lower())
            if number:
                try:
                    return datetime(int(year), number, int(day))
                except ValueError:
                    return None
    return None


def rfc3339(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def merge_terms(*groups: Iterable[str], limit: int = MAX_TAGS) -> list[str]:
    """Terms in order, the first spelling of each kept, case-insensitive duplicates dropped."""
    seen: dict[str, str] = {}
    for group in groups:
        for term in group:
            clean = " ".join(str(term).split()).strip(" ,;#")
            if clean and clean.casefold() not in seen and len(clean) <= 40:
                seen[clean.casefold()] = clean
    return list(seen.values())[:limit]


def text_tags(title: str, body: str, stopwords: frozenset[str]) -> list[str]:
    """Tags the text supports: title words it repeats, and acronyms it uses often."""
    counts = Counter(WORD.findall(body))
    from_title = [
        w
        for w in re.findall(r"[\w][\w-]*\w|\w", title)
        if w.lower() not in stopwords
        and (len(w) > 3 or ACRONYM.match(w) or any(c.isdigit() for c in w))
        and body.count(w) >= 2
    ]
    acronyms = [w for w, n in counts.most_common() if n >= 3 and ACRONYM.match(w)]
    return merge_terms(from_title, acronyms)


def match_topics(text: str, topic_rules: Mapping[str, Sequence[str]]) -> list[str]:
    """Topics whose keywords occur in the text (a keyword may start a longer word: KI-Chips)."""
    lowered = text.lower()
    found: list[str] = []
    for slug, keywords in topic_rules.items():
        hits = sum(
            len(re.findall(r"(?<!\w)" + re.escape(str(k).lower()), lowered)) for k in keywords if k
        )
        if hits >= 2:
            found.append(slug)
    return found


def summarize(paragraphs: Sequence[str], description: str | None) -> str:
    """The page's own description, else the first paragraph, cut at a word."""
    text = (description or "").strip() or next((p for p in paragraphs if len(p) > 40), "")
    text = " ".join(text.split())
    if len(text) <= SUMMARY_LENGTH:
        return text
    cut = text[:SUMMARY_LENGTH].rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:-–") + " …"
