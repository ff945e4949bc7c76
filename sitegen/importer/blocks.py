"""Render the article's blocks (paragraphs, headings, lists) as Markdown without raw HTML."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

TAG_START = re.compile(r"<(?=[A-Za-z/!?])")
LINE_START = re.compile(r"^(\s*)(#{1,6}\s|>|[-+*]\s|=+\s*$|\d{1,9}[.)]\s)")


@dataclass(frozen=True)
class Block:
    """A paragraph (p), heading (h, with level), list item (li) or quotation (quote)."""

    kind: str
    text: str
    level: int = 2


def escape_text(text: str) -> str:
    """Inline text safe for Markdown: `<` that could open a tag is escaped (`\\<`, shown as `<`),
    and a line cannot start a heading, quote or list by accident."""
    text = TAG_START.sub(r"\\<", text)
    return LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), text)


def render_blocks(blocks: Sequence[Block]) -> str:
    """Blocks as Markdown: blank lines between blocks, list items kept together."""
    out: list[str] = []
    previous = ""
    for block in blocks:
        text = escape_text(block.text)
        if block.kind == "li":
            if previous == "li":
                out[-1] += f"\n- {text}"
            else:
                out.append(f"- {text}")
        elif block.kind == "h":
            out.append(f"{'#' * max(2, min(block.level, 6))} {text}")
        elif block.kind == "quote":
            out.append(f"> {text}")
        else:
            out.append(text)
        previous = block.kind
    return "\n\n".join(out) + ("\n" if out else "")
