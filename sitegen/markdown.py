"""Markdown to safe HTML: CommonMark plus tables, footnotes, strikethrough and heading anchors."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from mdit_py_plugins.footnote import footnote_plugin

from sitegen.model import Heading
from sitegen.slug import slugify

# Articles come from untrusted pages: these schemes never become links or image sources.
BLOCKED_SCHEMES = ("javascript:", "vbscript:", "data:", "file:")
MAX_NESTING = 20
ANCHOR_LEVELS = range(2, 5)  # h2-h4 get an id; h1 is the article's title
# A link-reference bomb turns a few KB into many MB of HTML; refuse past this growth.
MAX_GROWTH = 12
MIN_BUDGET = 1_000_000
# markdown-it keeps every element as a Python object of some 350 bytes; a dense list or
# emphasis bomb makes millions from a few MB. Real articles use a few per paragraph.
MAX_TOKENS = 2_000_000
# The block parser keeps five numbers per line: 20 MB of one-character lines would cost GBs.
MAX_LINES = 1_000_000
_TOKENS_LEFT = "sitegen_tokens_left"
# Control characters HTML calls parse errors (terminal escapes, backspace, C1): never content.
_CONTROL_CHARS = re.compile("[\x01-\x08\x0b\x0e-\x1f\x7f-\x9f]")


class MarkdownTooLarge(ValueError):
    """The body would render to far more HTML than its size makes plausible."""


@dataclass(frozen=True)
class RenderedMarkdown:
    html: str
    text: str  # plain text of the whole body, for search and word counts
    first_paragraph: str
    headings: tuple[Heading, ...]


def _is_safe_url(url: str) -> bool:
    compact = "".join(ch for ch in url if ch > " ").lower()
    return not compact.startswith(BLOCKED_SCHEMES)


def _render_image(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    token = tokens[idx]
    token.attrSet("loading", "lazy")
    return self.image(tokens, idx, options, env)


def _heading_slug(text: str) -> str:
    return slugify(text) or "section"


def _heading_anchors(state: StateCore) -> None:
    """An id on each h2-h4 from its text; repeats get -1, -2, ... in linear time.

    (mdit_py_plugins.anchors searches each repeat's suffix from 1 again: 20,000 equal
    headings took a minute.)
    """
    used: set[str] = set()
    next_suffix: dict[str, int] = {}
    tokens = state.tokens
    for index, token in enumerate(tokens[:-1]):
        if token.type != "heading_open" or int(token.tag[1]) not in ANCHOR_LEVELS:
            continue
        children = tokens[index + 1].children or []
        base = _heading_slug(
            "".join(c.content for c in children if c.type in ("text", "code_inline"))
        )
        slug, suffix = base, next_suffix.get(base, 1)
        while slug in used:
            slug, suffix = f"{base}-{suffix}", suffix + 1
        next_suffix[base] = suffix
        used.add(slug)
        token.attrSet("id", slug)


class _Budgeted(list[Token]):
    """A token list that refuses to grow past the budget it shares with the other lists."""

    def __init__(self, left: list[int]) -> None:
        super().__init__()
        self._left = left

    def append(self, token: Token) -> None:
        self._left[0] -= 1
        if self._left[0] < 0:
            raise MarkdownTooLarge(
                f"more than {MAX_TOKENS:,} Markdown elements (list items, links, emphasis); "
                "split the article or simplify its markup"
            )
        super().append(token)


def _budget_blocks(state: StateCore) -> None:
    """Before the block parser runs: count the tokens it makes against the article's budget."""
    state.tokens = _Budgeted(state.env.setdefault(_TOKENS_LEFT, [MAX_TOKENS]))


def _budget_inlines(state: StateCore) -> None:
    """markdown-it's own `inline` rule, with each paragraph's tokens counted too.

    A paragraph makes at most about two tokens per character: one that cannot reach the
    budget is parsed into a plain list and counted after (the common case, and faster).
    """
    left = state.env.setdefault(_TOKENS_LEFT, [MAX_TOKENS])
    for token in state.tokens:
        if token.type != "inline":
            continue
        if 2 * len(token.content) + 2 < left[0]:
            token.children = []
            state.md.inline.parse(token.content, state.md, state.env, token.children)
            left[0] -= len(token.children)
        else:
            token.children = _Budgeted(left)
            state.md.inline.parse(token.content, state.md, state.env, token.children)


def _output_estimate(tokens: Sequence[Token]) -> int:
    """Characters the tokens carry into the HTML; counted before rendering builds the string."""
    total = 0
    for token in tokens:
        total += len(token.content) + sum(len(str(v)) for v in token.attrs.values())
        if token.children:
            total += _output_estimate(token.children)
    return total


class MarkdownRenderer:
    """A configured markdown-it parser; build one per process and reuse it."""

    def __init__(self) -> None:
        md = MarkdownIt(
            "commonmark",
            {
                "html": False,
                "linkify": False,
                "typographer": False,
                "xhtmlOut": False,
                "maxNesting": MAX_NESTING,
            },
        )
        md.enable(["table", "strikethrough"])
        md.use(footnote_plugin)
        md.core.ruler.before("block", "token_budget", _budget_blocks)
        md.core.ruler.at("inline", _budget_inlines)
        md.core.ruler.push("heading_anchors", _heading_anchors)
        md.validateLink = _is_safe_url  # type: ignore[method-assign]
        md.add_render_rule("image", _render_image)
        self._md = md

    def render(self, source: str) -> RenderedMarkdown:
        source = _CONTROL_CHARS.sub("", source)
        lines = source.count("\n")
        if lines > MAX_LINES:
            raise MarkdownTooLarge(f"{lines:,} lines, more than {MAX_LINES:,}; split the article")
        env: dict[str, Any] = {}
        tokens = self._md.parse(source, env)
        budget = max(MIN_BUDGET, MAX_GROWTH * len(source))
        estimate = _output_estimate(tokens)  # refuse a bomb before its HTML fills the memory
        if estimate > budget:
            raise MarkdownTooLarge(
                f"renders to more than {estimate:,} characters of HTML from {len(source):,}; "
                "link references or nesting blow it up"
            )
        html = self._md.renderer.render(tokens, self._md.options, env)
        if len(html) > budget:
            raise MarkdownTooLarge(
                f"renders to {len(html):,} characters of HTML from {len(source):,}; "
                "link references or nesting blow it up"
            )
        return RenderedMarkdown(
            html=html,
            text=_plain_text(tokens),
            first_paragraph=_first_paragraph(tokens),
            headings=_headings(tokens),
        )


def _inline_text(token: Token) -> str:
    parts = []
    for child in token.children or ():
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.type == "image":
            parts.append(child.content)
    return "".join(parts)


def _plain_text(tokens: Sequence[Token]) -> str:
    blocks = []
    for token in tokens:
        if token.type == "inline":
            blocks.append(_inline_text(token))
        elif token.type in ("fence", "code_block"):
            blocks.append(token.content.strip())
    return "\n".join(block for block in blocks if block)


def _first_paragraph(tokens: Sequence[Token]) -> str:
    for index, token in enumerate(tokens[:-1]):
        if token.type == "paragraph_open" and token.level == 0:
            text = _inline_text(tokens[index + 1]).strip()
            if text:
                return text
    return ""


def _headings(tokens: Sequence[Token]) -> tuple[Heading, ...]:
    found = []
    for index, token in enumerate(tokens[:-1]):
        if token.type == "heading_open" and token.attrGet("id"):
            found.append(
                Heading(
                    int(token.tag[1]), str(token.attrGet("id")), _inline_text(tokens[index + 1])
                )
            )
    return tuple(found)


def cut_at_word(text: str, limit: int) -> str:
    """Shorten text to at most `limit` characters at a word boundary, marking the cut with '…'."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:.-–—") + "…"
