"""Extract an HTML page's article as Markdown: trafilatura finds the text, our passes clean it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sitegen.importer.htmlpasses import (
    drop_empty_sections,
    drop_teasers,
    embedded_body,
    plain_images,
    published_time,
    strip_headline,
    trim_to_reference,
    with_images,
)
from sitegen.importer.language import detect_language
from sitegen.importer.lines import Kind, Line, describe
from sitegen.importer.mdrender import MdBlock, render_element
from sitegen.importer.model import Extracted, Removal
from sitegen.importer.rules import Rules
from sitegen.importer.textclean import line_key

# Measured on the extraction-dev set (benchmarks/extraction_bench.py): the default balance
# scored best; favor_precision lost more recall than it gained precision. The text comes from a
# run without images: with them, trafilatura also keeps figure captions and credits, which are
# not article text. A second run with images only tells where the images stand.
TRAFILATURA_OPTIONS: dict[str, Any] = {
    "include_comments": False,
    "include_tables": True,
    "include_images": False,
    "include_links": True,
    "include_formatting": True,
    "favor_precision": False,
    "favor_recall": False,
    "with_metadata": True,
    # Only dates the page states in its metadata; never a year guessed from the text.
    "date_extraction_params": {"extensive_search": False, "original_date": True},
}
IMAGE_OPTIONS: dict[str, Any] = {
    **TRAFILATURA_OPTIONS,
    "include_images": True,
    "with_metadata": False,
}
TAIL_AFTER = 2  # blocks of article text before a tail marker may cut the rest
TEXT_KINDS = ("p", "li", "h", "quote")


def parse_html(html: str) -> Any:
    """The page parsed once (lxml, as trafilatura parses it) for every run over it, or None."""
    from trafilatura.utils import load_html  # slow to load; only import needs it

    return load_html(html)


def run_trafilatura(page: Any, url: str | None, options: dict[str, Any] | None = None) -> Any:
    """trafilatura's Document for the page (HTML text or parsed tree; trafilatura works on a
    copy), or None when it finds no main text."""
    import trafilatura  # imported here: it is slow to load and only import needs it

    return trafilatura.bare_extraction(page, url=url, **(options or TRAFILATURA_OPTIONS))


def render_body(doc: Any, url: str | None) -> list[MdBlock]:
    if doc is None or doc.body is None:
        return []
    return [b for child in doc.body for b in render_element(child, url or "")]


def judge(block: MdBlock, rules: Rules, stopwords: frozenset[str]) -> tuple[Line, str | None]:
    """The block's line features and, when it is boilerplate, why."""
    line = describe(0, block.text, rules, stopwords)
    if block.kind not in TEXT_KINDS:
        return line, None
    if line.drop is not None or line.barrier is not None:
        return line, f"boilerplate ({line.drop or line.barrier})"
    if line.link_heavy and line.kind is not Kind.GOOD:
        return line, "mostly navigation or call-to-action words"
    return line, None


def clean_blocks(
    blocks: Sequence[MdBlock], rules: Rules, stopwords: frozenset[str], recurring: frozenset[str]
) -> tuple[list[MdBlock], list[Removal]]:
    """Our passes over trafilatura's blocks: rules, recurring lines, junk tail, repeats."""
    kept: list[MdBlock] = []
    removed: list[Removal] = []
    good = 0
    for i, block in enumerate(blocks):
        line, reason = judge(block, rules, stopwords)
        if line.tail is not None and good >= TAIL_AFTER:
            why = f"junk tail from {block.text[:40]!r} ({line.tail})"
            removed.extend(Removal(b.markdown, why) for b in blocks[i:])
            break
        key = line_key(block.text)
        if reason is None and key and key in recurring:
            reason = "recurs in many articles of this source"
        if reason is None and kept and key and key == line_key(kept[-1].text):
            reason = "repeats the block before it"
        if reason:
            removed.append(Removal(block.markdown, reason))
            continue
        kept.append(block)
        good += line.kind is Kind.GOOD
    return kept, removed


def _join(blocks: Sequence[MdBlock]) -> str:
    parts: list[str] = []
    for i, block in enumerate(blocks):
        tight = i > 0 and block.kind == "li" and blocks[i - 1].kind == "li"
        if tight:
            parts[-1] += "\n" + block.markdown
        else:
            parts.append(block.markdown)
    return "\n\n".join(parts) + ("\n" if parts else "")


def extract_html(
    html: str,
    url: str | None,
    rules: Rules,
    *,
    lang: str | None = None,
    recurring: frozenset[str] = frozenset(),
) -> Extracted:
    """The article in an HTML page with the metadata the page gives about itself."""
    tree = parse_html(html)
    if tree is None:
        return Extracted(title=None, markdown="", paragraphs=())
    doc = run_trafilatura(tree, url)
    raw = render_body(doc, url)
    if not raw:
        return Extracted(title=None, markdown="", paragraphs=())
    raw = with_images(raw, render_body(run_trafilatura(tree, url, IMAGE_OPTIONS), url))
    text = " ".join(b.text for b in raw)
    lang = lang or detect_language(text, rules.stopwords) or _short_lang(doc.language)
    stops = rules.stopwords.get(lang or "", frozenset().union(*rules.stopwords.values()))
    reference = embedded_body(tree) if "articleBody" in html else ""
    blocks, removed = strip_headline(raw, doc.title)
    steps: tuple[Callable[[list[MdBlock]], tuple[list[MdBlock], list[Removal]]], ...] = (
        lambda bs: clean_blocks(bs, rules, stops, recurring),
        lambda bs: drop_teasers(bs, url or ""),
        lambda bs: drop_empty_sections(bs, raw),
        lambda bs: trim_to_reference(bs, reference),
    )
    for step in steps:
        blocks, more = step(blocks)
        removed += more
    blocks = plain_images(blocks, doc.title, rules)
    return Extracted(
        title=(doc.title or "").strip() or None,
        markdown=_join(blocks),
        paragraphs=tuple(b.text for b in blocks if b.kind in TEXT_KINDS),
        source=doc.sitename or None,
        author=doc.author or None,
        date=_with_time(published_time(tree), doc.date),
        lang=lang,
        keywords=tuple(
            dict.fromkeys(
                k.strip()
                for t in [*(doc.tags or ()), *(doc.categories or ())]
                for k in t.split(",")
            )
        ),
        description=doc.description or None,
        removed=tuple(removed),
    )


def _short_lang(code: str | None) -> str | None:
    return code.split("-")[0].lower() if code else None


def _with_time(stated: str | None, day: str | None) -> str | None:
    """The page's stated publication time where it falls on the day trafilatura found (or it
    found none); else that day."""
    if stated and (not day or stated[:10] == day[:10]):
        return stated
    return day or None
