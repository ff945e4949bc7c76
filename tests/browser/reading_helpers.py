"""What the reading tests share: the example site with its offline files, a static server that
answers missing paths with 404.html, the URL of each page type, traffic counts, and the checkers
that tests/browser/node holds (axe-core runs in the page, the Nu HTML Checker on Java)."""

from __future__ import annotations

import functools
import http.server
import json
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from sitegen.build import BuildOptions, build

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
THEME_STATIC = REPO / "themes" / "default" / "static"
NODE_MODULES = HERE / "node" / "node_modules"
AXE_JS = NODE_MODULES / "axe-core" / "axe.min.js"
VNU_JAR = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
ARTIFACTS = HERE / "artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
FIXED_NOW = datetime(2026, 11, 29, 12, tzinfo=UTC)
EXAMPLE_PARTS = ("site.yaml", "content", "static")
OFFLINE_ARTICLES = 5  # newest articles offline.json lists; the example site has 15
NODE_HINT = "run `npm ci --prefix tests/browser/node` first (.ci/run does)"


@dataclass(frozen=True)
class ReadingSite:
    output: Path
    articles: tuple[str, ...]  # article paths relative to the site root, newest first
    kept: tuple[str, ...]  # what offline.json lists

    def pages(self) -> dict[str, str]:
        """Path of one page of each type, relative to the site root."""
        tags = sorted(
            (p.parent for p in (self.output / "tags").glob("*/index.html")),
            key=lambda folder: (-(folder / "index.html").stat().st_size, folder.name),
        )
        return {
            "home": "",
            "home-2": "page/2/",
            "article": self.articles[1],  # one with a newer and an older neighbour
            "topic": "topics/technologie/",
            "topics": "topics/",
            "tag": f"tags/{tags[0].name}/",
            "tags": "tags/",
            "search": "search/",
            "feeds": "feeds/",
            "404": "no/such/page/",
        }


def copy_example_site(target: Path) -> Path:
    target.mkdir(parents=True, exist_ok=True)
    for part in EXAMPLE_PARTS:
        source = REPO / part
        if source.is_dir():
            shutil.copytree(source, target / part)
        elif source.is_file():
            shutil.copy2(source, target / part)
    return target


def build_reading_site(folder: Path, offline: bool = True) -> ReadingSite:
    """Build a copy of the example site keeping its newest OFFLINE_ARTICLES for offline reading
    (the build writes sw.js at the root and offline.json), or with offline reading off."""
    site = copy_example_site(folder / "site")
    settings = yaml.safe_load((site / "site.yaml").read_text(encoding="utf-8"))
    settings["offline"] = {"enabled": offline, "articles": OFFLINE_ARTICLES}
    (site / "site.yaml").write_text(yaml.safe_dump(settings, allow_unicode=True), "utf-8")
    output = folder / "out"
    build(BuildOptions(site_dir=site, output=output, now=FIXED_NOW, use_cache=False, jobs=1))
    feed = json.loads((output / "feed.json").read_text(encoding="utf-8"))
    articles = tuple(urlsplit(item["url"]).path.lstrip("/") for item in feed["items"])
    kept: tuple[str, ...] = ()
    if offline:
        kept = tuple(json.loads((output / "offline.json").read_text("utf-8"))["files"])
    return ReadingSite(output, articles, kept)


class StaticHandler(http.server.SimpleHTTPRequestHandler):
    """Serves a built site like a static host: files as they are, 404.html for missing paths."""

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
        if self.command != "HEAD":
            self.wfile.write(body)


@contextmanager
def serve_folder(root: Path) -> Iterator[str]:
    """Serve `root` on 127.0.0.1 (a free port) until the block ends; yields the site's URL."""
    handler = functools.partial(StaticHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def wait_until(page: Any, expression: str, arg: Any = None, timeout: float = 15.0) -> None:
    """Wait until the page's `expression` (a function of `arg`) comes true, awaiting the promise
    it may return. Playwright's wait_for_function does not await: a promise counts as true, so a
    condition on caches or the service worker would pass at once."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression, arg):
        if time.monotonic() > deadline:
            raise TimeoutError(f"still false after {timeout} s: {expression}")
        page.wait_for_timeout(100)


@dataclass(frozen=True)
class Traffic:
    requests: int
    transferred: int  # response headers and bodies as sent (encoded) over the wire
    hosts: frozenset[str]
    failed: int


@contextmanager
def count_traffic(page: Any) -> Iterator[list[Traffic]]:
    """Count the page's requests while the block runs; the result is appended at the end."""
    finished: list[Any] = []
    failed: list[Any] = []

    def on_finished(request: Any) -> None:
        finished.append(request)

    def on_failed(request: Any) -> None:
        failed.append(request)

    page.on("requestfinished", on_finished)
    page.on("requestfailed", on_failed)
    result: list[Traffic] = []
    try:
        yield result
    finally:
        page.remove_listener("requestfinished", on_finished)
        page.remove_listener("requestfailed", on_failed)
    sizes = [r.sizes() for r in finished]
    result.append(
        Traffic(
            requests=len(finished) + len(failed),
            transferred=sum(s["responseHeadersSize"] + s["responseBodySize"] for s in sizes),
            hosts=frozenset(urlsplit(r.url).netloc for r in [*finished, *failed]),
            failed=len(failed),
        )
    )


def run_axe(page: Any) -> list[dict[str, Any]]:
    """axe-core's violations on the page as it is now (all rules that run by default)."""
    assert AXE_JS.is_file(), f"{AXE_JS} missing: {NODE_HINT}"
    page.add_script_tag(content=AXE_JS.read_text(encoding="utf-8"))
    violations: list[dict[str, Any]] = page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ['violations']})).violations
            .map(v => ({id: v.id, impact: v.impact, help: v.help,
                        nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))}))"""
    )
    return violations


def run_vnu(files: Sequence[Path], css: bool = False) -> list[dict[str, Any]]:
    """The Nu HTML Checker's messages for the files (one Java process for all of them)."""
    assert VNU_JAR.is_file(), f"{VNU_JAR} missing: {NODE_HINT}"
    command = ["java", "-jar", str(VNU_JAR), "--format", "json", "--stdout", "--exit-zero-always"]
    if css:
        command.append("--css")
    done = subprocess.run(
        [*command, *map(str, files)], capture_output=True, text=True, timeout=300, check=True
    )
    messages: list[dict[str, Any]] = json.loads(done.stdout)["messages"]
    return messages
