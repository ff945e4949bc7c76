"""sitegen.feeds: what a feed reader (or a strict XML parser) sees in each format."""

from __future__ import annotations

import calendar
import json
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from typing import Any

import feedparser
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sitegen.feeds import (
    _PLAIN_HTML,
    FeedEntry,
    FeedInfo,
    OpmlFeed,
    _parsed,
    absolutize_urls,
    render_atom,
    render_json_feed,
    render_opml,
    render_rss,
)

Renderer = Callable[..., bytes]

ATOM = "{http://www.w3.org/2005/Atom}"
CONTENT_ENCODED = "{http://purl.org/rss/1.0/modules/content/}encoded"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
CET = timezone(timedelta(hours=1))
NEPAL = timezone(timedelta(hours=5, minutes=45))
NEW_YORK = timezone(timedelta(hours=-5))
HOME = "https://example.org/news/"
RATES_URL = HOME + "2025/03/rates/"

INFO = FeedInfo(
    title="Example News",
    subtitle="All the news & more",
    home_url=HOME,
    feed_base_url=HOME,
    language="en",
    feed_id=HOME,
    author="The Desk",
)
RATES = FeedEntry(
    entry_id=RATES_URL,
    url=RATES_URL,
    title="Rates & <rises>",
    published=datetime(2025, 3, 1, 9, 30, tzinfo=CET),
    updated=datetime(2025, 3, 2, 10, 0, tzinfo=CET),
    summary="The bank raised rates.",
    content_html=(
        '<p>See <a href="../../02/earlier/">earlier</a>, <a href="#chart">the chart</a>'
        ' and <img src="chart.png" alt="chart">.</p>'
        '<p><a href="https://other.example/x">other</a> <a href="mailto:desk@example.org">'
        "mail</a></p>"
    ),
    author="Ana",
    tags=("economy", "banks"),
    source_name="Wire",
    source_url="https://wire.example/story/1",
)
# Older, but updated last: the feed's own date follows it.
FLOODS = FeedEntry(
    entry_id=HOME + "2025/02/floods/",
    url=HOME + "2025/02/floods/",
    title="Hochwasser im Tal",
    published=datetime(2025, 2, 20, 6, 0, tzinfo=NEPAL),
    updated=datetime(2025, 3, 5, 6, 0, tzinfo=NEPAL),
    summary="Das Wasser steigt.",
    content_html="<p>Das Wasser steigt.</p>",
    tags=("weather",),
    lang="de",
)
MARKETS = FeedEntry(
    entry_id="urn:example:markets",
    url=HOME + "2025/02/markets/",
    title="Markets close",
    published=datetime(2025, 2, 10, 17, 0, tzinfo=NEW_YORK),
    updated=datetime(2025, 2, 10, 17, 0, tzinfo=NEW_YORK),
    summary="Stocks fell.",
    content_html="<p>Stocks fell.</p>",
)
ENTRIES = (RATES, FLOODS, MARKETS)
RENDERERS: tuple[Renderer, ...] = (render_atom, render_rss, render_json_feed)


def timestamp(parsed: Any) -> int:
    """Seconds since the epoch of a feedparser *_parsed value (a UTC struct_time)."""
    return calendar.timegm(parsed)


def content_html(renderer: Renderer, data: bytes) -> list[str]:
    """The HTML of every entry's content, as a reader of that format gets it."""
    if renderer is render_json_feed:
        return [item["content_html"] for item in json.loads(data)["items"]]
    root = ET.fromstring(data)
    tag = f"{ATOM}content" if renderer is render_atom else CONTENT_ENCODED
    return [element.text or "" for element in root.iter(tag)]


# --- each format as a reader parses it -----------------------------------------------------


def test_atom_is_read_by_feedparser_with_ids_links_and_dates() -> None:
    parsed = feedparser.parse(render_atom(INFO, ENTRIES))

    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    assert parsed.feed.title == "Example News"
    assert parsed.feed.id == HOME
    assert parsed.feed.updated == "2025-03-05T06:00:00+05:45"
    links = {link.rel: link.href for link in parsed.feed.links}
    assert links == {"alternate": HOME, "self": HOME + "atom.xml"}
    assert [e.title for e in parsed.entries] == [e.title for e in ENTRIES]
    assert [e.id for e in parsed.entries] == [e.entry_id for e in ENTRIES]
    assert [e.link for e in parsed.entries] == [e.url for e in ENTRIES]
    first = parsed.entries[0]
    assert first.published == "2025-03-01T09:30:00+01:00"
    assert first.updated == "2025-03-02T10:00:00+01:00"
    assert timestamp(first.published_parsed) == int(RATES.published.timestamp())
    assert parsed.entries[2].published == "2025-02-10T17:00:00-05:00"
    assert [t.term for t in first.tags] == ["economy", "banks"]
    assert first.author == "Ana"
    assert parsed.feed.author == "The Desk"


def test_rss_is_read_by_feedparser_with_guids_links_and_dates() -> None:
    parsed = feedparser.parse(render_rss(INFO, ENTRIES))

    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "rss20"
    assert parsed.feed.title == "Example News"
    assert parsed.feed.link == HOME
    assert parsed.feed.updated == "Wed, 05 Mar 2025 06:00:00 +0545"
    assert [e.title for e in parsed.entries] == [e.title for e in ENTRIES]
    assert [e.id for e in parsed.entries] == [e.entry_id for e in ENTRIES]
    assert [e.link for e in parsed.entries] == [e.url for e in ENTRIES]
    first = parsed.entries[0]
    assert first.published == "Sat, 01 Mar 2025 09:30:00 +0100"
    assert timestamp(first.published_parsed) == int(RATES.published.timestamp())
    assert parsed.entries[1].published == "Thu, 20 Feb 2025 06:00:00 +0545"
    assert first.summary == "The bank raised rates."
    assert "Stocks fell." in parsed.entries[2].content[0].value
    assert [t.term for t in first.tags] == ["economy", "banks"]
    assert first.author == "Ana"


def test_rss_guid_is_a_permalink_only_when_the_id_is_the_url() -> None:
    root = ET.fromstring(render_rss(INFO, ENTRIES))

    guids = [(g.text, g.get("isPermaLink")) for g in root.iter("guid")]
    assert guids[0] == (RATES_URL, "true")
    assert guids[2] == ("urn:example:markets", "false")


def test_atom_parses_strictly_with_self_link_and_entry_languages() -> None:
    root = ET.fromstring(render_atom(INFO, ENTRIES))

    assert root.tag == f"{ATOM}feed"
    assert root.get(XML_LANG) == "en"
    self_links = [x.get("href") for x in root.findall(f"{ATOM}link") if x.get("rel") == "self"]
    assert self_links == [HOME + "atom.xml"]
    entries = root.findall(f"{ATOM}entry")
    assert [e.get(XML_LANG) for e in entries] == [None, "de", None]
    assert [e.findtext(f"{ATOM}id") for e in entries] == [e.entry_id for e in ENTRIES]
    assert [c.get("type") for c in root.iter(f"{ATOM}content")] == ["html"] * 3


def test_rss_parses_strictly_with_self_link() -> None:
    root = ET.fromstring(render_rss(INFO, ENTRIES))

    assert root.tag == "rss" and root.get("version") == "2.0"
    self_link = root.find(f"channel/{ATOM}link")
    assert self_link is not None
    assert (self_link.get("rel"), self_link.get("href")) == ("self", HOME + "rss.xml")
    assert root.findtext("channel/language") == "en"
    assert len(root.findall("channel/item")) == 3


def test_json_feed_has_the_required_fields_and_dates() -> None:
    feed = json.loads(render_json_feed(INFO, ENTRIES))

    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["title"] == "Example News"
    assert feed["home_page_url"] == HOME
    assert feed["feed_url"] == HOME + "feed.json"
    assert feed["authors"] == [{"name": "The Desk"}]
    assert feed["language"] == "en"
    items = feed["items"]
    assert [i["id"] for i in items] == [e.entry_id for e in ENTRIES]
    assert [i["url"] for i in items] == [e.url for e in ENTRIES]
    assert all(isinstance(i["content_html"], str) for i in items)
    assert items[0]["date_published"] == "2025-03-01T09:30:00+01:00"
    assert items[0]["date_modified"] == "2025-03-02T10:00:00+01:00"
    assert items[0]["authors"] == [{"name": "Ana"}]
    assert items[0]["tags"] == ["economy", "banks"]
    assert items[0]["summary"] == "The bank raised rates."
    assert [i.get("language") for i in items] == [None, "de", None]


def test_json_feed_cannot_close_a_script_tag() -> None:
    data = render_json_feed(INFO, ENTRIES)

    assert b"</" not in data
    assert json.loads(data)["items"][2]["content_html"] == "<p>Stocks fell.</p>"


def test_opml_lists_every_feed() -> None:
    feeds = [
        OpmlFeed("Example News", HOME + "atom.xml", HOME, kind="atom"),
        OpmlFeed("Tag: banks", HOME + "tags/banks/rss.xml", HOME + "tags/banks/", kind="rss"),
    ]
    root = ET.fromstring(render_opml("Example News & feeds", feeds))

    assert root.get("version") == "2.0"
    assert root.findtext("head/title") == "Example News & feeds"
    outlines = root.findall("body/outline")
    assert [(o.get("text"), o.get("xmlUrl"), o.get("htmlUrl")) for o in outlines] == [
        (f.title, f.xml_url, f.html_url) for f in feeds
    ]
    assert all(o.get("type") == "rss" for o in outlines)


# --- content -------------------------------------------------------------------------------


@pytest.mark.parametrize("renderer", RENDERERS)
def test_relative_links_and_images_become_absolute(renderer: Renderer) -> None:
    first = content_html(renderer, renderer(INFO, ENTRIES))[0]

    assert 'href="https://example.org/news/2025/02/earlier/"' in first
    assert 'href="https://example.org/news/2025/03/rates/#chart"' in first
    assert 'src="https://example.org/news/2025/03/rates/chart.png"' in first
    assert 'href="https://other.example/x"' in first
    assert 'href="mailto:desk@example.org"' in first


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ('<a href="b/">x</a>', '<a href="https://ex.org/a/b/">x</a>'),
        ('<a href="/top">x</a>', '<a href="https://ex.org/top">x</a>'),
        ('<img src="//cdn.ex/i.png">', '<img src="https://cdn.ex/i.png">'),
        ('<a href="#f">x</a>', '<a href="https://ex.org/a/#f">x</a>'),
        ('<a href="HTTP://Ex.org/?q=">x</a>', '<a href="HTTP://Ex.org/?q=">x</a>'),
        ('<a href="mailto:a@b.c">x</a>', '<a href="mailto:a@b.c">x</a>'),
        ('<a href="?a=1&amp;b=2">x</a>', '<a href="https://ex.org/a/?a=1&amp;b=2">x</a>'),
        (
            '<img srcset="s.png 1x, /l.png 2x">',
            '<img srcset="https://ex.org/a/s.png 1x, https://ex.org/l.png 2x">',
        ),
        ("<p>a &lt; b &amp; c<br/></p>", "<p>a &lt; b &amp; c<br></p>"),
        ('<td style="text-align:right">1</td>', '<td style="text-align:right">1</td>'),
    ],
)
def test_absolutize_urls(html: str, expected: str) -> None:
    assert absolutize_urls(html, "https://ex.org/a/") == expected


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("<p>a<script>alert(1)</script>b</p>", "<p>ab</p>"),
        ("<style>p{}</style><p>a</p>", "<p>a</p>"),
        ('<iframe src="https://evil.ex/"><p>x</p></iframe>ok', "ok"),
        ('<img src="i.png" onerror="alert(1)">', '<img src="https://ex.org/a/i.png">'),
        ('<a href="javascript:alert(1)">x</a>', "<a>x</a>"),
        ('<a href=" JaVa&#x09;Script:alert(1)">x</a>', "<a>x</a>"),
        ('<a href="vbscript:x">x</a>', "<a>x</a>"),
        ('<img src="data:text/html;base64,PHNjcmlwdD4=">', "<img>"),
        ('<a href="javascript:x" href="/ok">x</a>', "<a>x</a>"),
        ("<!-- <script>x</script> --><p>a</p>", "<p>a</p>"),
        ('<svg><a xlink:href="javascript:x">x</a></svg>z', "z"),
        ('<p style="background:url(javascript:x)">a</p>', "<p>a</p>"),
        ('<xmp><p title="</xmp><script>x</script>">', '<xmp><p title="&lt;/xmp&gt;'),
    ],
)
def test_absolutize_urls_leaves_out_anything_scriptable(html: str, expected: str) -> None:
    assert absolutize_urls(html, "https://ex.org/a/").startswith(expected)
    assert "<script" not in absolutize_urls(html, "https://ex.org/a/")


def test_html_with_other_references_in_attributes_takes_the_parser() -> None:
    """'&copy=2' in a URL: Python's parser reads it as HTML5 does from 3.13 on, html.unescape
    not; such HTML never takes the quick way, so both ways agree on every Python."""
    html = '<p><a href="/s?q=1&copy=2" title="R&amp;D">x</a></p>'
    assert _PLAIN_HTML.fullmatch(html) is None
    assert absolutize_urls(html, "https://ex.org/a/") == _parsed(html, "https://ex.org/a/")
    assert _PLAIN_HTML.fullmatch('<p><a href="/s?q=1&amp;c=2" title="R&amp;D">x</a></p>')


def test_source_is_attributed_in_every_format() -> None:
    atom = ET.fromstring(render_atom(INFO, ENTRIES)).find(f"{ATOM}entry")
    assert atom is not None
    via = [x for x in atom.findall(f"{ATOM}link") if x.get("rel") == "via"]
    assert [(x.get("href"), x.get("title")) for x in via] == [(RATES.source_url, "Wire")]

    source = ET.fromstring(render_rss(INFO, ENTRIES)).find("channel/item/source")
    assert source is not None and (source.get("url"), source.text) == (RATES.source_url, "Wire")

    item = json.loads(render_json_feed(INFO, ENTRIES))["items"][0]
    assert item["external_url"] == RATES.source_url

    line = '<p class="source">Source: <a href="https://wire.example/story/1">Wire</a></p>'
    for renderer in RENDERERS:
        assert content_html(renderer, renderer(INFO, ENTRIES))[0].endswith(line)


def test_an_unsafe_source_url_is_left_out() -> None:
    entry = replace(RATES, source_url="javascript:alert(1)")

    for renderer in RENDERERS:
        assert b"javascript" not in renderer(INFO, [entry])


def test_summary_only_feeds_carry_no_full_content() -> None:
    atom = ET.fromstring(render_atom(INFO, ENTRIES, full_content=False))
    rss = ET.fromstring(render_rss(INFO, ENTRIES, full_content=False))
    items = json.loads(render_json_feed(INFO, ENTRIES, full_content=False))["items"]

    assert atom.find(f"{ATOM}entry/{ATOM}content") is None
    assert atom.findtext(f"{ATOM}entry/{ATOM}summary") == "The bank raised rates."
    assert rss.find(f"channel/item/{CONTENT_ENCODED}") is None
    assert rss.findtext("channel/item/description") == "The bank raised rates."
    assert [i["content_text"] for i in items] == [e.summary for e in ENTRIES]
    assert all("content_html" not in i for i in items)


# --- dates and determinism -----------------------------------------------------------------


@pytest.mark.parametrize("renderer", RENDERERS)
def test_same_input_gives_identical_bytes(renderer: Renderer) -> None:
    assert renderer(INFO, ENTRIES) == renderer(INFO, list(ENTRIES))


def test_an_empty_feed_is_valid_and_dated_at_the_epoch() -> None:
    atom = feedparser.parse(render_atom(INFO, []))
    rss = feedparser.parse(render_rss(INFO, []))

    assert not atom.bozo and not rss.bozo
    assert atom.feed.updated == "1970-01-01T00:00:00Z"
    assert rss.feed.updated == "Thu, 01 Jan 1970 00:00:00 +0000"
    assert atom.entries == [] and rss.entries == []
    assert json.loads(render_json_feed(INFO, []))["items"] == []


def test_a_date_without_zone_is_refused() -> None:
    entry = replace(MARKETS, published=datetime(2025, 1, 1))

    for renderer in RENDERERS:
        with pytest.raises(ValueError, match="timezone-aware"):
            renderer(INFO, [entry])


# --- anything in, well-formed out ----------------------------------------------------------

NASTY = st.sampled_from(
    [
        "]]>",
        "<![CDATA[",
        "<script>alert(1)</script>",
        "<SCRIPT SRC=//x.js>",
        "</script>",
        "<img src=x onerror=alert(1)>",
        '<a href="javascript:alert(1)">',
        "&",
        "&amp;",
        "&#0;",
        "<!--",
        "\x00",
        "\x1b",
        "\x85",
        "\r\n",
        "\ud800",
        "\udfff",
        "\ufffe",
        "\uffff",
        '"',
    ]
)
TEXT = st.lists(st.one_of(st.text(st.characters(), max_size=8), NASTY), max_size=8).map("".join)


def shown_in_xml(char: str) -> bool:
    """XML 1.0's Char production, without DEL and the C1 controls no reader shows."""
    code = ord(char)
    return (
        char in "\t\n\r"
        or 0x20 <= code <= 0x7E
        or 0xA0 <= code <= 0xD7FF
        or 0xE000 <= code <= 0xFFFD
        or code >= 0x10000
    )


def script_free(text: str | None) -> bool:
    return "<script" not in (text or "").lower()


@settings(deadline=None, max_examples=150)
@given(title=TEXT, summary=TEXT, body=TEXT, tags=st.lists(TEXT, max_size=3), author=TEXT)
def test_any_text_gives_well_formed_script_free_feeds(
    title: str, summary: str, body: str, tags: Sequence[str], author: str
) -> None:
    entry = replace(
        RATES,
        title=title,
        summary=summary,
        content_html=body,
        tags=tuple(tags),
        author=author,
        source_name=title,
    )
    info = replace(INFO, title=title, subtitle=summary)

    shown_title = "".join(c for c in title if shown_in_xml(c))
    for data in (render_atom(info, [entry]), render_rss(info, [entry])):
        root = ET.fromstring(data)  # raises on anything not well-formed
        assert not feedparser.parse(data).bozo
        assert not [e for e in root.iter() if e.tag.rsplit("}", 1)[-1].lower() == "script"]
        for name in (f"{ATOM}content", f"{ATOM}summary", CONTENT_ENCODED, "description"):
            assert all(script_free(e.text) for e in root.iter(name))
        titles = [e.text or "" for e in root.iter() if e.tag in (f"{ATOM}title", "title")]
        assert titles[-1] == shown_title

    data = render_json_feed(info, [entry])
    assert b"</" not in data
    feed = json.loads(data)
    assert feed["items"][0]["title"] == shown_title
    assert script_free(feed["items"][0]["content_html"])
    ET.fromstring(render_opml(title, [OpmlFeed(title, HOME + "atom.xml", HOME)]))


@settings(deadline=None, max_examples=100)
@given(title=TEXT, summary=TEXT, tags=st.lists(TEXT, max_size=3), count=st.integers(0, 3))
def test_json_feed_is_laid_out_exactly_as_json_dumps_writes_it(
    title: str, summary: str, tags: Sequence[str], count: int
) -> None:
    """Items are dumped one by one (and kept for the next feed), then spliced into the feed:
    the result must be what dumping the whole document at once writes."""
    entries = [
        replace(RATES, title=f"{title}{n}", summary=summary, tags=tuple(tags)) for n in range(count)
    ]
    info = replace(INFO, title='"items": []' + title)
    text = render_json_feed(info, entries).decode("utf-8")
    whole = json.dumps(json.loads(text), ensure_ascii=False, indent=2)
    assert text == whole.replace("</", "<\\/") + "\n"
    assert [item["id"] for item in json.loads(text)["items"]] == [e.entry_id for e in entries]
