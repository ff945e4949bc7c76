"""Every feed of the example site, read as a feed reader reads it."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path

import feedparser
import pytest

from sitegen.build import BuildOptions, build

REPO = Path(__file__).resolve().parents[1]
NOW = datetime(2026, 11, 29, 12, tzinfo=UTC)


@pytest.fixture(scope="module")
def output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("feeds") / "public"
    build(BuildOptions(site_dir=REPO, output=out, now=NOW, jobs=1))
    return out


def html_pages(output: Path, folder: str) -> int:
    """Entries a list page shows: the cards of all its pages."""
    pages = [output / folder / "index.html", *(output / folder / "page").glob("*/index.html")]
    return sum(p.read_text("utf-8").count('<article class="card"') for p in pages)


def scopes(output: Path) -> list[str]:
    found = [""]
    for kind in ("topics", "tags"):
        found += [f"{kind}/{p.parent.name}/" for p in sorted((output / kind).glob("*/atom.xml"))]
    return found


def test_every_page_scope_has_all_three_feeds(output: Path) -> None:
    for scope in scopes(output):
        for name in ("atom.xml", "rss.xml", "feed.json"):
            assert (output / scope / name).is_file(), scope + name
    topics = {p.name for p in (output / "topics").iterdir() if p.is_dir()}
    assert topics and all((output / "topics" / t / "atom.xml").is_file() for t in topics)


@pytest.mark.parametrize("name", ["atom.xml", "rss.xml"])
def test_xml_feeds_parse_strictly_and_in_feedparser(output: Path, name: str) -> None:
    for scope in scopes(output):
        path = output / scope / name
        ET.parse(path)  # strict XML: raises on anything malformed
        feed = feedparser.parse(path.read_bytes())
        assert not feed.bozo, (scope, feed.get("bozo_exception"))
        # As many entries as the page shows (one per story), at most the configured 50.
        assert len(feed.entries) == min(50, html_pages(output, scope)), scope
        for entry in feed.entries:
            assert entry.title and entry.id and entry.link.startswith("https://news.example.org/")
            assert entry.id == entry.link  # stable: the permalink, never a build time
            assert entry.get("published_parsed") or entry.get("updated_parsed")


def test_entries_are_newest_first_with_zoned_dates(output: Path) -> None:
    feed = feedparser.parse((output / "atom.xml").read_bytes())
    published = [e.published for e in feed.entries]
    moments = [datetime.fromisoformat(p) for p in published]
    assert all(m.tzinfo is not None for m in moments)
    assert moments == sorted(moments, reverse=True)
    # The feed's date is its newest entry's, never the build clock.
    newest = max(datetime.fromisoformat(e.updated) for e in feed.entries)
    assert datetime.fromisoformat(feed.feed.updated) == newest


def test_json_feeds_have_the_required_fields(output: Path) -> None:
    for scope in scopes(output):
        data = json.loads((output / scope / "feed.json").read_text("utf-8"))
        assert data["version"] == "https://jsonfeed.org/version/1.1"
        assert data["title"]
        assert data["feed_url"].endswith(scope + "feed.json")
        for item in data["items"]:
            assert item["id"] and (item.get("content_html") or item.get("content_text"))
            assert item["url"].startswith("https://news.example.org/")


def test_full_content_with_absolute_links_and_the_source(output: Path) -> None:
    feed = feedparser.parse((output / "topics" / "technologie" / "atom.xml").read_bytes())
    deepseek = next(e for e in feed.entries if "DeepSeek R1: Chinas" in e.title)
    html = deepseek.content[0].value
    assert "Nic Carter" in html  # the whole article, not only the summary
    assert 'href="https://example.org/it-boltwise/' in html  # link to the original
    assert "KI-Ticker" in html  # the other report of the story is named
    assert 'href="/' not in html and 'src="/' not in html


def test_opml_lists_every_topic_feed(output: Path) -> None:
    root = ET.parse(output / "feeds.opml").getroot()
    urls = {o.get("xmlUrl") for o in root.iter("outline") if o.get("xmlUrl")}
    topics = sorted(p.name for p in (output / "topics").iterdir() if p.is_dir())
    assert "https://news.example.org/atom.xml" in urls
    for topic in topics:
        assert f"https://news.example.org/topics/{topic}/atom.xml" in urls


def test_every_page_links_its_feeds(output: Path) -> None:
    topic = (output / "topics" / "klima" / "index.html").read_text("utf-8")
    assert 'rel="alternate" type="application/atom+xml"' in topic
    assert 'href="/topics/klima/atom.xml"' in topic
    home = (output / "index.html").read_text("utf-8")
    assert 'href="/feed.json"' in home and 'href="/rss.xml"' in home
    feeds_page = (output / "feeds" / "index.html").read_text("utf-8")
    assert 'href="/topics/klima/rss.xml"' in feeds_page and 'href="/feeds.opml"' in feeds_page


def test_same_content_gives_byte_identical_feeds(output: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    build(BuildOptions(site_dir=REPO, output=again, now=NOW, jobs=2, use_cache=False))
    for scope in scopes(output):
        for name in ("atom.xml", "rss.xml", "feed.json"):
            assert (again / scope / name).read_bytes() == (output / scope / name).read_bytes()
