"""A static host for the browser benchmarks, in a process of its own: one asyncio event loop,
files kept in memory once read, keep-alive HTTP/1.1, Last-Modified and 304s, as nginx or a CDN
edge serves a static site.

Python's http.server starts a thread for each connection and parses each request's headers with
the email package; on these 2-core machines that cost a cold first result on the search page
10-16 ms (first hit) and up to 30 ms (first five) in one A/B run of 16 interleaved loads per
query, which measured the server more than the page.
"""

from __future__ import annotations

import asyncio
import email.utils
import mimetypes
import multiprocessing
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit


@dataclass(frozen=True)
class File:
    body: bytes
    type: str
    modified: str  # HTTP date


class Files:
    """The folder's files by URL path, read on first request and kept."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder.resolve()
        self.kept: dict[str, File | None] = {}

    def get(self, path: str) -> File | None:
        if path not in self.kept:
            self.kept[path] = self._read(path)
        return self.kept[path]

    def _read(self, path: str) -> File | None:
        target = (self.folder / path.lstrip("/")).resolve()
        if not target.is_relative_to(self.folder):
            return None
        if target.is_dir():
            target = target / "index.html"
        if not target.is_file():
            return None
        kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        modified = email.utils.formatdate(target.stat().st_mtime, usegmt=True)
        return File(target.read_bytes(), kind, modified)


def _response(status: str, headers: dict[str, str], body: bytes = b"") -> bytes:
    lines = [f"HTTP/1.1 {status}", *(f"{k}: {v}" for k, v in headers.items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def answer(files: Files, head: bytes) -> bytes:
    """The response to one request's head (request line and headers)."""
    request_line, *header_lines = head.decode("latin-1").split("\r\n")
    method, target, _version = request_line.split(" ", 2)
    headers = {k.strip().lower(): v.strip() for k, _, v in (h.partition(":") for h in header_lines)}
    if method not in ("GET", "HEAD"):  # a body may follow: the connection closes after this
        fields = {"Content-Length": "0", "Allow": "GET, HEAD", "Connection": "close"}
        return _response("405 Method Not Allowed", fields)
    url = urlsplit(target)
    path = unquote(url.path)
    found = files.get(path)
    if found is None:
        return _response("404 Not Found", {"Content-Length": "0"})
    if not path.endswith("/") and (files.folder / path.lstrip("/")).is_dir():
        moved = url.path + "/" + ("?" + url.query if url.query else "")
        return _response("301 Moved Permanently", {"Location": moved, "Content-Length": "0"})
    if headers.get("if-modified-since") == found.modified:
        return _response("304 Not Modified", {"Last-Modified": found.modified})
    fields = {
        "Content-Type": found.type,
        "Content-Length": str(len(found.body)),
        "Last-Modified": found.modified,
    }
    return _response("200 OK", fields, found.body if method == "GET" else b"")


async def _connection(files: Files, reader: Any, writer: Any) -> None:
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            response = answer(files, head[:-4])
            writer.write(response)
            await writer.drain()
            if b"\r\nConnection: close\r\n" in response.split(b"\r\n\r\n", 1)[0]:
                break
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError, ValueError):
        pass  # the browser closed the connection, or sent what a static host refuses
    finally:
        writer.close()


async def _serve(folder: Path, ports: Any) -> None:
    files = Files(folder)
    server = await asyncio.start_server(
        lambda r, w: _connection(files, r, w), "127.0.0.1", 0
    )  # asyncio sets TCP_NODELAY: no Nagle delay on small responses
    ports.put(server.sockets[0].getsockname()[1])
    async with server:
        await server.serve_forever()


def _run(folder: str, ports: Any) -> None:
    asyncio.run(_serve(Path(folder), ports))


@contextmanager
def serve(folder: Path) -> Iterator[str]:
    """The folder over HTTP on 127.0.0.1 from a process of its own: a server in this process
    would wait for the interpreter lock while Playwright's client, here too, reads the browser's
    events. Yields the site's root URL."""
    forking = multiprocessing.get_context("fork")
    ports = forking.Queue()
    server = forking.Process(target=_run, args=(str(folder), ports), daemon=True)
    server.start()
    try:
        yield f"http://127.0.0.1:{ports.get(timeout=30)}/"
    finally:
        server.kill()
        server.join()
