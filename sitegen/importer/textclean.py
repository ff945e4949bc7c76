"""Clean a plain-text scrape of a whole page down to the article: our own line-level rules."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from sitegen.importer.blocks import Block, render_blocks
from sitegen.importer.language import detect_language
from sitegen.importer.lines import WORD, Kind, Line, describe_all
from sitegen.importer.model import Extracted, Removal
from sitegen.importer.rules import Rules
from sitegen.importer.titles import find_title

SHORT_RUN = 3  # this many short lines in a row inside the body are a menu or link list
TAIL_AFTER = 2  # a tail marker counts once this many lines of article text are behind it
HEADING_WORDS = 12
LIST_WORDS = 3  # a line introduced by a colon needs this many words to be a list entry
STANDFIRST_MIN_BODY = 3  # lines of text (standfirst included) for a standfirst to be split off
BYLINE_OR_DATE = re.compile(
    r"^(?:by|von|par|por|di|door)\b|\b\d{1,2}:\d\d\b|\b\d{4}-\d\d-\d\d\b|\b\d{1,2}/\d{1,2}/\d{2,4}\b|"
    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.? \d{1,2}\b|"
    r"\b\d{1,2}\.? (?:jan|feb|mar|apr|m[aä]r|may|mai|jun|jul|aug|sep|oct|okt|nov|de[cz])",
    re.I,
)
SCRIPT = re.compile(
    r"<\s*/?\s*(?:script|style|iframe|object|embed)\b|\bfunction\s*\(|\bvar \w+\s*=|"
    r"\bdocument\.\w+|\bwindow\.\w+|[{};]\s*$",
    re.I,
)


@dataclass(frozen=True)
class Pruned:
    """Lines kept and lines removed (with the reason) by one pass."""

    kept: tuple[Line, ...]
    removed: tuple[Removal, ...]


def line_key(text: str) -> str:
    """The form in which lines are compared across articles: lower-case words only."""
    return " ".join(w.lower() for w in WORD.findall(text))


def best_region(lines: Sequence[Line]) -> tuple[int, int]:
    """The run of lines with the largest total weight (article text minus boilerplate)."""
    best, best_range = 0.0, (0, 0)
    total, start = 0.0, 0
    for i, line in enumerate(lines):
        if total <= 0:
            total, start = 0.0, i
        total += line.weight
        if total > best:
            best, best_range = total, (start, i + 1)
    return best_range


def extend_list(lines: Sequence[Line], end: int) -> int:
    """Past a region ending in 'dates:' or 'Calendar:', take the short lines it introduces."""
    if end < len(lines) and _introduces(lines[end]) and lines[end].kind is Kind.SHORT:
        end += 1
    if end == 0 or not _introduces(lines[end - 1]):
        return end
    while end < len(lines) and lines[end].kind is Kind.SHORT and lines[end].words >= LIST_WORDS:
        end += 1
    return end


def _introduces(line: Line) -> bool:
    return line.text.rstrip().endswith(":")


def drop_boilerplate(lines: Sequence[Line], recurring: frozenset[str]) -> Pruned:
    """Remove lines a rule names, lines of link words, code, and lines recurring in the source."""
    kept: list[Line] = []
    removed: list[Removal] = []
    box = False  # inside the list a barrier line ("Related stories") introduces
    for line in lines:
        reason = _boilerplate_reason(line, recurring)
        if reason is None and box and (line.bullet or line.kind is Kind.SHORT):
            reason = "entry of the box above"
        box = line.barrier is not None or (box and reason is not None)
        if reason:
            removed.append(Removal(line.markdown, reason))
        else:
            kept.append(line)
    return Pruned(tuple(kept), tuple(removed))


def _boilerplate_reason(line: Line, recurring: frozenset[str]) -> str | None:
    if line_key(line.text) in recurring:
        return "recurs in many articles of this source"
    if line.drop is not None:
        return f"boilerplate ({line.drop})"
    if line.barrier is not None:
        return f"boilerplate ({line.barrier})"
    if line.link_heavy:
        return "mostly navigation or call-to-action words"
    if SCRIPT.search(line.text):
        return "script or markup, not text"
    return None


def drop_short_runs(lines: Sequence[Line]) -> Pruned:
    """Remove runs of SHORT_RUN or more short lines (menus, link lists), unless a colon
    introduced them."""
    kept: list[Line] = []
    removed: list[Removal] = []
    run: list[Line] = []
    for line in [*lines, None]:
        if line is not None and line.kind is Kind.SHORT:
            run.append(line)
            continue
        introduced = bool(kept) and kept[-1].text.rstrip().endswith(":")
        if len(run) >= SHORT_RUN and not introduced:
            removed.extend(
                Removal(r.markdown, f"one of {len(run)} short lines in a row") for r in run
            )
        else:
            kept.extend(run)
        run = []
        if line is not None:
            kept.append(line)
    return Pruned(tuple(kept), tuple(removed))


def cut_tail(lines: Sequence[Line]) -> Pruned:
    """Cut at the first strong tail marker (related stories, comments, jobs) past the lead."""
    seen = 0
    for i, line in enumerate(lines):
        if line.tail is not None and seen >= TAIL_AFTER:
            reason = f"junk tail from {line.text[:40]!r} ({line.tail})"
            return Pruned(tuple(lines[:i]), tuple(Removal(x.markdown, reason) for x in lines[i:]))
        seen += line.kind is Kind.GOOD
    return Pruned(tuple(lines), ())


def split_standfirst(lines: Sequence[Line]) -> tuple[Line | None, Sequence[Line]]:
    """A lone sentence above the byline or date that precede the article: the standfirst."""
    good = [i for i, line in enumerate(lines) if line.kind is Kind.GOOD]
    if len(good) < STANDFIRST_MIN_BODY or good[0] != 0 or good[1] == 1:
        return None, lines
    gap = lines[1 : good[1]]
    if not any(BYLINE_OR_DATE.search(line.text) for line in gap):
        return None, lines
    return lines[0], lines[1:]


def drop_repeats(lines: Sequence[Line]) -> Pruned:
    """Keep a paragraph once: a lede repeated as the start of the next line, or a line twice."""
    kept: list[Line] = []
    removed: list[Removal] = []
    for i, line in enumerate(lines):
        key = line_key(line.text)
        following = line_key(lines[i + 1].text) if i + 1 < len(lines) else ""
        if kept and key == line_key(kept[-1].text):
            removed.append(Removal(line.markdown, "repeats the paragraph before it"))
        elif key and following.startswith(key) and len(following) > len(key):
            removed.append(Removal(line.markdown, "lede repeated by the next paragraph"))
        else:
            kept.append(line)
    return Pruned(tuple(kept), tuple(removed))


@dataclass(frozen=True)
class Dateline:
    place: str
    source: str | None
    rest: str


def split_dateline(text: str, rules: Rules) -> Dateline | None:
    """`PEKING / MÜNCHEN (IT BOLTWISE) – Text` -> place, source and the text after it."""
    match = rules.dateline.match(text)
    if not match or len(WORD.findall(match.group("rest"))) < 3:
        return None
    place = re.sub(r"\s*/\s*", " / ", match.group("place").strip(" .-'"))
    source = match.group("source")
    return Dateline(place, source.strip() if source else None, match.group("rest").strip())


def to_blocks(lines: Sequence[Line]) -> list[Block]:
    """Lines as blocks: bullets as list items, a short line between paragraphs as a heading."""
    blocks: list[Block] = []
    for i, line in enumerate(lines):
        nxt = lines[i + 1] if i + 1 < len(lines) else None
        if line.bullet:
            blocks.append(Block("li", line.text))
        elif _is_heading(line, nxt) and blocks:
            blocks.append(Block("h", line.text, 2))
        else:
            blocks.append(Block("p", line.text))
    return blocks


def _is_heading(line: Line, nxt: Line | None) -> bool:
    return (
        nxt is not None
        and nxt.kind is Kind.GOOD
        and 0 < line.words <= HEADING_WORDS
        and not line.ends_sentence
        and line.text[:1].isupper()
    )


def clean_text(
    text: str,
    rules: Rules,
    *,
    lang: str | None = None,
    recurring: frozenset[str] = frozenset(),
) -> Extracted:
    """The article in a text scrape: title, dateline, source, body, and what was removed."""
    lang = lang or detect_language(text, rules.stopwords)
    stops = rules.stopwords.get(lang or "", frozenset().union(*rules.stopwords.values()))
    lines = describe_all(text, rules, stops)
    start, end = best_region(lines)
    end = extend_list(lines, end)
    removed = [Removal(x.markdown, "outside the main text") for x in (*lines[:start], *lines[end:])]
    standfirst, body = split_standfirst(lines[start:end])
    if standfirst is not None:
        removed.append(Removal(standfirst.markdown, "standfirst above the byline (the summary)"))
    for step in (
        cut_tail,
        lambda ls: drop_boilerplate(ls, recurring),
        drop_short_runs,
        drop_repeats,
    ):
        pruned = step(body)
        body, removed = pruned.kept, removed + list(pruned.removed)
    return _assemble(text, lines[:start], list(body), removed, rules, stops, lang)


def _assemble(
    text: str,
    before: Sequence[Line],
    body: list[Line],
    removed: list[Removal],
    rules: Rules,
    stops: frozenset[str],
    lang: str | None,
) -> Extracted:
    dateline = split_dateline(body[0].text, rules) if body else None
    if dateline is not None:
        removed.append(Removal(body[0].text[: -len(dateline.rest)].strip(), "dateline"))
        body = list(drop_repeats([_with_text(body[0], dateline.rest), *body[1:]]).kept)
    title, title_line = find_title(text, before, body, rules.quotes, stops)
    if title_line is not None:
        removed.append(Removal(title_line.text, "the title"))
    blocks = to_blocks(body)
    return Extracted(
        title=title,
        markdown=render_blocks(blocks),
        paragraphs=tuple(b.text for b in blocks),
        dateline=dateline.place if dateline else None,
        source=dateline.source if dateline else None,
        lang=lang,
        removed=tuple(removed),
    )


def _with_text(line: Line, text: str) -> Line:
    return replace(line, text=text)


def recurring_lines(texts: Sequence[str], min_count: int = 3) -> frozenset[str]:
    """Lines found in at least min_count and half of the texts of one source: boilerplate."""
    if len(texts) < min_count:
        return frozenset()
    counts: dict[str, int] = {}
    for text in texts:
        for key in {line_key(line) for line in text.splitlines()}:
            if key:
                counts[key] = counts.get(key, 0) + 1
    threshold = max(min_count, (len(texts) + 1) // 2)
    return frozenset(k for k, n in counts.items() if n >= threshold)
