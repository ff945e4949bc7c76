"""Time `sitegen build` on generated corpora: cold, no-change and one-article-edit builds.

    python benchmarks/build_bench.py [--sizes 1000,10000] [--repeat 3] [--seed 1] [--jobs N]

For each size it writes a corpus (benchmarks/corpus.py) into a temporary folder and runs
`sitegen build --site DIR --quiet` in a fresh subprocess each time. Wall time comes from the
clock around the child; CPU time and the largest process's peak RSS from the child's rusage
(os.wait4, which folds in the child's own waited-for children). The peak memory of the whole
process tree (a build's worker pool included, as the sum of PSS) is sampled from /proc every
20 ms in one more run of each scenario, before the timed ones: the sampling itself costs CPU
(4.5-4.8 s of a 10,000-article build's 27 s here, and 2.2 s of its wall time, more at 100,000),
which timed runs must not pay. Times are the median of --repeat runs; memory is the maximum.
The working tree's sitegen is used (its folder is put first on PYTHONPATH) unless --sitegen
names another command.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from corpus import EDIT_KINDS, EditKind, edit_article, write_corpus

REPO = Path(__file__).resolve().parent.parent
Result = TypeVar("Result")
PAGE = os.sysconf("SC_PAGE_SIZE")
KEEP_IN_SITE = {"site.yaml", "content"}
SET_ASIDE = ".set-aside"  # build outputs taken away between runs, see set_aside


@dataclass(frozen=True)
class Measurement:
    """One run of one command."""

    wall: float
    cpu: float  # user + system, the child and the descendants it waited for
    # ru_maxrss: the largest single process. Linux keeps the larger of a process's size before
    # and after exec, so this is at least the size of the process that started the command.
    max_process_mb: float
    tree_peak_mb: (
        float | None
    )  # sampled sum of PSS over the tree (shared pages once); None: not sampled
    returncode: int
    stderr: str = ""


def _children(pid: int) -> list[int]:
    out: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as fh:
                out.extend(int(c) for c in fh.read().split())
    except OSError:
        pass
    return out


def _memory(pid: int) -> int:
    """Proportional set size of one process: its own pages, plus its share of pages it shares
    (a forked worker's copy-on-write pages count once over the tree, not once per process).
    Falls back to the resident size where smaps_rollup is missing."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    with open(f"/proc/{pid}/statm") as fh:
        return int(fh.read().split()[1]) * PAGE


def tree_rss(pid: int) -> int:
    """Memory of pid and all its descendants: the sum of their PSS (0 where /proc is missing)."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            total += _memory(p)
        except (OSError, IndexError, ValueError):
            continue
        todo.extend(_children(p))
    return total


class _Sampler(threading.Thread):
    """Samples the RSS of a process tree every `interval` seconds until stopped."""

    def __init__(self, pid: int, interval: float = 0.02) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval, self.peak = pid, interval, 0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            self.peak = max(self.peak, tree_rss(self.pid))
            self.done.wait(self.interval)


def run_measured(
    cmd: Sequence[str],
    *,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    memory: bool = False,
) -> Measurement:
    """Run cmd to completion; measure wall time, CPU, the largest process's peak RSS and, with
    `memory`, the process tree's peak (whose sampling slows the run: time the runs without)."""
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(list(cmd), cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=err)
        sampler = _Sampler(proc.pid) if memory else None
        if sampler is not None:
            sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)  # blocks: the wall time is exact
        wall = time.perf_counter() - start
        if sampler is not None:
            sampler.done.set()
            sampler.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace")
    max_process = usage.ru_maxrss * 1024  # kilobytes on Linux
    return Measurement(
        wall=wall,
        cpu=usage.ru_utime + usage.ru_stime,
        max_process_mb=max_process / 2**20,
        tree_peak_mb=sampler.peak / 2**20 if sampler is not None else None,
        returncode=proc.returncode,
        stderr=stderr[-4000:],
    )


def child_env() -> dict[str, str]:
    """The environment for sitegen: the working tree's package first on PYTHONPATH."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH")) if p)
    return env


def sitegen_command(spec: str | None) -> list[str]:
    return shlex.split(spec) if spec else [sys.executable, "-m", "sitegen"]


def check_sitegen(cmd: Sequence[str]) -> str | None:
    """None when `cmd build --help` works, else a message saying why not."""
    try:
        done = subprocess.run(
            [*cmd, "build", "--help"],
            capture_output=True,
            text=True,
            env=child_env(),
            timeout=60,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"cannot run {shlex.join(cmd)}: {exc}"
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        return f"`{shlex.join([*cmd, 'build', '--help'])}` exited {done.returncode}: " + " | ".join(
            tail
        )
    return None


def clean_site(site: Path) -> None:
    """Take every build product (output, cache) away so the next build is cold."""
    for entry in site.iterdir():
        if entry.name in KEEP_IN_SITE:
            continue
        if entry.is_dir() and not entry.is_symlink():
            set_aside(entry)
        else:
            entry.unlink()


def set_aside(folder: Path) -> None:
    """Move a build's output out of the way, into the work folder's SET_ASIDE folder, which
    goes with the work folder after the measurements. Deleting some 30,000 files and folders
    just before a build would slow the build's own making of files on some file systems
    (ext4 without a journal, as on the machine these figures come from, skips inodes freed
    in the last minutes, one by one): the next build would pay for the last one's deletion."""
    trash = folder.parent.parent / SET_ASIDE
    trash.mkdir(exist_ok=True)
    folder.rename(trash / uuid.uuid4().hex)


def count_files(folder: Path) -> int:
    return sum(len(files) for _, _, files in os.walk(folder)) if folder.is_dir() else 0


class BuildFailed(RuntimeError):
    pass


def build_once(
    cmd: Sequence[str], site: Path, extra: Sequence[str] = (), memory: bool = False
) -> Measurement:
    m = run_measured(
        [*cmd, "build", "--site", str(site), "--quiet", *extra],
        cwd=site,
        env=child_env(),
        memory=memory,
    )
    if m.returncode != 0:
        raise BuildFailed(f"sitegen build exited {m.returncode}:\n{m.stderr.strip()}")
    return m


@dataclass
class Series:
    """Repeated measurements of one scenario, summarised as median time and max memory: times
    from the timed runs, the tree's memory from the runs that sampled it."""

    runs: list[Measurement] = field(default_factory=list)
    sampled: list[Measurement] = field(default_factory=list)

    @property
    def wall(self) -> float:
        return statistics.median(m.wall for m in self.runs)

    @property
    def cpu(self) -> float:
        return statistics.median(m.cpu for m in self.runs)

    @property
    def max_process_mb(self) -> float:
        return max(m.max_process_mb for m in self.runs + self.sampled)

    @property
    def tree_peak_mb(self) -> float | None:
        peaks = [m.tree_peak_mb for m in self.sampled if m.tree_peak_mb is not None]
        return max(peaks, default=None)


def repeat(times: int, before: Callable[[], object], run: Callable[[bool], Measurement]) -> Series:
    """One run that samples memory, then `times` timed runs; `before` each. `run(memory)`."""
    series = Series()
    for memory in [True] + [False] * times:
        before()
        (series.sampled if memory else series.runs).append(run(memory))
    return series


def megabytes(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}"


@dataclass
class SizeResult:
    articles: int
    corpus_seconds: float
    output_files: int = 0
    cold: Series = field(default_factory=Series)
    no_change: Series = field(default_factory=Series)
    edits: dict[str, Series] = field(default_factory=dict)


def bench_size(
    articles: int, seed: int, times: int, cmd: Sequence[str], extra: Sequence[str], work: Path
) -> SizeResult:
    site = work / f"site-{articles}"
    start = time.perf_counter()
    write_corpus(site, articles, seed)
    result = SizeResult(articles, time.perf_counter() - start)
    print(
        f"[{articles}] corpus written in {result.corpus_seconds:.1f} s; cold builds...", flush=True
    )
    build = partial(build_once, cmd, site, extra)
    result.cold = repeat(times, lambda: clean_site(site), build)
    result.output_files = count_files(site / "public")
    print(f"[{articles}] no-change rebuilds...", flush=True)
    result.no_change = repeat(times, lambda: None, build)
    for kind in EDIT_KINDS:
        print(f"[{articles}] {kind} edits...", flush=True)
        result.edits[kind] = repeat(times, partial(edit_article, site, kind), build)
    return result


def _row(label: str, values: Sequence[str]) -> str:
    return f"{label:<36}" + "".join(f"{v:>12}" for v in values)


def _edit_cell(kind: str, r: SizeResult) -> str:
    return f"{r.edits[kind].wall:.3f}"


def print_table(results: Sequence[SizeResult], title: str) -> None:
    print()
    print(title)
    print(_row("articles", [f"{r.articles:,}" for r in results]))
    rows: list[tuple[str, Callable[[SizeResult], str]]] = [
        ("corpus generation s", lambda r: f"{r.corpus_seconds:.2f}"),
        ("cold build wall s", lambda r: f"{r.cold.wall:.2f}"),
        ("cold build CPU s", lambda r: f"{r.cold.cpu:.2f}"),
        ("cold ms per article", lambda r: f"{1000 * r.cold.wall / r.articles:.2f}"),
        ("cold peak RSS MB, largest process", lambda r: f"{r.cold.max_process_mb:.0f}"),
        ("cold peak MB, process tree (PSS)", lambda r: megabytes(r.cold.tree_peak_mb)),
        ("output files", lambda r: f"{r.output_files:,}"),
        ("no-change rebuild s", lambda r: f"{r.no_change.wall:.3f}"),
        ("no-change peak MB, tree (PSS)", lambda r: megabytes(r.no_change.tree_peak_mb)),
    ]
    rows += [(f"one-article {k} edit s", partial(_edit_cell, k)) for k in EDIT_KINDS]
    for label, cell in rows:
        print(_row(label, [cell(r) for r in results]))


def machine_line() -> str:
    return (
        f"{os.cpu_count()} CPUs, {platform.machine()}, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}"
    )


def parse_sizes(text: str) -> list[int]:
    return [int(s.replace("_", "")) for s in text.split(",") if s.strip()]


def add_common_arguments(
    parser: argparse.ArgumentParser, repeat: int, edits: Sequence[str] | None = None
) -> None:
    """The options every timing script shares: sizes, runs, seed, the sitegen command, where
    the sites go and the figures' JSON; with `edits`, the edit kinds to time (by default)."""
    parser.add_argument(
        "--sizes",
        type=parse_sizes,
        default=[1000, 10000],
        help="comma-separated article counts (default 1000,10000)",
    )
    parser.add_argument(
        "--repeat", type=int, default=repeat, help=f"runs per scenario (default {repeat})"
    )
    parser.add_argument("--seed", type=int, default=1, help="corpus seed (default 1)")
    if edits is not None:
        parser.add_argument(
            "--edits",
            type=partial(edit_kinds, parser),
            default=list(edits),
            help=f"comma-separated edit kinds, of {','.join(EDIT_KINDS)} (default "
            f"{','.join(edits)})",
        )
    parser.add_argument("--sitegen", help="command that runs sitegen (default: python -m sitegen)")
    parser.add_argument("--workdir", type=Path, help="where to put the sites (default: temp)")
    parser.add_argument("--keep", action="store_true", help="keep the sites and outputs")
    parser.add_argument("--json", type=Path, help="also write the raw figures to this file")


def edit_kinds(parser: argparse.ArgumentParser, text: str) -> list[EditKind]:
    kinds: list[EditKind] = []
    for kind in text.split(","):
        if kind not in EDIT_KINDS:
            parser.error(f"unknown edit kind {kind!r} (choose from {', '.join(EDIT_KINDS)})")
        kinds.append(kind)
    return kinds


def run_sizes(
    args: argparse.Namespace, prefix: str, bench: Callable[[int, Path], Result]
) -> list[Result] | None:
    """`bench(articles, work folder)` for each of --sizes, in a fresh folder that --keep keeps;
    None, with the failed build's message printed, when a build fails."""
    work = Path(tempfile.mkdtemp(prefix=prefix, dir=args.workdir))
    try:
        return [bench(n, work) for n in args.sizes]
    except BuildFailed as exc:
        print(f"error: {exc}", file=sys.stderr)
        return None
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


def usable_sitegen(command: str | None, hint: str = "") -> list[str] | None:
    """The command that runs sitegen, or None (with the reason printed) when it cannot."""
    cmd = sitegen_command(command)
    problem = check_sitegen(cmd)
    if problem:
        print(f"error: the sitegen CLI is not usable: {problem}{hint}", file=sys.stderr)
        return None
    return cmd


def write_json(path: Path | None, results: Sequence[Any]) -> None:
    if path is not None:
        path.write_text(json.dumps([asdict(r) for r in results], indent=2) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_common_arguments(parser, repeat=3)
    parser.add_argument("--jobs", type=int, help="pass --jobs N to sitegen build")
    args = parser.parse_args(argv)

    cmd = usable_sitegen(args.sitegen)
    if cmd is None:
        return 2
    extra = ["--jobs", str(args.jobs)] if args.jobs else []
    results = run_sizes(
        args,
        "sitegen-bench-",
        lambda n, work: bench_size(n, args.seed, args.repeat, cmd, extra, work),
    )
    if results is None:
        return 1
    print_table(results, f"sitegen build ({machine_line()}; median of {args.repeat})")
    write_json(args.json, results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
