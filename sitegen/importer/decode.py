"""Turn raw input bytes into text, or say clearly why they are not usable (empty, binary, huge)."""

from __future__ import annotations

import codecs
import re

MAX_BYTES = 10 * 1024 * 1024
HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.I)
META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?([\w.:-]+)", re.I)
XML_ENCODING = re.compile(rb"<\?xml[^>]+encoding\s*=\s*[\"']([\w.:-]+)", re.I)
CONTROL = re.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f]")
MAX_CONTROL_SHARE = 0.01


class InputProblem(Exception):
    """The input cannot be imported; the message says why, for the user."""


def check_size(data: bytes) -> None:
    if not data.strip():
        raise InputProblem("empty input (0 bytes or only whitespace): nothing to import")
    if len(data) > MAX_BYTES:
        raise InputProblem(f"input is {len(data) // (1024 * 1024)} MB, over the 10 MB limit")


def looks_binary(data: bytes) -> bool:
    """NUL bytes or many control characters: an image, archive or executable, not text."""
    head = data[:65536]
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    return b"\x00" in head or len(CONTROL.findall(head)) > MAX_CONTROL_SHARE * len(head)


def declared_charset(data: bytes, content_type: str) -> str | None:
    """The charset the HTTP header, a <meta> tag or an XML declaration names, if valid."""
    found = HEADER_CHARSET.search(content_type or "")
    names = [found.group(1)] if found else []
    for pattern in (META_CHARSET, XML_ENCODING):
        match = pattern.search(data[:4096])
        if match:
            names.append(match.group(1).decode("ascii", "replace"))
    for name in names:
        try:
            return codecs.lookup(name).name
        except LookupError:
            continue
    return None


def decode(data: bytes, content_type: str = "") -> str:
    """The input as text: BOM, then UTF-8, then the declared charset, then a detected one."""
    check_size(data)
    if looks_binary(data):
        raise InputProblem("binary data, not text or HTML")
    for bom, name in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16"),
                      (codecs.BOM_UTF16_BE, "utf-16")):  # fmt: skip
        if data.startswith(bom):
            return data.decode(name, errors="replace").lstrip("\ufeff")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    declared = declared_charset(data, content_type)
    if declared and declared != "utf-8":
        try:
            return data.decode(declared)
        except (UnicodeDecodeError, LookupError):
            pass
    return _detect(data)


def _detect(data: bytes) -> str:
    from charset_normalizer import from_bytes  # only needed for inputs that are not UTF-8

    best = from_bytes(data).best()
    if best is None:
        raise InputProblem("not UTF-8, and no other character encoding fits")
    return str(best)
