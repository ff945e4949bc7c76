"""Assemble one article (front matter and body) from an extraction; pure, `now` passed in."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sitegen.importer.decode import InputProblem
from sitegen.importer.metadata import (
    match_topics,
    merge_terms,
    parse_date,
    rfc3339,
    slugify,
    summarize,
    text_tags,
)
from sitegen.importer.model import Extracted, ImportOptions, Item

DAY_ONLY = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class Draft:
    """An article ready to be written: front matter in key order, body, and where it goes."""

    front: Mapping[str, Any]
    body: str
    year: int
    slug: str

    @property
    def source_url(self) -> str | None:
        value = self.front.get("source_url")
        return str(value) if value else None


def pick_title(extracted: Extracted, item: Item) -> str:
    """A feed item's own title first: the extraction's may be a heading of the text (an <h2>
    when the feed gives the article's body without its headline)."""
    title = " ".join((item.feed_title or extracted.title or "").split())
    if not title:
        raise InputProblem(
            "no title found: no headline line above the text, no title the text repeats in "
            "quotes, and no <title> or feed title (a title is never invented)"
        )
    return title


def pick_date(extracted: Extracted, item: Item, now: datetime) -> tuple[datetime, bool]:
    """The page's or feed's own date; else the import time, marked as estimated. Where the
    page gives a bare day (read as midnight UTC) and the feed a time on that very day, the
    feed's time: midnight UTC can be the wrong day where the article was published."""
    page, feed = parse_date(extracted.date), parse_date(item.feed_date)
    bare = extracted.date is not None and DAY_ONLY.fullmatch(extracted.date.strip())
    if page and feed and bare and feed.date() == page.date():
        return feed, False
    found = page or feed
    return (found, False) if found else (now, True)


def make_article(
    extracted: Extracted,
    item: Item,
    options: ImportOptions,
    topic_rules: Mapping[str, Sequence[str]],
    stopwords: frozenset[str],
    now: datetime,
) -> Draft:
    """Front matter and body for one extracted article; InputProblem when something is missing."""
    if not extracted.markdown.strip():
        raise InputProblem("no article text found in the input")
    title = pick_title(extracted, item)
    date, estimated = pick_date(extracted, item, now)
    body_text = "\n".join(extracted.paragraphs)
    source = item.source
    tags = merge_terms(
        options.tags,
        source.tags if source else (),
        extracted.keywords,
        item.feed_tags,
        text_tags(title, body_text, stopwords),
    )
    topics = merge_terms(
        options.topics,
        source.topics if source else (),
        match_topics(f"{title}\n{body_text}", topic_rules),
        limit=len(topic_rules) + len(options.topics) + 8,
    )
    front: dict[str, Any] = {"title": title, "date": rfc3339(date)}
    if estimated:
        front["date_estimated"] = True
    optional: dict[str, Any] = {
        "summary": summarize(extracted.paragraphs, extracted.description),
        "tags": tags,
        "topics": topics,
        "source": options.source_name or (source.name if source else None) or extracted.source,
        "source_url": item.source_url,
        "author": extracted.author or item.feed_author,
        "dateline": extracted.dateline,
        "lang": options.lang or (source.lang if source else None) or extracted.lang,
    }
    front.update({k: v for k, v in optional.items() if v})
    slug = slugify(title) or "article-" + hashlib.sha1(title.encode()).hexdigest()[:10]
    return Draft(front, extracted.markdown, date.year, slug)
