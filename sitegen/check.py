"""`sitegen check`: validate site.yaml, every article, URLs, links and feeds; write nothing.

What it reports, as errors: config and front matter problems, unreadable files, URL
collisions, theme errors, dead internal links and anchors, feeds that do not parse. As
warnings: dates without a UTC offset, tag spellings that merge into one page (after case
folding, Unicode normalization and transliteration), articles with identical text.

Exit codes scripts can rely on:
    0  no errors (warnings allowed, unless strict)
    1  errors found, or warnings found with strict (`--strict`)
The command line maps usage errors to 2, as for every command.
"""

from __future__ import annotations

import hashlib
import json
import stat
import xml.etree.ElementTree as ElementTree
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from sitegen.config import load_config
from sitegen.content import decode, parse_article, split_front_matter, zone_warnings
from sitegen.load import scan
from sitegen.markdown import MarkdownRenderer
from sitegen.model import Article, Body, Config, InputError, Problem, Site
from sitegen.output import check_output_dir
from sitegen.pipeline import plan_site
from sitegen.produce import OFFLINE_FILE, Producer
from sitegen.routes import Route
from sitegen.site import build_site

EXIT_CLEAN, EXIT_PROBLEMS = 0, 1
ATOM = "{http://www.w3.org/2005/Atom}"

Log = Callable[[str], None]


@dataclass(frozen=True)
class CheckReport:
    problems: list[Problem]
    articles: int

    @property
    def errors(self) -> int:
        return sum(1 for p in self.problems if p.severity == "error")

    @property
    def warnings(self) -> int:
        return len(self.problems) - self.errors


def run_check(site_dir: Path, strict: bool, log: Log) -> int:
    """Check the site in site_dir, log each problem and a summary; return the exit code."""
    report = check_site(site_dir)
    for problem in report.problems:
        log(str(problem))
    log(_summary(report))
    if report.errors or (strict and report.warnings):
        return EXIT_PROBLEMS
    return EXIT_CLEAN


def _summary(report: CheckReport) -> str:
    def count(n: int, word: str) -> str:
        return f"{n} {word}{'' if n == 1 else 's'}"

    found = (
        f"{count(report.errors, 'error')}, {count(report.warnings, 'warning')}"
        if report.problems
        else "no problems"
    )
    return f"sitegen check: {found} in {count(report.articles, 'article')}"


def check_site(site_dir: Path, now: datetime | None = None) -> CheckReport:
    """Every problem of the site, errors and warnings, in file and line order."""
    site_dir = site_dir.resolve()
    try:
        config = load_config(site_dir)
    except InputError as error:
        return CheckReport(error.problems, 0)
    problems: list[Problem] = []
    try:
        check_output_dir(site_dir, Path(config.output_dir))
    except InputError as error:
        problems += error.problems
    articles, bodies = _read_articles(site_dir, config, problems)
    problems += _tag_spellings(articles)
    problems += _duplicates(articles, bodies)
    try:
        site = build_site(
            config,
            {a.source: a for a in articles},
            bodies,
            now or datetime.now(UTC),
            include_drafts=True,
            include_future=True,
        )
        problems += _check_pages(site_dir, site)
    except InputError as error:
        problems += error.problems
    problems += _deploy_and_sources(site_dir, config)
    return CheckReport(_ordered(problems), len(articles))


def _deploy_and_sources(site_dir: Path, config: Config) -> list[Problem]:
    """What `sitegen deploy` and `sitegen import` would refuse in site.yaml, found now."""
    from sitegen.deploy import parse_targets  # on demand, as the commands themselves do
    from sitegen.importer.decode import InputProblem
    from sitegen.importer.pipeline import parse_source, unknown_topics

    problems: list[Problem] = []
    try:
        parse_targets(config.deploy, site_dir)
    except InputError as error:
        problems += error.problems
    known = {t.slug for t in config.topics}
    for n, data in enumerate(config.sources):
        where = f"sources[{n}]"
        if isinstance(data.get("topics"), str):  # one name, not a list of its letters
            problems.append(Problem("site.yaml", None, f"{where}.topics", "expected a list"))
            continue
        try:
            topics = parse_source(data).topics
        except (InputProblem, TypeError, AttributeError) as error:  # what import would refuse
            problems.append(Problem("site.yaml", None, where, f"not a valid source: {error}"))
            continue
        problems += [
            Problem("site.yaml", None, f"{where}.topics", f"{topic!r} is not a topic of the site")
            for topic in unknown_topics(topics, known)
        ]
    return problems


def _ordered(problems: Iterable[Problem]) -> list[Problem]:
    unique = dict.fromkeys(problems)
    return sorted(unique, key=lambda p: (p.path, p.line or 0, p.severity != "error"))


# --- articles ----------------------------------------------------------------------------


def _read_articles(
    site_dir: Path, config: Config, problems: list[Problem]
) -> tuple[list[Article], dict[str, Body]]:
    found = scan(site_dir)
    problems += found.problems
    renderer = MarkdownRenderer()
    articles: list[Article] = []
    bodies: dict[str, Body] = {}
    for name, st in found.files.items():
        if not stat.S_ISREG(st.st_mode):  # a FIFO would block a read for ever
            problems.append(Problem(name, None, None, "not a regular file; remove it"))
            continue
        try:
            data = found.path(name).read_bytes()
        except OSError as error:
            problems.append(Problem(name, None, None, f"cannot read: {error.strerror}"))
            continue
        try:
            raw = split_front_matter(decode(data, name), name)
            problems += zone_warnings(raw, name, config.timezone)
            article, body = parse_article(name, data, config, renderer)
        except InputError as error:
            problems += error.problems
            continue
        articles.append(article)
        bodies[name] = body
    return articles, bodies


def _tag_spellings(articles: Iterable[Article]) -> list[Problem]:
    """Warn where different spellings of a tag share one page ('KI', 'Ki', 'ki' -> tags/ki/)."""
    first_use: dict[str, dict[str, str]] = defaultdict(dict)  # slug -> spelling -> article
    for article in sorted(articles, key=lambda a: a.source):
        for ref in article.tags:
            first_use[ref.slug].setdefault(ref.name, article.source)
    problems = []
    for slug, spellings in sorted(first_use.items()):
        if len(spellings) < 2:
            continue
        names = sorted(spellings)
        listed = ", ".join(repr(n) for n in names)
        for name in names[1:]:
            message = f"tags {listed} all become the one page /tags/{slug}/; pick one spelling"
            problems.append(Problem(spellings[name], None, "tags", message, "warning"))
    return problems


def _duplicates(articles: Iterable[Article], bodies: Mapping[str, Body]) -> list[Problem]:
    """Warn about articles whose body text is the same (whitespace and case aside)."""
    seen: dict[str, str] = {}
    problems = []
    for article in sorted(articles, key=lambda a: a.source):
        text = " ".join(bodies[article.source].text.split()).casefold()
        if not text:
            continue
        key = hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()
        first = seen.setdefault(key, article.source)
        if first != article.source:
            message = f"same text as {first}; a duplicate import?"
            problems.append(Problem(article.source, None, None, message, "warning"))
    return problems


# --- pages: links, anchors, feeds ----------------------------------------------------------


class _Links(HTMLParser):
    """The link targets and element ids of an HTML page or fragment."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is None:
                continue
            if name == "id" or (name == "name" and tag == "a"):
                self.ids.add(value)
            elif (name == "href" and tag in ("a", "area")) or (name == "src" and tag == "img"):
                self.hrefs.append(value)


def _parse_html(text: str) -> _Links:
    parser = _Links()
    parser.feed(text)
    parser.close()
    return parser


@dataclass
class _Pages:
    """The site's routes, rendered into memory only when an anchor needs a page's ids."""

    site: Site
    routes: dict[str, Route]  # output path -> route
    producer: Producer
    ids: dict[str, set[str]] = field(default_factory=dict)

    def exists(self, path: str) -> str | None:
        """The output file a site-relative path is served from, or None."""
        if not path or path.endswith("/"):
            candidates = [path + "index.html"]
        else:  # a folder without its trailing slash: servers redirect
            candidates = [path, path + "/index.html"]
        for candidate in candidates:
            if candidate in self.routes or candidate == OFFLINE_FILE:
                return candidate
            if candidate.startswith("search/") and "search/" in self.routes:
                return candidate  # the search index: files the search route writes
        return None

    def anchors(self, output: str) -> set[str] | None:
        """Element ids of a page; None when it is no HTML page."""
        if output not in self.ids:
            route = self.routes.get(output)
            if route is None or route.template is None:
                return None
            data = b"".join(d for p, d in self.producer.produce(route) if p == output)
            self.ids[output] = _parse_html(data.decode("utf-8", "replace")).ids
        return self.ids[output]


def _check_pages(site_dir: Path, site: Site) -> list[Problem]:
    renderer, assets, plan = plan_site(site_dir, site, drafts=False, future=False)
    routes = plan.routes
    producer = Producer(site, renderer, assets, plan.fingerprints)
    pages = _Pages(site, {r.path: r for r in routes}, producer)
    problems = []
    for article in site.articles:
        problems += _check_links(pages, article)
    problems += _check_feeds(pages, routes)
    return problems


def _site_path(href: str, page_url: str, config: Config) -> tuple[str, str] | None:
    """(site-relative path, fragment) of a link into this site; None for other places."""
    absolute = urljoin(page_url, href.strip())
    parts = urlsplit(absolute)
    base = urlsplit(config.base_url)
    if (parts.scheme, parts.netloc.lower()) != (base.scheme, base.netloc.lower()):
        return None
    path = unquote(parts.path)
    if not path.startswith(config.base_path):
        return None  # elsewhere on the same host: not this site's to check
    return path[len(config.base_path) :], unquote(parts.fragment)


def _check_links(pages: _Pages, article: Article) -> list[Problem]:
    site = pages.site
    own = site.urls[article.source]
    page_url = site.config.base_url + own
    body = _parse_html(site.bodies[article.source].html)
    problems = []
    for href in dict.fromkeys(body.hrefs):
        target = _site_path(href, page_url, site.config)
        if target is None:
            continue
        path, fragment = target
        output = pages.exists(path)
        if output is None:
            problems.append(Problem(article.source, None, None, f"dead link {href}: no such page"))
            continue
        if not fragment:
            continue
        ids = body.ids if path == own else None
        if ids is None or fragment not in ids:
            ids = pages.anchors(output)
        if ids is not None and fragment not in ids:
            message = f"dead link {href}: the page has no anchor #{fragment}"
            problems.append(Problem(article.source, None, None, message))
    return problems


def _check_feeds(pages: _Pages, routes: Iterable[Route]) -> list[Problem]:
    """Render the site's own feeds (not the per-tag ones) and parse them."""
    problems = []
    for route in routes:
        if route.kind != "feed" or len(route.args) != 1:
            continue
        for path, data in pages.producer.produce(route):
            message = _feed_problem(route.args[0], data)
            if message:
                problems.append(Problem(path, None, None, f"invalid feed: {message}"))
    return problems


def _feed_problem(fmt: str, data: bytes) -> str | None:
    if fmt == "json":
        try:
            feed = json.loads(data)
        except ValueError as error:
            return str(error)
        ok = isinstance(feed, dict) and isinstance(feed.get("items"), list)
        return None if ok and feed.get("version") else "not a JSON Feed (version, items)"
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as error:
        return str(error)
    if fmt == "atom" and root.tag != f"{ATOM}feed":
        return f"root element is {root.tag}, not an Atom feed"
    if fmt == "rss" and (root.tag != "rss" or root.find("channel") is None):
        return f"root element is {root.tag}, not an RSS channel"
    return None
