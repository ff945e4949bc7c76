"""Load and validate site.yaml into a Config; every error names the file, line and key."""

from __future__ import annotations

import difflib
import hashlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sitegen.model import (
    Config,
    FeedsConfig,
    InputError,
    OfflineConfig,
    Problem,
    StoriesConfig,
    TopicConfig,
)
from sitegen.slug import RESERVED_NAMES, slugify
from sitegen.yamlio import YamlError, key_lines, load_yaml

CONFIG_FILE = "site.yaml"
LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
PERMALINK_FIELDS = ("{year}", "{month}", "{day}", "{slug}")
PERMALINK_TEXT = re.compile(r"[A-Za-z0-9/._~-]*")


@dataclass(frozen=True)
class Option:
    """One key of site.yaml: what it means, how to check it, what it becomes."""

    doc: str
    convert: Callable[[Any], Any]


class Invalid(ValueError):
    """Raised by a converter; the message says what the value should be."""


def _string(value: Any) -> str:
    if not isinstance(value, str):
        raise Invalid(f"expected a string, got {type(value).__name__}")
    return value


def _text(value: Any) -> str:
    text = _string(value).strip()
    if not text:
        raise Invalid("must not be empty")
    return text


def _positive_int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise Invalid("expected a whole number of at least 1")
    return value


def _boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise Invalid("expected true or false")
    return value


def _base_url(value: Any) -> str:
    url = _text(value)
    if not re.match(r"^https?://[^/\s?#]+(/[^\s?#]*)?$", url):  # no query or fragment
        raise Invalid("expected an absolute http(s) URL such as https://example.org/news/")
    return url if url.endswith("/") else url + "/"


def _language(value: Any) -> str:
    tag = _text(value)
    if not LANGUAGE_TAG.match(tag):
        raise Invalid("expected a BCP 47 language tag such as 'de' or 'en-GB'")
    return tag


def _timezone(value: Any) -> str:
    name = _text(value)
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise Invalid(f"unknown time zone {name!r} (use an IANA name like Europe/Berlin)") from None
    return name


def _output_dir(value: Any) -> str:
    path = _text(value)
    if "\0" in path:
        raise Invalid("must not contain NUL")
    if path.startswith("~"):
        raise Invalid("'~' is not expanded here; write the folder's full path")
    return path


def _theme(value: Any) -> str:
    name = _text(value)
    if not re.match(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", name) or ".." in name:
        raise Invalid("expected a theme folder name such as 'default'")
    return name


def _permalink(value: Any) -> str:
    pattern = _text(value)
    if "{slug}" not in pattern:
        raise Invalid("must contain {slug}")
    rest = pattern
    for placeholder in PERMALINK_FIELDS:
        rest = rest.replace(placeholder, "")
    if re.search(r"[{}]", rest) or ".." in pattern or "\\" in pattern:
        raise Invalid("may only use {year}, {month}, {day} and {slug}")
    if not pattern.startswith("/") or not pattern.endswith("/"):
        raise Invalid("must start and end with '/', e.g. /{year}/{month}/{slug}/")
    if not PERMALINK_TEXT.fullmatch(rest):
        raise Invalid("may only use letters, digits, '-', '_', '.', '~' besides the fields")
    for segment in pattern[1:-1].split("/"):
        if segment in ("", ".") or segment.split(".")[0].lower() in RESERVED_NAMES:
            raise Invalid(f"the folder name {segment!r} is not allowed in a URL")
    return pattern


def _words(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise Invalid("expected a list of words")
    return tuple(v.strip() for v in value)


def _sources(value: Any) -> tuple[Mapping[str, Any], ...]:
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise Invalid("expected a list of sources, each with name and url")
    for index, source in enumerate(value):
        if not isinstance(source.get("url"), str) or not isinstance(source.get("name"), str):
            raise Invalid(f"source {index + 1}: needs a name and a url")
    return tuple(value)


def _mapping(value: Any) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise Invalid("expected a mapping")
    return value


SITE_OPTIONS: dict[str, Option] = {
    "title": Option("The site's name, shown in every page header and feed.", _text),
    "base_url": Option("Absolute URL the site is published at; may carry a sub-path.", _base_url),
    "description": Option("One sentence about the site, for the home page and feeds.", _string),
    "language": Option("Default language of articles (BCP 47).", _language),
    "timezone": Option("IANA zone for dates written without an offset.", _timezone),
    "theme": Option("Theme folder under themes/ (or a theme shipped with sitegen).", _theme),
    "output_dir": Option("Folder the site is written to, relative to site.yaml.", _output_dir),
    "paginate": Option("Articles per list page.", _positive_int),
    "permalink": Option("URL pattern of an article page.", _permalink),
    "author": Option("Default author for articles that name none.", _string),
    "copyright": Option("Footer line.", _string),
    "topics": Option("The site's sections: slug -> {title, description}.", _mapping),
    "feeds": Option("Feed settings: formats, limit, full_content, taxonomies.", _mapping),
    "offline": Option("Offline reading: {enabled: true, articles: 20}.", _mapping),
    "stories": Option("One entry per story reported by several sources.", _mapping),
    "related_count": Option("Related articles shown under an article.", _positive_int),
    "summary_length": Option("Characters of the automatic summary.", _positive_int),
    "words_per_minute": Option("Reading speed used for reading time.", _positive_int),
    "extra": Option("Free-form values for themes, reachable as site.extra.", _mapping),
    "deploy": Option("Deploy targets (see `sitegen deploy`).", _mapping),
    "sources": Option("News sources `sitegen import` pulls from.", _sources),
}

TOPIC_OPTIONS: dict[str, Option] = {
    "title": Option("Name of the topic.", _text),
    "description": Option("One sentence shown on the topic page.", _string),
    "keywords": Option("Words that put an imported article into this topic.", _words),
}

OFFLINE_OPTIONS: dict[str, Option] = {
    "enabled": Option("Register a service worker for offline reading.", _boolean),
    "articles": Option("Newest articles kept for offline reading.", _positive_int),
}


def _fraction(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 1:
        raise Invalid("expected a number above 0 and at most 1")
    return float(value)


def _hours(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise Invalid("expected a number of hours, 0 or more")
    return float(value)


def _primary(value: Any) -> str:
    if value not in ("earliest", "longest"):
        raise Invalid("expected earliest or longest")
    return str(value)


STORY_OPTIONS: dict[str, Option] = {
    "enabled": Option("Group reports of one story into one entry.", _boolean),
    "window_hours": Option("Reports of one story lie at most this far apart.", _hours),
    "threshold": Option("Text similarity (0-1] that makes two reports one story.", _fraction),
    "cross_language": Option("Link reports in different languages by names.", _boolean),
    "primary": Option("Which report lists show: earliest or longest.", _primary),
}

FEED_OPTIONS: dict[str, Option] = {
    "formats": Option("Any of atom, rss, json.", lambda v: v),
    "limit": Option("Entries per feed.", _positive_int),
    "full_content": Option("Whole articles (true) or summaries (false).", _boolean),
    "taxonomies": Option("Which of tags, topics get feeds.", lambda v: v),
    "opml_tags": Option("List tag feeds in /feeds.opml too.", _boolean),
}


def load_config(site_dir: Path) -> Config:
    """Read site_dir/site.yaml. Raises InputError listing every problem found."""
    path = site_dir / CONFIG_FILE
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(
            [Problem(CONFIG_FILE, None, None, "not found: run `sitegen new` or pass --site DIR")]
        ) from None
    except (OSError, UnicodeDecodeError) as error:
        raise InputError([Problem(CONFIG_FILE, None, None, f"cannot read: {error}")]) from None
    return parse_config(text, site_dir)


def parse_config(text: str, site_dir: Path, name: str = CONFIG_FILE) -> Config:
    try:
        raw = load_yaml(text)
    except YamlError as error:
        raise InputError([Problem(name, error.line, None, error.message)]) from None
    if raw is None:
        raw = {}
    collector = _Collector(name, text)
    if not isinstance(raw, dict):
        collector.add((), "expected a mapping of settings")
        raise InputError(collector.problems)
    values = collector.convert((), raw, SITE_OPTIONS)
    for required in ("title", "base_url"):
        if required not in raw:
            collector.add((), f"{required}: required")
    topics = _topics(collector, raw.get("topics"))
    feeds = _feeds(collector, raw.get("feeds"))
    offline = OfflineConfig(**_section(collector, raw, "offline", OFFLINE_OPTIONS))
    stories = StoriesConfig(**_section(collector, raw, "stories", STORY_OPTIONS))
    if collector.problems:  # in the order of the file's lines, as a reader fixes them
        raise InputError(sorted(collector.problems, key=lambda p: p.line or 0))
    values.update(
        topics=topics, feeds=feeds, offline=offline, stories=stories, site_dir=str(site_dir)
    )
    return Config(**values)


def _section(
    collector: _Collector, raw: Mapping[str, Any], key: str, options: Mapping[str, Option]
) -> dict[str, Any]:
    """The checked values of one nested mapping of site.yaml (empty when it is absent)."""
    section = raw.get(key)
    return collector.convert((key,), section, options) if isinstance(section, dict) else {}


class _Collector:
    """Collects problems for one YAML file, placing each at its key's line."""

    def __init__(self, name: str, text: str) -> None:
        self.name = name
        self.text = text
        self.problems: list[Problem] = []
        self._lines: dict[tuple[str, ...], int] | None = None

    def add(self, key_path: tuple[str, ...], message: str) -> None:
        if self._lines is None:
            self._lines = key_lines(self.text)
        line = self._lines.get(key_path)
        key = ".".join(key_path) or None
        self.problems.append(Problem(self.name, line, key, message))

    def convert(
        self, path: tuple[str, ...], raw: Mapping[Any, Any], options: Mapping[str, Option]
    ) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for key, value in raw.items():
            key_path = (*path, str(key))
            option = options.get(str(key))
            if option is None:
                self.add(key_path, "unknown key" + did_you_mean(str(key), options))
                continue
            try:
                values[str(key)] = option.convert(value)
            except Invalid as error:
                self.add(key_path, str(error))
        return values


def did_you_mean(word: str, choices: Mapping[str, Any] | list[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _topics(collector: _Collector, raw: Any) -> tuple[TopicConfig, ...]:
    if not isinstance(raw, dict):
        return ()
    topics = []
    for key, spec in raw.items():
        slug = str(key)
        if slugify(slug) != slug:
            collector.add(("topics", slug), f"topic slug must look like {slugify(slug)!r}")
            continue
        if spec is None or isinstance(spec, str):
            spec = {"title": spec or slug}
        if not isinstance(spec, dict):
            collector.add(("topics", slug), "expected {title, description}")
            continue
        values = collector.convert(("topics", slug), spec, TOPIC_OPTIONS)
        topics.append(
            TopicConfig(
                slug,
                values.get("title", slug),
                values.get("description", ""),
                values.get("keywords", ()),
            )
        )
    return tuple(topics)


def _feeds(collector: _Collector, raw: Any) -> FeedsConfig:
    if not isinstance(raw, dict):
        return FeedsConfig()
    values = collector.convert(("feeds",), raw, FEED_OPTIONS)
    for key, allowed in (("formats", ("atom", "rss", "json")), ("taxonomies", ("tags", "topics"))):
        if key not in values:
            continue
        chosen = values[key]
        empty = key == "formats" and not chosen  # taxonomies may be [], formats may not
        if not isinstance(chosen, list) or empty or any(i not in allowed for i in chosen):
            collector.add(("feeds", key), f"expected a list of {', '.join(allowed)}")
            del values[key]
        else:
            values[key] = tuple(dict.fromkeys(chosen))
    return FeedsConfig(**values)


def override_base_url(config: Config, url: str) -> Config:
    """The config with base_url replaced, checked as site.yaml's is (for `--base-url`)."""
    try:
        return replace(config, base_url=_base_url(url))
    except Invalid as error:
        raise InputError([Problem("--base-url", None, None, str(error))]) from None


def config_fingerprint(config: Config) -> str:
    """Changes whenever anything in the config changes; part of every cache key."""
    parts = [f"{f.name}={getattr(config, f.name)!r}" for f in fields(config) if f.name != "deploy"]
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()[:16]
