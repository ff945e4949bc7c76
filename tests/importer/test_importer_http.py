"""End to end through a real HTTP server on 127.0.0.1: a page, a text, RSS and Atom feeds."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from sitegen.importer import ImportOptions, run_import
from sitegen.importer.fetch import USER_AGENT

NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)


def run(
    site: Path, sources: list[str], config: list[dict[str, object]] | None = None
) -> tuple[int, list[str]]:
    err: list[str] = []
    code = run_import(
        site, sources, ImportOptions(), config or [], {}, NOW, lambda s: None, err.append
    )
    return code, err


def written(site: Path) -> dict[str, dict[str, object]]:
    found = {}
    for path in sorted((site / "content").glob("*/*.md")):
        found[path.relative_to(site / "content").as_posix()] = yaml.safe_load(
            path.read_text(encoding="utf-8").split("---\n")[1]
        )
    return found


def test_page_url(site: Path, server: Any) -> None:
    code, err = run(site, [f"{server.base}/en-page.html"])
    assert code == 0, err
    [(path, data)] = written(site).items()
    assert path == "2025/munich-river-pumps-to-heat-ten-thousand-homes.md"
    assert data["source_url"] == f"{server.base}/en-page.html"
    assert data["author"] == "Laura Bennett" and "date_estimated" not in data
    assert server.requests[0]["headers"]["User-Agent"] == USER_AGENT


def test_text_url(site: Path, server: Any) -> None:
    code, err = run(site, [f"{server.base}/boltwise-deepseek-r1.txt"])
    assert code == 0, err
    [data] = written(site).values()
    assert data["source"] == "IT BOLTWISE" and data["lang"] == "de"


def test_rss_feed_with_a_failing_entry(site: Path, server: Any) -> None:
    code, err = run(site, [f"{server.base}/feed.rss"])
    assert code == 1
    assert any("missing.html" in line and "404" in line for line in err)
    [data] = written(site).values()
    assert data["title"] == "Munich river pumps to heat ten thousand homes"
    assert data["source_url"] == f"{server.base}/en-page.html"


def test_atom_feed_and_state(site: Path, server: Any) -> None:
    config = [
        {
            "name": "Lokalblatt",
            "url": f"{server.base}/feed.atom",
            "topics": ["energie"],
            "tags": ["Leipzig"],
            "lang": "de",
        }
    ]
    code, err = run(site, [], config)
    assert code == 0, err
    [data] = written(site).values()
    assert data["source"] == "Lokalblatt" and data["topics"] == ["energie"]
    assert "Leipzig" in data["tags"]  # type: ignore[operator]
    state = (site / "content" / ".import-state.json").read_text(encoding="utf-8")
    assert "urn:example:lokalblatt:waermespeicher" in state and "feed-v1" in state
    server.requests.clear()
    code, err = run(site, [], config)
    assert code == 0 and len(written(site)) == 1
    assert [r["path"] for r in server.requests] == ["/feed.atom"]  # 304, nothing fetched
    assert server.requests[0]["headers"].get("If-None-Match") == '"feed-v1"'


def test_second_run_of_a_feed_imports_nothing_new(site: Path, server: Any) -> None:
    config = [{"name": "Example", "url": f"{server.base}/feed.rss"}]
    run(site, [], config)
    before = written(site)
    (site / "content" / ".import-state.json").write_text(
        (site / "content" / ".import-state.json")
        .read_text(encoding="utf-8")
        .replace("feed-v1", "old"),
        encoding="utf-8",
    )
    server.requests.clear()
    code, _ = run(site, [], config)
    assert written(site) == before
    fetched = [r["path"] for r in server.requests]
    assert "/en-page.html" not in fetched  # seen before: not fetched again
    assert code == 1  # the 404 entry is retried, and fails again
