"""Read one article file: split front matter, parse it safely, validate it, render its body."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sitegen.config import LANGUAGE_TAG, did_you_mean
from sitegen.markdown import MarkdownRenderer, MarkdownTooLarge, cut_at_word
from sitegen.model import Article, Body, Config, InputError, Problem, TermRef
from sitegen.slug import slugify, term_slug
from sitegen.yamlio import YamlError, key_lines, load_yaml

FENCE = re.compile(r"^---[ \t]*$", re.MULTILINE)
CLOSING_FENCE = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.MULTILINE)
# Characters that have no business in a title or tag: C0/C1 controls and bidi overrides.
UNSAFE_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
DATE_KEYS = ("date", "updated", "expires")
DATE_FORMAT_HINT = "not an RFC 3339 date-time (e.g. 2025-01-28T10:00:00+01:00)"
KNOWN_KEYS = (
    "title", "date", "updated", "expires", "slug", "summary", "tags", "topics", "source",
    "source_url", "author", "dateline", "lang", "draft",
)  # fmt: skip


def content_hash(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


@dataclass(frozen=True)
class RawArticle:
    """Front matter values and body text of one file, before validation."""

    meta: dict[str, Any]
    body: str
    body_line: int  # line of the file where the body starts
    front_matter: str


def split_front_matter(text: str, name: str) -> RawArticle:
    """Split '---\\nYAML\\n---\\nbody'. Raises InputError for a missing or unterminated block."""
    if not FENCE.match(text):
        raise InputError(
            [
                Problem(
                    name,
                    1,
                    None,
                    "front matter missing: the file must start "
                    "with a line '---', then YAML, then '---'",
                )
            ]
        )
    start = text.find("\n") + 1
    closing = CLOSING_FENCE.search(text, start)
    if closing is None:
        raise InputError([Problem(name, 1, None, "front matter not closed: no second '---' line")])
    front = text[start : closing.start()]
    body_start = text.find("\n", closing.end())
    body = "" if body_start < 0 else text[body_start + 1 :]
    try:
        meta = load_yaml(front, first_line=2)
    except YamlError as error:
        raise InputError([Problem(name, error.line, None, error.message)]) from None
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise InputError([Problem(name, 2, None, "front matter must be a mapping of keys")])
    body_line = text.count("\n", 0, body_start) + 2 if body_start >= 0 else 0
    return RawArticle(meta, body, body_line, front)


def decode(data: bytes, name: str) -> str:
    """Bytes of an article as text: UTF-8 (a BOM allowed), newlines normalized, no NUL."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError([Problem(name, None, None, "file is UTF-16; save it as UTF-8")])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise InputError(
            [
                Problem(
                    name,
                    line,
                    None,
                    f"not valid UTF-8 (byte {error.start}); save the file as UTF-8",
                )
            ]
        ) from None
    if "\0" in text:
        line = text[: text.index("\0")].count("\n") + 1
        raise InputError([Problem(name, line, None, "file contains a NUL byte")])
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    # One spelling per character: NFD text (macOS file names, some scrapers) renders and
    # searches the same as NFC, and the HTML checker asks for NFC.
    return text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)


def parse_article(
    name: str, data: bytes, config: Config, renderer: MarkdownRenderer
) -> tuple[Article, Body]:
    """Turn one file's bytes into an Article and its Body. Raises InputError naming all problems."""
    try:  # a name from a non-UTF-8 file system cannot become an id, a cache key or a message
        name.encode("utf-8")
    except UnicodeEncodeError:
        shown = name.encode("utf-8", "backslashreplace").decode("utf-8")
        raise InputError(
            [Problem(shown, None, None, "file name is not valid UTF-8; rename the file")]
        ) from None
    raw = split_front_matter(decode(data, name), name)
    checker = _Checker(name, raw, ZoneInfo(config.timezone))
    meta = raw.meta
    title = checker.text("title", required=True)
    published = checker.datetime("date", required=True)
    updated = checker.datetime("updated")
    expires = checker.datetime("expires")
    slug_value = checker.text("slug")
    lang = checker.check("lang", _language, config.language)
    tags = checker.terms("tags")
    topics = checker.terms("topics")
    known_topics = {t.slug: t.title for t in config.topics}
    for index, topic in enumerate(topics):
        if topic.slug not in known_topics:
            checker.add(
                ("topics", str(index)),
                f"unknown topic {topic.name!r}; define it under "
                "topics in site.yaml" + did_you_mean(topic.slug, list(known_topics)),
            )
    topics = tuple(TermRef(known_topics.get(t.slug, t.name), t.slug) for t in topics)
    draft = checker.check("draft", _boolean, False)
    strings = {key: checker.text(key) for key in ("summary", "source", "author", "dateline")}
    source_url = checker.check("source_url", _http_url, "")
    slug = slugify(slug_value or title)
    if slug_value and slug != slug_value:
        checker.add(("slug",), f"not a valid slug; use {slug!r}" if slug else "not a valid slug")
    elif not slug and title:
        slug = term_slug(title)
    try:
        rendered = renderer.render(raw.body)
    except MarkdownTooLarge as error:
        checker.problems.append(Problem(name, raw.body_line, None, str(error)))
    if checker.problems:  # in the order of the file's lines, as a reader fixes them
        raise InputError(sorted(checker.problems, key=lambda p: p.line or 0))
    assert published is not None
    article = Article(
        source=name,
        content_hash=content_hash(data),
        title=title,
        date=published,
        slug=slug,
        lang=lang,
        summary=strings["summary"] or cut_at_word(rendered.first_paragraph, config.summary_length),
        tags=tags,
        topics=topics,
        updated=updated,
        expires=expires,
        draft=draft,
        author=strings["author"],
        source_name=strings["source"],
        source_url=source_url,
        dateline=strings["dateline"],
        word_count=len(rendered.text.split()),
        headings=rendered.headings,
        extra={k: v for k, v in meta.items() if k not in KNOWN_KEYS},
    )
    return article, Body(rendered.html, rendered.text)


class _Invalid(ValueError):
    pass


def _language(value: Any) -> str:
    if not isinstance(value, str) or not LANGUAGE_TAG.match(value):
        raise _Invalid("expected a BCP 47 language tag such as 'de' or 'en'")
    return value


def _boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise _Invalid("expected true or false")
    return value


def _http_url(value: Any) -> str:
    if not isinstance(value, str) or not re.match(r"^https?://\S+$", value.strip()):
        raise _Invalid("expected an http(s) URL")
    return value.strip()


class _Checker:
    """Validates front matter values, collecting problems placed at their lines."""

    def __init__(self, name: str, raw: RawArticle, zone: ZoneInfo) -> None:
        self.name = name
        self.raw = raw
        self.zone = zone
        self.problems: list[Problem] = []
        self._lines: dict[tuple[str, ...], int] | None = None

    def add(self, key_path: tuple[str, ...], message: str) -> None:
        if self._lines is None:
            self._lines = key_lines(self.raw.front_matter, first_line=2)
        line = self._lines.get(key_path) or self._lines.get(key_path[:1])
        self.problems.append(Problem(self.name, line, ".".join(key_path[:1]), message))

    def check(self, key: str, convert: Callable[[Any], Any], default: Any) -> Any:
        if key not in self.raw.meta or self.raw.meta[key] is None:
            return default
        try:
            return convert(self.raw.meta[key])
        except _Invalid as error:
            self.add((key,), str(error))
            return default

    def text(self, key: str, required: bool = False) -> str:
        value = self.raw.meta.get(key)
        if value is None:
            if required:
                self.add((key,), "required")
            return ""
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.add((key,), f"expected text, got {type(value).__name__}")
            return ""
        text = " ".join(UNSAFE_CHARS.sub("", unicodedata.normalize("NFC", str(value))).split())
        if required and not text:
            self.add((key,), "must not be empty")
        return text

    def terms(self, key: str) -> tuple[TermRef, ...]:
        value = self.raw.meta.get(key)
        if value is None:
            return ()
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            self.add((key,), "expected a list of names")
            return ()
        terms: dict[str, TermRef] = {}
        for index, item in enumerate(value):
            if isinstance(item, bool) or not isinstance(item, str | int | float):
                self.add((key, str(index)), f"expected a name, got {type(item).__name__}")
                continue
            name = " ".join(UNSAFE_CHARS.sub("", unicodedata.normalize("NFC", str(item))).split())
            if not name:
                self.add((key, str(index)), "empty name")
                continue
            terms.setdefault(term_slug(name), TermRef(name, term_slug(name)))
        return tuple(terms.values())

    def datetime(self, key: str, required: bool = False) -> datetime | None:
        value = self.raw.meta.get(key)
        if value is None:
            if required:
                self.add((key,), "required")
            return None
        try:
            return _to_datetime(value, self.zone)
        except _Invalid as error:
            self.add((key,), str(error))
            return None


def _as_written(value: Any) -> datetime | date | None:
    """A front matter date as YAML or the text gives it, before a zone is filled in."""
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.strip())
        except ValueError:
            return None
    return value if isinstance(value, date) else None


def _to_datetime(value: Any, zone: ZoneInfo) -> datetime:
    written = _as_written(value)
    if written is None:
        raise _Invalid(DATE_FORMAT_HINT)
    moment = written if isinstance(written, datetime) else datetime.combine(written, time())
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    try:  # the far ends of the calendar cannot be moved between zones (feeds use UTC)
        moment.astimezone(zone)
        moment.astimezone(UTC)
        moment.utcoffset()
    except (OverflowError, ValueError):
        raise _Invalid(
            "out of range: the date must stay within the years 1 to 9999 in UTC "
            "and in the site's timezone"
        ) from None
    return moment


def zone_warnings(raw: RawArticle, name: str, timezone: str) -> list[Problem]:
    """Warnings for dates written without a UTC offset: they are read in site.yaml's timezone,
    which may not be the one the writer meant. `sitegen check` reports them."""
    problems: list[Problem] = []
    lines: dict[tuple[str, ...], int] | None = None
    for key in DATE_KEYS:
        written = _as_written(raw.meta.get(key))
        if written is None or (isinstance(written, datetime) and written.tzinfo is not None):
            continue
        if lines is None:
            lines = key_lines(raw.front_matter, first_line=2)
        message = (
            f"{written.isoformat()} has no UTC offset; it is read as {timezone} time "
            "(write e.g. 2025-01-28T10:00:00+01:00)"
        )
        problems.append(Problem(name, lines.get((key,)), key, message, severity="warning"))
    return problems
