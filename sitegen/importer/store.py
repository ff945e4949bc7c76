"""Write article files and the import state: whole files (temp + rename), only inside content/."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

STATE_FILE = ".import-state.json"
MAX_SEEN = 20000  # entry ids remembered; the oldest are forgotten first


class UnsafePath(Exception):
    """A target path that would leave content/."""


def render_document(front: Mapping[str, Any], body: str) -> str:
    """YAML front matter between --- lines, then the Markdown body."""
    head = yaml.safe_dump(dict(front), allow_unicode=True, sort_keys=False, width=1000)
    return f"---\n{head}---\n\n{body.rstrip()}\n"


def content_path(content_dir: Path, year: int, slug: str) -> Path:
    """content/<year>/<slug>.md, checked to stay inside content/."""
    root = content_dir.resolve()
    target = (root / str(year) / f"{slug}.md").resolve()
    if not target.is_relative_to(root) or not slug or "/" in slug or slug.startswith("."):
        raise UnsafePath(f"refusing to write outside {content_dir}: {slug!r}")
    return target


def free_path(content_dir: Path, year: int, slug: str) -> Path:
    """The article's path, with -2, -3 ... added when another article has the slug."""
    path = content_path(content_dir, year, slug)
    number = 2
    while path.exists():
        path = content_path(content_dir, year, f"{slug}-{number}")
        number += 1
    return path


def write_atomic(path: Path, text: str) -> None:
    """Write the whole file or nothing: a temp file in the same folder, then rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=".tmp-", suffix=".md", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


@dataclass(frozen=True)
class State:
    """What earlier imports saw: entry ids and URLs, and each feed's ETag/Last-Modified."""

    seen: tuple[str, ...] = ()
    http: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    def has_seen(self, *keys: str | None) -> bool:
        known = set(self.seen)
        return any(k in known for k in keys if k)

    def with_seen(self, keys: tuple[str, ...]) -> State:
        merged = tuple(dict.fromkeys((*self.seen, *(k for k in keys if k))))
        return State(merged[-MAX_SEEN:], self.http)

    def with_http(self, url: str, etag: str | None, modified: str | None) -> State:
        http = {k: dict(v) for k, v in self.http.items()}
        http[url] = {k: v for k, v in (("etag", etag), ("last_modified", modified)) if v}
        return State(self.seen, http)


def load_state(content_dir: Path) -> State:
    path = content_dir / STATE_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return State()
    if not isinstance(data, dict):
        return State()
    seen = tuple(str(s) for s in data.get("seen") or ())
    http = {str(k): dict(v) for k, v in (data.get("http") or {}).items() if isinstance(v, dict)}
    return State(seen, http)


def save_state(content_dir: Path, state: State) -> None:
    data = {"version": 1, "seen": list(state.seen), "http": state.http}
    text = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    path = content_dir / STATE_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=".tmp-state-", dir=path.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(temp, path)
