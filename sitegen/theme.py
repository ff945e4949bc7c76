"""Themes: find a theme by name and follow `extends:` down to the theme shipped with sitegen."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

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
