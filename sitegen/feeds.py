"""Turn plain feed data into Atom 1.0, RSS 2.0, JSON Feed 1.1 and OPML 2.0 bytes."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from functools import lru_cache
from html.parser import HTMLParser
from types import MappingProxyType
from urllib.parse import urljoin

from sitegen.model import FeedFormat

FEED_FILES: Mapping[FeedFormat, str] = MappingProxyType(
    {"atom": "atom.xml", "rss": "rss.xml", "json": "feed.json"}
)
MEDIA_TYPES: Mapping[FeedFormat, str] = MappingProxyType(
    {"atom": "application/atom+xml", "rss": "application/rss+xml", "json": "application/feed+json"}
)
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
# The feed-level date of a feed without entries: fixed, so output never depends on the clock.
EMPTY_FEED_DATE = datetime(1970, 1, 1, tzinfo=UTC)

_XML_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>'
_ATOM_NS = "http://www.w3.org/2005/Atom"
_RSS_NAMESPACES = (
    ("xmlns:atom", _ATOM_NS),
    ("xmlns:content", "http://purl.org/rss/1.0/modules/content/"),
    ("xmlns:dc", "http://purl.org/dc/elements/1.1/"),
)
# Everything XML 1.0 forbids (C0 controls, lone surrogates, U+FFFE/U+FFFF) plus DEL and C1
# controls, which XML allows but discourages and no reader shows.
_ILLEGAL_CHARS = re.compile("[^\t\n\r\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

# HTML the feeds never carry: these elements go with everything inside them ...
_DROP_WITH_CONTENT = frozenset(
    {"script", "style", "iframe", "object", "applet", "frameset", "template", "svg", "math"}
)
# ... these go alone (they are void or only make sense in a page's head).
_DROP_TAG = frozenset({"embed", "frame", "base", "link", "meta", "param"})
_VOID = frozenset({"area", "br", "col", "hr", "img", "input", "source", "track", "wbr"} | _DROP_TAG)
_URL_ATTRS = frozenset(
    {"href", "src", "xlink:href", "poster", "cite", "action", "formaction", "background"}
)
_TAG_NAME = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*")
_ATTR_NAME = re.compile(r"[a-z_][a-z0-9_.:-]*")
_SAFE_STYLE = re.compile(r"[a-zA-Z0-9\s:;.,#%-]*")
_HAS_SCHEME = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*:")
# Browsers skip controls and spaces when they read a scheme ("java\tscript:").
_SCHEME_NOISE = re.compile(r"[\x00-\x20\x7f]+")
_UNSAFE_SCHEMES = ("javascript:", "vbscript:", "data:")
# Article bodies are markdown-it's HTML: a few elements, attributes quoted one way, no '<' or
# '>' in text, and no character references but these four anywhere (others, such as '&copy='
# in a URL, newer Pythons' parser reads as HTML5 does and html.unescape does not). Cleaning
# such HTML with the parser was most of a feed's time (~1.5 s of a 10,000-article build); it
# is cleaned with two regular expressions instead, to the same bytes (tests compare the two
# ways). Any other HTML takes the parser.
_PLAIN_CONTAINERS = (
    "a|blockquote|code|em|h[1-6]|li|ol|p|pre|s|section|strong|sup|table|tbody|td|th|thead|tr|ul"
)
_PLAIN_VOIDS = "br|hr|img"
_PLAIN_ATTR_NAMES = "alt|class|href|id|loading|src|start|style|title"
_PLAIN_HTML = re.compile(
    rf"""(?:[^<>&]++|&(?:amp|lt|gt|quot);|</(?:{_PLAIN_CONTAINERS})>"""
    rf"""|<(?:{_PLAIN_CONTAINERS}|{_PLAIN_VOIDS})"""
    rf"""(?: (?:{_PLAIN_ATTR_NAMES})="(?:[^"<>&]++|&(?:amp|lt|gt|quot);)*+")*+>)*+"""
)
# In plain HTML, what the parser would write differently: start tags with attributes (their
# values escaped again, URLs resolved) and '&quot;' in text (the parser writes '"').
_PLAIN_START_TAG = r'<(?P<name>[a-z][a-z0-9]*)(?P<attrs>(?: [a-z]+="[^"]*")+)>'
_PLAIN_START_TAGS = re.compile(_PLAIN_START_TAG)  # quicker to scan: it starts with a '<'
_PLAIN_REWRITES = re.compile(_PLAIN_START_TAG + "|&quot;")
_PLAIN_ATTR = re.compile(r' ([a-z]+)="([^"]*)"')


@dataclass(frozen=True)
class FeedInfo:
    """What a feed says about itself; one per feed file (site home, a tag, a topic)."""

    title: str
    subtitle: str
    home_url: str  # absolute URL of the HTML page this feed mirrors
    feed_base_url: str  # absolute URL of the folder holding the feed files, ending in '/'
    language: str  # BCP 47
    feed_id: str  # stable id: the home_url
    author: str = ""
    icon_url: str = ""
    source_label: str = "Source"  # the word before an entry's source link in its content


@dataclass(frozen=True)
class FeedEntry:
    """One article as the feeds see it; dates are timezone-aware."""

    entry_id: str  # stable, e.g. the permalink; never build time or an index
    url: str  # absolute permalink
    title: str
    published: datetime
    updated: datetime
    summary: str  # plain text
    content_html: str  # article HTML as rendered for the site (may hold relative links)
    author: str = ""
    tags: tuple[str, ...] = ()
    lang: str = ""
    source_name: str = ""
    source_url: str = ""


@dataclass(frozen=True)
class OpmlFeed:
    """One subscription in the OPML list."""

    title: str
    xml_url: str
    html_url: str
    kind: FeedFormat = "rss"


# --- text, dates, URLs ---------------------------------------------------------------------


def clean_text(text: str) -> str:
    """`text` without the characters XML cannot carry (controls, lone surrogates, U+FFFE/F)."""
    return _ILLEGAL_CHARS.sub("", text)


def _esc(text: str) -> str:
    """XML character data: '&', '<' and '>' escaped, so ']]>' can never appear; CR kept."""
    escaped = clean_text(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return escaped.replace("\r", "&#13;")


def _attrs(pairs: Sequence[tuple[str, str]]) -> str:
    """' name="value"' for each pair with a non-empty value, whitespace kept exactly."""
    out = []
    for name, value in pairs:
        if value:
            quoted = _esc(value).replace('"', "&quot;").replace("\t", "&#9;").replace("\n", "&#10;")
            out.append(f' {name}="{quoted}"')
    return "".join(out)


def _el(name: str, text: str | None, attrs: Sequence[tuple[str, str]] = ()) -> str:
    """One element on one line; `text=None` makes it empty (`<name/>`)."""
    if text is None:
        return f"<{name}{_attrs(attrs)}/>"
    return f"<{name}{_attrs(attrs)}>{_esc(text)}</{name}>"


def _aware(moment: datetime) -> datetime:
    """`moment` checked for a zone; offsets with seconds (old local mean times) become UTC."""
    offset = moment.utcoffset()
    if offset is None:
        raise ValueError(f"feed dates must be timezone-aware: {moment.isoformat()}")
    return moment.astimezone(UTC) if offset % timedelta(minutes=1) else moment


def rfc3339(moment: datetime) -> str:
    """'2025-03-01T09:30:00+01:00' in the moment's own offset; 'Z' for UTC."""
    text = _aware(moment).isoformat(timespec="seconds")
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def rfc822(moment: datetime) -> str:
    """'Sat, 01 Mar 2025 09:30:00 +0100', the RSS date format, in the moment's own offset."""
    return format_datetime(_aware(moment))


def _feed_updated(entries: Sequence[FeedEntry]) -> datetime:
    """The newest `updated` among the entries, or the fixed fallback for an empty feed."""
    return max((_aware(e.updated) for e in entries), default=EMPTY_FEED_DATE)


def resolve_url(url: str, base_url: str) -> str:
    """`url` made absolute against `base_url`; '' for script and data URLs.

    URLs with a scheme (https:, mailto:, ...) are returned as written; '#frag' becomes
    base_url#frag, so a reader never resolves it against the feed's own address.
    """
    url = url.strip()
    if _SCHEME_NOISE.sub("", url).lower().startswith(_UNSAFE_SCHEMES):
        return ""
    return url if _HAS_SCHEME.match(url) else urljoin(base_url, url)


def _resolve_srcset(srcset: str, base_url: str) -> str:
    """Each 'url descriptor' candidate of an srcset resolved; unsafe ones left out."""
    candidates = []
    for candidate in srcset.split(","):
        url, _, descriptor = candidate.strip().partition(" ")
        resolved = resolve_url(url, base_url) if url else ""
        if resolved:
            candidates.append(f"{resolved} {descriptor.strip()}".rstrip())
    return ", ".join(candidates)


# --- HTML content --------------------------------------------------------------------------


def _kept_attrs(attrs: Sequence[tuple[str, str | None]], base_url: str) -> str:
    """The attributes worth keeping, serialized; like a browser, the first of a repeated name
    wins."""
    kept = []
    seen: set[str] = set()
    for name, raw in attrs:
        if name in seen or not _ATTR_NAME.fullmatch(name) or name.startswith("on"):
            continue
        seen.add(name)
        value = clean_text(raw or "")
        if name in _URL_ATTRS or name == "srcset":
            resolve = _resolve_srcset if name == "srcset" else resolve_url
            value = resolve(value, base_url)
            if not value:
                continue
        elif name == "style" and not _SAFE_STYLE.fullmatch(value):
            continue
        kept.append(f' {name}="{html.escape(value)}"')
    return "".join(kept)


class _FeedHtml(HTMLParser):
    """Re-serializes HTML with URLs made absolute and anything scriptable left out."""

    def __init__(self, base_url: str) -> None:
        super().__init__(convert_charrefs=True)
        self.base_url = base_url
        self.out: list[str] = []
        self.dropping: list[str] = []  # open elements whose content is being left out

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._start(tag, attrs, self_closing=False)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._start(tag, attrs, self_closing=True)

    def _start(self, tag: str, attrs: list[tuple[str, str | None]], self_closing: bool) -> None:
        if tag in _DROP_WITH_CONTENT and not self_closing:
            self.dropping.append(tag)
        if self.dropping or tag in _DROP_WITH_CONTENT or tag in _DROP_TAG:
            return
        if not _TAG_NAME.fullmatch(tag):
            return
        self.out.append(f"<{tag}{_kept_attrs(attrs, self.base_url)}>")
        if self_closing and tag not in _VOID:
            self.out.append(f"</{tag}>")

    def handle_endtag(self, tag: str) -> None:
        if self.dropping:
            if tag in self.dropping:
                while self.dropping.pop() != tag:
                    pass
            return
        if tag in _VOID or tag in _DROP_WITH_CONTENT or not _TAG_NAME.fullmatch(tag):
            return
        self.out.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        if not self.dropping:
            self.out.append(html.escape(data, quote=False))


def absolutize_urls(html_text: str, base_url: str) -> str:
    """HTML with relative href/src made absolute against `base_url` (the entry's URL).

    Defensive as well: script, style, iframe, object, svg and math elements, on* handlers,
    comments and javascript:/vbscript:/data: URLs are left out.
    """
    text = clean_text(html_text)
    if _PLAIN_HTML.fullmatch(text):
        rewrites = _PLAIN_REWRITES if "&quot;" in text else _PLAIN_START_TAGS
        return rewrites.sub(lambda found: _plain_rewrite(found, base_url), text)
    return _parsed(text, base_url)


def _parsed(text: str, base_url: str) -> str:
    """absolutize_urls through an HTML parser: any HTML."""
    parser = _FeedHtml(base_url)
    parser.feed(text)
    parser.close()
    return "".join(parser.out)


def _plain_rewrite(found: re.Match[str], base_url: str) -> str:
    """What the parser makes of a start tag with attributes, or of '&quot;' in text."""
    name = found["name"]
    if name is None:
        return '"'
    attrs = [(n, html.unescape(v)) for n, v in _PLAIN_ATTR.findall(found["attrs"])]
    return f"<{name}{_kept_attrs(attrs, base_url)}>"


def _entry_html(info: FeedInfo, entry: FeedEntry) -> str:
    """The entry's content for a feed: absolute URLs, then a line naming its source."""
    return _entry_html_for(info.source_label, entry)


# One article appears in up to a dozen feeds (site, topics, tags, three formats each);
# cleaning its HTML once instead of in every feed is most of a feed build's time. The newest
# articles fill most feeds, so a small cache (about 10 MB a process) catches most reuse.
@lru_cache(maxsize=1024)
def _entry_html_for(source_label: str, entry: FeedEntry) -> str:
    body = absolutize_urls(entry.content_html, entry.url)
    source_url = _source_url(entry)
    name = entry.source_name or source_url
    if not name:
        return body
    label = html.escape(name)
    if source_url:
        label = f'<a href="{html.escape(source_url)}">{label}</a>'
    note = f'<p class="source">{html.escape(source_label)}: {label}</p>'
    return f"{body}\n{absolutize_urls(note, entry.url)}"


def _source_url(entry: FeedEntry) -> str:
    """Where the entry came from, absolute, or '' when unknown or unsafe."""
    return resolve_url(entry.source_url, entry.url) if entry.source_url else ""


def _tags(entry: FeedEntry) -> list[str]:
    """The entry's tags, cleaned, without blanks or repeats, in the given order."""
    return list(dict.fromkeys(t for t in (clean_text(t).strip() for t in entry.tags) if t))


def _other_lang(info: FeedInfo, entry: FeedEntry) -> str:
    """The entry's language when it is not the feed's, else ''."""
    return entry.lang if entry.lang.lower() != info.language.lower() else ""


# --- Atom 1.0 ------------------------------------------------------------------------------


def render_atom(info: FeedInfo, entries: Sequence[FeedEntry], full_content: bool = True) -> bytes:
    """An Atom 1.0 (RFC 4287) document for atom.xml; entries are given newest first."""
    head = [
        _el("id", info.feed_id),
        _el("title", info.title),
        _el("subtitle", info.subtitle) if info.subtitle else "",
        _el("updated", rfc3339(_feed_updated(entries))),
        _el("link", None, [("rel", "alternate"), ("type", "text/html"), ("href", info.home_url)]),
        _el("link", None, [("rel", "self"), ("type", MEDIA_TYPES["atom"]), ("href", _self(info))]),
        f"<author>{_el('name', info.author or info.title)}</author>",
        _el("icon", info.icon_url) if info.icon_url else "",
    ]
    lines = [
        _XML_DECLARATION,
        f"<feed{_attrs([('xmlns', _ATOM_NS), ('xml:lang', info.language)])}>",
    ]
    lines += [f"  {line}" for line in head if line]
    lines += [_atom_entry(info, entry, full_content) for entry in entries]
    lines.append("</feed>\n")
    return "\n".join(lines).encode("utf-8")


def _self(info: FeedInfo, kind: FeedFormat = "atom") -> str:
    """The absolute URL of this feed's own file of the given format."""
    return info.feed_base_url + FEED_FILES[kind]


# An edit renders the same few feeds again (the site's, and its terms'), and most of their
# entries are as they were: each entry's text is kept (a few MB a process).
ENTRY_CACHE = 512


@lru_cache(maxsize=ENTRY_CACHE)
def _atom_entry(info: FeedInfo, entry: FeedEntry, full_content: bool) -> str:
    source_url = _source_url(entry)
    via = [("rel", "via"), ("href", source_url), ("title", entry.source_name)]
    body = [
        _el("id", entry.entry_id),
        _el("title", entry.title),
        _el("link", None, [("rel", "alternate"), ("type", "text/html"), ("href", entry.url)]),
        _el("link", None, via) if source_url else "",
        _el("published", rfc3339(entry.published)),
        _el("updated", rfc3339(entry.updated)),
        f"<author>{_el('name', entry.author)}</author>" if entry.author else "",
        *(_el("category", None, [("term", tag)]) for tag in _tags(entry)),
        _el("summary", html.escape(entry.summary), [("type", "html")]) if entry.summary else "",
        _el("content", _entry_html(info, entry), [("type", "html")]) if full_content else "",
    ]
    start = f"  <entry{_attrs([('xml:lang', _other_lang(info, entry))])}>"
    return "\n".join([start, *(f"    {line}" for line in body if line), "  </entry>"])


# --- RSS 2.0 -------------------------------------------------------------------------------


def render_rss(info: FeedInfo, entries: Sequence[FeedEntry], full_content: bool = True) -> bytes:
    """An RSS 2.0 document for rss.xml, full HTML in content:encoded; entries newest first."""
    self_link = [("href", _self(info, "rss")), ("rel", "self"), ("type", MEDIA_TYPES["rss"])]
    head = [
        _el("title", info.title),
        _el("link", info.home_url),
        _el("description", html.escape(info.subtitle or info.title)),
        _el("language", info.language) if info.language else "",
        _el("lastBuildDate", rfc822(_feed_updated(entries))),
        _el("dc:creator", info.author) if info.author else "",
        _el("atom:link", None, self_link),
        _rss_image(info),
    ]
    lines = [_XML_DECLARATION, f'<rss version="2.0"{_attrs(_RSS_NAMESPACES)}>', "  <channel>"]
    lines += [f"    {line}" for line in head if line]
    lines += [_rss_item(info, entry, full_content) for entry in entries]
    lines += ["  </channel>", "</rss>\n"]
    return "\n".join(lines).encode("utf-8")


def _rss_image(info: FeedInfo) -> str:
    if not info.icon_url:
        return ""
    parts = (_el("url", info.icon_url), _el("title", info.title), _el("link", info.home_url))
    return f"<image>{''.join(parts)}</image>"


@lru_cache(maxsize=ENTRY_CACHE)
def _rss_item(info: FeedInfo, entry: FeedEntry, full_content: bool) -> str:
    source_url = _source_url(entry)
    permalink = "true" if entry.entry_id == entry.url else "false"
    lang = _other_lang(info, entry)
    body = [
        _el("title", entry.title),
        _el("link", entry.url),
        _el("guid", entry.entry_id, [("isPermaLink", permalink)]),
        _el("pubDate", rfc822(entry.published)),
        _el("dc:creator", entry.author) if entry.author else "",
        _el("dc:language", lang) if lang else "",
        *(_el("category", tag) for tag in _tags(entry)),
        _el("source", entry.source_name or source_url, [("url", source_url)]) if source_url else "",
        _el("description", html.escape(entry.summary)),
        _el("content:encoded", _entry_html(info, entry)) if full_content else "",
    ]
    return "\n".join(["    <item>", *(f"      {line}" for line in body if line), "    </item>"])


# --- JSON Feed 1.1 -------------------------------------------------------------------------

# Kept even when empty: required by JSON Feed 1.1 (and an item needs one of the content keys).
_JSON_REQUIRED = frozenset({"version", "title", "items", "id", "content_html", "content_text"})


def render_json_feed(
    info: FeedInfo, entries: Sequence[FeedEntry], full_content: bool = True
) -> bytes:
    """A JSON Feed 1.1 document for feed.json; '</' is written '<\\/' so it is script-safe."""
    feed = _compact(
        {
            "version": JSON_FEED_VERSION,
            "title": info.title,
            "home_page_url": info.home_url,
            "feed_url": _self(info, "json"),
            "description": info.subtitle,
            "icon": info.icon_url,
            "authors": [{"name": info.author}] if info.author else [],
            "language": info.language,
            "items": [],
        }
    )
    text = json.dumps(_scrub(feed), ensure_ascii=False, indent=2)
    if entries:  # the items, each dumped once for all feeds, go where json.dumps puts them
        items = ",\n    ".join(_json_item_text(info, entry, full_content) for entry in entries)
        head, tail = text.rsplit('"items": []', 1)
        text = f'{head}"items": [\n    {items}\n  ]{tail}'
    return (text.replace("</", "<\\/") + "\n").encode("utf-8")


@lru_cache(maxsize=ENTRY_CACHE)
def _json_item_text(info: FeedInfo, entry: FeedEntry, full_content: bool) -> str:
    """The item as json.dumps(indent=2) writes it two levels down, in a feed's items."""
    text = json.dumps(_scrub(_json_item(info, entry, full_content)), ensure_ascii=False, indent=2)
    return text.replace("\n", "\n    ")


def _json_item(info: FeedInfo, entry: FeedEntry, full_content: bool) -> dict[str, object]:
    content = (
        {"content_html": _entry_html(info, entry)}
        if full_content
        else {"content_text": entry.summary}
    )
    source_url = _source_url(entry)
    return _compact(
        {
            "id": entry.entry_id,
            "url": entry.url,
            "external_url": source_url,
            "title": entry.title,
            **content,
            "summary": entry.summary,
            "date_published": rfc3339(entry.published),
            "date_modified": rfc3339(entry.updated),
            "authors": [{"name": entry.author}] if entry.author else [],
            "tags": _tags(entry),
            "language": _other_lang(info, entry),
        }
    )


def _compact(fields: dict[str, object]) -> dict[str, object]:
    """`fields` without empty optional values (JSON Feed wants absent, not empty, URLs)."""
    return {key: value for key, value in fields.items() if value or key in _JSON_REQUIRED}


def _scrub(value: object) -> object:
    """`value` with every string cleaned of characters no feed may carry."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, list):
        return [_scrub(item) for item in value]
    if isinstance(value, dict):
        return {key: _scrub(item) for key, item in value.items()}
    return value


# --- OPML 2.0 ------------------------------------------------------------------------------


def render_opml(title: str, feeds: Sequence[OpmlFeed]) -> bytes:
    """An OPML 2.0 subscription list (feeds.opml); every outline is type="rss" as the spec asks."""
    lines = [_XML_DECLARATION, '<opml version="2.0">', "  <head>", f"    {_el('title', title)}"]
    lines += ["  </head>", "  <body>"]
    for feed in feeds:
        attrs = [
            ("type", "rss"),
            ("text", feed.title or feed.xml_url),
            ("title", feed.title),
            ("xmlUrl", feed.xml_url),
            ("htmlUrl", feed.html_url),
            ("version", "RSS" if feed.kind == "rss" else ""),
        ]
        lines.append(f"    {_el('outline', None, attrs)}")
    lines += ["  </body>", "</opml>\n"]
    return "\n".join(lines).encode("utf-8")
