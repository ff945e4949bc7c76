"""Shared fixtures for the importer tests: the fixture folder, rules, a local HTTP server."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest

from sitegen.importer.rules import Rules, load_rules

FIXTURES = Path(__file__).parent / "fixtures"
NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)


@pytest.fixture
def now() -> datetime:
    return NOW


@pytest.fixture(scope="session")
def rules() -> Rules:
    return load_rules()


@pytest.fixture
def site(tmp_path: Path) -> Path:
    (tmp_path / "content").mkdir()
    return tmp_path


class FixtureHandler(SimpleHTTPRequestHandler):
    """Serves tests/importer/fixtures; feeds get the server's address filled in."""

    requests: ClassVar[list[dict[str, Any]]] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, directory=str(FIXTURES), **kwargs)

    def do_GET(self) -> None:
        type(self).requests.append({"path": self.path, "headers": dict(self.headers)})
        name = self.path.lstrip("/")
        if name.startswith("feed."):
            self.send_feed(name)
        else:
            super().do_GET()

    def send_feed(self, name: str) -> None:
        base = f"http://127.0.0.1:{self.server.server_address[1]}"
        body = (FIXTURES / name).read_text(encoding="utf-8").replace("{base}", base).encode()
        etag = '"feed-v1"'
        if self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.end_headers()
            return
        self.send_response(200)
        kind = "application/rss+xml" if name.endswith(".rss") else "application/atom+xml"
        self.send_header("Content-Type", f"{kind}; charset=utf-8")
        self.send_header("ETag", etag)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        return


@dataclass(frozen=True)
class Server:
    base: str
    requests: list[dict[str, Any]]


@pytest.fixture
def server() -> Iterator[Server]:
    """A real ThreadingHTTPServer on 127.0.0.1 serving the fixtures, and the requests it saw."""
    FixtureHandler.requests = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), FixtureHandler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield Server(f"http://127.0.0.1:{httpd.server_address[1]}", FixtureHandler.requests)
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)
