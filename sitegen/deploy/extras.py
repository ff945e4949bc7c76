"""Render the `_headers` and `_redirects` files (Netlify, Cloudflare Pages) from site.yaml."""

from __future__ import annotations

from dataclasses import dataclass

HEADERS_FILE = "_headers"
REDIRECTS_FILE = "_redirects"
REDIRECT_STATUSES = frozenset({200, 301, 302, 303, 307, 308, 404, 410})


@dataclass(frozen=True)
class HeaderRule:
    """Response headers for every path matching `pattern` (e.g. `/*`, `/static/*`)."""

    pattern: str
    headers: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Redirect:
    """One `_redirects` line: requests for `source` go to `target` with `status`."""

    source: str
    target: str
    status: int = 301


def render_headers(rules: tuple[HeaderRule, ...]) -> bytes:
    """The `_headers` file: each pattern on its own line, its headers indented below it."""
    lines: list[str] = []
    for rule in rules:
        lines.append(rule.pattern)
        lines.extend(f"  {name}: {value}" for name, value in rule.headers)
    return ("\n".join(lines) + "\n").encode()


def render_redirects(redirects: tuple[Redirect, ...]) -> bytes:
    """The `_redirects` file: `source target status`, one rule a line, first match wins."""
    lines = [f"{r.source} {r.target} {r.status}" for r in redirects]
    return ("\n".join(lines) + "\n").encode()


def site_files(
    headers: tuple[HeaderRule, ...], redirects: tuple[Redirect, ...]
) -> tuple[tuple[str, bytes], ...]:
    """The generated files to add to the deployed site; none when nothing is configured."""
    files: list[tuple[str, bytes]] = []
    if headers:
        files.append((HEADERS_FILE, render_headers(headers)))
    if redirects:
        files.append((REDIRECTS_FILE, render_redirects(redirects)))
    return tuple(files)
