"""Plain frozen dataclasses passed between the importer's stages."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ImportOptions:
    """What the `sitegen import` command line asked for."""

    topics: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    source_name: str | None = None
    lang: str | None = None
    dry_run: bool = False
    force: bool = False
    explain: bool = False
    to_stdout: bool = False


@dataclass(frozen=True)
class Removal:
    """A piece of the input the cleaner left out, and why (shown by --explain)."""

    text: str
    reason: str


@dataclass(frozen=True)
class Extracted:
    """The article found in one input: body as Markdown plus what the page said about itself."""

    title: str | None
    markdown: str
    paragraphs: tuple[str, ...]  # plain text of each block, in order
    dateline: str | None = None
    source: str | None = None
    author: str | None = None
    date: str | None = None  # as the page gave it; parsed by metadata
    lang: str | None = None
    keywords: tuple[str, ...] = ()
    description: str | None = None
    removed: tuple[Removal, ...] = ()


@dataclass(frozen=True)
class SourceConfig:
    """One entry of site.yaml's `sources:` list, validated."""

    name: str
    url: str
    topics: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    lang: str | None = None
    drop_patterns: tuple[str, ...] = ()


@dataclass(frozen=True)
class Item:
    """One thing to import: where it came from and the raw input, not yet decoded or cleaned."""

    origin: str  # a path or URL, as the user or the feed named it
    source_url: str | None  # the article's web address, when known
    data: bytes
    content_type: str = ""  # e.g. text/html; charset=utf-8
    kind: str = ""  # html | text, when known from the name or the header
    feed_title: str | None = None  # what a feed entry said: its title comes before the page's
    feed_date: str | None = None
    feed_author: str | None = None
    feed_tags: tuple[str, ...] = ()
    entry_id: str | None = None
    source: SourceConfig | None = None


@dataclass(frozen=True)
class Outcome:
    """What happened to one item: written, skipped as a duplicate, or failed (with why)."""

    origin: str
    status: str  # written | duplicate | failed | printed | dry-run
    message: str = ""
    path: str | None = None
    entry_keys: tuple[str, ...] = field(default=())
