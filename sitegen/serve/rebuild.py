"""Run one preview build under the gate and tell the open tabs what changed."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path

from sitegen.build import BuildOptions, BuildReport, build
from sitegen.cache import WarmCache
from sitegen.config import load_config
from sitegen.model import InputError, Problem
from sitegen.render import resolve_theme
from sitegen.serve.events import EventHub
from sitegen.serve.gate import SiteGate
from sitegen.serve.watch import Batch

Log = Callable[[str], None]
FINGERPRINT = re.compile(r"\.[0-9a-f]{10}(?=\.css$)")
ASSET_ROUTE = "asset:"  # key prefix of theme and site static files in BuildReport.rendered


@dataclass(frozen=True)
class BuildSettings:
    """What stays fixed for a preview: where the site is, where it goes, what it includes."""

    site_dir: Path
    output: Path
    origin: str  # http://host:port, the preview's own address
    drafts: bool = False
    future: bool = False


def stylesheet_links(base_path: str, rendered: Collection[str], generation: int) -> dict[str, str]:
    """Fingerprint-free path -> new URL of every stylesheet a build wrote anew.

    Theme stylesheets carry a content hash in their name (style.0123456789.css); the tab matches
    its <link>s with the hash taken out. A site's own static stylesheet keeps its name, so its
    new URL gets a query that makes the browser fetch it again.
    """
    links = {}
    for key in rendered:
        if key.startswith(ASSET_ROUTE) and key.endswith(".css"):
            url = base_path + key.removeprefix(ASSET_ROUTE)
            plain = FINGERPRINT.sub("", url)
            links[plain] = url if plain != url else f"{url}?v={generation}"
    return links


def only_stylesheets(paths: Collection[Path]) -> bool:
    """Every changed file is a stylesheet that still exists: a swap suffices, no reload."""
    return bool(paths) and all(p.suffix == ".css" and p.is_file() for p in paths)


class Rebuilder:
    """Builds the preview into its own output folder; one call per batch of changes."""

    def __init__(self, settings: BuildSettings, gate: SiteGate, hub: EventHub, log: Log) -> None:
        self.settings = settings
        self._gate = gate
        self._hub = hub
        self._log = log
        self._doubt = False  # lost events or an unexpected failure: build without the cache
        # The cache stays unpickled in memory between previews; its index is written at close.
        self._warm = WarmCache(defer_index=True)
        self.base_path = _base_path(settings.site_dir)

    def close(self) -> None:
        """Write what the cache kept in memory, for a fast next start (after the last build)."""
        self._warm.flush()

    def theme_dirs(self) -> tuple[Path, ...]:
        """The theme chain's folders (for the watcher); raises InputError on a broken config."""
        config = load_config(self.settings.site_dir)
        return resolve_theme(self.settings.site_dir, config.theme).dirs

    def run(self, batch: Batch) -> None:
        css_only = only_stylesheets(batch.paths) and not (batch.full or batch.structural)
        self._doubt |= batch.full  # lost events: trust no cache until a build succeeds
        with self._gate.writing(batch.covers):
            started = time.perf_counter()
            changed = None if batch.full or batch.structural or self._doubt else batch.paths
            result = self._build(full=self._doubt, changed=changed)
            self._publish(result, css_only, time.perf_counter() - started)

    def _build(self, full: bool, changed: frozenset[Path] | None) -> BuildReport | list[Problem]:
        settings = self.settings
        try:
            self.base_path = load_config(settings.site_dir).base_path
            options = BuildOptions(
                settings.site_dir,
                output=settings.output,
                drafts=settings.drafts,
                future=settings.future,
                base_url=settings.origin + self.base_path,
                use_cache=not full,
                warm=self._warm,
                changed=changed,
            )
            report = build(options, log=self._log)
        except InputError as error:
            return error.problems
        except Exception as error:  # a bug or an I/O failure: show it, trust nothing next time
            self._doubt = True
            return [Problem("sitegen", None, None, f"{type(error).__name__}: {error}")]
        self._doubt = False
        return report

    def _publish(self, result: BuildReport | list[Problem], css_only: bool, seconds: float) -> None:
        if not isinstance(result, BuildReport):
            self._log(
                f"build failed ({len(result)} problem{'s' if len(result) != 1 else ''}); "
                "still serving the last good build"
            )
            for problem in result:
                self._log(f"  {problem}")
            self._hub.fail(result)
            return
        changed = result.written + result.deleted
        self._log(
            f"built in {seconds * 1000:.0f} ms: {len(result.rendered)} rendered, "
            f"{result.written} written, {result.deleted} deleted"
        )
        links = stylesheet_links(self.base_path, result.rendered, self._hub.generation + 1)
        if self._hub.failing or (changed and not (css_only and links)):
            self._hub.reload()
        elif changed:
            self._hub.swap_css(links)


def _base_path(site_dir: Path) -> str:
    try:
        return load_config(site_dir).base_path
    except InputError:
        return "/"
