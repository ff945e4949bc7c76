"""Collect the items to import: read files, fetch URLs, expand feeds into their new entries."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

from sitegen.importer.decode import MAX_BYTES, InputProblem
from sitegen.importer.feeds import Entry, is_feed, parse_feed
from sitegen.importer.fetch import FetchError, Response, fetch
from sitegen.importer.model import Item, Outcome, SourceConfig
from sitegen.importer.store import State

WORKERS = 4
PROGRESS_FROM = 5  # report progress when fetching at least this many entries


@dataclass(frozen=True)
class Target:
    """One SOURCE argument or configured source: a path or URL, with its source config."""

    location: str
    source: SourceConfig | None = None


@dataclass(frozen=True)
class Gathered:
    items: tuple[Item, ...]
    failures: tuple[Outcome, ...]
    state: State


def is_url(location: str) -> bool:
    return location.lower().startswith(("http://", "https://"))


def kind_of(name: str, content_type: str) -> str:
    """html or text by file extension or media type; '' when the bytes must tell."""
    lowered = name.lower().split("?")[0]
    media = content_type.split(";")[0].strip().lower()
    if lowered.endswith((".html", ".htm", ".xhtml")) or media in (
        "text/html",
        "application/xhtml+xml",
    ):
        return "html"
    if lowered.endswith(".txt") or media == "text/plain":
        return "text"
    return ""


def read_local(location: str) -> bytes:
    path = Path(location)
    if not path.is_file():
        raise InputProblem(f"no such file: {location}")
    if path.stat().st_size > MAX_BYTES:
        raise InputProblem(f"{location} is over the 10 MB limit")
    return path.read_bytes()


def _fail(origin: str, exc: Exception) -> Outcome:
    return Outcome(origin, "failed", str(exc))


def load_target(target: Target, state: State, force: bool) -> tuple[Response | None, State]:
    """Bytes of a target; None for a feed that has not changed since the last import."""
    if not is_url(target.location):
        data = read_local(target.location)
        return Response(target.location, data, "", None, None), state
    cached = {} if force else state.http.get(target.location, {})
    response = fetch(
        target.location, etag=cached.get("etag"), last_modified=cached.get("last_modified")
    )
    if response.not_modified:
        return None, state
    if is_feed(response.data, response.content_type):
        state = state.with_http(target.location, response.etag, response.last_modified)
    return response, state


def entry_item(
    entry: Entry, source: SourceConfig | None, data: bytes, url: str, ctype: str
) -> Item:
    return Item(
        origin=entry.link or entry.entry_id,
        source_url=url,
        data=data,
        content_type=ctype,
        kind=kind_of(url, ctype) or ("html" if entry.content_html else ""),
        feed_title=entry.title,
        feed_date=entry.date,
        feed_author=entry.author,
        feed_tags=entry.tags,
        entry_id=entry.entry_id,
        source=source,
    )


def fetch_entry(entry: Entry, source: SourceConfig | None) -> Item:
    """The entry as an item: its own full content, or the page its link points to."""
    if entry.content_html is not None:
        data = entry.content_html.encode("utf-8")
        return entry_item(entry, source, data, entry.link or "", "text/html; charset=utf-8")
    if not entry.link:
        raise InputProblem(f"feed entry {entry.entry_id!r} has no link and no full content")
    response = fetch(entry.link)
    return entry_item(entry, source, response.data, entry.link, response.content_type)


def fetch_entries(
    entries: Sequence[tuple[Entry, SourceConfig | None]], err: Callable[[str], None]
) -> tuple[list[Item], list[Outcome]]:
    """Fetch entries with limited concurrency; a failing entry is reported, the rest go on."""
    items: list[Item] = []
    failures: list[Outcome] = []

    def one(pair: tuple[Entry, SourceConfig | None]) -> Item | Outcome:
        entry, source = pair
        try:
            return fetch_entry(entry, source)
        except (FetchError, InputProblem) as exc:
            return _fail(entry.link or entry.entry_id, exc)

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        for done, result in enumerate(pool.map(one, entries), 1):
            if len(entries) >= PROGRESS_FROM:
                err(f"fetched {done}/{len(entries)}")
            (failures if isinstance(result, Outcome) else items).append(result)  # type: ignore[arg-type]
    return items, failures


def gather(
    targets: Sequence[Target], state: State, force: bool, err: Callable[[str], None]
) -> Gathered:
    """Every item the targets yield; feed entries seen before are skipped unless force."""
    direct: list[Item] = []
    failures: list[Outcome] = []
    pending: list[tuple[Entry, SourceConfig | None]] = []
    for target in targets:
        try:
            response, state = load_target(target, state, force)
        except (FetchError, InputProblem, OSError) as exc:
            failures.append(_fail(target.location, exc))
            continue
        if response is None:
            continue
        if is_feed(response.data, response.content_type):
            try:
                entries = parse_feed(response.data, response.url)
            except ValueError as exc:
                failures.append(_fail(target.location, exc))
                continue
            pending += [
                (e, target.source)
                for e in entries
                if force or not state.has_seen(e.entry_id, e.link)
            ]
            continue
        if target.source is not None and not force and state.has_seen(response.url):
            continue
        direct.append(_direct_item(target, response))
    fetched, fetch_failures = fetch_entries(pending, err)
    return Gathered(tuple(direct + fetched), tuple(failures + fetch_failures), state)


def _direct_item(target: Target, response: Response) -> Item:
    url = response.url if is_url(target.location) else None
    item = Item(target.location, url, response.data, response.content_type, source=target.source)
    return replace(item, kind=kind_of(target.location, response.content_type))
