"""Our passes over the blocks trafilatura found: page structure signals, not rules for one site.

Each pass takes the blocks in reading order and returns the blocks it keeps plus a Removal,
with the reason, for each block it drops (shown by `sitegen import --explain`).
"""

from __future__ import annotations

import html
import json
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from typing import Any
from urllib.parse import urlsplit

from sitegen.importer.mdrender import MdBlock
from sitegen.importer.model import Removal
from sitegen.importer.rules import Rules
from sitegen.importer.textclean import line_key

Pass = tuple[list[MdBlock], list[Removal]]

IMAGE = re.compile(r"!\[([^\]]*)\]\(([^)\s]*)\)")
LINK = re.compile(r"(?<!!)\[((?:[^\]\\]|\\.)*)\]\(([^)\s]*)\)")
WORDS = re.compile(r"\w+")
DEK_WORDS = 10  # a heading this long right under the headline is its standfirst (dek)
BOX_BLOCKS = 2  # removed blocks right under a heading that make it the title of a junk box
TEASER_SHARE = 0.8  # share of a paragraph's text inside links for it to be a link teaser
TITLE_MATCH = 0.6  # share of a heading's words found in the page title to count as the title
TITLE_MIN_WORDS = 3  # a shorter heading must equal the title to count as it
ALT_TITLE_SHARE = 0.6  # an alt text made this much of the title's words repeats the title
ALT_MIN_WORDS = 2
SHINGLE = 4  # words per shingle when comparing a block with the page's own articleBody
REFERENCE_HIT = 0.5  # share of a block's shingles in the articleBody for it to be inside
REFERENCE_COVERAGE = 0.6  # share of the found words the articleBody must hold to be trusted
TAG = re.compile(r"<[^>]*>")
VISIBLE_TEXT = ".//text()[not(ancestor::script or ancestor::style or ancestor::noscript)]"
DECORATIVE = re.compile(
    r"\b(?:logo|icon|banner|avatar|spacer|pixel|badge|button|sprite|placeholder)s?\b", re.I
)
FILE_NAME = re.compile(
    r"^\S+$|_|\.(?:jpe?g|png|gif|webp|svg)\b|^(?:img|dsc|image|photo)\W*\d", re.I
)


def _words(text: str) -> list[str]:
    return [w.lower() for w in WORDS.findall(text)]


def title_like(text: str, title: str | None) -> bool:
    """The heading says what the page title says (titles often add ' - Site' or 'Opinion |')."""
    if not title:
        return False
    heading, name = line_key(text), line_key(title)
    words = heading.split()
    if not heading or not name or (heading != name and len(words) < TITLE_MIN_WORDS):
        return heading == name and bool(heading)
    if heading in name or name in heading:
        return True
    found = set(name.split())
    return sum(w in found for w in words) >= TITLE_MATCH * len(words)


def strip_headline(blocks: Sequence[MdBlock], title: str | None) -> Pass:
    """The headline (a leading <h1>, or a heading that repeats the title) goes to the front
    matter, and a long heading right under it is the standfirst: neither is body text."""
    kept = list(blocks)
    removed: list[Removal] = []
    first = next((i for i, b in enumerate(kept) if b.kind not in ("h", "image")), len(kept))
    lead = [i for i in range(first) if kept[i].kind == "h"]
    headline = next(
        (i for i in lead if kept[i].level == 1 or title_like(kept[i].text, title)), None
    )
    if headline is not None:
        removed.append(Removal(kept[headline].markdown, "the title"))
        dek = [i for i in lead if i > headline and len(_words(kept[i].text)) >= DEK_WORDS]
        for i in dek[:1]:
            removed.append(Removal(kept[i].markdown, "standfirst under the headline"))
        drop = {headline, *dek[:1]}
        kept = [b for i, b in enumerate(kept) if i not in drop]
    key = line_key(title or "")
    same = [b for b in kept if b.kind == "h" and key and line_key(b.text) == key]
    removed.extend(Removal(b.markdown, "the title") for b in same)
    return [b for b in kept if b not in same], removed


def _host(url: str) -> str:
    host = urlsplit(url).hostname or ""
    return host.removeprefix("www.")


def link_share(block: MdBlock) -> float:
    """The share of a block's words that sit inside links."""
    total = len(WORDS.findall(LINK.sub(r"\1", IMAGE.sub("", block.markdown))))
    linked = sum(len(WORDS.findall(m.group(1))) for m in LINK.finditer(block.markdown))
    return linked / total if total else 0.0


def is_teaser(block: MdBlock, page_url: str) -> bool:
    """A paragraph that is only a link to another page of the same site: a teaser."""
    if block.kind != "p" or link_share(block) < TEASER_SHARE:
        return False
    site = _host(page_url)
    targets = [_host(m.group(2)) for m in LINK.finditer(block.markdown)]
    return not site or any(t == site or t.endswith("." + site) for t in targets)


def drop_teasers(blocks: Sequence[MdBlock], page_url: str) -> Pass:
    """Paragraphs made of a link to another article of the site: 'read more' teasers."""
    kept: list[MdBlock] = []
    removed: list[Removal] = []
    for block in blocks:
        if is_teaser(block, page_url):
            removed.append(Removal(block.markdown, "link to another article (teaser)"))
        else:
            kept.append(block)
    return kept, removed


def drop_empty_sections(blocks: Sequence[MdBlock], before: Sequence[MdBlock]) -> Pass:
    """A heading that only introduced junk: its whole section lost its text to the passes, the
    BOX_BLOCKS or more blocks right under it were removed (a box of teasers), or, above the
    article's first paragraph, the block right under it was removed."""
    survivors = {id(b) for b in blocks}
    original = list(before)
    where = {id(b): i for i, b in enumerate(original)}
    kept: list[MdBlock] = []
    removed: list[Removal] = []
    for block in blocks:
        if block.kind == "h" and _introduced_junk(block, original, where, survivors, kept):
            removed.append(Removal(block.markdown, "heading of a removed box"))
        else:
            kept.append(block)
    return kept, removed


def _introduced_junk(
    heading: MdBlock,
    original: Sequence[MdBlock],
    where: dict[int, int],
    survivors: set[int],
    kept: Sequence[MdBlock],
) -> bool:
    section: list[MdBlock] = []
    start = where.get(id(heading), len(original))
    for b in original[start + 1 :]:
        if b.kind == "h" and b.level <= heading.level:
            break
        section.append(b)
    text = [b for b in section if b.kind not in ("h", "image")]
    if not text:
        return False
    lost = 0  # removed text blocks right under the heading, before the first one kept
    for b in text:
        if id(b) in survivors:
            break
        lost += 1
    if lost == len(text) or lost >= BOX_BLOCKS:
        return True
    leading = not any(b.kind not in ("h", "image") for b in kept)
    return leading and lost > 0


def plain_images(
    blocks: Sequence[MdBlock], title: str | None, rules: Rules | None = None
) -> list[MdBlock]:
    """Drop decorative images (logos, icons, banners) and blank alt texts that say nothing new:
    a file name, a single word, a credit, the headline or a caption of the article again, or
    one text on many images."""
    alts = Counter(line_key(m.group(1)) for b in blocks for m in IMAGE.finditer(b.markdown))
    title_words = set(line_key(title or "").split())
    text = " ".join(line_key(b.text) for b in blocks if b.kind != "image")

    def informative(alt: str) -> bool:
        key = line_key(alt)
        words = set(key.split())
        return (
            alts[key] == 1
            and len(key.split()) >= ALT_MIN_WORDS
            and not FILE_NAME.search(alt.strip())
            and len(words & title_words) < ALT_TITLE_SHARE * len(words)
            and key not in text
            and (rules is None or rules.first_drop(alt) is None)
        )

    def fix(match: re.Match[str]) -> str:
        alt, src = match.group(1), match.group(2)
        if DECORATIVE.search(alt) or DECORATIVE.search(src.rsplit("/", 1)[-1]):
            return ""
        return match.group(0) if informative(alt) else f"![]({src})"

    fixed = [MdBlock(b.kind, IMAGE.sub(fix, b.markdown).strip(), b.text, b.level) for b in blocks]
    return [b for b in fixed if b.markdown]


def with_images(text: Sequence[MdBlock], pictured: Sequence[MdBlock]) -> list[MdBlock]:
    """The text blocks, plus the images of a second extraction that kept them, each placed after
    the text block it followed there. Images after the last shared block (teaser thumbnails)
    and the captions around images (not in the text blocks) are left out."""
    keys = [line_key(b.text) for b in text]
    after: dict[int, list[MdBlock]] = {}
    pending: list[MdBlock] = []
    position = -1
    for block in pictured:
        key = line_key(block.text)
        found = next((i for i in range(position + 1, len(keys)) if key and keys[i] == key), None)
        if found is not None:
            after.setdefault(position, []).extend(pending)
            pending, position = [], found
        pending.extend(
            MdBlock("image", m.group(0), m.group(1)) for m in IMAGE.finditer(block.markdown)
        )
        if found is not None and pending:
            after.setdefault(position, []).extend(pending)
            pending = []
    merged = list(after.get(-1, []))
    for i, block in enumerate(text):
        merged.append(block)
        merged.extend(after.get(i, []))
    return merged


def _values(data: object, name: str) -> Iterator[str]:
    """Every string value of the key `name` in parsed JSON, at any depth."""
    if isinstance(data, dict):
        for key, value in data.items():
            if key == name and isinstance(value, str):
                yield value
            else:
                yield from _values(value, name)
    elif isinstance(data, list):
        for value in data:
            yield from _values(value, name)


def _json_ld(tree: Any) -> Iterator[object]:
    for script in tree.iterfind(".//script[@type='application/ld+json']"):
        try:
            yield json.loads(script.text or "")
        except ValueError:
            continue


def embedded_body(tree: Any) -> str:
    """The article text the page states about itself: schema.org `articleBody` in JSON-LD or
    in microdata (`itemprop="articleBody"`) of the parsed page. Empty when it gives none."""
    texts = [text for data in _json_ld(tree) for text in _values(data, "articleBody")]
    for element in tree.iterfind(".//*[@itemprop='articleBody']"):
        texts.extend(str(t) for t in element.xpath(VISIBLE_TEXT))
    return html.unescape(TAG.sub(" ", " ".join(texts)))


PUBLISHED = frozenset({"article:published_time", "og:published_time", "datepublished"})
# A day and a time with its offset: without one, the zone (and maybe the day) is unknown.
TIME_OF_DAY = re.compile(
    r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})"
)


def published_time(tree: Any) -> str | None:
    """When the page says it was published, where it gives a time of day with the day
    (trafilatura gives the day alone: read as midnight UTC, it can be the wrong day)."""
    for meta in tree.iterfind(".//meta"):
        key = meta.get("property") or meta.get("name") or meta.get("itemprop") or ""
        value = (meta.get("content") or "").strip()
        if key.lower() in PUBLISHED and TIME_OF_DAY.fullmatch(value):
            return value
    for data in _json_ld(tree):
        for value in _values(data, "datePublished"):
            if TIME_OF_DAY.fullmatch(value.strip()):
                return value.strip()
    return None


def shingle_set(text: str) -> set[tuple[str, ...]]:
    words = _words(text)
    return {tuple(words[i : i + SHINGLE]) for i in range(max(1, len(words) - SHINGLE + 1))}


def contained(block: MdBlock, reference: set[tuple[str, ...]]) -> float | None:
    """The share of the block's word shingles found in the reference; None for no words."""
    if block.kind == "image" or not WORDS.search(block.text):
        return None
    own = shingle_set(block.text)
    return sum(s in reference for s in own) / len(own)


def trim_to_reference(blocks: Sequence[MdBlock], reference_text: str) -> Pass:
    """Blocks before the first and after the last block of the page's own articleBody, when
    that articleBody holds most of what was found (a partial or teaser body is no guide)."""
    if not reference_text:
        return list(blocks), []
    reference = shingle_set(reference_text)
    shares = [contained(b, reference) for b in blocks]
    words = [len(WORDS.findall(b.text)) for b in blocks]
    inside = [i for i, s in enumerate(shares) if s is not None and s >= REFERENCE_HIT]
    found = sum(words[i] for i in inside)
    if not inside or found < REFERENCE_COVERAGE * sum(words):
        return list(blocks), []
    first, last = inside[0], inside[-1]
    kept: list[MdBlock] = []
    removed: list[Removal] = []
    for i, block in enumerate(blocks):
        outside = (i < first or i > last) and shares[i] is not None
        if outside:
            removed.append(Removal(block.markdown, "outside the page's own articleBody"))
        else:
            kept.append(block)
    return kept, removed
