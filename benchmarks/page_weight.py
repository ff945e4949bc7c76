"""Bytes, requests and load timings of each page type of the example site in Chromium, cold.

    python benchmarks/page_weight.py [--repeat 5] [--slow] [--json FILE]

Builds the repository's example site (site.yaml, content/, static/) with the working tree's
sitegen and a fixed clock into a temporary folder, serves it on 127.0.0.1 like a static host
(files as they are, no compression, 404.html for missing paths) and opens one page of each
type in Debian's Chromium (/usr/bin/chromium, Playwright; no browser download), each time in a
fresh browser context: empty cache, no service worker. Per page type it prints the requests,
the bytes transferred (headers and bodies), what the bodies would weigh gzipped (as most static
hosts send them), and DOMContentLoaded and load from the navigation timing; the timings are the
median of --repeat runs. --slow emulates a slow mobile link (150 ms round trip, 1.6 Mbit/s down,
750 kbit/s up, as Lighthouse's mobile profile does).
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import json
import shutil
import statistics
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from sitegen.build import BuildOptions, build  # noqa: E402

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
NOW = datetime(2026, 11, 29, 12, tzinfo=UTC)
SLOW = {"offline": False, "latency": 150, "downloadThroughput": 1_638_400 // 8,
        "uploadThroughput": 750_000 // 8}  # fmt: skip


@dataclass(frozen=True)
class Figures:
    page: str
    path: str
    requests: int
    transferred: int
    gzipped: int  # response bodies gzipped at level 6 (what a compressing host would send)
    dom_content_loaded_ms: float
    load_ms: float


class Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        page = Path(self.directory) / "404.html"
        if code != 404 or not page.is_file():
            super().send_error(code, message, explain)
            return
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@contextmanager
def serve(root: Path) -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Handler, directory=str(root))
    )
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def build_example(folder: Path) -> Path:
    site = folder / "site"
    site.mkdir()
    for part in ("site.yaml", "content", "static"):
        source = REPO / part
        if source.is_dir():
            shutil.copytree(source, site / part)
        elif source.is_file():
            shutil.copy2(source, site / part)
    output = folder / "out"
    build(BuildOptions(site_dir=site, output=output, now=NOW, use_cache=False))
    return output


def page_paths(output: Path) -> dict[str, str]:
    """One page of each type: the newest article, the biggest tag, the first topic."""
    feed = json.loads((output / "feed.json").read_text(encoding="utf-8"))
    tags = sorted(
        (p.parent for p in (output / "tags").glob("*/index.html")),
        key=lambda folder: (-(folder / "index.html").stat().st_size, folder.name),
    )
    topic = min(p.parent.name for p in (output / "topics").glob("*/index.html"))
    return {
        "home": "",
        "article": urlsplit(feed["items"][0]["url"]).path.lstrip("/"),
        "topic": f"topics/{topic}/",
        "tag": f"tags/{tags[0].name}/",
        "tags index": "tags/",
        "search": "search/",
        "404": "no/such/page/",
    }


def measure(browser: Any, url: str, slow: bool) -> tuple[int, int, int, float, float]:
    context = browser.new_context()
    try:
        page = context.new_page()
        if slow:
            cdp = context.new_cdp_session(page)
            cdp.send("Network.enable")
            cdp.send("Network.emulateNetworkConditions", SLOW)
        finished: list[Any] = []
        page.on("requestfinished", lambda request: finished.append(request))
        page.goto(url, wait_until="load")
        page.wait_for_load_state("networkidle")
        timing = page.evaluate("performance.getEntriesByType('navigation')[0].toJSON()")
        sizes = [r.sizes() for r in finished]
        bodies = [r.response().body() for r in finished]
        return (
            len(finished),
            sum(s["responseHeadersSize"] + s["responseBodySize"] for s in sizes),
            sum(len(gzip.compress(b, 6)) for b in bodies),
            timing["domContentLoadedEventEnd"],
            timing["loadEventEnd"],
        )
    finally:
        context.close()


def run(repeat: int, slow: bool, chromium: str) -> list[Figures]:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="page-weight-") as tmp:
        output = build_example(Path(tmp))
        paths = page_paths(output)
        with serve(output) as base, sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            results = []
            for name, path in paths.items():
                runs = [measure(browser, base + path, slow) for _ in range(repeat)]
                requests, transferred, gzipped, _, _ = runs[-1]
                results.append(
                    Figures(
                        name,
                        "/" + path,
                        requests,
                        transferred,
                        gzipped,
                        statistics.median(r[3] for r in runs),
                        statistics.median(r[4] for r in runs),
                    )
                )
            browser.close()
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=5, help="cold loads per page (median)")
    parser.add_argument("--slow", action="store_true", help="emulate a slow mobile link")
    parser.add_argument("--chromium", default="/usr/bin/chromium", help="browser executable")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    results = run(max(1, args.repeat), args.slow, args.chromium)
    link = "slow mobile link (150 ms RTT, 1.6 Mbit/s)" if args.slow else "127.0.0.1"
    print(f"Chromium, cold, {link}, median of {args.repeat}")
    print(f"{'page':<11} {'requests':>8} {'bytes':>8} {'gzipped':>8} {'DCL ms':>8} {'load ms':>8}")
    for f in results:
        print(
            f"{f.page:<11} {f.requests:>8} {f.transferred:>8} {f.gzipped:>8} "
            f"{f.dom_content_loaded_ms:>8.1f} {f.load_ms:>8.1f}"
        )
    if args.json:
        args.json.write_text(json.dumps([asdict(f) for f in results], indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
