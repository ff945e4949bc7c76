"""The theme chain and its Jinja2 environment: find templates, fingerprint them, render them."""

from __future__ import annotations

import hashlib
import sys
import traceback
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import meta
from jinja2.sandbox import SandboxedEnvironment

from sitegen.model import InputError, Problem
from sitegen.yamlio import YamlError, load_yaml

THEME_FILE = "theme.yaml"
MAX_THEME_DEPTH = 5


def builtin_themes_dir() -> Path:
    """Themes shipped with sitegen: inside the installed package, or the source checkout's."""
    packaged = Path(__file__).resolve().parent / "themes"
    return packaged if packaged.is_dir() else Path(__file__).resolve().parent.parent / "themes"


@dataclass(frozen=True)
class Theme:
    """A theme and the themes it extends, most specific first."""

    name: str
    dirs: tuple[Path, ...]

    @property
    def template_dirs(self) -> list[str]:
        return [str(d / "templates") for d in self.dirs if (d / "templates").is_dir()]

    @property
    def static_dirs(self) -> list[Path]:
        return [d / "static" for d in self.dirs if (d / "static").is_dir()]

    @property
    def root_dirs(self) -> list[Path]:
        """Files copied to the site root unchanged, e.g. a service worker, whose scope is the
        folder it is served from."""
        return [d / "root" for d in self.dirs if (d / "root").is_dir()]


def _theme_dir(site_dir: Path, name: str) -> Path | None:
    for root in (site_dir / "themes", builtin_themes_dir()):
        candidate = root / name
        if candidate.is_dir():
            return candidate
    return None


def resolve_theme(site_dir: Path, name: str) -> Theme:
    """Follow `extends:` in theme.yaml from the site's theme down to its root theme."""
    dirs: list[Path] = []
    current: str | None = name
    while current is not None:
        folder = _theme_dir(site_dir, current)
        where = f"themes/{current}/{THEME_FILE}" if dirs else "site.yaml"
        if folder is None:
            raise InputError(
                [
                    Problem(
                        where,
                        None,
                        "theme" if not dirs else "extends",
                        f"theme {current!r} not found in themes/ or in sitegen",
                    )
                ]
            )
        if folder in dirs or len(dirs) >= MAX_THEME_DEPTH:
            raise InputError(
                [Problem(where, None, "extends", "themes extend each other in a loop")]
            )
        dirs.append(folder)
        current = _parent_theme(folder, current)
    return Theme(name, tuple(dirs))


def _parent_theme(folder: Path, name: str) -> str | None:
    settings = folder / THEME_FILE
    if not settings.is_file():
        return None
    where = f"themes/{name}/{THEME_FILE}"
    try:
        data = load_yaml(settings.read_text(encoding="utf-8"))
    except (YamlError, OSError, UnicodeDecodeError) as error:
        line = error.line if isinstance(error, YamlError) else None
        raise InputError([Problem(where, line, None, str(error))]) from None
    parent = data.get("extends") if isinstance(data, dict) else None
    if parent is not None and not isinstance(parent, str):
        raise InputError([Problem(where, None, "extends", "expected a theme name")])
    return parent


class Renderer:
    """A sandboxed, autoescaping Jinja2 environment over one theme chain."""

    def __init__(self, theme: Theme, globals_: Mapping[str, Any]) -> None:
        self.theme = theme
        self.env = SandboxedEnvironment(
            loader=jinja2.FileSystemLoader(theme.template_dirs),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            auto_reload=False,
        )
        self.env.globals.update(globals_)

    def template_fingerprints(self) -> dict[str, str]:
        """Each template's hash covers its own source and every template it pulls in."""
        sources: dict[str, str] = {}
        refs: dict[str, set[str]] = {}
        for name in self.env.list_templates(extensions=["html", "xml", "txt"]):
            assert self.env.loader is not None
            source, filename, _ = self.env.loader.get_source(self.env, name)
            sources[name] = source
            try:
                parsed = self.env.parse(source, name, filename)
                refs[name] = {r for r in meta.find_referenced_templates(parsed) if r}
            except jinja2.TemplateSyntaxError as error:
                raise InputError([template_problem(error, self.theme)]) from None
        result = {}
        for name in sources:
            closure, stack = set(), [name]
            while stack:
                item = stack.pop()
                if item not in closure and item in sources:
                    closure.add(item)
                    stack.extend(refs[item])
            joined = "\0".join(f"{n}\0{sources[n]}" for n in sorted(closure))
            result[name] = hashlib.blake2b(joined.encode(), digest_size=12).hexdigest()
        return result

    def render(self, template: str, context: Mapping[str, Any]) -> str:
        try:
            return self.env.get_template(template).render(context)
        except jinja2.TemplateSyntaxError as error:
            raise InputError([template_problem(error, self.theme)]) from None
        except (jinja2.TemplateError, ValueError, TypeError, LookupError, ArithmeticError) as error:
            # A theme is code: whatever it trips over is reported at its template line.
            raise InputError([_runtime_problem(error, template, self.theme)]) from None


def _relative(filename: str | None, theme: Theme) -> str:
    if not filename:
        return "?"
    for folder in theme.dirs:
        try:
            return str(Path(filename).resolve().relative_to(folder.parent.parent))
        except ValueError:
            continue
    return filename


def template_problem(error: jinja2.TemplateSyntaxError, theme: Theme) -> Problem:
    return Problem(_relative(error.filename, theme), error.lineno, None, error.message or "error")


def _runtime_problem(error: Exception, template: str, theme: Theme) -> Problem:
    """Place an error raised while rendering at the deepest template line in the traceback."""
    where, line = template, None
    for frame in traceback.extract_tb(sys.exc_info()[2]):
        if frame.filename.endswith((".html", ".xml", ".txt")):
            where, line = _relative(frame.filename, theme), frame.lineno
    return Problem(where, line, None, f"{type(error).__name__}: {error}")
