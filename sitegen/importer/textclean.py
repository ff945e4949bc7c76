"""Clean a plain-text scrape of a whole page down to the article: our own line-level rules."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace

from sitegen.importer.blocks import Block, render_blocks
from sitegen.importer.language import detect_language
from sitegen.importer.lines import GOOD_WORDS, LONG_WORDS, WORD, Kind, Line, describe_all
from sitegen.importer.model import Extracted, Removal
from sitegen.importer.rules import Rules
from sitegen.importer.titles import find_title

SHORT_RUN = 3  # this many short lines in a row inside the body are a menu or link list
TAIL_AFTER = 2  # a tail marker counts once this many lines of article text are behind it
HEADING_WORDS = 12
LIST_WORDS = 3  # a line introduced by a colon needs this many words to be a list entry
STANDFIRST_GAP = 8  # at most this many byline, date and caption lines under a standfirst
STANDFIRST_MIN_BODY = 3  # lines of text (standfirst included) for a standfirst to be split off
BYLINE_OR_DATE = re.compile(
    r"^(?:by|von|par|por|di|door)\b|\b\d{1,2}:\d\d\b|\b\d{4}-\d\d-\d\d\b|\b\d{1,2}/\d{1,2}/\d{2,4}\b|"
    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.? \d{1,2}\b|"
    r"\b\d{1,2}\.? (?:jan|feb|mar|apr|m[aä]r|may|mai|jun|jul|aug|sep|oct|okt|nov|de[cz])",
    re.I,
)
DATA_SHARE = 0.5  # share of data-like lines that makes a run of short lines part of the article
DATA_RUN = 5  # short data lines in a row that make a schedule or table, not a menu
DATA_WEIGHT = 0.5  # weight per character of a data row (text counts 1.0 per character)
NAME_WORDS = re.compile(r"[^\W\d_]{2,}")
ROW_SHARE = 0.8  # share of the rows of a data run that must hold a figure and one separator
SEPARATORS = re.compile(r"[:–—|/•·]|--|\s-\s|\(")
CAPTION_WORDS = 6  # a repeated line this long also marks the lines it starts (caption + credit)
REPEAT_WORDS = 4  # a line this long said twice in the article is kept once
PAGE_REPEATS = 3  # a line the page shows this often is layout (caption, credit, prompt)
PAGE_REPEAT_WORDS = 2  # ... when it has this many words (single words are left to the rules)
PLACE = re.compile(  # a dateline place on a line of its own: "BAAR, SWITZERLAND"
    r"^[A-ZÄÖÜÀ-Þ][A-ZÄÖÜÀ-Þ.'’ -]{1,40}(?:,\s*[A-ZÄÖÜÀ-Þ][\w.'’ -]{1,40})?$"
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


def data_runs(lines: Sequence[Line]) -> set[int]:
    """Indexes of lines in runs of DATA_RUN or more short data rows of a few words each: the
    rows of a schedule, a results list or a table, which belong to an article as much as its
    paragraphs do."""
    found: set[int] = set()
    run: list[int] = []
    for i, line in enumerate([*lines, None]):
        if line is not None and _data_row(line):
            run.append(i)
            continue
        if len(run) >= DATA_RUN and _one_template([lines[j].text for j in run]):
            found.update(run)
        run = []
    return found


def _one_template(rows: Sequence[str]) -> bool:
    """Rows of one table share a form: nearly all hold a figure and one separator (`:`, `–`,
    `|`, ...). Lists of teasers that merely mention a year do not."""
    need = ROW_SHARE * len(rows)
    if sum(1 for row in rows if any(c.isdigit() for c in row)) < need:
        return False
    seps = Counter(c for row in rows for c in set(SEPARATORS.findall(row)))
    return bool(seps) and seps.most_common(1)[0][1] >= need


def _data_row(line: Line) -> bool:
    """A row of data with some words in it (not a bare price or ticker) and not a bullet (lists
    of links and teasers come as bullets)."""
    return (
        line.kind is Kind.SHORT
        and line.data_like
        and line.words >= LIST_WORDS
        and not line.bullet
        and len(NAME_WORDS.findall(line.text)) >= 2
    )


def weights(lines: Sequence[Line]) -> list[float]:
    """Each line's weight; rows of a data run count like (half-weight) text."""
    rows = data_runs(lines)
    return [
        DATA_WEIGHT * len(line.text) if i in rows else line.weight for i, line in enumerate(lines)
    ]


def best_region(lines: Sequence[Line]) -> tuple[int, int]:
    """The run of lines with the largest total weight (article text minus boilerplate)."""
    best, best_range = 0.0, (0, 0)
    total, start = 0.0, 0
    for i, weight in enumerate(weights(lines)):
        if total <= 0:
            total, start = 0.0, i
        total += weight
        if total > best:
            best, best_range = total, (start, i + 1)
    return best_range


def extend_list(lines: Sequence[Line], end: int) -> int:
    """Past a region ending in 'dates:' or 'Calendar:', take the short lines it introduces;
    past a region ending inside a list of data (dates, results), take the rest of the list."""
    if end < len(lines) and _introduces(lines[end]) and lines[end].kind is Kind.SHORT:
        end += 1
    if end == 0:
        return end
    if _introduces(lines[end - 1]):
        while end < len(lines) and _list_goes_on(lines[end], data=False):
            end += 1
    elif lines[end - 1].kind is Kind.SHORT and lines[end - 1].data_like:
        while end < len(lines) and _list_goes_on(lines[end], data=True):
            end += 1
    return end


def _list_goes_on(line: Line, *, data: bool) -> bool:
    """A list entry: a few words (with data, when the list is one of data), not a paragraph."""
    if line.tail is not None or line.kind is Kind.BAD or line.words >= LONG_WORDS:
        return False
    return line.words >= LIST_WORDS and (line.data_like or not data)


def take_closing_lines(lines: Sequence[Line], start: int, end: int) -> tuple[int, int]:
    """A short sentence right before or after the region belongs to it: a lead-in line or the
    article's last line ("Thanks, Junior!"), not a menu entry or a headline question."""
    if 0 < start < end and _lone_sentence(lines[start - 1]):
        start -= 1
    if start < end < len(lines) and _lone_sentence(lines[end]):
        end += 1
    return start, end


def _lone_sentence(line: Line) -> bool:
    return (
        line.kind is Kind.SHORT
        and line.tail is None
        and line.words >= 2
        and line.ends_sentence
        and not line.text.rstrip().endswith(("?", ":", ";"))
    )


def _introduces(line: Line) -> bool:
    return line.text.rstrip().endswith(":")


def drop_boilerplate(
    lines: Sequence[Line], recurring: frozenset[str], repeated: frozenset[str] = frozenset()
) -> Pruned:
    """Remove lines a rule names, lines of link words, code, lines recurring in the source and
    lines the page itself repeats (or that start with such a line: a caption and its credit)."""
    kept: list[Line] = []
    removed: list[Removal] = []
    box = False  # inside the list a barrier line ("Related stories") introduces
    for line in lines:
        reason = _boilerplate_reason(line, recurring, repeated)
        if reason is None and box and (line.bullet or line.kind is Kind.SHORT):
            reason = "entry of the box above"
        box = line.barrier is not None or (box and reason is not None)
        if reason:
            removed.append(Removal(line.markdown, reason))
        else:
            kept.append(line)
    return Pruned(tuple(kept), tuple(removed))


def _boilerplate_reason(
    line: Line, recurring: frozenset[str], repeated: frozenset[str]
) -> str | None:
    key = line_key(line.text)
    if key in recurring:
        return "recurs in many articles of this source"
    if key in repeated or any(
        key.startswith(r + " ") for r in repeated if r.count(" ") >= CAPTION_WORDS - 1
    ):
        return f"repeated at least {PAGE_REPEATS} times on the page"
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
    introduced them or most of them carry data (a list, table or Q&A of the article)."""
    kept: list[Line] = []
    removed: list[Removal] = []
    run: list[Line] = []
    for line in [*lines, None]:
        if line is not None and line.kind is Kind.SHORT:
            run.append(line)
            continue
        introduced = (bool(kept) and _introduces(kept[-1])) or (bool(run) and _introduces(run[0]))
        data = sum(r.data_like for r in run) >= DATA_SHARE * len(run)
        if len(run) >= SHORT_RUN and not introduced and not data:
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


def split_standfirst(lines: Sequence[Line]) -> tuple[list[Line], Sequence[Line]]:
    """A lone sentence above the byline, date or dateline that precede the article: the
    standfirst, returned with those lines (none of them is article text) and the rest."""
    good = [i for i, line in enumerate(lines) if line.kind is Kind.GOOD]
    if len(good) < STANDFIRST_MIN_BODY or good[0] != 0 or good[1] == 1:
        return [], lines
    gap = lines[1 : good[1]]
    marked = any(BYLINE_OR_DATE.search(line.text) or PLACE.match(line.text) for line in gap)
    prose = any(line.ends_sentence for line in gap)  # short sentences: the article has begun
    if len(gap) > STANDFIRST_GAP or prose or not marked:
        return [], lines
    return list(lines[: good[1]]), lines[good[1] :]


def drop_repeats(lines: Sequence[Line]) -> Pruned:
    """Keep a paragraph once: a lede repeated as the start of the next line, a line said twice,
    or a sentence that repeats the start of a paragraph above (share and e-mail boxes)."""
    kept: list[Line] = []
    removed: list[Removal] = []
    seen: set[str] = set()
    for i, line in enumerate(lines):
        key = line_key(line.text)
        following = line_key(lines[i + 1].text) if i + 1 < len(lines) else ""
        if kept and key == line_key(kept[-1].text):
            removed.append(Removal(line.markdown, "repeats the paragraph before it"))
        elif (key in seen and line.words >= REPEAT_WORDS) or (
            line.words >= GOOD_WORDS and any(k.startswith(key + " ") for k in seen)
        ):
            removed.append(Removal(line.markdown, "repeats a paragraph above"))
        elif key and following.startswith(key) and len(following) > len(key):
            removed.append(Removal(line.markdown, "lede repeated by the next paragraph"))
        else:
            kept.append(line)
            seen.add(key)
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
    """Lines as blocks: bullets as list items, a short line between paragraphs as a heading
    (but not the last row of a list of data)."""
    blocks: list[Block] = []
    for i, line in enumerate(lines):
        nxt = lines[i + 1] if i + 1 < len(lines) else None
        in_list = i > 0 and lines[i - 1].kind is Kind.SHORT and lines[i - 1].data_like
        if line.bullet:
            blocks.append(Block("li", line.text))
        elif _is_heading(line, nxt) and blocks and not (in_list and line.data_like):
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
    repeated = repeated_in_page(lines)
    start, end = best_region(lines)
    end = extend_list(lines, end)
    start, end = take_closing_lines(lines, start, end)
    removed = [Removal(x.markdown, "outside the main text") for x in (*lines[:start], *lines[end:])]
    head, body = split_standfirst(lines[start:end])
    if head:
        removed.append(Removal(head[0].markdown, "standfirst above the byline (the summary)"))
        removed.extend(Removal(x.markdown, "byline or date under the standfirst") for x in head[1:])
    for step in (
        cut_tail,
        lambda ls: drop_boilerplate(ls, recurring, repeated),
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
    if title:
        again = [x for x in body if line_key(x.text) == line_key(title)]
        removed.extend(Removal(x.markdown, "the title again") for x in again)
        body = [x for x in body if x not in again]
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


def repeated_in_page(lines: Sequence[Line]) -> frozenset[str]:
    """Lines of PAGE_REPEAT_WORDS or more words that the page shows PAGE_REPEATS times or more:
    captions, credits and calls to action that a layout repeats, not article text."""
    counts = Counter(line_key(line.text) for line in lines if line.words >= PAGE_REPEAT_WORDS)
    return frozenset(k for k, n in counts.items() if n >= PAGE_REPEATS)


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
