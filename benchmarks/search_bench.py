"""Benchmark the search index: build time and memory (fresh, and with a memo after edits), files,
and per-query bytes, requests and time to first result in headless Chromium (cold, later in the
same page, warm cache, and 4G with a 4x CPU slowdown).

    python benchmarks/search_bench.py [--articles 10000] [--seed 1] [--tail 0.25] [--runs 9]
        [--no-browser]

Articles come from benchmarks/corpus.py (German and English from real word lists, Zipf). Its
vocabulary is small (~2,200 keys at 10,000 articles), so by default a share of each body's words
(--tail) is replaced by pseudo-words drawn from a Zipf law over 300,000 forms: the long tail of
names and rare words a real archive has (~220,000 keys at 10,000 articles). --tail 0 gives the
project's benchmark corpus as it is. Bytes are as static_host.py sends them (no compression).
Time to first result: from navigation start (cold, warm, 4G) or from running the query (later) to
the first result in the DOM, and in brackets to the whole first page (five), as the page reports
them; the harness waits without running code in the page. Bytes and requests (the page's and its
workers') come from a first pass; the timed passes after it listen to nothing more than Playwright
does. The search page's first paint without a query shows how much of a cold first result is the
browser's own.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import random
import re
import resource
import shutil
import sys
import tempfile
import time
import tracemalloc
import urllib.parse
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import jinja2
import static_host
import yaml
from markupsafe import Markup

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sitegen.search import ROOT as INDEX_ROOT  # noqa: E402
from sitegen.search import (  # noqa: E402
    SearchDoc,
    SearchMemo,
    build_search_index,
    root_attribute,
    tokenize,
)
from sitegen.search.index import body_text, postings  # noqa: E402
from sitegen.search.index import order as number_docs  # noqa: E402

THEME = ROOT / "themes" / "default"
BASE = "/"
_SYLLABLE_TEXT = (
    "ka lo mi ten ber sch ung ra vo pel dor fi gen hau stra wel bur ton mar lin ker sel an ko ri"
    " ta de no su el fa ru ge be ver zu ent or ni wa mo ha li ste tor ing land"
)
SYLLABLES = tuple(_SYLLABLE_TEXT.split())


# --- corpus ----------------------------------------------------------------------------------


def load_corpus_module() -> ModuleType:
    path = ROOT / "benchmarks" / "corpus.py"
    spec = importlib.util.spec_from_file_location("benchmark_corpus", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


class Tail:
    """Pseudo-words with Zipf-distributed frequency: the long tail of a real vocabulary."""

    def __init__(self, rng: random.Random, size: int = 300_000, offset: int = 200) -> None:
        self.rng = rng
        words: set[str] = set()
        while len(words) < size:
            words.add("".join(rng.choices(SYLLABLES, k=rng.choice((2, 3, 3, 4)))))
        self.words = sorted(words)
        rng.shuffle(self.words)
        self.cum: list[float] = []
        total = 0.0
        for rank in range(1, size + 1):  # no head: the corpus has its own frequent words
            total += 1 / (rank + offset)
            self.cum.append(total)

    def draw(self, k: int) -> list[str]:
        return self.rng.choices(self.words, cum_weights=self.cum, k=k)


LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
MARKUP = re.compile(r"^(#+|>|-|\d+\.)\s*", re.M)


def _mix(text: str, tail: Tail, share: float, rng: random.Random) -> str:
    words = text.split(" ")
    picks = [i for i in range(len(words)) if rng.random() < share]
    for i, new in zip(picks, tail.draw(len(picks)), strict=True):
        words[i] = new.capitalize() if rng.random() < 0.5 else new
    return " ".join(words)


def make_docs(n: int, seed: int, share: float) -> list[SearchDoc]:
    corpus = load_corpus_module()
    gen = corpus.CorpusGenerator(n, seed)
    rng = random.Random(seed + 1)
    tail = Tail(random.Random(seed + 2))
    docs = []
    for _ in range(n):
        art = gen.article()
        head, _, body = art.text[4:].partition("\n---\n")
        meta = yaml.safe_load(head)
        if meta.get("draft"):
            continue
        body = MARKUP.sub("", LINK.sub(r"\1", body)).replace("*", "")
        body = _mix(body, tail, share, rng) if share else body
        title = _mix(meta["title"], tail, share / 2, rng) if share else meta["title"]
        first = next(p for p in body.split("\n\n") if p.strip())
        docs.append(
            SearchDoc(
                doc_id=f"content/{art.year}/{art.slug}.md",
                url=f"{art.year}/{meta['date'].month:02d}/{art.slug}/",
                title=title,
                lang=meta.get("lang", "de"),
                date=meta["date"],
                summary=first[:240],
                text=body,
                tags=tuple(meta.get("tags", ())),
                topics=tuple(meta.get("topics", ())),
                source=meta.get("source", ""),
            )
        )
    return docs


# --- build -----------------------------------------------------------------------------------


@dataclass
class BuildFigures:
    seconds: float
    peak_mb: float
    rss_mb: float
    files: dict[str, bytes]


def measure_build(docs: list[SearchDoc]) -> BuildFigures:
    build_search_index(docs[:200])  # warm imports
    runs = []
    for _ in range(3):
        t0 = time.perf_counter()
        files = build_search_index(docs)
        runs.append(time.perf_counter() - t0)
    tracemalloc.start()
    build_search_index(docs, workers=1)  # traced in this process
    peak = tracemalloc.get_traced_memory()[1] / 1e6
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return BuildFigures(min(runs), peak, rss, files)


def _lazy(doc: SearchDoc) -> SearchDoc:
    """As `sitegen build` gives documents: the text by a function, a hash as its version."""
    text = str(doc.text)
    version = hashlib.sha256(text.encode()).hexdigest()[:16]
    return replace(doc, text=lambda: text, version=version)


def measure_memo(docs: list[SearchDoc], files: dict[str, bytes]) -> dict[str, float]:
    """Seconds to load a memo, build and save it: cold, then after each edit (best of 3)."""
    newest = max(docs, key=lambda d: d.date)
    n = len(docs) // 2
    edits = {
        "append a sentence": replace(docs[n], text=str(docs[n].text) + " Nachtrag: ergänzt."),
        "edit a title": replace(docs[n], title=docs[n].title + " (aktualisiert)"),
        "move a date by a year": replace(docs[n], date=docs[n].date - timedelta(days=365)),
    }
    lazy = [_lazy(d) for d in docs]
    out: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        base, work = Path(tmp) / "base", Path(tmp) / "work"
        t0 = time.perf_counter()
        memo = SearchMemo.load(base)
        assert build_search_index(lazy, memo) == files
        memo.save()
        out["cold, with a memo"] = time.perf_counter() - t0
        cases = [(name, [*lazy[:n], _lazy(doc), *lazy[n + 1 :]]) for name, doc in edits.items()]
        added = replace(docs[n], doc_id="new.md", url="new/", date=newest.date + timedelta(hours=1))
        cases.append(("add the newest", [*lazy, _lazy(added)]))
        for name, edited in cases:
            runs = []
            for _ in range(3):
                shutil.rmtree(work, ignore_errors=True)
                shutil.copytree(base, work)
                t0 = time.perf_counter()
                memo = SearchMemo.load(work)
                build_search_index(edited, memo)
                memo.save()
                runs.append(time.perf_counter() - t0)
            out[name] = min(runs)
    return out


def changed(before: dict[str, bytes], after: dict[str, bytes]) -> int:
    return sum(1 for n in before.keys() | after.keys() if before.get(n) != after.get(n))


def measure_edits(docs: list[SearchDoc], files: dict[str, bytes]) -> dict[str, int]:
    newest = max(docs, key=lambda d: d.date)
    added = replace(
        docs[len(docs) // 2],
        doc_id="content/new.md",
        url="new/",
        date=newest.date + timedelta(hours=1),
    )
    edited = list(docs)
    added_text = body_text(edited[7]) + " Nachtrag: Die Zahlen wurden ergänzt."
    edited[7] = replace(edited[7], text=added_text)
    retitled = list(docs)
    retitled[7] = replace(retitled[7], title=retitled[7].title + " (aktualisiert)")
    return {
        "add newest article": changed(files, build_search_index([*docs, added])),
        "append a sentence": changed(files, build_search_index(edited)),
        "edit a title": changed(files, build_search_index(retitled)),
    }


# --- queries ---------------------------------------------------------------------------------


def pick_queries(docs: list[SearchDoc]) -> dict[str, str]:
    """A frequent word (~20% of articles), a rare one (3, or as near as there is), two words, a
    prefix: title words."""
    n = len(docs)
    df: Counter[str] = Counter()
    in_titles: set[str] = set()
    for d in docs:
        df.update(set(tokenize(d.title + " " + body_text(d))))
        in_titles.update(w for w in tokenize(d.title) if len(w) > 5 and w.isalpha())
    by_df = sorted((df[w], w) for w in in_titles)
    frequent = min(by_df, key=lambda cw: abs(cw[0] - n * 0.2))[1]
    medium = min(by_df, key=lambda cw: abs(cw[0] - n * 0.04))[1]
    long_words = [w for _, w in by_df if len(w) > 7] or [w for _, w in by_df]
    rare = min(long_words, key=lambda w: (abs(df[w] - 3), w))  # in 3 articles, or near
    return {
        "frequent word": frequent.capitalize(),
        "rare word": rare.capitalize(),
        "two words": f"{frequent.capitalize()} {medium.capitalize()}",
        "prefix": medium[:5].capitalize(),
    }


# --- site and server -------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    name: str
    url: str
    count: int


# A stand-in for the lead's base.html (which evolves): head, style sheet, masthead, topics nav.
STUB_BASE = """<!doctype html><html lang="{{ site.language }}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{% block title %}{% endblock %}</title><link rel="icon" href="data:,">
<script>try{var z=localStorage.getItem("sitegen:size");
if(z)document.documentElement.style.fontSize=z+"%"}catch(e){}</script>
{% block early %}{% endblock %}
{% block stylesheet %}<link rel="stylesheet" href="{{ asset('style.css') }}">{% endblock %}
{% block head %}{% endblock %}</head><body><header class="masthead">
<a class="brand" href="{{ url('') }}">{{ site.title }}</a><nav aria-label="Themen"><ul>
{% for t in topics %}<li><a href="{{ t.url }}">{{ t.name }}</a></li>{% endfor %}
<li><a href="{{ url('tags/') }}">Tags</a></li><li><a href="{{ url('search/') }}">Suche</a></li>
</ul></nav></header><main id="main">{% block content %}{% endblock %}</main>
<footer class="colophon"><p><a href="{{ url('feeds/') }}">Feeds</a></p></footer>
{% block scripts %}{% endblock %}</body></html>"""


def render_page(docs: list[SearchDoc], root: bytes) -> str:
    """search.html, the real template, under a stand-in base.html."""
    loader = jinja2.ChoiceLoader(
        [
            jinja2.DictLoader({"base.html": STUB_BASE}),
            jinja2.FileSystemLoader(str(THEME / "templates")),
        ]
    )
    env = jinja2.Environment(loader=loader, autoescape=True)
    env.globals["url"] = lambda path: BASE + path
    env.globals["asset"] = lambda name: BASE + "static/" + name
    env.globals["inline_style"] = lambda name: Markup("<style>{}</style>").format(
        Markup((THEME / "static" / name).read_text())
    )
    topics = Counter(t for d in docs for t in d.topics)
    tags = Counter(t for d in docs for t in d.tags)
    return env.get_template("search.html").render(
        site={"title": "Benchmark News", "language": "de"},
        search_root=Markup(root_attribute(root)),
        topics=[Term(t, f"{BASE}topics/{t.lower()}/", c) for t, c in sorted(topics.items())],
        tags=[Term(t, f"{BASE}tags/{t.lower()}/", c) for t, c in sorted(tags.items())],
    )


def write_site(out: Path, docs: list[SearchDoc], files: dict[str, bytes]) -> None:
    for name, data in files.items():
        if name == INDEX_ROOT:
            continue  # inline in the page, as sitegen build does
        path = out / "search" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    page = render_page(docs, files[INDEX_ROOT])
    (out / "search" / "index.html").write_text(page, encoding="utf-8")
    shutil.copytree(THEME / "static", out / "static")


@contextmanager
def serve(folder: Path) -> Iterator[str]:
    """The folder on 127.0.0.1 as a static host serves it (static_host.py); yields the search
    page's URL."""
    with static_host.serve(folder) as root:
        yield root + BASE.lstrip("/") + "search/"


# --- browser ---------------------------------------------------------------------------------

# The page tells the console each time it shows results (detail: count, ms since the query ran,
# sinceLoad: ms since navigation start). Listening to the console runs no code in the page; waiting
# with wait_for_function would inject Playwright's script and poll on every frame, on the very
# main thread being timed (15-20 ms of a cold page, four times that with the CPU slowed down).
RECORD = (
    "document.addEventListener('sitegen:results',"
    " e => console.debug('sitegen:results ' + JSON.stringify(e.detail)));"
)


@dataclass
class Shot:
    kb: float
    requests: int
    ms: float  # to the first result shown
    page_ms: float  # to the whole first page of results (five) shown
    hits: int


def _since_load(kb: float, requests: int, detail: dict[str, Any]) -> Shot:
    return Shot(kb, requests, detail["firstSinceLoad"], detail["sinceLoad"], detail["count"])


class Meter:
    """Bytes and requests that reached the network, the context's pages' and workers'
    (Playwright's request events: a DevTools session on the page misses a worker's, such as
    Pagefind's). Not counting, it counts nothing."""

    def __init__(self, context: Any, counting: bool = True) -> None:
        self.finished: list[Any] = []
        if counting:
            context.on("requestfinished", self._done)

    def _done(self, request: Any) -> None:
        self.finished.append(request)

    def take(self) -> tuple[float, int]:
        sizes = [r.sizes() for r in self.finished]
        sent = [s["responseHeadersSize"] + s["responseBodySize"] for s in sizes]
        self.finished.clear()
        return sum(sent) / 1000, sum(1 for n in sent if n > 0)  # not those from the cache


def _watch(page: Any) -> Any:
    """Keep the results the page reports in page.shown."""
    page.shown = []

    def heard(message: Any) -> None:
        if message.text.startswith("sitegen:results "):
            page.shown.append(json.loads(message.text.partition(" ")[2]))

    page.on("console", heard)
    return page


def _results(page: Any, count: int) -> dict[str, Any]:
    deadline = time.monotonic() + 60
    while len(page.shown) < count:
        if time.monotonic() > deadline:
            raise TimeoutError(f"no results #{count} after 60 s")
        page.wait_for_timeout(5)  # a timer in Playwright, not in the page
    detail: dict[str, Any] = page.shown[count - 1]
    return detail


def _open(browser: Any, throttle: bool = False, metered: bool = True) -> tuple[Any, Any, Meter]:
    """A fresh context (empty cache) and page. Unmetered, nothing but Playwright itself listens
    to the page's network: the byte meter's DevTools session once did, and reporting every
    response cost a cold first result ~7-9 ms (medians of 145 vs 138 ms, 30 interleaved runs)."""
    # No service worker: a built site's would start keeping pages in the background (from the
    # second page view of a context, the warm one), its requests counted and its work timed.
    context = browser.new_context(service_workers="block")
    context.add_init_script(RECORD)
    page = _watch(context.new_page())
    meter = Meter(context, metered)
    if throttle:  # Lighthouse's mobile profile: 150 ms RTT, 1.6 Mbit/s down, 4x slower CPU
        cdp = context.new_cdp_session(page)
        cdp.send(
            "Network.emulateNetworkConditions",
            {
                "offline": False,
                "latency": 150,
                "downloadThroughput": 204800,
                "uploadThroughput": 96000,
            },
        )
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": 4})
    return context, page, meter


def cold(
    browser: Any, url: str, query: str, throttle: bool = False, metered: bool = True
) -> tuple[Shot, Any]:
    context, page, meter = _open(browser, throttle, metered)
    page.goto(url + "?q=" + urllib.parse.quote(query))
    detail = _results(page, 1)
    if metered:  # all the page loads, what comes after its first results too (reader.js)
        page.wait_for_load_state("networkidle")
    kb, requests = meter.take()
    return _since_load(kb, requests, detail), context


def warm(context: Any, url: str, query: str, metered: bool = True) -> Shot:
    for earlier in context.pages:  # the cold page: none of its requests counted here
        earlier.close()
    page = _watch(context.new_page())
    meter = Meter(context, metered)
    page.goto(url + "?q=" + urllib.parse.quote(query))
    detail = _results(page, 1)
    kb, requests = meter.take()
    return _since_load(kb, requests, detail)


def later(browser: Any, url: str, before: str, query: str, metered: bool = True) -> Shot:
    context, page, meter = _open(browser, metered=metered)
    page.goto(url + "?q=" + urllib.parse.quote(before))
    _results(page, 1)
    page.wait_for_load_state("networkidle")  # settled, as a page is when a reader types again
    meter.take()
    page.fill("#search-q", query)
    page.press("#search-q", "Enter")
    detail = _results(page, 2)
    kb, requests = meter.take()
    context.close()
    return Shot(kb, requests, detail["firstMs"], detail["ms"], detail["count"])


def _median(values: list[float]) -> float:
    return sorted(values)[len(values) // 2]


def one_pass(browser: Any, url: str, query: str, before: str, metered: bool) -> list[Shot]:
    """One query cold, later in a page that ran `before`, warm cache, and throttled cold."""
    first, context = cold(browser, url, query, metered=metered)
    again = warm(context, url, query, metered)
    context.close()
    step = later(browser, url, before, query, metered)
    slow, context = cold(browser, url, query, throttle=True, metered=metered)
    context.close()
    return [first, step, again, slow]


FIRST_PAINT = """new Promise(done => new PerformanceObserver((list, observer) => {
  const entry = list.getEntriesByName('first-contentful-paint')[0];
  if (entry) { observer.disconnect(); done(entry.startTime); }
}).observe({type: 'paint', buffered: true}))"""


def page_alone(browser: Any, url: str) -> tuple[float, float]:
    """Milliseconds from navigation start until the search page without a query, cold, is
    parsed (its DOM ready for results) and first painted: the browser's own part of a cold
    first result."""
    context, page, _ = _open(browser, metered=False)
    page.goto(url)
    painted = float(page.evaluate(FIRST_PAINT))
    parsed = float(page.evaluate("performance.getEntriesByType('navigation')[0].domInteractive"))
    context.close()
    return parsed, painted


def measure_queries(
    url: str, queries: dict[str, str], runs: int = 3
) -> tuple[tuple[float, float], list[tuple[str, str, list[Shot]]]]:
    """When the page alone is parsed and first painted (medians of `runs`), and per query:
    cold, later in a page that ran another query, warm cache, throttled cold.

    Bytes and requests are those of a first, metered pass; times are the median of `runs`
    unmetered passes after it.
    """
    from playwright.sync_api import sync_playwright

    rows = []
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
            ],
        )
        cold(browser, url, "Auftakt")[1].close()  # let Chromium itself warm up
        pages = [page_alone(browser, url) for _ in range(runs)]
        alone = (_median([p[0] for p in pages]), _median([p[1] for p in pages]))
        names = list(queries)
        for i, name in enumerate(names):
            query, before = queries[name], queries[names[i - 1]]
            counted = one_pass(browser, url, query, before, metered=True)
            timed = [one_pass(browser, url, query, before, metered=False) for _ in range(runs)]
            shots = [
                replace(
                    shot,
                    ms=_median([each[kind].ms for each in timed]),
                    page_ms=_median([each[kind].page_ms for each in timed]),
                )
                for kind, shot in enumerate(counted)
            ]
            rows.append((name, query, shots))
        browser.close()
    return alone, rows


# --- report ----------------------------------------------------------------------------------


def print_build(
    docs: list[SearchDoc], figures: BuildFigures, edits: dict[str, int], memo: dict[str, float]
) -> None:
    files = figures.files
    shards = sorted(len(v) for k, v in files.items() if k.startswith("t/"))
    chunks = sorted(len(v) for k, v in files.items() if k.startswith("d/"))
    keys = len(postings(number_docs(docs)))
    print(
        f"articles {len(docs):,}  keys {keys:,}  files {len(shards) + len(chunks):,} "
        f"({len(shards)} term shards, {len(chunks)} chunks; the root inline in the page)  "
        f"total {sum(map(len, files.values())) / 1e6:.2f} MB"
    )
    print(
        f"build {figures.seconds:.2f} s (best of 3)  peak traced {figures.peak_mb:.0f} MB  "
        f"process max RSS {figures.rss_mb:.0f} MB (corpus included)"
    )
    print(
        f"term shard KB: median {shards[len(shards) // 2] / 1e3:.1f}  "
        f"p90 {shards[len(shards) * 9 // 10] / 1e3:.1f}  max {shards[-1] / 1e3:.1f};  "
        f"chunk KB: median {chunks[len(chunks) // 2] / 1e3:.1f}  root "
        f"{len(files[INDEX_ROOT]) / 1e3:.1f} (inline in the page)"
    )
    print("files rewritten: " + ", ".join(f"{k} {v}" for k, v in edits.items()))
    print(
        "with a memo (load, build, save): "
        + ", ".join(f"{k} {v * 1000:.0f} ms" for k, v in memo.items())
    )


def print_queries(rows: list[tuple[str, str, list[Shot]]]) -> None:
    head = (
        "query",
        "text",
        "hits",
        "cold KB/req/ms (all five)",
        "later KB/req/ms (all five)",
        "warm KB/req/ms (all five)",
        "4G+4xCPU ms (all five)",
    )
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for name, query, (first, step, again, slow) in rows:
        cells = [name, query, f"{first.hits:,}"]
        cells += [
            f"{s.kb:.1f} / {s.requests} / {s.ms:.0f} ({s.page_ms:.0f})"
            for s in (first, step, again)
        ]
        cells.append(f"{slow.ms:.0f} ({slow.page_ms:.0f})")
        print("| " + " | ".join(cells) + " |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--tail", type=float, default=0.25, help="share of pseudo-words")
    parser.add_argument("--runs", type=int, default=9, help="browser runs a query; times: median")
    parser.add_argument("--no-browser", action="store_true")
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    docs = make_docs(args.articles, args.seed, args.tail)
    print(f"corpus generated in {time.perf_counter() - t0:.0f} s")
    figures = measure_build(docs)
    print_build(
        docs, figures, measure_edits(docs, figures.files), measure_memo(docs, figures.files)
    )
    if args.no_browser:
        return 0
    queries = pick_queries(docs)
    with tempfile.TemporaryDirectory() as tmp:
        write_site(Path(tmp), docs, figures.files)
        page = (Path(tmp) / "search" / "index.html").read_bytes()
        script = re.search(rb"<script id=\"search-client\".*?</script>", page, re.S)
        script_kb = len(script[0]) / 1e3 if script else 0
        css_kb = (Path(tmp) / "static" / "style.css").stat().st_size / 1e3
        print(
            f"search page {len(page) / 1e3:.1f} KB (its script {script_kb:.1f} KB), "
            f"style.css {css_kb:.1f} KB (uncompressed)"
        )
        with serve(Path(tmp)) as url:
            alone, rows = measure_queries(url, queries, args.runs)
        print(
            f"the search page alone, cold, no query: parsed at {alone[0]:.0f} ms, first paint"
            f" {alone[1]:.0f} ms (the browser's own part of a cold first result)"
        )
        print_queries(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
