"""Time `sitegen serve`: save-to-reloaded-page in headless Chromium, and a save storm.

    python benchmarks/serve_bench.py [--sites example,corpus] [--articles 10000] [--edits 20]
                                     [--stress] [--saves 1000] [--seconds 10]

latency: a real PreviewServer (real watchdog observer) serves a copy of the example site, or a
corpus written by benchmarks/corpus.py; Debian's Chromium (Playwright, never a downloaded
browser) shows one article. Each round saves the article with a new marker and times from
the save until Chromium fires `load` for a page holding the marker. Reported: median and p90
over --edits rounds, and the server's own build time for the same rounds.

stress (--stress): --saves saves spread over --seconds seconds across up to 20 articles (atomic
renames, in-place writes, same-size edits); then waits for the server to settle and compares
its output byte for byte with a clean build (same base_url) into another folder.
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sitegen.build import BuildOptions, build
from sitegen.render import builtin_themes_dir
from sitegen.serve import PreviewServer, ServeOptions

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "benchmarks" / "corpus.py"
EXAMPLE_PARTS = ("site.yaml", "content", "static")  # the theme is the built-in one
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
BUILT = re.compile(r"^built in (\d+) ms")


@dataclass
class BuildLog:
    """The server's log, kept to read its build times from."""

    lines: list[str] = field(default_factory=list)

    def __call__(self, message: str) -> None:
        self.lines.append(message)

    def build_ms(self, since: int) -> list[float]:
        return [float(m.group(1)) for line in self.lines[since:] if (m := BUILT.match(line))]


def snapshot_theme(site: Path) -> Path:
    """Copy the built-in theme into the site: edits to it elsewhere cannot trigger builds here."""
    shutil.copytree(builtin_themes_dir() / "default", site / "themes" / "default")
    return site


def copy_example(into: Path) -> Path:
    site = into / "example"
    site.mkdir()
    for part in EXAMPLE_PARTS:
        source = REPO / part
        if source.is_dir():
            shutil.copytree(source, site / part)
        elif source.is_file():
            shutil.copy2(source, site / part)
    return snapshot_theme(site)


def make_corpus(into: Path, articles: int) -> Path | None:
    if not CORPUS.is_file():
        print(f"skipping the corpus: {CORPUS} does not exist yet")
        return None
    site = into / f"corpus-{articles}"
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, str(CORPUS), str(site), "--articles", str(articles)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    print(f"wrote a corpus of {articles} articles in {time.perf_counter() - started:.1f} s")
    return snapshot_theme(site)


def articles(site: Path) -> list[Path]:
    """Published-looking articles (not drafts, not dated after today), stable order."""
    today = time.strftime("%Y-%m-%d")
    found = []
    for path in sorted((site / "content").rglob("*.md")):
        head = path.read_text(encoding="utf-8")[:1500]
        date = re.search(r"^date: \"?(\d{4}-\d\d-\d\d)", head, re.M)
        if "\ndraft: true" not in head and date and date.group(1) < today:
            found.append(path)
    return found


def with_marker(text: str, marker: str) -> str:
    return text.rstrip("\n") + f"\n\n{marker}\n"


def save(path: Path, text: str, atomic: bool = True) -> None:
    if atomic:
        temp = path.with_name(f".{path.name}.tmp")
        temp.write_text(text, encoding="utf-8")
        temp.replace(path)
    else:
        path.write_text(text, encoding="utf-8")


def page_of(server: PreviewServer, marker: str) -> str:
    """The URL path of the built page that holds marker."""
    for page in server.output.rglob("index.html"):
        if marker in page.read_text(encoding="utf-8"):
            folder = page.parent.relative_to(server.output).as_posix()
            return server.base_path + folder + "/"
    raise LookupError(f"no page holds {marker}")


@contextmanager
def running(site: Path, log: BuildLog) -> Iterator[PreviewServer]:
    server = PreviewServer(ServeOptions(site, port=0), log=log)
    started = time.perf_counter()
    server.start()
    print(f"  first build: {time.perf_counter() - started:.2f} s")
    try:
        yield server
    finally:
        server.stop()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def latency(site: Path, edits: int) -> None:
    """Save -> the new text visible in Chromium, `edits` times."""
    from playwright.sync_api import sync_playwright

    target = articles(site)[-1]
    original = target.read_text(encoding="utf-8")
    save(target, with_marker(original, "sgbenchstart"))
    log = BuildLog()
    with running(site, log) as server, sync_playwright() as p:
        url = f"http://127.0.0.1:{server.address[1]}{page_of(server, 'sgbenchstart')}"
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto(url)
        page.get_by_text("sgbenchstart").wait_for()
        times, first_log = [], len(log.lines)
        for round_ in range(edits):
            time.sleep(0.3)  # the reloaded page's event stream connects; the disk is quiet
            marker = f"sgbench{round_:04d}x{random.randrange(10**6):06d}"
            started = time.perf_counter()
            with page.expect_event("load", timeout=300_000):
                save(target, with_marker(original, marker))
            while marker not in page.content():  # pushed by the browser, not polled
                page.wait_for_event("load", timeout=300_000)
            times.append((time.perf_counter() - started) * 1000)
            server.settled(300)
        browser.close()
    builds = log.build_ms(first_log)
    print(
        f"  save -> reloaded page, {edits} saves: median {statistics.median(times):.0f} ms, "
        f"p90 {percentile(times, 0.9):.0f} ms (min {min(times):.0f}, max {max(times):.0f})"
    )
    if builds:
        print(
            f"  server build time for those saves: median {statistics.median(builds):.0f} ms, "
            f"p90 {percentile(builds, 0.9):.0f} ms, {len(builds)} builds"
        )
    target.write_text(original, encoding="utf-8")


def stress(site: Path, saves: int, seconds: float, work: Path) -> bool:
    """`saves` saves in `seconds` seconds; then the served output must equal a clean build."""
    rng = random.Random(1)
    targets = articles(site)[-20:]
    originals = {t: t.read_text(encoding="utf-8") for t in targets}
    log = BuildLog()
    with running(site, log) as server:
        builds_before = server.builds
        started = time.perf_counter()
        for i in range(saves):
            target = targets[i % len(targets)]
            marker = f"storm{i:05d}" if rng.random() < 0.8 else f"storm{rng.randrange(10**5):05d}"
            save(target, with_marker(originals[target], marker), atomic=rng.random() < 0.5)
            delay = started + (i + 1) * seconds / saves - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
        spent = time.perf_counter() - started
        settled = server.settled(300)
        settle = time.perf_counter() - started - spent
        builds = server.builds - builds_before
        clean = work / "clean"
        shutil.rmtree(clean, ignore_errors=True)
        build(BuildOptions(site, output=clean, base_url=server.url, use_cache=False))
        served, fresh = tree(server.output), tree(clean)
    differ = sorted(k for k in served.keys() | fresh.keys() if served.get(k) != fresh.get(k))
    print(
        f"  {saves} saves in {spent:.1f} s -> {builds} builds; settled {settle:.2f} s after the "
        f"last save{'' if settled else ' (TIMED OUT)'}"
    )
    if differ:
        print(f"  final site differs from a clean build in {len(differ)} files: {differ[:5]}")
    else:
        print(f"  final site equals a clean build: {len(fresh)} files, byte for byte")
    for target, text in originals.items():
        target.write_text(text, encoding="utf-8")
    return settled and not differ


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sites", default="example,corpus", help="example,corpus (default both)")
    parser.add_argument("--articles", type=int, default=10000, help="corpus size (default 10000)")
    parser.add_argument("--edits", type=int, default=20, help="timed saves per site (default 20)")
    parser.add_argument("--stress", action="store_true", help="also run the save storm")
    parser.add_argument("--saves", type=int, default=1000, help="saves in the storm (1000)")
    parser.add_argument("--seconds", type=float, default=10.0, help="length of the storm (10)")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="sitegen-serve-bench-"))
    ok = True
    try:
        for kind in args.sites.split(","):
            site = copy_example(work) if kind == "example" else make_corpus(work, args.articles)
            if site is None:
                continue
            print(f"{kind}: {len(articles(site))} published articles")
            latency(site, args.edits)
            if args.stress:
                ok = stress(site, args.saves, args.seconds, work) and ok
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
