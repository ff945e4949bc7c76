"""Fetch one URL politely: a sitegen User-Agent, timeouts, size and redirect caps, ETag."""

from __future__ import annotations

import urllib.error
import urllib.request
from dataclasses import dataclass
from email.message import Message
from typing import IO, Any

from sitegen import __version__
from sitegen.importer.decode import MAX_BYTES

USER_AGENT = f"sitegen/{__version__} (static news reader; import)"
TIMEOUT = 20.0
MAX_REDIRECTS = 5
CHUNK = 65536


class FetchError(Exception):
    """The URL could not be fetched; the message says why."""


@dataclass(frozen=True)
class Response:
    url: str  # after redirects
    data: bytes
    content_type: str
    etag: str | None
    last_modified: str | None
    not_modified: bool = False


class _Redirects(urllib.request.HTTPRedirectHandler):
    max_redirections = MAX_REDIRECTS


def _opener() -> urllib.request.OpenerDirector:
    return urllib.request.build_opener(_Redirects())


def _read_capped(stream: IO[bytes], limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while chunk := stream.read(CHUNK):
        size += len(chunk)
        if size > limit:
            raise FetchError(f"response larger than {limit // (1024 * 1024)} MB")
        chunks.append(chunk)
    return b"".join(chunks)


def fetch(
    url: str,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    timeout: float = TIMEOUT,
    limit: int = MAX_BYTES,
) -> Response:
    """GET the URL; a 304 answer to ETag/Last-Modified gives not_modified=True and no data."""
    if not url.lower().startswith(("http://", "https://")):
        raise FetchError(f"not an http(s) URL: {url}")
    headers = {"User-Agent": USER_AGENT, "Accept": "*/*"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    request = urllib.request.Request(url, headers=headers)
    try:
        with _opener().open(request, timeout=timeout) as answer:
            return _response(answer, _read_capped(answer, limit))
    except urllib.error.HTTPError as exc:
        if exc.code == 304:
            return Response(url, b"", "", etag, last_modified, not_modified=True)
        raise FetchError(f"HTTP {exc.code} {exc.reason}") from exc
    except urllib.error.URLError as exc:
        raise FetchError(f"cannot reach {url}: {exc.reason}") from exc
    except (TimeoutError, OSError) as exc:
        raise FetchError(f"cannot fetch {url}: {exc}") from exc


def _response(answer: Any, data: bytes) -> Response:
    headers: Message = answer.headers
    return Response(
        url=answer.geturl(),
        data=data,
        content_type=headers.get("Content-Type", ""),
        etag=headers.get("ETag"),
        last_modified=headers.get("Last-Modified"),
    )
