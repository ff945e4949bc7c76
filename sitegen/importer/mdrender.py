"""Turn trafilatura's XML body (p, head, list, quote, table, graphic, ref, hi) into Markdown."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

from sitegen.importer.blocks import escape_text

SPACE = re.compile(r"\s+")
WORD = re.compile(r"\w")
SAFE_SCHEMES = ("http://", "https://", "mailto:")
EMPHASIS = {"#b": "**", "#i": "*", "#u": "*", "#t": "`", "#sub": "", "#sup": ""}


@dataclass(frozen=True)
class MdBlock:
    """One rendered block: its Markdown, its plain text (for our passes), and its kind."""

    kind: str  # p | h | li | quote | table | image | code
    markdown: str
    text: str
    level: int = 0  # a heading's level in the page (1 for <h1>), 0 for other blocks


def absolute(base: str, target: str) -> str | None:
    """The link target made absolute against the page URL; None for script or data links."""
    target = target.strip()
    full = urljoin(base, target) if base else target
    return full if full.startswith(SAFE_SCHEMES) else None


def inline(element: Any, base: str) -> str:
    """An element's inline content as Markdown: text, links, emphasis, line breaks."""
    parts: list[str] = [escape_text(element.text or "")]
    for child in element:
        parts.append(_inline_child(child, base))
        parts.append(escape_text(child.tail or ""))
    return "".join(parts)


def _inline_child(child: Any, base: str) -> str:
    tag = child.tag
    if tag == "lb":
        return " "
    inner = inline(child, base)
    core = inner.strip()
    lead = " " if inner[:1].isspace() else ""
    trail = " " if inner[-1:].isspace() else ""
    if tag == "ref":
        target = absolute(base, child.get("target", ""))
        label = core.replace("]", "\\]")
        return f"{lead}[{label}]({target}){trail}" if target and label else inner
    if tag == "hi":
        mark = EMPHASIS.get(child.get("rend", ""), "")
        return f"{lead}{mark}{core}{mark}{trail}" if core and mark else inner
    if tag == "graphic":
        image = _image(child, base)
        return f" {image} " if image else ""
    return inner


def _image(element: Any, base: str) -> str | None:
    src = absolute(base, element.get("src", ""))
    alt = SPACE.sub(" ", element.get("alt", "") or element.get("title", "")).strip()
    if not src or not alt:
        return None
    alt = escape_text(alt.replace("[", "").replace("]", ""))
    return f"![{alt}]({src})"


def plain(element: Any) -> str:
    return SPACE.sub(" ", "".join(element.itertext())).strip()


def render_element(element: Any, base: str) -> Iterator[MdBlock]:
    """The blocks one child of the body makes (a list makes one per item)."""
    handler = HANDLERS.get(element.tag, _paragraph)
    yield from handler(element, base)


def _paragraph(element: Any, base: str) -> Iterator[MdBlock]:
    text = SPACE.sub(" ", inline(element, base)).strip()
    if WORD.search(text):
        yield MdBlock("p", text, plain(element))


def _heading(element: Any, base: str) -> Iterator[MdBlock]:
    rend = (element.get("rend") or "h2").lstrip("h")
    level = int(rend) if rend.isdigit() else 2
    text = SPACE.sub(" ", inline(element, base)).strip().strip("*").strip()
    if text:
        yield MdBlock("h", f"{'#' * min(max(level, 2), 6)} {text}", plain(element), level)


def _list(element: Any, base: str) -> Iterator[MdBlock]:
    ordered = element.get("rend", "") in ("ol", "ordered")
    for number, item in enumerate(element.iter("item"), 1):
        text = SPACE.sub(" ", inline(item, base)).strip()
        if text:
            yield MdBlock("li", f"{number}. {text}" if ordered else f"- {text}", plain(item))


def _quote(element: Any, base: str) -> Iterator[MdBlock]:
    inner = [b.markdown for child in element for b in render_element(child, base)]
    text = "\n>\n".join(f"> {m}" for m in inner) if inner else ""
    own = SPACE.sub(" ", inline(element, base)).strip() if not inner else ""
    if text or own:
        yield MdBlock("quote", text or f"> {own}", plain(element))


def _table(element: Any, base: str) -> Iterator[MdBlock]:
    rows = [
        [SPACE.sub(" ", inline(c, base)).strip().replace("|", "\\|") for c in row.iter("cell")]
        for row in element.iter("row")
    ]
    rows = [r for r in rows if any(r)]
    if not rows:
        return
    width = max(len(r) for r in rows)
    rows = [r + [""] * (width - len(r)) for r in rows]
    lines = [_row(rows[0]), _row(["---"] * width), *(_row(r) for r in rows[1:])]
    yield MdBlock("table", "\n".join(lines), plain(element))


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _graphic(element: Any, base: str) -> Iterator[MdBlock]:
    image = _image(element, base)
    if image:
        yield MdBlock("image", image, element.get("alt", ""))


def _code(element: Any, base: str) -> Iterator[MdBlock]:
    text = "".join(element.itertext()).strip("\n")
    if text.strip():
        fence = "~~~" if "```" in text else "```"
        yield MdBlock("code", f"{fence}\n{text}\n{fence}", text)


HANDLERS: dict[str, Callable[[Any, str], Iterator[MdBlock]]] = {
    "head": _heading,
    "list": _list,
    "quote": _quote,
    "table": _table,
    "graphic": _graphic,
    "code": _code,
}
