"""Map an HTTP request target to a file inside the output folder, refusing anything unsafe."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import quote, unquote_to_bytes

MAX_TARGET = 2048
INDEX = "index.html"

Outcome = Literal["file", "redirect", "bad", "missing"]


@dataclass(frozen=True)
class Resolved:
    """What to answer: a file to send, a redirect, a malformed request or a missing page."""

    outcome: Outcome
    file: Path | None = None
    location: str = ""


BAD = Resolved("bad")
MISSING = Resolved("missing")


def split_target(raw: str) -> tuple[str, str] | None:
    """(path, query) of an origin-form target such as '/a/b?x=1'; None when malformed.

    Absolute-form ('http://host/'), authority-like ('//host/'), '*' and over-long targets are
    malformed here: a preview server only ever answers for itself.
    """
    if len(raw) > MAX_TARGET or not raw.startswith("/") or raw.startswith("//"):
        return None
    path, _, query = raw.partition("?")
    return path.partition("#")[0], query


def decode_segments(path: str) -> tuple[str, ...] | None:
    """The percent-decoded segments of an absolute path; None when any could escape or confuse.

    Refused: invalid UTF-8, control characters (NUL included), backslashes, empty segments
    in the middle ('//'), and '.' or '..' whether written plainly or percent-encoded.
    A trailing '/' gives a last segment ''.
    """
    try:
        text = unquote_to_bytes(path).decode("utf-8")
    except UnicodeDecodeError:
        return None
    if "\\" in text or any(ord(char) < 0x20 or ord(char) == 0x7F for char in text):
        return None
    segments = tuple(text[1:].split("/"))
    if any(s in (".", "..") for s in segments) or any(not s for s in segments[:-1]):
        return None
    return segments


def within_base(segments: tuple[str, ...], base_path: str) -> tuple[str, ...] | None:
    """The segments below the site's base path ('/news/' -> drop 'news'); None when outside."""
    base = tuple(part for part in base_path.split("/") if part)
    if segments[: len(base)] != base:
        return None
    return segments[len(base) :]


def locate(root: Path, segments: tuple[str, ...], path: str) -> Resolved:
    """The file for site-relative segments: a folder means its index.html, links stay inside.

    `path` is the decoded request path, used for the redirect that adds a folder's '/'.
    """
    if any(part.startswith(".") for part in segments):
        return MISSING  # hidden and temporary files are never part of the site
    base = root.resolve()
    real = _inside(base, base.joinpath(*(part for part in segments if part)))
    if real is None:
        return MISSING
    if real.is_dir():
        if segments and segments[-1]:
            return Resolved("redirect", location=quote(path + "/"))
        real = _inside(base, real / INDEX)
    return Resolved("file", real) if real is not None and real.is_file() else MISSING


def _inside(base: Path, candidate: Path) -> Path | None:
    """candidate with links resolved, if it exists and stays inside base."""
    try:
        real = candidate.resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    return real if real.is_relative_to(base) else None


def resolve_target(root: Path, raw: str, base_path: str) -> Resolved:
    """The whole decision for one GET: malformed -> bad; outside base or absent -> missing."""
    split = split_target(raw)
    segments = decode_segments(split[0]) if split else None
    if segments is None:
        return BAD
    path = "/" + "/".join(segments)
    if base_path != "/" and path in ("/", base_path.rstrip("/")):
        return Resolved("redirect", location=quote(base_path))
    below = within_base(segments, base_path)
    if below is None:
        return MISSING
    return locate(root, below or ("",), path)
