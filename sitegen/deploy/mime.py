"""HTTP metadata of an uploaded file: its Content-Type and Cache-Control, from name and bytes."""

from __future__ import annotations

import mimetypes
import re
from collections.abc import Mapping
from types import MappingProxyType

UTF8 = "; charset=utf-8"
# Web types, spelled out so the result never depends on the machine's /etc/mime.types.
BY_SUFFIX: Mapping[str, str] = MappingProxyType(
    {
        ".html": "text/html" + UTF8,
        ".htm": "text/html" + UTF8,
        ".css": "text/css" + UTF8,
        ".js": "text/javascript" + UTF8,
        ".mjs": "text/javascript" + UTF8,
        ".json": "application/json",
        ".txt": "text/plain" + UTF8,
        ".md": "text/markdown" + UTF8,
        ".xml": "application/xml",
        ".opml": "text/x-opml" + UTF8,
        ".svg": "image/svg+xml",
        ".png": "image/png",
        ".jpg": "image/jpeg",
        ".jpeg": "image/jpeg",
        ".gif": "image/gif",
        ".webp": "image/webp",
        ".avif": "image/avif",
        ".ico": "image/x-icon",
        ".woff": "font/woff",
        ".woff2": "font/woff2",
        ".ttf": "font/ttf",
        ".otf": "font/otf",
        ".webmanifest": "application/manifest+json",
        ".wasm": "application/wasm",
        ".pdf": "application/pdf",
        ".map": "application/json",
    }
)
BY_NAME: Mapping[str, str] = MappingProxyType(
    {
        "feed.json": "application/feed+json",
        "_headers": "text/plain" + UTF8,
        "_redirects": "text/plain" + UTF8,
        "CNAME": "text/plain" + UTF8,
    }
)
FINGERPRINT_RE = re.compile(r"\.[0-9a-f]{8,64}\.[A-Za-z0-9]+$")
IMMUTABLE = "public, max-age=31536000, immutable"
SHORT = "public, max-age=300"
MEDIUM = "public, max-age=3600"
SHORT_TYPES = (
    "text/html",
    "text/plain",
    "text/x-opml",
    "application/xml",
    "application/json",
    "application/atom+xml",
    "application/rss+xml",
    "application/feed+json",
    "application/manifest+json",
)


def content_type(path: str, head: bytes = b"") -> str:
    """The Content-Type for a site file; XML is sniffed for Atom and RSS feeds."""
    name = path.rsplit("/", 1)[-1]
    if name in BY_NAME:
        return BY_NAME[name]
    suffix = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if suffix == ".xml":
        return _xml_type(head)
    if suffix in BY_SUFFIX:
        return BY_SUFFIX[suffix]
    guessed, _ = mimetypes.MimeTypes().guess_type(name, strict=False)
    return guessed or "application/octet-stream"


def _xml_type(head: bytes) -> str:
    if b"<feed" in head:
        return "application/atom+xml" + UTF8
    if b"<rss" in head:
        return "application/rss+xml" + UTF8
    return "application/xml" + UTF8


def cache_control(path: str, type_: str) -> str:
    """Long-lived and immutable for fingerprinted assets (`style.3f2a9c1e.css`), five minutes
    for pages and feeds (they change with every article), an hour for anything else."""
    name = path.rsplit("/", 1)[-1]
    if FINGERPRINT_RE.search(name) and not type_.startswith("text/html"):
        return IMMUTABLE
    if type_.split(";")[0] in SHORT_TYPES:
        return SHORT
    return MEDIUM
