"""Time the builds of a long-lived preview (`sitegen serve`'s path) after one-article edits.

    python benchmarks/preview_edit_bench.py [--articles 10000] [--edits body,title,tag,date]
                                            [--rounds 7] [--seed 1] [--site DIR]

The figure to set beside `hugo server`'s edit times: a preview keeps its cache, last site and
route plan in memory (WarmCache) and is told which file changed, as the watcher tells it. One
process writes a corpus (benchmarks/corpus.py) unless --site names one, builds it once, then
for each edit kind makes --rounds edits of the newest article, each followed by a build, and
prints the median and worst wall and CPU time, and the routes rendered. No browser, no HTTP:
benchmarks/serve_bench.py times save-to-reloaded-page in Chromium.
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from corpus import EDIT_KINDS, edit_article, write_corpus  # noqa: E402

from sitegen.build import BuildOptions, build  # noqa: E402
from sitegen.cache import WarmCache  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--articles", type=int, default=10000)
    parser.add_argument("--edits", default="body,title,tag,date")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--site", type=Path, help="an existing site to edit (it is changed)")
    args = parser.parse_args(argv)
    kinds = args.edits.split(",")
    for kind in kinds:
        if kind not in EDIT_KINDS:
            parser.error(f"unknown edit kind {kind!r} (choose from {', '.join(EDIT_KINDS)})")
    with tempfile.TemporaryDirectory() as temp:
        site = args.site.resolve() if args.site else Path(temp) / "site"
        if not args.site:
            write_corpus(site, args.articles, seed=args.seed)
        warm = WarmCache(defer_index=True)
        options = BuildOptions(
            site, output=Path(temp) / "preview", base_url="http://127.0.0.1:8000/", warm=warm
        )
        started = time.perf_counter()
        first = build(options)
        print(f"{first.articles} articles; first build {time.perf_counter() - started:.1f} s")
        for kind in kinds:
            walls, cpus, rendered = [], [], []
            for _ in range(args.rounds):
                edited = edit_article(site, kind).resolve()
                told = dataclasses.replace(options, changed=frozenset({edited}))
                wall, cpu = time.perf_counter(), time.process_time()
                report = build(told)
                walls.append(time.perf_counter() - wall)
                cpus.append(time.process_time() - cpu)
                rendered.append(len(report.rendered))
            print(
                f"{kind:>5} edit: wall median {statistics.median(walls) * 1000:.0f} ms"
                f" (max {max(walls) * 1000:.0f}), CPU median {statistics.median(cpus) * 1000:.0f}"
                f" ms, routes rendered {min(rendered)}-{max(rendered)}"
            )
        warm.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
