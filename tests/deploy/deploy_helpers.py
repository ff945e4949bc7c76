"""Helpers for deploy tests: a small built site written inline, tree reading, a crashing log."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

from sitegen.deploy import TargetConfig, run_deploy

Files = Mapping[str, bytes]


def site_files(version: str = "1") -> dict[str, bytes]:
    """A built site as `sitegen build` lays it out: pages in folders, assets, feeds, sitemap."""

    def page(title: str) -> bytes:
        body = " ".join(f"word{i}" for i in range(400))
        return (
            f"<!doctype html><html><head><title>{title}</title>"
            '<link rel="stylesheet" href="/static/style.3f2a9c1e.css"></head>'
            f"<body><h1>{title}</h1><p>{body}</p><footer>v{version}</footer></body></html>\n"
        ).encode()

    return {
        "index.html": page("Home"),
        "page/2/index.html": page("Home, page 2"),
        "2025/11/first-story/index.html": page("First story"),
        "2025/11/second-story/index.html": page("Second story"),
        "2025/11/third-story/index.html": page("Third story"),
        "tags/world/index.html": page("Tag: world"),
        "404.html": page("Not found"),
        "static/style.3f2a9c1e.css": b"body { margin: 0 auto; max-width: 40em }\n",
        "static/app.js": b"console.log('hi');\n",
        "static/logo.png": bytes(range(256)) * 8,
        "atom.xml": (
            '<?xml version="1.0" encoding="utf-8"?>\n'
            f'<feed xmlns="http://www.w3.org/2005/Atom"><title>News v{version}</title></feed>\n'
        ).encode(),
        "rss.xml": f'<?xml version="1.0"?>\n<rss><title>v{version}</title></rss>\n'.encode(),
        "feed.json": b'{"version": "https://jsonfeed.org/version/1.1", "items": []}\n',
        "sitemap.xml": b'<?xml version="1.0"?>\n<urlset></urlset>\n',
        "robots.txt": b"User-agent: *\n",
    }


def write_tree(root: Path, files: Files) -> Path:
    for rel, data in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)
    return root


def read_tree(root: Path, skip: frozenset[str] = frozenset({".git"})) -> dict[str, bytes]:
    """Every file under root by '/'-path (top-level names in `skip` left out)."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.relative_to(root).parts[0] not in skip
    }


class Crash(Exception):
    """Stands for a deploy killed mid-way: raised from the progress log after N uploads."""


def crash_after(uploads: int) -> Callable[[str], None]:
    seen: list[str] = []

    def log(line: str) -> None:
        if line.startswith("upload "):
            seen.append(line)
            if len(seen) >= uploads:
                raise Crash(line)

    return log


def deploy(site: Path, target: TargetConfig, **options: object) -> list[str]:
    """Run one deploy with defaults, returning the log lines."""
    lines: list[str] = []
    run_deploy(
        site,
        target,
        dry_run=bool(options.get("dry_run", False)),
        max_deletes=options.get("max_deletes"),  # type: ignore[arg-type]
        confirm=lambda _question: False,
        log=lines.append,
    )
    return lines


def uploads_in(lines: list[str]) -> list[str]:
    return [line.split(" ", 2)[2] for line in lines if line.startswith("upload ")]
