"""Property tests: whatever the input, front matter, slugs, output paths, feeds and the search
tokenizer either do their job or refuse with the error their callers handle, never anything else."""

from __future__ import annotations

import contextlib
import json
import os
import re
import unicodedata
import xml.etree.ElementTree as ElementTree
import zlib
from datetime import UTC, datetime
from pathlib import Path

import html5lib
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sitegen.config import parse_config
from sitegen.content import parse_article, split_front_matter
from sitegen.feeds import (
    _PLAIN_HTML,
    FeedEntry,
    FeedInfo,
    OpmlFeed,
    _parsed,
    absolutize_urls,
    clean_text,
    render_atom,
    render_json_feed,
    render_opml,
    render_rss,
)
from sitegen.markdown import MarkdownRenderer
from sitegen.model import Config, InputError
from sitegen.output import safe_relative
from sitegen.search import SearchDoc, build_search_index, fold, term_key, tokenize
from sitegen.slug import MAX_SLUG_LENGTH, RESERVED_NAMES, slugify, term_slug
from sitegen.yamlio import YamlError, load_yaml

CONFIG = Config(title="T", base_url="https://example.org/", timezone="Europe/Berlin")
RENDERER = MarkdownRenderer()
SLUG = re.compile(r"([a-z0-9]+(-[a-z0-9]+)*)?")
PROPERTY = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Pieces YAML and front matter are made of, so random text reaches the interesting paths.
YAML_BITS = [
    "---\n", "...\n", "title: ", "date: ", "tags: ", "slug: ", "draft: ", "updated: ", "\n",
    "  ", "- ", ": ", "? ", "&a ", "*a", "<<: *a\n", "!!python/object:os.system ", "!!str ",
    "!!binary ", "!foo ", "[", "]", "{", "}", ",", "'", '"', "\\", "#", "|", ">", "%YAML 1.1\n",
    "2025-01-01", "T10:00:00", "+01:00", "Z", "9999-12-31", "0001-01-01", "NO", "yes", "~",
    "null", ".inf", "0x1F", "1e400", "\t", "\r", "\x00", "\x85", "\u2028", "\ufeff", "ü", "🎉",
    "\u202e", "{{ 7*7 }}", "]]>", "<script>",
]  # fmt: skip
yamlish = st.lists(st.sampled_from(YAML_BITS) | st.text(max_size=4), max_size=40).map("".join)


@PROPERTY
@given(yamlish)
def test_yaml_raises_only_yaml_error(text: str) -> None:
    with contextlib.suppress(YamlError):
        load_yaml(text)


@PROPERTY
@given(yamlish, yamlish)
def test_front_matter_raises_only_input_error(front: str, body: str) -> None:
    for text in (f"---\n{front}\n---\n{body}", front + body):
        try:
            split_front_matter(text, "content/a.md")
        except InputError as error:
            assert all(p.path == "content/a.md" for p in error.problems)


@PROPERTY
@given(st.one_of(yamlish.map(lambda t: ("---\n" + t + "\n---\nbody").encode()), st.binary()))
def test_parse_article_raises_only_input_error(data: bytes) -> None:
    try:
        article, body = parse_article("content/a.md", data, CONFIG, RENDERER)
    except InputError:
        return
    assert article.date.utcoffset() is not None
    assert article.date.astimezone(UTC).year >= 1  # the date survives a move to UTC
    assert SLUG.fullmatch(article.slug) or article.slug.startswith("t-")
    assert isinstance(body.html, str)


@PROPERTY
@given(yamlish)
def test_config_raises_only_input_error(text: str) -> None:
    with contextlib.suppress(InputError):
        parse_config(text, Path("."))


@PROPERTY
@given(st.text())
def test_slugs_are_safe_path_segments(text: str) -> None:
    slug = slugify(text)
    assert SLUG.fullmatch(slug)
    assert len(slug) <= MAX_SLUG_LENGTH + 2  # '-1' after a device name
    assert slug not in RESERVED_NAMES
    assert slugify(slug) == slug
    term = term_slug(text)
    assert term
    safe_relative(f"tags/{term}/index.html")
    assert term_slug(unicodedata.normalize("NFD", text)) == term_slug(
        unicodedata.normalize("NFC", text)
    )


PATH_BITS = ["a", "b.html", ".", "..", "/", "//", "\\", "\x00", "con", "CON.txt", "~", " ", "é"]


@PROPERTY
@given(st.lists(st.sampled_from(PATH_BITS) | st.text(max_size=3), max_size=12).map("".join))
def test_safe_relative_never_leaves_the_root(path: str) -> None:
    try:
        relative = safe_relative(path)
    except ValueError:
        return
    assert str(relative) == path, "checked paths are never silently rewritten"
    assert not relative.is_absolute()
    assert ".." not in relative.parts and "." not in relative.parts
    root = "/srv/out"
    joined = os.path.normpath(os.path.join(root, str(relative)))
    assert joined.startswith(root + "/")


TEXT = st.lists(
    st.characters(blacklist_categories=["Cs"]) | st.sampled_from(["]]>", "<", "&", "\r", "\x00"]),
    max_size=30,
).map("".join)


def _entry(title: str, summary: str, html: str, tags: list[str]) -> FeedEntry:
    moment = datetime(2025, 3, 1, 10, tzinfo=UTC)
    return FeedEntry(
        entry_id="https://example.org/a/",
        url="https://example.org/a/",
        title=title,
        published=moment,
        updated=moment,
        summary=summary,
        content_html=html,
        tags=tuple(tags),
        source_name=summary[:10],
        source_url=f"https://example.org/{title[:5]}",
    )


INFO = FeedInfo("Feed", "", "https://example.org/", "https://example.org/", "en", "id")


@PROPERTY
@given(TEXT, TEXT, TEXT, st.lists(TEXT, max_size=3))
def test_feeds_always_parse_and_keep_the_text(
    title: str, summary: str, html: str, tags: list[str]
) -> None:
    entry = _entry(title, summary, html, tags)
    for render in (render_atom, render_rss):
        root = ElementTree.fromstring(render(INFO, [entry]))
        titles = [e.text or "" for e in root.iter() if e.tag.split("}")[-1] == "title"]
        assert clean_text(title).replace("\r", "\n") in [t.replace("\r", "\n") for t in titles]
    feed = json.loads(render_json_feed(INFO, [entry]))
    assert feed["items"][0]["title"] == clean_text(title)
    ElementTree.fromstring(render_opml(title, [OpmlFeed(title, "https://e.org/f", "x")]))


EVIL_HTML = [
    "<script>x</script>", "<img src=x onerror=alert(1)>", "<a href='javascript:x'>", "<svg>",
    "<iframe src=//e>", "<a href=' java\tscript:x'>", "<base href=//e>", "<style>*{}</style>",
    "<!--", "-->", "<p ", "onload=x", "<meta http-equiv=refresh>", "</", "<a href=data:x>",
]  # fmt: skip


@PROPERTY
@given(st.lists(st.sampled_from(EVIL_HTML) | st.text(max_size=4), max_size=25).map("".join))
def test_feed_html_never_carries_scripts(html: str) -> None:
    cleaned = absolutize_urls(html, "https://example.org/a/")
    document = html5lib.parse(cleaned, namespaceHTMLElements=False)
    for element in document.iter():
        assert str(element.tag).lower() not in ("script", "iframe", "base", "meta", "svg")
        for name, value in element.attrib.items():
            assert not str(name).lower().startswith("on")
            compact = "".join(c for c in value if c > " ").lower()
            assert not compact.startswith(("javascript:", "vbscript:", "data:"))


# Markdown that makes every element markdown-it writes for an article, and some that it escapes.
MARKDOWN_BITS = [
    "# T\n", "## Sub\n", "\n\n", "*em* ", "**strong** ", "~~gone~~ ", "`code <x> & \"q\"`",
    "[link](rel/page?a=1&b=2 'it\\'s')", "[top](/top)", "[mail](mailto:a@b.c)",
    "![alt \"q\" 'a'](img/x.png)", "[evil](javascript:alert(1))", "<script>x</script>",
    "> quote\n", "- item\n", "3. three\n", "```\n<pre>&amp;\n```\n", "a  \nb", "***\n",
    "| a | b |\n|--:|:-:|\n| 1 | 2 |\n", "note[^1]\n\n[^1]: foot\n", "&copy; &#39; &quot; ",
    "<https://ex.org/a?b&c>", "\r\n", "\x0b",
]  # fmt: skip


@PROPERTY
@given(st.lists(st.sampled_from(MARKDOWN_BITS) | st.text(max_size=6), max_size=20).map("".join))
def test_feed_html_of_markdown_is_cleaned_the_quick_way_to_the_same_bytes(source: str) -> None:
    rendered = RENDERER.render(source).html
    assert _PLAIN_HTML.fullmatch(clean_text(rendered))
    assert absolutize_urls(rendered, "https://example.org/a/") == _parsed(
        clean_text(rendered), "https://example.org/a/"
    )


@PROPERTY
@given(st.lists(st.sampled_from(EVIL_HTML + MARKDOWN_BITS) | st.text(max_size=4), max_size=25))
def test_feed_html_is_cleaned_alike_either_way(pieces: list[str]) -> None:
    html = "".join(RENDERER.render(p).html if i % 3 == 0 else p for i, p in enumerate(pieces))
    text = clean_text(html)
    assert absolutize_urls(html, "https://example.org/a/") == _parsed(
        text, "https://example.org/a/"
    )


@PROPERTY
@given(st.text())
def test_tokenizer_gives_lower_case_words(text: str) -> None:
    tokens = tokenize(text)
    for token in tokens:
        assert re.fullmatch(r"\w+", token) and "_" not in token
        assert token == token.lower()
        key = term_key(token, "de")
        assert key is None or (key and fold(key) == key)
    assert tokenize(unicodedata.normalize("NFD", text)) == tokens


@PROPERTY
@given(st.lists(st.tuples(TEXT, TEXT, st.sampled_from(["de", "en", "fr", "x"])), max_size=6))
def test_search_index_takes_any_text(docs: list[tuple[str, str, str]]) -> None:
    moment = datetime(2025, 3, 1, tzinfo=UTC)
    files = build_search_index(
        [
            SearchDoc(f"content/{i}.md", f"{i}/", title, lang, moment, title, text, (), (), "")
            for i, (title, text, lang) in enumerate(docs)
        ]
    )
    root = json.loads(zlib.decompress(files["index.bin"]))
    assert root["n"] == len(docs)


@pytest.mark.parametrize("word", ["İstanbul", "ǅemal", "Straße", "ﬁsh", "Ǆ"])
def test_fold_is_stable(word: str) -> None:
    assert fold(fold(word)) == fold(word)
