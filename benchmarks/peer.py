"""A same-run comparison of sitegen with another generator (a peer: Hugo, Pelican) on one
corpus: cold build, no-change rebuild and one-article edits, the two tools alternating. Each
scenario starts with a run of each tool that samples its memory (build_bench.run_measured);
the timed runs follow, unsampled.

The peer's script says how to write its copy of the corpus, build it, and copy an edited
article into it (`Peer`); this module runs the scenarios and prints the table.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from build_bench import (
    Measurement,
    Series,
    build_once,
    clean_site,
    count_files,
    megabytes,
    run_sizes,
)
from corpus import EditKind, edit_article, write_corpus


@dataclass(frozen=True)
class Peer:
    """The other generator, set up on its copy of the corpus."""

    name: str
    output: Path  # the folder its builds write
    # One measured build: build(cold, memory); cold: no output, no cache; memory: sample it.
    build: Callable[[bool, bool], Measurement]
    take_edit: Callable[[Path], None]  # copy an edited article of the sitegen site into its own
    published: int = 0  # articles it must publish, when it says (0: not counted)


@dataclass
class Pair:
    sitegen: Series = field(default_factory=Series)
    peer: Series = field(default_factory=Series)


@dataclass
class Comparison:
    articles: int
    published: int = 0
    files_sitegen: int = 0
    files_peer: int = 0
    scenarios: dict[str, Pair] = field(default_factory=dict)


def compare(
    articles: int,
    *,
    seed: int,
    times: int,
    edits: Sequence[EditKind],
    work: Path,
    sitegen: list[str] | None,
    set_up: Callable[[Path, Path], Peer],
) -> Comparison:
    """`set_up(sitegen site, folder for the peer's)` writes the peer's copy of the corpus;
    `sitegen` None times the peer alone."""
    sg_site = work / f"sitegen-{articles}"
    start = time.perf_counter()
    write_corpus(sg_site, articles, seed)
    peer = set_up(sg_site, work / f"peer-{articles}")
    took = time.perf_counter() - start
    print(f"[{articles}] corpus and {peer.name} site written in {took:.1f} s", flush=True)
    result = Comparison(articles, peer.published)

    def both(pair: Pair, cold: bool, memory: bool) -> None:
        """One run of each tool, back to back; who goes first alternates from run to run."""
        tools: list[str] = ["peer"] if sitegen is None else ["sitegen", "peer"]
        if len(pair.peer.runs) % 2:
            tools.reverse()
        for tool in tools:
            if tool == "peer":
                made = peer.build(cold, memory)
                (pair.peer.sampled if memory else pair.peer.runs).append(made)
                continue
            assert sitegen is not None
            if cold:
                clean_site(sg_site)
            made = build_once(sitegen, sg_site, memory=memory)
            (pair.sitegen.sampled if memory else pair.sitegen.runs).append(made)

    for name, cold, edit in [
        ("cold build", True, None),
        ("no-change rebuild", False, None),
        *((f"{kind} edit", False, kind) for kind in edits),
    ]:
        pair = result.scenarios[name] = Pair()
        for memory in [True] + [False] * times:
            if edit is not None:
                peer.take_edit(edit_article(sg_site, edit))
            both(pair, cold, memory)
        if cold:
            result.files_sitegen = count_files(sg_site / "public")
            result.files_peer = count_files(peer.output)
        print(f"[{articles}] {name}: done", flush=True)
    return result


def compare_sizes(
    args: argparse.Namespace, sitegen: list[str] | None, set_up: Callable[[Path, Path], Peer]
) -> list[Comparison] | None:
    """`compare` for each of the common options' sizes (build_bench.add_common_arguments)."""
    return run_sizes(
        args,
        "peer-compare-",
        lambda n, work: compare(
            n,
            seed=args.seed,
            times=args.repeat,
            edits=args.edits,
            work=work,
            sitegen=sitegen,
            set_up=set_up,
        ),
    )


def print_comparison(c: Comparison, name: str, has_sitegen: bool = True) -> None:
    """The table: times, memory and CPU of both, and sitegen's time over the peer's."""
    print()
    published = f" ({c.published:,} published)" if c.published else ""
    print(
        f"{c.articles:,} articles{published}; output files: sitegen {c.files_sitegen:,}, "
        f"{name} {c.files_peer:,}"
    )
    short = name[:3]
    head = f"{'scenario':<20}{'sitegen s':>11}{name + ' s':>11}{'sg/' + short:>8}"
    head += f"{'sitegen MB':>12}{name + ' MB':>12}{'sg CPU s':>10}{short + ' CPU s':>11}"
    print(head)
    for scenario, pair in c.scenarios.items():
        p = pair.peer
        if has_sitegen:
            s = pair.sitegen
            sg = (f"{s.wall:>11.3f}", f"{megabytes(s.tree_peak_mb):>12}", f"{s.cpu:>10.2f}")
            ratio = f"{s.wall / p.wall:.2f}x" if p.wall and s.wall else "-"
        else:
            sg, ratio = (f"{'-':>11}", f"{'-':>12}", f"{'-':>10}"), "-"
        print(
            f"{scenario:<20}{sg[0]}{p.wall:>11.3f}{ratio:>8}"
            f"{sg[1]}{megabytes(p.tree_peak_mb):>12}{sg[2]}{p.cpu:>11.2f}"
        )
    print(
        f"\nsg/{short}: sitegen's wall time over {name}'s (below 1: sitegen is faster). "
        "MB: peak memory of the process tree (sum of PSS: pages shared by forked workers count "
        "once)."
    )
