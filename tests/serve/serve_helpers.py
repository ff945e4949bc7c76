"""Helpers for preview-server tests: a mini site written inline, raw HTTP and SSE clients."""

from __future__ import annotations

import contextlib
import http.client
import json
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

SITE_YAML = """\
title: Preview Test
description: A tiny site for the preview server.
base_url: https://example.org/news/
language: en
timezone: UTC
theme: {theme}
paginate: 10
topics:
  world:
    title: World
    description: News from everywhere.
  science:
    title: Science
"""

ARTICLES = {
    "content/2025/first-story.md": (
        "First Story", "2025-01-10T10:00:00Z", "alpha", "world", "The first body text."),
    "content/2025/second-story.md": (
        "Second Story", "2025-02-11T10:00:00Z", "beta", "science", "The second body text."),
    "content/2025/third-story.md": (
        "Third Story", "2025-03-12T10:00:00Z", "alpha", "world", "The third body text."),
}  # fmt: skip
URLS = {
    "content/2025/first-story.md": "/news/2025/01/first-story/",
    "content/2025/second-story.md": "/news/2025/02/second-story/",
    "content/2025/third-story.md": "/news/2025/03/third-story/",
}


def article_text(title: str, date: str, tag: str, topic: str, body: str) -> str:
    return f"---\ntitle: {title}\ndate: {date}\ntags: [{tag}]\ntopics: [{topic}]\n---\n\n{body}\n"


def write_site(folder: Path, theme: str = "default") -> Path:
    """site.yaml and three articles."""
    (folder / "site.yaml").write_text(SITE_YAML.format(theme=theme))
    for name, fields in ARTICLES.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(article_text(*fields))
    return folder


def save(path: Path, text: str) -> None:
    """Save the way many editors do: write a temporary file, then rename it over the original."""
    temp = path.with_name(f".{path.name}.tmp")
    temp.write_text(text)
    temp.replace(path)


def wait_until(check: Callable[[], object], timeout: float = 15.0, what: str = "") -> object:
    """Poll `check` until it returns something truthy; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what or check}")
        time.sleep(0.02)


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


def fetch(address: tuple[str, int], target: str, method: str = "GET") -> Response:
    """One request with the target sent exactly as given (http.client does not normalize it)."""
    connection = http.client.HTTPConnection(*address, timeout=30)
    try:
        connection.putrequest(method, target, skip_accept_encoding=True)
        connection.endheaders()
        response = connection.getresponse()
        body = response.read()
        return Response(response.status, {k.lower(): v for k, v in response.getheaders()}, body)
    finally:
        connection.close()


def raw_request(address: tuple[str, int], request: bytes) -> int:
    """Send bytes on a bare socket; the status code of the answer (0 if none)."""
    with socket.create_connection(address, timeout=10) as sock:
        sock.sendall(request)
        data = b""
        while b"\r\n" not in data:
            chunk = sock.recv(4096)
            if not chunk:
                break
            data += chunk
    parts = data.split(b" ", 2)
    return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0


@dataclass
class SseClient:
    """A tab's event stream, read on a thread of its own; events land in `events`."""

    address: tuple[str, int]
    since: int | None = None
    events: list[tuple[str, dict[str, object]]] = field(default_factory=list)
    connected: threading.Event = field(default_factory=threading.Event)
    comments: int = 0
    _sock: socket.socket | None = None

    def start(self) -> SseClient:
        self._sock = socket.create_connection(self.address, timeout=60)
        query = f"?since={self.since}" if self.since is not None else ""
        self._sock.sendall(f"GET /__sitegen/events{query} HTTP/1.1\r\nHost: t\r\n\r\n".encode())
        threading.Thread(target=self._read, daemon=True).start()
        return self

    def _read(self) -> None:
        assert self._sock is not None
        stream = self._sock.makefile("rb")
        try:
            while stream.readline() not in (b"\r\n", b""):
                pass  # status line and headers
            self.connected.set()
            kind, data = "message", ""
            for raw in stream:
                line = raw.decode().rstrip("\r\n")
                if line.startswith(":"):
                    self.comments += 1
                elif line.startswith("event: "):
                    kind = line[7:]
                elif line.startswith("data: "):
                    data = line[6:]
                elif not line and data:
                    self.events.append((kind, json.loads(data)))
                    kind, data = "message", ""
        except OSError:
            pass

    def kinds(self) -> list[str]:
        return [kind for kind, _ in self.events]

    def close(self) -> None:
        """Close like a tab that navigates away (shutdown: the reader's file keeps the fd)."""
        if self._sock is not None:
            with contextlib.suppress(OSError):
                self._sock.shutdown(socket.SHUT_RDWR)
            self._sock.close()


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under folder by relative path, for byte-for-byte comparison."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }
