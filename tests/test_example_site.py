"""The example site as a reader sees it: every due article has its page, the sample is clean.

Built once per test process (fixture example_output) from a copy of the repository's site,
with the fixed clock of conftest.py.
"""

from __future__ import annotations

import functools
import json
import re
import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import html5lib
import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
SAMPLE = Path(__file__).resolve().parent / "fixtures" / "boltwise-deepseek-r1.txt"
DEEPSEEK_TITLE = "DeepSeek R1: Chinas Offene KI-Entwicklung Überrascht Die Welt"
# Words of the promo, job, book, comment, newsletter and search-engine lines of the sample.
JUNK_WORDS = ("Stellenangebote", "(m/w/d)", "Kommentar", "Google", "Patreon", "StepStone",
              "Bücher", "eMail", "Bing", "BOLTWISE®", "Newsletter")  # fmt: skip
PAGE_BUDGET = 30 * 1024
NS = "{http://www.w3.org/1999/xhtml}"


def front_matter(path: Path) -> dict[str, Any]:
    """The front matter of a content file, read with plain PyYAML (not sitegen's reader)."""
    text = path.read_text(encoding="utf-8-sig")
    _, front, _ = text.split("---\n", 2)
    meta = yaml.safe_load(front)
    assert isinstance(meta, dict)
    return meta


def moment(value: Any) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if not isinstance(value, datetime):
        assert isinstance(value, date)
        value = datetime.combine(value, time())
    zone = ZoneInfo(yaml.safe_load((REPO / "site.yaml").read_text(encoding="utf-8"))["timezone"])
    result: datetime = value if value.tzinfo else value.replace(tzinfo=zone)
    return result


@functools.cache
def articles() -> dict[str, dict[str, Any]]:
    """Front matter of every content file, by path relative to the repository."""
    files = sorted((REPO / "content").rglob("*.md"))
    return {p.relative_to(REPO).as_posix(): front_matter(p) for p in files}


def is_due(meta: dict[str, Any], now: datetime) -> bool:
    expires = meta.get("expires")
    return (
        not meta.get("draft", False)
        and moment(meta["date"]) <= now
        and (expires is None or moment(expires) > now)
    )


def parse(path: Path) -> ET.Element:
    root: ET.Element = html5lib.parse(path.read_bytes(), treebuilder="etree")
    return root


def text_of(element: ET.Element) -> str:
    return " ".join("".join(element.itertext()).split())


def find_all(root: ET.Element, tag: str, cls: str | None = None) -> list[ET.Element]:
    found = root.iter(f"{NS}{tag}")
    return [e for e in found if cls is None or cls in (e.get("class") or "").split()]


def article_pages(output: Path) -> dict[str, Path]:
    """h1 of every article page (the folders under a year) -> its file."""
    pages = {}
    for path in sorted(output.glob("[0-9][0-9][0-9][0-9]/**/index.html")):
        (h1,) = find_all(parse(path), "h1")
        pages[text_of(h1)] = path
    return pages


@pytest.fixture(scope="module")
def pages(example_output: Path) -> dict[str, Path]:
    return article_pages(example_output)


@pytest.fixture(scope="module")
def deepseek(pages: dict[str, Path]) -> ET.Element:
    return parse(pages[DEEPSEEK_TITLE])


def test_the_example_site_has_what_the_issue_asks_for(fixed_now: datetime) -> None:
    found = articles()
    assert len(found) >= 12
    assert {m.get("lang", "de") for m in found.values()} >= {"de", "en"}
    assert len({t for m in found.values() for t in m.get("topics", [])}) >= 4
    assert len({t for m in found.values() for t in m.get("tags", [])}) >= 15
    assert any(m.get("draft") for m in found.values())
    assert any(moment(m["date"]) > fixed_now for m in found.values())


def test_every_due_article_has_its_page(pages: dict[str, Path], fixed_now: datetime) -> None:
    due = [m["title"] for m in articles().values() if is_due(m, fixed_now)]
    assert set(pages) == {unicodedata.normalize("NFC", title) for title in due}


def test_drafts_and_future_articles_have_no_page(example_output: Path, fixed_now: datetime) -> None:
    hidden = [m["title"] for m in articles().values() if not is_due(m, fixed_now)]
    assert len(hidden) >= 2
    for path in example_output.rglob("*"):
        if path.is_file() and path.suffix in (".html", ".xml", ".json"):
            text = path.read_text(encoding="utf-8")
            for title in hidden:
                assert title not in text, f"{title!r} appears in {path}"


def sample_paragraphs() -> list[str]:
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines[2:9]]  # lines 3-9: the seven article paragraphs


def sample_junk() -> list[str]:
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()[9:]
    return [line.strip().removeprefix("- ") for line in lines if line.strip()]


def test_the_fixture_is_the_shared_sample() -> None:
    paragraphs = sample_paragraphs()
    assert len(paragraphs) == 7 and all(len(p) > 150 for p in paragraphs)
    assert len(sample_junk()) >= 15


def test_deepseek_page_holds_its_seven_paragraphs_once_each_in_order(
    deepseek: ET.Element,
) -> None:
    (body,) = find_all(deepseek, "div", "body")
    paragraphs = [text_of(p) for p in find_all(body, "p")]
    assert paragraphs == sample_paragraphs()


def test_deepseek_lede_is_not_repeated(deepseek: ET.Element) -> None:
    lede = SAMPLE.read_text(encoding="utf-8").splitlines()[0].split(" – ", 1)[1].strip()
    (article,) = find_all(deepseek, "article")
    assert text_of(article).count(lede) == 1


def test_deepseek_page_has_none_of_the_junk(deepseek: ET.Element, pages: dict[str, Path]) -> None:
    page_text = text_of(deepseek)
    raw = pages[DEEPSEEK_TITLE].read_text(encoding="utf-8")
    for line in sample_junk():
        assert line not in page_text
    for word in JUNK_WORDS:
        assert word not in raw, word


def test_deepseek_page_names_source_dateline_and_language(deepseek: ET.Element) -> None:
    (article,) = find_all(deepseek, "article")
    assert article.get("lang") == "de"
    assert deepseek.get("lang") == "de"
    (source,) = find_all(article, "p", "source")
    assert "IT BOLTWISE" in text_of(source)
    assert [a.get("href", "").startswith("https://") for a in find_all(source, "a")] == [True]
    (dateline,) = find_all(article, "p", "dateline")
    assert text_of(dateline) == "PEKING / MÜNCHEN"
    assert find_all(article, "time")[0].get("datetime") == "2025-01-28T10:00:00+01:00"


def term_titles(path: Path) -> set[str]:
    root = parse(path)
    (main,) = find_all(root, "main")
    return {text_of(a) for a in find_all(main, "a")}


def test_tags_ki_and_KI_share_one_page(example_output: Path) -> None:
    spellings = {
        path: {tag for tag in meta.get("tags", []) if tag.casefold() == "ki"}
        for path, meta in articles().items()
    }
    assert {"KI", "ki"} <= set().union(*spellings.values())
    assert not (example_output / "tags" / "ki-1").exists()
    titles = term_titles(example_output / "tags" / "ki" / "index.html")
    for path, names in spellings.items():
        meta = articles()[path]
        if names and not meta.get("draft"):
            # Another report of a story is linked by its source under the story's entry.
            assert meta["title"] in titles or meta.get("source") in titles, meta["title"]


def test_nfc_and_nfd_mueller_share_one_page(example_output: Path) -> None:
    tagged = [
        m["title"]
        for m in articles().values()
        if any(unicodedata.normalize("NFC", t) == "Müller" for t in m.get("tags", []))
    ]
    raw = [(REPO / p).read_bytes() for p in articles()]
    assert any("Mu\u0308ller".encode() in data for data in raw)  # one file spells it NFD
    assert len(tagged) >= 2
    titles = term_titles(example_output / "tags" / "mueller" / "index.html")
    assert all(unicodedata.normalize("NFC", t) in titles for t in tagged)


def same_site_resources(page: Path, output: Path) -> list[Path]:
    """Stylesheets, scripts and images the page loads from the site itself."""
    root = parse(page)
    urls = [e.get("href") for e in find_all(root, "link") if e.get("rel") == "stylesheet"]
    urls += [e.get("src") for e in (*find_all(root, "script"), *find_all(root, "img"))]
    files = []
    for url in filter(None, urls):
        assert not re.match(r"^(https?:)?//", url), f"{page}: external request to {url}"
        files.append(output / url.lstrip("/"))
    return files


def test_every_article_page_with_its_css_is_under_30_kb(
    example_output: Path, pages: dict[str, Path]
) -> None:
    for title, page in pages.items():
        resources = same_site_resources(page, example_output)
        assert any(p.suffix == ".css" for p in resources)
        weight = page.stat().st_size + sum(p.stat().st_size for p in resources)
        assert weight < PAGE_BUDGET, f"{title}: {weight} bytes"


def test_no_page_makes_an_external_request(example_output: Path) -> None:
    for page in example_output.rglob("*.html"):
        for resource in same_site_resources(page, example_output):
            assert resource.is_file(), f"{page} loads missing {resource}"


def test_pages_carry_canonical_opengraph_and_json_ld(pages: dict[str, Path]) -> None:
    root = parse(pages[DEEPSEEK_TITLE])
    links = {e.get("rel"): e.get("href") for e in find_all(root, "link")}
    assert (links["canonical"] or "").startswith("https://news.example.org/2025/01/")
    metas = {e.get("property"): e.get("content") for e in find_all(root, "meta")}
    assert metas["og:type"] == "article" and metas["og:title"] == DEEPSEEK_TITLE
    (script,) = [s for s in find_all(root, "script") if s.get("type") == "application/ld+json"]
    data = json.loads(script.text or "")
    assert data["@type"] == "NewsArticle" and data["headline"] == DEEPSEEK_TITLE


def internal_links(output: Path, base_path: str) -> dict[str, set[str]]:
    """Every same-site href/src of every page -> the pages that use it."""
    found: dict[str, set[str]] = {}
    for page in sorted(output.rglob("*.html")):
        root = parse(page)
        for element in root.iter():
            for attribute in ("href", "src"):
                url = element.get(attribute) or ""
                if url.startswith("/") and not url.startswith("//"):
                    found.setdefault(url.split("#")[0], set()).add(str(page.relative_to(output)))
    assert found, "no internal links found"
    assert all(url.startswith(base_path) for url in found), sorted(found)[:5]
    return found


def broken(output: Path, base_path: str) -> list[str]:
    missing = []
    for url, users in sorted(internal_links(output, base_path).items()):
        path = output / url.removeprefix(base_path)
        if not (path / "index.html" if url.endswith("/") else path).is_file():
            missing.append(f"{url} (from {sorted(users)[0]})")
    return missing


def test_every_internal_link_of_the_example_site_resolves(example_output: Path) -> None:
    assert broken(example_output, "/") == []


def test_every_link_honours_a_base_url_sub_path(
    make_site: Callable[..., Path], run_build: Callable[..., Any], article: Callable[..., str]
) -> None:
    site = make_site(
        {
            f"content/{n}.md": article(
                f"Story {n}", date=f"2026-10-{n:02d}T10:00:00Z", tags=["Müller", "KI"],
                topics=["world"], body=f"Paragraph {n}.\n\n## Section\n\nMore.\n",
            )
            for n in range(1, 6)
        },
        {"base_url": "https://example.org/news/", "paginate": 2},
    )  # fmt: skip
    run_build(site)
    output = site / "public"
    assert broken(output, "/news/") == []
    home = (output / "index.html").read_text(encoding="utf-8")
    assert '<link rel="canonical" href="https://example.org/news/">' in home
    assert (output / "page" / "3" / "index.html").is_file()
    sitemap = (output / "sitemap.xml").read_text(encoding="utf-8")
    assert "<loc>https://example.org/news/tags/mueller/</loc>" in sitemap
    assert "https://example.org/news/sitemap.xml" in (output / "robots.txt").read_text()
