"""Extract an HTML page's article as Markdown: trafilatura finds the text, our passes clean it."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from typing import Any

from sitegen.importer.language import detect_language
from sitegen.importer.lines import Kind, Line, describe
from sitegen.importer.mdrender import MdBlock, render_element
from sitegen.importer.model import Extracted, Removal
from sitegen.importer.rules import Rules
from sitegen.importer.textclean import line_key

# Measured on the extraction-dev set (benchmarks/extraction_bench.py): the default balance
# scored best; favor_precision lost more recall than it gained precision.
TRAFILATURA_OPTIONS: dict[str, Any] = {
    "include_comments": False,
    "include_tables": True,
    "include_images": True,
    "include_links": True,
    "include_formatting": True,
    "favor_precision": False,
    "favor_recall": False,
    "with_metadata": True,
    # Only dates the page states in its metadata; never a year guessed from the text.
    "date_extraction_params": {"extensive_search": False, "original_date": True},
}
TAIL_AFTER = 2  # blocks of article text before a tail marker may cut the rest
TEXT_KINDS = ("p", "li", "h", "quote")
ALT_TITLE_SHARE = 0.6  # an alt text made this much of the title's words repeats the title
IMAGE = re.compile(r"!\[([^\]]*)\]\(([^)\s]*)\)")


def run_trafilatura(html: str, url: str | None) -> Any:
    """trafilatura's Document for the page, or None when it finds no main text."""
    import trafilatura  # imported here: it is slow to load and only import needs it

    return trafilatura.bare_extraction(html, url=url, **TRAFILATURA_OPTIONS)


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


def plain_images(blocks: Sequence[MdBlock], title: str | None) -> list[MdBlock]:
    """Blank alt texts that say nothing: the headline again, or one text on many images."""
    alts = Counter(line_key(m.group(1)) for b in blocks for m in IMAGE.finditer(b.markdown))
    title_words = set(line_key(title or "").split())

    def informative(alt: str) -> bool:
        key = line_key(alt)
        words = set(key.split())
        return alts[key] == 1 and len(words & title_words) < ALT_TITLE_SHARE * len(words)

    def fix(match: re.Match[str]) -> str:
        return match.group(0) if informative(match.group(1)) else f"![]({match.group(2)})"

    return [MdBlock(b.kind, IMAGE.sub(fix, b.markdown), b.text) for b in blocks]


def strip_title(blocks: list[MdBlock], title: str | None) -> tuple[list[MdBlock], list[Removal]]:
    """Headings that repeat the title (it goes to the front matter)."""
    key = line_key(title or "")
    same = [b for b in blocks if b.kind == "h" and key and line_key(b.text) == key]
    return [b for b in blocks if b not in same], [Removal(b.markdown, "the title") for b in same]


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
    doc = run_trafilatura(html, url)
    if doc is None or doc.body is None:
        return Extracted(title=None, markdown="", paragraphs=())
    raw = [b for child in doc.body for b in render_element(child, url or "")]
    text = " ".join(b.text for b in raw)
    lang = lang or detect_language(text, rules.stopwords) or _short_lang(doc.language)
    stops = rules.stopwords.get(lang or "", frozenset().union(*rules.stopwords.values()))
    blocks, removed = clean_blocks(raw, rules, stops, recurring)
    blocks, title_removed = strip_title(blocks, doc.title)
    blocks = plain_images(blocks, doc.title)
    return Extracted(
        title=(doc.title or "").strip() or None,
        markdown=_join(blocks),
        paragraphs=tuple(b.text for b in blocks if b.kind in TEXT_KINDS),
        source=doc.sitename or None,
        author=doc.author or None,
        date=doc.date or None,
        lang=lang,
        keywords=tuple(
            dict.fromkeys(
                k.strip()
                for t in [*(doc.tags or ()), *(doc.categories or ())]
                for k in t.split(",")
            )
        ),
        description=doc.description or None,
        removed=tuple(removed + title_removed),
    )


def _short_lang(code: str | None) -> str | None:
    return code.split("-")[0].lower() if code else None
