"""The Jinja2 environment over a theme chain: fingerprint templates, render them."""

from __future__ import annotations

import dataclasses
import hashlib
import sys
import traceback
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import meta, nodes
from jinja2.sandbox import SandboxedEnvironment

from sitegen.model import InputError, Problem
from sitegen.theme import Theme, builtin_themes_dir, resolve_theme

__all__ = ["Renderer", "Theme", "builtin_themes_dir", "resolve_theme", "template_problem"]


class _Sandbox(SandboxedEnvironment):
    """The sandbox, with a quick way to the fields of frozen dataclasses (the views): plain
    data set when made, so nothing a sandbox guards against, and most of what a page reads."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._fields: dict[type, frozenset[str] | None] = {}

    def getattr(self, obj: Any, attribute: str) -> Any:
        kind = type(obj)
        if kind not in self._fields:
            self._fields[kind] = _plain_fields(kind)
        fields = self._fields[kind]
        if fields is not None and attribute in fields:
            return obj.__dict__[attribute]
        return super().getattr(obj, attribute)


def _plain_fields(kind: type) -> frozenset[str] | None:
    params = getattr(kind, "__dataclass_params__", None)
    if params is None or not params.frozen or "__slots__" in vars(kind):
        return None
    return frozenset(f.name for f in dataclasses.fields(kind) if not f.name.startswith("_"))


class Renderer:
    """A sandboxed, autoescaping Jinja2 environment over one theme chain."""

    def __init__(
        self,
        theme: Theme,
        globals_: Mapping[str, Any],
        compiled_dir: Path | None = None,
        known_refs: dict[str, frozenset[str]] | None = None,
    ) -> None:
        """`compiled_dir` keeps compiled templates between builds (keyed by their source);
        `known_refs` remembers which templates a source pulls in, for a long-lived process."""
        self.theme = theme
        self.env = _Sandbox(
            loader=jinja2.FileSystemLoader(theme.template_dirs),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            auto_reload=False,
            bytecode_cache=jinja2.FileSystemBytecodeCache(str(compiled_dir))
            if compiled_dir is not None
            else None,
        )
        self.env.globals.update(globals_)
        self._known_refs = known_refs if known_refs is not None else {}

    def template_fingerprints(self) -> dict[str, str]:
        """Each template's hash covers its own source and every template it pulls in."""
        sources: dict[str, str] = {}
        refs: dict[str, set[str]] = {}
        for name in self.env.list_templates(extensions=["html", "xml", "txt"]):
            assert self.env.loader is not None
            try:
                source, filename, _ = self.env.loader.get_source(self.env, name)
            except (OSError, UnicodeDecodeError) as error:
                where = self._path_of(name)
                raise InputError([Problem(where, None, None, f"cannot read: {error}")]) from None
            sources[name] = source
            key = _source_key(name, source)
            if key not in self._known_refs:
                try:
                    parsed = self.env.parse(source, name, filename)
                except jinja2.TemplateSyntaxError as error:
                    raise InputError([template_problem(error, self.theme)]) from None
                self._known_refs[key] = _referenced_templates(parsed)
            refs[name] = set(self._known_refs[key])
        for found in refs.values():
            if EVERY_TEMPLATE in found:
                found.update(sources)
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

    def load_all(self) -> None:
        """Compile every template now: processes forked afterwards (render workers, replaced
        many times in a build) then find them compiled instead of each loading them again.
        A template that does not compile is left to fail where it is rendered."""
        for name in self.env.list_templates(extensions=["html", "xml", "txt"]):
            try:
                self.env.get_template(name)
            except (jinja2.TemplateError, OSError, UnicodeDecodeError):
                continue

    def partial_templates(self) -> set[str]:
        """Templates some template renders through a partial function, by constant name."""
        found: set[str] = set()
        for name in self.env.list_templates(extensions=["html", "xml", "txt"]):
            assert self.env.loader is not None
            try:
                source, filename, _ = self.env.loader.get_source(self.env, name)
                parsed = self.env.parse(source, name, filename)
                found.update(filter(None, _partial_names(parsed)))
            except (jinja2.TemplateError, OSError, UnicodeDecodeError):
                continue
        return found

    def _path_of(self, name: str) -> str:
        """Where the chain finds template `name`, for a message, relative to the site folder."""
        for folder in self.theme.template_dirs:
            if (Path(folder) / name).is_file():
                return _relative(str(Path(folder) / name), self.theme)
        return name

    def render(self, template: str, context: Mapping[str, Any]) -> str:
        try:
            return self.env.get_template(template).render(context)
        except jinja2.TemplateSyntaxError as error:
            raise InputError([template_problem(error, self.theme)]) from None
        except (
            jinja2.TemplateError,
            ValueError,
            TypeError,
            LookupError,
            ArithmeticError,
            RecursionError,  # a template that includes itself or a macro without an end
        ) as error:
            # A theme is code: whatever it trips over is reported at its template line.
            raise InputError([_runtime_problem(error, template, self.theme)]) from None


# Stands in a template's references for "any template": a name only known when rendering.
EVERY_TEMPLATE = "\0every"
PARTIAL_FUNCTIONS = frozenset({"partial_cached"})


def _source_key(name: str, source: str) -> str:
    return hashlib.blake2b(f"{name}\0{source}".encode(), digest_size=16).hexdigest()


def _referenced_templates(parsed: nodes.Template) -> frozenset[str]:
    """Templates that `parsed` extends, includes or imports, or renders through a partial
    function such as `partial_cached("partials/card.html", item)`; EVERY_TEMPLATE where a
    name is computed while rendering."""
    found: set[str] = {r or EVERY_TEMPLATE for r in meta.find_referenced_templates(parsed)}
    found.update(name or EVERY_TEMPLATE for name in _partial_names(parsed))
    return frozenset(found)


def _partial_names(parsed: nodes.Template) -> Iterator[str | None]:
    """The template named by each partial function call: None where it is computed."""
    for call in parsed.find_all(nodes.Call):
        if isinstance(call.node, nodes.Name) and call.node.name in PARTIAL_FUNCTIONS:
            first = call.args[0] if call.args else None
            constant = isinstance(first, nodes.Const) and isinstance(first.value, str)
            yield first.value if constant else None  # type: ignore[union-attr]


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
