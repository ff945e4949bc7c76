"""Compare sitegen with Pelican on the same generated corpus, in one run, as ratios.

    python benchmarks/pelican_compare.py [--sizes 1000,10000] [--repeat 1] [--edits body]

Pelican runs from a virtualenv of its own, made once and reused (default
~/.cache/sitegen-bench/pelican-venv, or --pelican-venv) with `pip install pelican markdown`:
Pelican never goes into the environment that runs sitegen. The corpus of benchmarks/corpus.py is
written once as a sitegen site and converted into an equivalent Pelican site: Markdown articles
with Pelican metadata (Title, Date, Slug by sitegen's slug rule, Tags, Category = the article's
first topic, Author, Lang, Summary where the corpus has one, the other front-matter fields as
extra metadata; drafts get `Status: draft` and are not written, as sitegen leaves them out), and a
pelicanconf.py with the default theme, absolute URLs (RELATIVE_URLS False), articles at
{date:%Y}/{date:%m}/{slug}/, a home, tag pages (tags/{slug}/) and category pages
(topics/{slug}/) paginated by 20 (page/N/), the tag and category lists, and Atom and RSS feeds of
the newest 50 articles in full (FEED_MAX_ITEMS 50, RSS_FEED_SUMMARY_ONLY False) for the whole site,
each tag and each category. Pelican's content cache is on for the rebuilds (CACHE_CONTENT and
LOAD_CONTENT_CACHE True, CHECK_MODIFIED_METHOD 'mtime'); CONTENT_CACHING_LAYER is 'generator',
which caches the processed article objects rather than only the reader's raw output: its docs
warn only about plugins and WITH_FUTURE_DATES, neither of which applies here, and it is the
faster layer. GZIP_CACHE is off (also the faster choice).

Equivalent in both: article pages, the paginated home, tag and topic/category pages with their
pagination, the tag and topic lists, the site-wide and per-tag/per-topic Atom and RSS feeds.
Not equivalent: Pelican core has no JSON Feed, no search index, no sitemap.xml (it needs a
plugin), no robots.txt, 404 page, OPML or service worker, no related articles or previous/next
links in its default theme, one category per article (sitegen's second topic is dropped), and
Pelican slugifies tags by ASCII folding (Börse -> borse, sitegen: boerse). Pelican's author
pages and feeds, archives page and per-language feeds are switched off, as sitegen has none.
So sitegen writes more files; the output file counts of both are printed.

For each size the two tools alternate (who goes first alternates too): cold build (sitegen:
output and cache removed, `sitegen build --site DIR --no-cache --quiet`; Pelican: output and
cache folder removed, `pelican content -s pelicanconf.py -o out --fatal errors`), no-change
rebuild (both with their caches) and one-article edits (benchmarks/corpus.py's edit_article,
the same edit in both sites). Each run is a fresh subprocess measured by build_bench's
run_measured (wall, CPU, peak memory of the process tree). Pelican runs under `timeout`
(--pelican-timeout, default 600 s); a Pelican run that exits non-zero, times out or writes
fewer article pages than the corpus has published articles stops the benchmark with its log.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import yaml
from build_bench import (
    BuildFailed,
    Measurement,
    add_common_arguments,
    machine_line,
    run_measured,
    set_aside,
    usable_sitegen,
    write_json,
)
from corpus import TOPICS, slugify
from peer import Peer, compare_sizes, print_comparison

DEFAULT_VENV = Path.home() / ".cache" / "sitegen-bench" / "pelican-venv"
PELICAN_PACKAGES = ("pelican", "markdown")

PELICAN_CONF = """\
# Written by benchmarks/pelican_compare.py: Pelican's side of the sitegen comparison.
SITENAME = "Benchmark News"
SITEURL = "https://bench.example.org"
RELATIVE_URLS = False
TIMEZONE = "Europe/Berlin"
DEFAULT_LANG = "de"

PATH = "content"
ARTICLE_PATHS = [""]
PAGE_PATHS = []
STATIC_PATHS = []
USE_FOLDER_AS_CATEGORY = False
DEFAULT_CATEGORY = "Allgemein"

ARTICLE_URL = "{date:%Y}/{date:%m}/{slug}/"
ARTICLE_SAVE_AS = "{date:%Y}/{date:%m}/{slug}/index.html"
ARTICLE_LANG_URL = ARTICLE_URL
ARTICLE_LANG_SAVE_AS = ARTICLE_SAVE_AS
DRAFT_SAVE_AS = ""
DRAFT_LANG_SAVE_AS = ""
TAG_URL = "tags/{slug}/"
TAG_SAVE_AS = "tags/{slug}/index.html"
TAGS_URL = "tags/"
TAGS_SAVE_AS = "tags/index.html"
CATEGORY_URL = "topics/{slug}/"
CATEGORY_SAVE_AS = "topics/{slug}/index.html"
CATEGORIES_URL = "topics/"
CATEGORIES_SAVE_AS = "topics/index.html"
AUTHOR_SAVE_AS = ""
AUTHORS_SAVE_AS = ""
ARCHIVES_SAVE_AS = ""
DIRECT_TEMPLATES = ["index", "tags", "categories"]

DEFAULT_PAGINATION = 20
PAGINATED_TEMPLATES = {"index": None, "tag": None, "category": None}
PAGINATION_PATTERNS = (
    (1, "{url}", "{save_as}"),
    (2, "{base_name}/page/{number}/", "{base_name}/page/{number}/index.html"),
)

FEED_ALL_ATOM = "feeds/all.atom.xml"
FEED_ALL_RSS = "feeds/all.rss.xml"
CATEGORY_FEED_ATOM = "topics/{slug}/atom.xml"
CATEGORY_FEED_RSS = "topics/{slug}/rss.xml"
TAG_FEED_ATOM = "tags/{slug}/atom.xml"
TAG_FEED_RSS = "tags/{slug}/rss.xml"
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
TRANSLATION_FEED_ATOM = None
TRANSLATION_FEED_RSS = None
FEED_MAX_ITEMS = 50
RSS_FEED_SUMMARY_ONLY = False

CACHE_PATH = "cache"
CACHE_CONTENT = True
LOAD_CONTENT_CACHE = True
CONTENT_CACHING_LAYER = "generator"
CHECK_MODIFIED_METHOD = "mtime"
GZIP_CACHE = False
"""

# Front-matter keys with a Pelican meaning of their own; other keys become extra metadata.
_HANDLED = {"title", "date", "tags", "topics", "author", "lang", "summary", "draft"}
_DATE = re.compile(r"^date:\s*(\S+)\s*$", re.M)
_PROCESSED = re.compile(r"Processed (\d+) articles?")
_ARTICLE_PAGE = re.compile(r"^\d{4}/\d{2}/[^/]+/index\.html$")
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


# --- Pelican's virtualenv --------------------------------------------------------------------


def _venv_ready(venv: Path) -> bool:
    python = venv / "bin" / "python"
    if not (python.is_file() and (venv / "bin" / "pelican").is_file()):
        return False
    done = subprocess.run(
        [str(python), "-c", "import pelican, markdown"], capture_output=True, check=False
    )
    return done.returncode == 0


def ensure_pelican(venv: Path) -> Path:
    """The pelican executable of `venv`, made with `pip install pelican markdown` if need be."""
    if not _venv_ready(venv):
        print(f"making Pelican's virtualenv at {venv} ...", flush=True)
        venv.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
        subprocess.run(
            [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", *PELICAN_PACKAGES],
            check=True,
        )
        if not _venv_ready(venv):
            raise SystemExit(f"error: {venv} has no working pelican after pip install")
    return venv / "bin" / "pelican"


def pelican_versions(venv: Path) -> str:
    code = (
        "import importlib.metadata as m; "
        f"print(' '.join(m.version(p) for p in {list(PELICAN_PACKAGES)!r}))"
    )
    done = subprocess.run(
        [str(venv / "bin" / "python"), "-c", code], capture_output=True, text=True, check=False
    )
    words = done.stdout.split()
    return f"Pelican {words[0]}, Markdown {words[1]}" if len(words) == 2 else "Pelican (unknown)"


def pelican_env() -> dict[str, str]:
    """Pelican's environment: no PYTHONPATH of sitegen's, wide lines for its log."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["COLUMNS"] = "250"
    return env


# --- the Pelican site ------------------------------------------------------------------------


def _meta_value(value: object) -> str:
    text = ", ".join(str(v) for v in value) if isinstance(value, list) else str(value)
    return " ".join(text.split())  # one line: Markdown's meta extension reads line by line


def convert_article(src: Path, sitegen_site: Path, pelican_site: Path) -> Path:
    """Write one sitegen article into the Pelican site as Markdown with Pelican metadata."""
    text = src.read_text(encoding="utf-8")
    head, _, body = text[4:].partition("\n---\n")
    front = yaml.load(head, Loader=_LOADER)
    date = _DATE.search(head)
    if not isinstance(front, dict) or date is None:
        raise ValueError(f"{src}: no front matter with a date")
    title = str(front["title"])
    topics = [str(t) for t in front.get("topics") or []]
    meta = [
        ("Title", title),
        ("Date", date.group(1)),  # the text as written: YAML would turn it into a datetime
        ("Slug", slugify(title)),
    ]
    if front.get("tags"):
        meta.append(("Tags", _meta_value(front["tags"])))
    if topics:
        meta.append(("Category", TOPICS[topics[0]][0] if topics[0] in TOPICS else topics[0]))
    if front.get("author"):
        meta.append(("Author", _meta_value(front["author"])))
    if front.get("lang"):
        meta.append(("Lang", _meta_value(front["lang"])))
    if front.get("summary"):
        meta.append(("Summary", _meta_value(front["summary"])))
    if front.get("draft"):
        meta.append(("Status", "draft"))
    for key, value in front.items():
        if key not in _HANDLED and value is not None:
            meta.append((key.capitalize(), _meta_value(value)))
    rel = src.relative_to(sitegen_site / "content")
    dst = pelican_site / "content" / rel
    dst.parent.mkdir(parents=True, exist_ok=True)
    lines = [f"{key}: {value}" for key, value in meta]
    dst.write_text("\n".join(lines) + "\n\n" + body.lstrip("\n"), encoding="utf-8")
    return dst


def write_pelican_site(sitegen_site: Path, pelican_site: Path) -> int:
    """Convert the whole corpus; return the number of published (non-draft) articles."""
    (pelican_site / "content").mkdir(parents=True, exist_ok=True)
    (pelican_site / "pelicanconf.py").write_text(PELICAN_CONF, encoding="utf-8")
    published = 0
    for src in sorted((sitegen_site / "content").rglob("*.md")):
        dst = convert_article(src, sitegen_site, pelican_site)
        with dst.open(encoding="utf-8") as fh:
            head = fh.read(2000).partition("\n\n")[0]
        published += "\nStatus: draft" not in head
    return published


def clean_pelican(pelican_site: Path) -> None:
    for name in ("out", "cache"):
        path = pelican_site / name
        if path.is_dir():
            set_aside(path)


def count_article_pages(out: Path) -> int:
    pages = 0
    for year in out.glob("[0-9][0-9][0-9][0-9]"):
        for page in year.glob("*/*/index.html"):
            pages += bool(_ARTICLE_PAGE.match(page.relative_to(out).as_posix()))
    return pages


def pelican_build(
    pelican: Path,
    pelican_site: Path,
    *,
    published: int,
    timeout: int,
    cold: bool,
    memory: bool = False,
) -> Measurement:
    """One Pelican build, measured; fails loudly unless it really built the site.

    `sh -c 'exec "$@" 1>&2'` sends Pelican's log (it writes it to stdout) to the stderr that
    run_measured keeps; `timeout` ends a build that takes too long."""
    cmd = [
        "sh",
        "-c",
        'exec "$@" 1>&2',
        "sh",
        "timeout",
        "--kill-after=30",
        str(timeout),
        str(pelican),
        "content",
        "-s",
        "pelicanconf.py",
        "-o",
        "out",
        "--fatal",
        "errors",
    ]
    m = run_measured(cmd, cwd=pelican_site, env=pelican_env(), memory=memory)
    log = m.stderr.strip()
    if m.returncode in (124, 137):
        raise BuildFailed(f"pelican took more than {timeout} s (stopped by timeout):\n{log}")
    if m.returncode != 0:
        raise BuildFailed(f"pelican exited {m.returncode}:\n{log}")
    processed = [int(n) for n in _PROCESSED.findall(m.stderr)]
    if not processed or processed[-1] != published:
        raise BuildFailed(
            f"pelican processed {processed[-1] if processed else '?'} articles, "
            f"the corpus has {published} published:\n{log}"
        )
    if cold:
        pages = count_article_pages(pelican_site / "out")
        if pages != published:
            raise BuildFailed(f"pelican wrote {pages} article pages for {published} articles")
    return m


def pelican_peer(pelican: Path, timeout: int) -> Callable[[Path, Path], Peer]:
    """Sets up the Pelican copy of a sitegen site, for peer.compare."""

    def set_up(sitegen_site: Path, pelican_site: Path) -> Peer:
        published = write_pelican_site(sitegen_site, pelican_site)

        def build(cold: bool, memory: bool) -> Measurement:
            if cold:
                clean_pelican(pelican_site)
            return pelican_build(
                pelican,
                pelican_site,
                published=published,
                timeout=timeout,
                cold=cold,
                memory=memory,
            )

        def take_edit(edited: Path) -> None:
            convert_article(edited, sitegen_site, pelican_site)

        return Peer("Pelican", pelican_site / "out", build, take_edit, published)

    return set_up


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_common_arguments(parser, repeat=1, edits=["body"])
    parser.add_argument(
        "--pelican-venv",
        type=Path,
        default=DEFAULT_VENV,
        help=f"Pelican's own virtualenv, made if missing (default {DEFAULT_VENV})",
    )
    parser.add_argument(
        "--pelican-timeout",
        type=int,
        default=600,
        help="seconds after which a Pelican build is stopped and reported (default 600)",
    )
    args = parser.parse_args(argv)

    sitegen = usable_sitegen(args.sitegen)
    if sitegen is None:
        return 2
    venv = args.pelican_venv.expanduser().absolute()
    pelican = ensure_pelican(venv)
    print(f"{pelican_versions(venv)} in {venv}; {machine_line()}; median of {args.repeat}")
    results = compare_sizes(args, sitegen, pelican_peer(pelican, args.pelican_timeout))
    if results is None:
        return 1
    for c in results:
        print_comparison(c, "Pelican")
    print(
        "sitegen also writes a search index, JSON feeds, sitemap.xml and more that Pelican core "
        "does not: see the file counts."
    )
    write_json(args.json, results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
