"""Recognize RSS/Atom feeds and list their entries (link, id, title, date, full content)."""

from __future__ import annotations

import calendar
import html
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

FEED_START = re.compile(rb"<(?:rss|feed|rdf:RDF)\b", re.I)
TAG = re.compile(r"<[^>]+>")
FULL_CONTENT_CHARS = 1500  # entry content this long (as text) is the whole article


@dataclass(frozen=True)
class Entry:
    entry_id: str
    link: str | None
    title: str | None
    date: str | None  # RFC 3339
    author: str | None
    tags: tuple[str, ...]
    content_html: str | None  # set when the feed carries the whole article


def is_feed(data: bytes, content_type: str = "") -> bool:
    """RSS, Atom or RDF by the media type or by the first element."""
    kind = content_type.split(";")[0].strip().lower()
    if kind in ("application/rss+xml", "application/atom+xml", "application/rdf+xml"):
        return True
    head = data[:2048].lstrip()
    return (head.startswith(b"<?xml") and FEED_START.search(head) is not None) or (
        FEED_START.match(head) is not None
    )


def _date(entry: Any) -> str | None:
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    if not parsed:
        return None
    return datetime.fromtimestamp(calendar.timegm(parsed), UTC).isoformat()


def _plain(title: str | None) -> str | None:
    """A title as text: feedparser keeps an HTML title's markup and entities."""
    return html.unescape(TAG.sub(" ", title)) if title else None


def _content(entry: Any) -> str | None:
    for item in entry.get("content") or ():
        value = str(item.get("value") or "")
        if len(TAG.sub(" ", value).strip()) >= FULL_CONTENT_CHARS:
            return value
    return None


def parse_feed(data: bytes, base_url: str = "") -> list[Entry]:
    """The feed's entries, in the feed's order."""
    import feedparser  # imported here: only feeds need it

    parsed = feedparser.parse(data, response_headers={"content-location": base_url})
    if parsed.bozo and not parsed.entries:
        raise ValueError(f"not a readable feed: {parsed.get('bozo_exception')}")
    entries: list[Entry] = []
    for item in parsed.entries:
        link = item.get("link")
        entries.append(
            Entry(
                entry_id=str(item.get("id") or link or item.get("title") or ""),
                link=str(link) if link else None,
                title=_plain(item.get("title")),
                date=_date(item),
                author=item.get("author"),
                tags=tuple(str(t.get("term")) for t in item.get("tags") or () if t.get("term")),
                content_html=_content(item),
            )
        )
    return entries
