"""Import raw news (pages, text scrapes, RSS/Atom feeds) as clean Markdown articles in content/."""

from sitegen.importer.model import ImportOptions
from sitegen.importer.pipeline import run_import

__all__ = ["ImportOptions", "run_import"]
