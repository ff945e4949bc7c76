"""Compare sitegen's search with Pagefind's on the same built site, in one run.

    python benchmarks/pagefind_compare.py [--articles 10000] [--seed 1] [--runs 5] [--keep DIR]

Writes the corpus of benchmarks/corpus.py and builds it with sitegen (its search index and page
come with the build). Indexes the same article pages with Pagefind (`pip install
'pagefind[bin]'` when it is missing): articles only, their <article> element, as one language
(--force-language de: Pagefind keeps one index per language and searches only the page's, so
English articles would not be found from a German page). Adds a Pagefind search page that uses
Pagefind's JavaScript API, not its UI (the lighter case for Pagefind), and shows the first five
results with their excerpts, as sitegen's page does. Both pages are served from one process on
127.0.0.1 and timed with search_bench.py's harness: per query, bytes and requests from a first
metered pass, times the median of --runs passes; cold, later in the same page, and on 4G with
a 4x slower CPU. Also prints each index's build time, peak memory, files and bytes (sitegen's
index alone as search_bench.py builds it, from the same articles).
"""

from __future__ import annotations

import argparse
import importlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from build_bench import child_env, megabytes, run_measured
from corpus import write_corpus
from search_bench import (
    make_docs,
    measure_build,
    measure_queries,
    pick_queries,
    print_queries,
    serve,
)

ARTICLES = "[0-9][0-9][0-9][0-9]/**/*.html"  # /{year}/{month}/{slug}/: the article pages

# Pagefind's JavaScript API, shown as sitegen's page shows results; it reports them as
# sitegen's client does (the event search_bench.py listens for).
PAGEFIND_PAGE = """<!doctype html>
<html lang="de"><head><meta charset="utf-8"><title>Suche</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
{stylesheet}</head>
<body><main id="main"><h1>Suche</h1>
<form id="search"><label for="search-q">Suchbegriffe</label>
<input id="search-q" name="q" type="search"><button>Suchen</button></form>
<p id="status" role="status"></p><ol id="results"></ol></main>
<script type="module">
const pagefind = await import('../pagefind/pagefind.js');
const list = document.getElementById('results'), status = document.getElementById('status');
async function run(q, t0) {
  const found = await pagefind.search(q);
  list.replaceChildren();
  let first = null;
  // Each hit as soon as its data and that of the hits above it are in, as sitegen's page does.
  for (const data of found.results.slice(0, 5).map(r => r.data())) {
    const hit = await data;
    const li = document.createElement('li'), a = document.createElement('a');
    const p = document.createElement('p');
    a.href = hit.url;
    a.textContent = hit.meta.title;
    p.innerHTML = hit.excerpt;  // Pagefind's excerpt, its words marked
    li.append(a, p);
    list.append(li);
    first ??= performance.now();
  }
  status.textContent = found.results.length + ' Treffer';
  const now = performance.now();
  document.dispatchEvent(new CustomEvent('sitegen:results', {detail: {
    ms: now - t0, count: found.results.length, sinceLoad: now,
    firstMs: (first ?? now) - t0, firstSinceLoad: first ?? now}}));
}
const form = document.getElementById('search'), input = form.elements.q;
const q = new URLSearchParams(location.search).get('q');
if (q) { input.value = q; run(q, 0); }
form.addEventListener('submit', e => {
  e.preventDefault();
  history.pushState(null, '', '?q=' + encodeURIComponent(input.value));
  run(input.value, performance.now());
});
</script></body></html>
"""


def pagefind_binary() -> Path:
    """Pagefind's own binary (not the Python wrapper that starts it), installed if missing."""
    try:
        package = importlib.import_module("pagefind_bin")
    except ImportError:
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "pagefind[bin]"], check=True)
        package = importlib.import_module("pagefind_bin")
    return Path(str(package.__file__)).parent / "pagefind"


def folder_size(folder: Path) -> tuple[int, float]:
    files = [p for p in folder.rglob("*") if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files) / 1e6


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=5, help="browser runs a query; times: median")
    parser.add_argument("--keep", type=Path, help="build in this folder and keep it")
    args = parser.parse_args(argv)
    work = args.keep or Path(tempfile.mkdtemp(prefix="pagefind-compare-"))
    site, out = work / "site", work / "out"
    try:
        write_corpus(site, args.articles, args.seed)
        built = run_measured(
            [sys.executable, "-m", "sitegen", "build", "--site", str(site), "--output", str(out)],
            env=child_env(),
        )
        if built.returncode:
            print(built.stderr, file=sys.stderr)
            return 1
        docs = make_docs(args.articles, args.seed, 0.0)
        ours = measure_build(docs)
        files, mb = folder_size(out / "search")
        print(  # in this process, from articles in memory: not Pagefind's terms (see below)
            f"sitegen: index {ours.seconds:.2f} s (in-process, best of 3), this process's max RSS"
            f" {ours.rss_mb:.0f} MB with the corpus; {files} files, {mb:.2f} MB (whole site built"
            f" in {built.wall:.1f} s)"
        )
        command = [
            str(pagefind_binary()),
            "--site",
            str(out),
            "--glob",
            ARTICLES,
            "--root-selector",
            "article",
            "--force-language",
            "de",
            "--output-subdir",
            "pagefind",
            "--silent",
        ]
        sampled = run_measured(command, memory=True)  # memory, then the time of a clean run
        if sampled.returncode:
            print(sampled.stderr, file=sys.stderr)
            return 1
        shutil.rmtree(out / "pagefind")
        timed = run_measured(command)
        if timed.returncode:
            print(timed.stderr, file=sys.stderr)
            return 1
        files, mb = folder_size(out / "pagefind")
        print(
            f"Pagefind: index {timed.wall:.2f} s (its binary reading the built pages), peak"
            f" {megabytes(sampled.tree_peak_mb)} MB; {files} files, {mb:.2f} MB"
        )
        page = out / "pagefind-search" / "index.html"
        page.parent.mkdir()
        ours_page = (out / "search" / "index.html").read_text(encoding="utf-8")
        # The theme's style sheet as sitegen's search page has it (inline, or linked).
        found = re.search(
            r'<style>.*?</style>|<link rel="stylesheet" href="[^"]+">', ours_page, re.S
        )
        stylesheet = found[0] if found else ""
        page.write_text(PAGEFIND_PAGE.replace("{stylesheet}", stylesheet), encoding="utf-8")
        queries = pick_queries(docs)
        os.sync()  # the two builds' writes, flushed now rather than while the pages are timed
        with serve(out) as url:
            for name, path in (("sitegen", "search/"), ("Pagefind", "pagefind-search/")):
                alone, rows = measure_queries(url.replace("search/", path), queries, args.runs)
                parsed, painted = alone
                print(f"\n{name}: page alone parsed at {parsed:.0f} ms, painted {painted:.0f} ms")
                print_queries(rows)
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
