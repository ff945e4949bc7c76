"""Plain frozen dataclasses shared by every stage: config, articles, terms, the assembled site."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any, Literal

TaxonomyKind = Literal["tags", "topics"]
FeedFormat = Literal["atom", "rss", "json"]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input: where it is and what is wrong."""

    path: str
    line: int | None
    key: str | None
    message: str
    severity: Literal["error", "warning"] = "error"

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        what = f"{self.key}: {self.message}" if self.key else self.message
        prefix = "warning: " if self.severity == "warning" else ""
        return f"{where}: {prefix}{what}"


class InputError(Exception):
    """Raised by a stage that found problems in its input; carries every one of them."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems

    def __reduce__(self) -> tuple[type[InputError], tuple[list[Problem]]]:
        return (InputError, (self.problems,))  # so errors cross process boundaries intact


@dataclass(frozen=True)
class TopicConfig:
    slug: str
    title: str
    description: str = ""
    keywords: tuple[str, ...] = ()  # words that put an imported article into this topic


@dataclass(frozen=True)
class FeedsConfig:
    formats: tuple[FeedFormat, ...] = ("atom", "rss", "json")
    limit: int = 50
    full_content: bool = True
    taxonomies: tuple[TaxonomyKind, ...] = ("tags", "topics")
    opml_tags: bool = False


@dataclass(frozen=True)
class OfflineConfig:
    """Offline reading: a service worker keeps opened pages, the newest articles, search."""

    enabled: bool = True
    articles: int = 20


@dataclass(frozen=True)
class StoriesConfig:
    """Reports of one story from several sources shown as one entry (see sitegen.stories)."""

    enabled: bool = True
    window_hours: float = 72.0
    threshold: float = 0.3
    cross_language: bool = False
    primary: Literal["earliest", "longest"] = "earliest"


@dataclass(frozen=True)
class Config:
    """Everything site.yaml says, validated, with defaults filled in."""

    title: str
    base_url: str
    description: str = ""
    language: str = "en"
    timezone: str = "UTC"
    theme: str = "default"
    output_dir: str = "public"
    paginate: int = 20
    permalink: str = "/{year}/{month}/{slug}/"
    author: str = ""
    copyright: str = ""
    topics: tuple[TopicConfig, ...] = ()
    feeds: FeedsConfig = field(default_factory=FeedsConfig)
    offline: OfflineConfig = field(default_factory=OfflineConfig)
    stories: StoriesConfig = field(default_factory=StoriesConfig)
    related_count: int = 5
    summary_length: int = 240
    words_per_minute: int = 220
    extra: Mapping[str, Any] = field(default_factory=dict)
    deploy: Mapping[str, Any] = field(default_factory=dict)
    sources: tuple[Mapping[str, Any], ...] = ()  # what `sitegen import` pulls from
    # Where the config came from; not a key of site.yaml.
    site_dir: str = "."

    @cached_property
    def base_path(self) -> str:
        """The path part of base_url, always ending in '/': '/news/' for https://example.org/news/."""
        rest = self.base_url.split("://", 1)[-1]
        slash = rest.find("/")
        path = rest[slash:] if slash >= 0 else "/"
        return path if path.endswith("/") else path + "/"

    @property
    def origin(self) -> str:
        """scheme://host[:port] of base_url, without the sub-path."""
        scheme, _, rest = self.base_url.partition("://")
        return f"{scheme}://{rest.split('/', 1)[0]}"


@dataclass(frozen=True)
class TermRef:
    """A tag or topic as an article names it: the display name and its normalized slug."""

    name: str
    slug: str


@dataclass(frozen=True)
class Heading:
    level: int
    anchor: str
    text: str


@dataclass(frozen=True)
class Article:
    """One parsed article: front matter validated, Markdown rendered. Keyed by `source`."""

    source: str  # path relative to the site folder, with '/' separators; the article's id
    content_hash: str  # hash of the file's bytes
    title: str
    date: datetime  # always timezone-aware
    slug: str
    lang: str
    summary: str
    tags: tuple[TermRef, ...] = ()
    topics: tuple[TermRef, ...] = ()
    updated: datetime | None = None
    expires: datetime | None = None
    draft: bool = False
    author: str = ""
    source_name: str = ""
    source_url: str = ""
    dateline: str = ""
    word_count: int = 0
    headings: tuple[Heading, ...] = ()
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def last_modified(self) -> datetime:
        return self.updated or self.date


@dataclass(frozen=True)
class Body:
    """An article's rendered body, kept apart so a build loads only the bodies it renders."""

    html: str
    text: str  # plain text, for search


@dataclass(frozen=True)
class Term:
    """A tag or a topic with the articles (by source id, newest first) that carry it."""

    kind: TaxonomyKind
    slug: str
    name: str
    description: str
    article_ids: tuple[str, ...]


@dataclass(frozen=True)
class Story:
    """Articles about one story: `primary` is shown in lists and feeds, the others linked."""

    story_id: str  # from the earliest member's id: stable while that member stays
    primary: str
    members: tuple[str, ...]  # primary first, then by date, then by id


@dataclass(frozen=True)
class Site:
    """The whole site as plain data: published articles newest first, and taxonomies."""

    config: Config
    articles: tuple[Article, ...]
    urls: Mapping[str, str]  # article id -> site-relative path, e.g. '2025/01/slug/'
    tags: tuple[Term, ...]
    topics: tuple[Term, ...]
    related: Mapping[str, tuple[str, ...]]  # article id -> related article ids
    built_at: datetime
    bodies: Mapping[str, Body]  # article id -> body; may load lazily
    related_key: str = ""  # changes whenever `related` may change
    stories: Mapping[str, Story] = field(default_factory=dict)  # story id -> story
    story_of: Mapping[str, str] = field(default_factory=dict)  # article id -> story id

    def collapse(self, ids: Sequence[str]) -> tuple[str, ...]:
        """One entry per story: its primary where the list holds it, else its first member."""
        if not self.story_of:
            return tuple(ids)
        present = set(ids)
        shown: list[str] = []
        done: set[str] = set()
        for article_id in ids:
            story_id = self.story_of.get(article_id)
            if story_id is None:
                shown.append(article_id)
                continue
            if story_id in done:
                continue
            primary = self.stories[story_id].primary
            if primary in present and primary != article_id:
                continue  # the primary comes later in the list and stands for the story there
            shown.append(article_id)
            done.add(story_id)
        return tuple(shown)

    def other_reports(self, article_id: str) -> tuple[str, ...]:
        story_id = self.story_of.get(article_id)
        if story_id is None:
            return ()
        return tuple(m for m in self.stories[story_id].members if m != article_id)

    def article(self, article_id: str) -> Article:
        return self._by_id[article_id]

    @cached_property
    def articles_ids(self) -> tuple[str, ...]:
        return tuple(a.source for a in self.articles)

    @cached_property
    def positions(self) -> Mapping[str, int]:
        """Article id -> its index in `articles`."""
        return {a.source: n for n, a in enumerate(self.articles)}

    @cached_property
    def _by_id(self) -> Mapping[str, Article]:
        return {a.source: a for a in self.articles}

    def terms(self, kind: TaxonomyKind) -> tuple[Term, ...]:
        return self.tags if kind == "tags" else self.topics
