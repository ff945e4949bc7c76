"""Read `headers:` and `redirects:` of site.yaml; render `_headers`, `_redirects` (Netlify & co)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sitegen.deploy.errors import add_problem, check_keys
from sitegen.model import Problem

HEADERS_FILE = "_headers"
REDIRECTS_FILE = "_redirects"
HEADER_NAME_RE = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
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


def parse_headers(raw: Any, problems: list[Problem]) -> tuple[HeaderRule, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, Mapping):
        add_problem(problems, "deploy.headers", "expected a mapping of path patterns to headers")
        return ()
    rules = []
    for pattern, headers in raw.items():
        where = f"deploy.headers.{pattern}"
        if not isinstance(pattern, str) or not pattern.startswith("/") or " " in pattern:
            add_problem(problems, where, "a path pattern starts with '/' and has no spaces")
        elif not isinstance(headers, Mapping) or not headers:
            add_problem(problems, where, "expected a mapping of header names to values")
        else:
            rules.append(HeaderRule(pattern, _header_pairs(headers, where, problems)))
    return tuple(rules)


def _header_pairs(
    headers: Mapping[Any, Any], where: str, problems: list[Problem]
) -> tuple[tuple[str, str], ...]:
    pairs = []
    for name, value in headers.items():
        text = str(value) if isinstance(value, str | int) else ""
        if not isinstance(name, str) or not HEADER_NAME_RE.match(name):
            add_problem(problems, f"{where}.{name}", "not a valid header name")
        elif not text or "\n" in text or "\r" in text:
            add_problem(problems, f"{where}.{name}", "expected a one-line value")
        else:
            pairs.append((name, text))
    return tuple(pairs)


def parse_redirects(raw: Any, problems: list[Problem]) -> tuple[Redirect, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        add_problem(problems, "deploy.redirects", "expected a list of {from, to, status}")
        return ()
    rules = []
    for index, item in enumerate(raw):
        where = f"deploy.redirects[{index}]"
        if not isinstance(item, Mapping):
            add_problem(problems, where, "expected a mapping {from, to, status}")
            continue
        count = len(problems)
        check_keys(item, where, ("from", "to", "status"), problems)
        source, target, status = item.get("from"), item.get("to"), item.get("status", 301)
        if not isinstance(source, str) or not source.startswith("/") or " " in source:
            add_problem(problems, f"{where}.from", "required: a path starting with '/'")
        if (
            not isinstance(target, str)
            or not target.startswith(("/", "http://", "https://"))
            or " " in target
        ):
            add_problem(problems, f"{where}.to", "required: a path or an http(s) URL")
        if status not in REDIRECT_STATUSES:
            add_problem(problems, f"{where}.status", f"one of {sorted(REDIRECT_STATUSES)}")
        if len(problems) == count:
            rules.append(Redirect(str(source), str(target), int(status)))
    return tuple(rules)
