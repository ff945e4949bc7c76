"""Hardening figures (issue 8): the bad-input suite, a 20 MB article, pathological Markdown.

    python benchmarks/hardening_bench.py [--size-mb 20] [--base 100000] [--skip-big]

Prints cases handled / total (a case is handled when every run of it, cold and after a good
build, shows its expected behaviour and keeps every guarantee), tracebacks, files touched
outside the output folder, script injections found by the marker scan over every page, feed
and search file, failed builds that changed the previous output; then the time and peak
memory of building one 20 MB article, and how the render time of each CommonMark
pathological input grows when the input grows 4x (the bound is 6x).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests" / "hardening"))

from hardening_cases import CASES, PATHOLOGICAL  # noqa: E402
from hardening_harness import (  # noqa: E402
    Outcome,
    big_article_text,
    markup_bomb_text,
    measure_build,
    run_case,
    write_site,
)
from test_bounds import ratio  # noqa: E402

TIME_BOUND, MEMORY_BOUND_MB, GROWTH_BOUND = 120.0, 1536.0, 6.0


def bad_inputs() -> None:
    started = time.perf_counter()
    outcomes: dict[str, list[Outcome]] = {}
    skipped = []
    for case in CASES:
        if case.skip:
            skipped.append(f"{case.name} ({case.skip})")
            continue
        for mode in case.modes:
            with tempfile.TemporaryDirectory() as tmp:
                outcomes.setdefault(case.name, []).append(run_case(case, Path(tmp), mode))
    runs = [o for found in outcomes.values() for o in found]
    handled = [name for name, found in outcomes.items() if all(o.handled for o in found)]
    print(f"bad-input suite ({len(runs)} builds in {time.perf_counter() - started:.0f} s)")
    print(f"  cases handled / total        {len(handled)} / {len(CASES)}")
    print(f"  tracebacks                   {sum(1 for o in runs if o.traceback)}")
    print(f"  files touched outside output {sum(len(o.outside) for o in runs)}")
    print(f"  script injections found      {sum(len(o.injections) for o in runs)}")
    print(f"  previous output changed      {sum(1 for o in runs if o.previous_changed)}")
    for name, found in outcomes.items():
        if name not in handled:
            case = next(c for c in CASES if c.name == name)
            why = case.needs_fix or found[0].failures[0].splitlines()[0]
            print(f"  not handled: {name}: {why}")
    for line in skipped:
        print(f"  skipped: {line}")


def big_article(size_mb: int, bomb: bool) -> None:
    """Build one article of size_mb: news prose (must build) or pure emphasis (refused)."""
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        make = markup_bomb_text if bomb else big_article_text
        text = make(size_mb * 1024 * 1024)
        write_site(site, {"content/big.md": text}, None)
        measured = measure_build(site)
    verdict = (
        "within bounds"
        if measured.code == (1 if bomb else 0)
        and measured.seconds < TIME_BOUND
        and measured.peak_mb < MEMORY_BOUND_MB
        else "OUT OF BOUNDS"
    )
    kind = "markup bomb" if bomb else "article"
    print(
        f"{len(text) / 1e6:.1f} MB {kind}: exit {measured.code}, {measured.seconds:.1f} s, "
        f"peak {measured.peak_mb:.0f} MB ({verdict}: < {TIME_BOUND:.0f} s, "
        f"< {MEMORY_BOUND_MB:.0f} MB)"
    )
    if bomb:
        print(f"  refused with: {measured.err.splitlines()[0] if measured.err else '?'}")


def pathological(base: int) -> None:
    print(f"pathological Markdown: render time at {base // 1000} KB and 4x that (best of 5)")
    worst = 0.0
    for name, make in PATHOLOGICAL.items():
        small_source = make(base)
        growth, large = ratio(make, base, runs=5)
        worst = max(worst, growth)
        flag = "" if growth <= GROWTH_BOUND else "  OVER BOUND"
        print(
            f"  {name:36} {len(small_source) / 1000:6.0f} KB  4x: {large * 1000:8.0f} ms"
            f"  x{growth:4.1f}{flag}"
        )
    print(f"  worst growth for 4x input: x{worst:.1f} (bound x{GROWTH_BOUND:.0f})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=20)
    parser.add_argument("--base", type=int, default=100_000, help="bytes of the 1x input")
    parser.add_argument("--skip-big", action="store_true", help="no 20 MB article")
    args = parser.parse_args()
    bad_inputs()
    if not args.skip_big:
        big_article(args.size_mb, bomb=False)
        big_article(args.size_mb, bomb=True)
    pathological(args.base)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
