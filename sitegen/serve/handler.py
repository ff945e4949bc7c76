"""The preview's HTTP side: a threading server and a handler for files and the event stream."""

from __future__ import annotations

import contextlib
import mimetypes
import queue
import re
import select
import socket
import socketserver
import sys
import threading
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Protocol, cast
from urllib.parse import parse_qs

from sitegen.serve.events import EVENTS_PATH, EventHub
from sitegen.serve.gate import SiteGate
from sitegen.serve.inject import inject
from sitegen.serve.paths import Resolved, resolve_target, split_target

NOT_BUILT = (
    b'<!doctype html><html><head><meta charset="utf-8"><title>sitegen</title></head>'
    b"<body><h1>Not built yet</h1><p>This page does not exist, or the site has not "
    b"built yet. It reloads by itself after the next build.</p></body></html>"
)
TYPES = {
    ".html": "text/html", ".css": "text/css", ".js": "text/javascript", ".json": "application/json",
    ".xml": "application/xml", ".txt": "text/plain", ".opml": "text/x-opml",
    ".svg": "image/svg+xml", ".webmanifest": "application/manifest+json",
}  # fmt: skip
GONE_CHECK_SECONDS = 1.0
FINGERPRINTED = re.compile(r"\.[0-9a-f]{10}\.(?:css|js)$")  # theme assets named by their hash
IMMUTABLE = "public, max-age=31536000, immutable"
TEXTUAL = ("text/", "application/json", "application/xml", "+xml", "+json")


def content_type(path: Path) -> str:
    kind = TYPES.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0]
    kind = kind or "application/octet-stream"
    textual = kind.startswith(TEXTUAL[0]) or any(mark in kind for mark in TEXTUAL[1:])
    return f"{kind}; charset=utf-8" if textual else kind


class ServedSite(Protocol):
    """What the handler needs from the preview: the built folder and the live state."""

    gate: SiteGate
    hub: EventHub
    heartbeat: float  # seconds between keep-alive comments on an event stream

    @property
    def output(self) -> Path: ...

    @property
    def base_path(self) -> str: ...


class PreviewHTTPServer(ThreadingHTTPServer):
    """Daemon thread per connection; remembers open connections so stop() can end them."""

    daemon_threads = True
    request_queue_size = 256  # 200 tabs may connect at once

    def __init__(self, address: tuple[str, int], site: ServedSite) -> None:
        self.site = site
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, PreviewHandler)

    def server_bind(self) -> None:
        """Bind without HTTPServer's reverse DNS lookup of the host (slow on some networks)."""
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name, self.server_port = str(host), int(port)

    def process_request(
        self,
        request: socket.socket | tuple[bytes, socket.socket],
        client_address: tuple[str, int] | str,
    ) -> None:
        with self._open_lock:
            self._open.add(cast(socket.socket, request))
        super().process_request(request, client_address)

    def shutdown_request(self, request: socket.socket | tuple[bytes, socket.socket]) -> None:
        with self._open_lock:
            self._open.discard(cast(socket.socket, request))
        super().shutdown_request(request)

    def handle_error(
        self,
        request: socket.socket | tuple[bytes, socket.socket],
        client_address: tuple[str, int] | str,
    ) -> None:
        """A tab that hangs up mid-request is normal here; anything else is worth a traceback."""
        if not isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            super().handle_error(request, client_address)

    def close_connections(self) -> None:
        """Wake every handler still blocked on a client: the server is stopping."""
        with self._open_lock:
            for connection in list(self._open):
                with contextlib.suppress(OSError):
                    connection.shutdown(socket.SHUT_RDWR)


class PreviewHandler(BaseHTTPRequestHandler):
    server_version = "sitegen-preview"
    protocol_version = "HTTP/1.1"
    timeout = 60  # an idle keep-alive connection ends after this many seconds

    @property
    def site(self) -> ServedSite:
        return cast(PreviewHTTPServer, self.server).site

    def log_message(self, format: str, *args: object) -> None:
        pass  # the preview logs builds, not requests

    def do_GET(self) -> None:
        self._answer(with_body=True)

    def do_HEAD(self) -> None:
        self._answer(with_body=False)

    def _raw_target(self) -> str:
        words = self.requestline.split()
        return words[1] if len(words) >= 2 else ""

    def _answer(self, with_body: bool) -> None:
        raw = self._raw_target()
        split = split_target(raw)
        if split is not None and split[0] == EVENTS_PATH and with_body:
            self._stream(split[1])
            return
        with self.site.gate.reading():
            resolved = resolve_target(self.site.output, raw, self.site.base_path)
            page = self._read(resolved)
            generation = self.site.hub.generation
        self._send_page(resolved, page, generation, with_body)

    def _read(self, resolved: Resolved) -> bytes | None:
        try:
            if resolved.outcome == "file" and resolved.file is not None:
                return resolved.file.read_bytes()
            if resolved.outcome == "missing":
                return (self.site.output / "404.html").read_bytes()
        except OSError:
            return None
        return None

    def _send_page(
        self, resolved: Resolved, page: bytes | None, generation: int, with_body: bool
    ) -> None:
        if resolved.outcome == "bad":
            self._send(
                HTTPStatus.BAD_REQUEST, "text/plain; charset=utf-8", b"bad request\n", with_body
            )
        elif resolved.outcome == "redirect":
            self._send(
                HTTPStatus.FOUND,
                "text/plain; charset=utf-8",
                b"",
                with_body,
                location=resolved.location,
            )
        elif resolved.outcome == "file" and page is not None and resolved.file is not None:
            kind = content_type(resolved.file)
            body = inject(page, generation) if kind.startswith("text/html") else page
            lasting = FINGERPRINTED.search(resolved.file.name) is not None
            self._send(HTTPStatus.OK, kind, body, with_body, lasting=lasting)
        else:
            self._send(
                HTTPStatus.NOT_FOUND,
                "text/html; charset=utf-8",
                inject(page or NOT_BUILT, generation),
                with_body,
            )

    def _send(
        self,
        status: HTTPStatus,
        kind: str,
        body: bytes,
        with_body: bool,
        location: str = "",
        lasting: bool = False,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        # A name with a content hash never changes meaning: a reload need not fetch it again.
        self.send_header("Cache-Control", IMMUTABLE if lasting else "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        if location:
            self.send_header("Location", location)
        if status == HTTPStatus.BAD_REQUEST:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if with_body:
            self.wfile.write(body)

    def _stream(self, query: str) -> None:
        """The SSE stream of one tab: held open until the tab leaves or the server stops."""
        client = self.site.hub.connect(self._since(query))
        self.close_connection = True
        try:
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "text/event-stream; charset=utf-8")
            self.send_header("Cache-Control", "no-store")
            self.send_header("Connection", "close")
            self.end_headers()
            self._pump(client)
        except OSError:
            pass  # the tab went away
        finally:
            self.site.hub.disconnect(client)

    def _pump(self, client: queue.SimpleQueue[bytes | None]) -> None:
        """Forward the hub's messages; a comment when quiet; return when either side ends."""
        quiet_since = time.monotonic()
        while True:
            try:
                message = client.get(timeout=min(GONE_CHECK_SECONDS, self.site.heartbeat))
            except queue.Empty:
                if self._client_gone():
                    return
                if time.monotonic() - quiet_since < self.site.heartbeat:
                    continue
                message = b": heartbeat\n\n"
            if message is None:
                return
            self.wfile.write(message)
            quiet_since = time.monotonic()

    def _client_gone(self) -> bool:
        """The tab closed its end (it navigated away): stop holding a thread for it."""
        readable, _, _ = select.select([self.connection], [], [], 0)
        if not readable:
            return False
        try:
            peeked: bytes = self.connection.recv(1, socket.MSG_PEEK)
        except OSError:
            return True
        return peeked == b""

    def _since(self, query: str) -> int | None:
        text = self.headers.get("Last-Event-ID") or parse_qs(query).get("since", [""])[0]
        try:
            return int(text)
        except ValueError:
            return None
