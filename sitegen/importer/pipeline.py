"""`sitegen import`: gather items, clean each, dedupe, write content/<year>/<slug>.md, report."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sitegen.importer.article import Draft, make_article
from sitegen.importer.decode import InputProblem, decode
from sitegen.importer.dedupe import DedupeIndex, Known, build_index, simhash
from sitegen.importer.gather import Target, gather
from sitegen.importer.htmlextract import extract_html
from sitegen.importer.model import Extracted, ImportOptions, Item, Outcome, SourceConfig
from sitegen.importer.rules import Rules, load_rules
from sitegen.importer.store import (
    UnsafePath,
    content_path,
    free_path,
    load_state,
    render_document,
    save_state,
    write_atomic,
)
from sitegen.importer.textclean import clean_text, recurring_lines
from sitegen.slug import term_slug

Printer = Callable[[str], None]
HTML_START = ("<!doctype html", "<html", "<head", "<body", "<p>", "<div", "<article", "<?xml")


@dataclass(frozen=True)
class Context:
    """Everything one import run shares; passed down, never global."""

    site_dir: Path
    options: ImportOptions
    rules: Rules
    topic_rules: Mapping[str, Sequence[str]]
    now: datetime
    out: Printer
    err: Printer

    @property
    def content_dir(self) -> Path:
        return self.site_dir / "content"


def parse_source(data: Mapping[str, Any]) -> SourceConfig:
    """One entry of site.yaml's sources: list (name, url, topics, tags, lang, rules)."""
    url = data.get("url")
    if not isinstance(url, str) or not url:
        raise InputProblem(f"source {data.get('name', '?')!r}: url: missing")
    rules = data.get("rules") or {}
    return SourceConfig(
        name=str(data.get("name") or url),
        url=url,
        topics=tuple(str(t) for t in data.get("topics") or ()),
        tags=tuple(str(t) for t in data.get("tags") or ()),
        lang=str(data["lang"]) if data.get("lang") else None,
        drop_patterns=tuple(str(p) for p in rules.get("drop_patterns") or ()),
    )


def item_kind(item: Item, text: str) -> str:
    if item.kind:
        return item.kind
    return "html" if text.lstrip()[:200].lower().startswith(HTML_START) else "text"


def extract(item: Item, text: str, ctx: Context, recurring: frozenset[str]) -> Extracted:
    source = item.source
    rules = (
        ctx.rules.with_drop_patterns(source.drop_patterns, f"source {source.name}")
        if source
        else ctx.rules
    )
    lang = ctx.options.lang or (source.lang if source else None)
    if item_kind(item, text) == "html":
        extracted = extract_html(text, item.source_url, rules, lang=lang, recurring=recurring)
    else:
        extracted = clean_text(text, rules, lang=lang, recurring=recurring)
    if not extracted.markdown.strip() and text.lower().count("<script") >= 1:
        raise InputProblem("no article text found: the input is mostly script or markup")
    return extracted


def explain(extracted: Extracted, origin: str, ctx: Context) -> None:
    say = ctx.err if ctx.options.to_stdout else ctx.out
    say(f"{origin}: removed {len(extracted.removed)} pieces")
    for removal in extracted.removed:
        say(f"  - {removal.reason}: {removal.text[:100]}")


def place(draft: Draft, index: DedupeIndex, ctx: Context) -> tuple[Path | None, str]:
    """Where the draft goes, or (None, why) when it duplicates an article and force is off."""
    found = index.find(draft.source_url, draft.body)
    if found is not None and not ctx.options.force:
        known, how = found
        return None, f"already imported as {known.path} ({how})"
    if found is not None:
        path = (ctx.site_dir / found[0].path).resolve()
        if path.is_relative_to(ctx.content_dir.resolve()):
            return path, "re-imported in place"
    return free_path(ctx.content_dir, draft.year, draft.slug), "new"


def write(
    draft: Draft, item: Item, index: DedupeIndex, ctx: Context
) -> tuple[Outcome, DedupeIndex]:
    document = render_document(draft.front, draft.body)
    if ctx.options.to_stdout:  # writes nothing, so a duplicate is no reason to stay silent
        ctx.out(document)
        return Outcome(item.origin, "printed"), index
    path, why = place(draft, index, ctx)
    if path is None:
        return Outcome(item.origin, "duplicate", why), index
    rel = path.relative_to(ctx.site_dir.resolve()).as_posix()
    if ctx.options.dry_run:
        return Outcome(item.origin, "dry-run", f"would write {rel} ({why})", rel), index
    write_atomic(path, document)
    known = Known(rel, draft.source_url or "", simhash(draft.body))
    return Outcome(item.origin, "written", why, rel), index.add(known)


def import_item(
    item: Item, index: DedupeIndex, ctx: Context, recurring: frozenset[str]
) -> tuple[Outcome, DedupeIndex]:
    """One item from bytes to a file; an InputProblem becomes a failed outcome."""
    try:
        text = decode(item.data, item.content_type)
        extracted = extract(item, text, ctx, recurring)
        if ctx.options.explain:
            explain(extracted, item.origin, ctx)
        stops = ctx.rules.stopwords.get(extracted.lang or "", frozenset())
        draft = make_article(extracted, item, ctx.options, ctx.topic_rules, stops, ctx.now)
        return write(draft, item, index, ctx)
    except (InputProblem, UnsafePath, OSError) as exc:
        return Outcome(item.origin, "failed", str(exc)), index


def recurring_by_source(items: Sequence[Item]) -> dict[str, frozenset[str]]:
    """For each source with several items in this run, the lines most of its items share."""
    texts: dict[str, list[str]] = {}
    for item in items:
        if item.source is not None:
            try:
                texts.setdefault(item.source.name, []).append(decode(item.data, item.content_type))
            except InputProblem:
                continue
    return {name: recurring_lines(group) for name, group in texts.items()}


def report(outcome: Outcome, ctx: Context) -> None:
    if outcome.status == "failed":
        ctx.err(f"error: {outcome.origin}: {outcome.message}")
    elif outcome.status == "duplicate":
        ctx.err(f"skipped {outcome.origin}: {outcome.message}")
    elif outcome.status in ("written", "dry-run"):
        verb = "wrote" if outcome.status == "written" else "would write"
        ctx.err(f"{verb} {outcome.path} <- {outcome.origin}")


def unknown_topics(topics: Iterable[str], known: Collection[str]) -> list[str]:
    """The topics that name none of the site's (by slug: "World" names `world`)."""
    return [topic for topic in topics if term_slug(topic) not in known]


def targets_for(
    sources: Sequence[str], config_sources: Sequence[Mapping[str, Any]]
) -> list[Target]:
    if sources:
        return [Target(s) for s in sources]
    return [Target(c.url, c) for c in (parse_source(data) for data in config_sources)]


def run_import(
    site_dir: Path,
    sources: Sequence[str],
    options: ImportOptions,
    config_sources: Sequence[Mapping[str, Any]],
    topic_rules: Mapping[str, Sequence[str]],
    now: datetime,
    out: Printer,
    err: Printer,
    known_topics: frozenset[str] | None = None,
) -> int:
    """Import every SOURCE (or every configured source); 0 when all went well, else 1.
    With `known_topics` (site.yaml's slugs), a topic given that names none of them is refused
    before anything is written: the next build would fail on every article given it."""
    try:
        targets = targets_for(sources, config_sources)
    except InputProblem as exc:
        err(f"error: site.yaml: {exc}")
        return 1
    if known_topics is not None:
        unknown = [f"--topic {t}" for t in unknown_topics(options.topics, known_topics)] + [
            f"site.yaml: source {t.source.name!r}: topics: {topic}"
            for t in targets
            if t.source
            for topic in unknown_topics(t.source.topics, known_topics)
        ]
        for where in unknown:
            err(f"error: {where}: no such topic in site.yaml ({', '.join(sorted(known_topics))})")
        if unknown:
            return 1
    if not targets:
        err("nothing to import: give a SOURCE, or list sources in site.yaml")
        return 1
    ctx = Context(site_dir, options, load_rules(), topic_rules, now, out, err)
    content_path(ctx.content_dir, now.year, "check")  # content/ itself must be usable
    state = load_state(ctx.content_dir)
    gathered = gather(targets, state, options.force, err)
    index = build_index(site_dir, sorted(ctx.content_dir.glob("*/*.md")))
    recurring = recurring_by_source(gathered.items)
    outcomes = list(gathered.failures)
    state = gathered.state
    for item in gathered.items:
        lines = recurring.get(item.source.name, frozenset()) if item.source else frozenset()
        outcome, index = import_item(item, index, ctx, lines)
        outcomes.append(outcome)
        if outcome.status in ("written", "duplicate"):
            state = state.with_seen(tuple(k for k in (item.entry_id, item.source_url) if k))
    for outcome in outcomes:
        report(outcome, ctx)
    if not (options.dry_run or options.to_stdout):
        save_state(ctx.content_dir, state)
    return summarize_run(outcomes, ctx)


def summarize_run(outcomes: Sequence[Outcome], ctx: Context) -> int:
    counts = {
        s: sum(1 for o in outcomes if o.status == s) for s in ("written", "duplicate", "failed")
    }
    if not ctx.options.to_stdout:
        ctx.err(
            f"imported {counts['written']}, skipped {counts['duplicate']} already there, "
            f"{counts['failed']} failed"
        )
    return 1 if counts["failed"] else 0


__all__ = ["ImportOptions", "run_import"]
