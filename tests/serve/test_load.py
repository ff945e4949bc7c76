"""Many tabs at once, and a burst of saves: few builds, and the result equals a clean build."""

from __future__ import annotations

from pathlib import Path

from serve_helpers import ARTICLES, URLS, SseClient, article_text, fetch, save, tree, wait_until

from sitegen.build import BuildOptions, build
from sitegen.serve import PreviewServer, ServeOptions

FIRST = "content/2025/first-story.md"


def test_200_tabs_all_get_the_reload(site: Path, preview: PreviewServer) -> None:
    since = preview.hub.generation
    tabs = [SseClient(preview.address, since).start() for _ in range(200)]
    try:
        wait_until(lambda: preview.hub.clients == 200, timeout=30, what="200 connected tabs")
        title, date, tag, topic, _ = ARTICLES[FIRST]
        save(site / FIRST, article_text(title, date, tag, topic, "Everyone reloads."))
        wait_until(
            lambda: all("reload" in t.kinds() for t in tabs), timeout=30, what="every tab's reload"
        )
        assert all(t.kinds().count("reload") == 1 for t in tabs)
    finally:
        for tab in tabs:
            tab.close()
    wait_until(lambda: preview.hub.clients == 0, timeout=10, what="closed streams to go")


def test_heartbeat_keeps_streams_alive(site: Path) -> None:
    server = PreviewServer(ServeOptions(site, port=0), heartbeat=0.1)
    server.start()
    try:
        tab = SseClient(server.address).start()
        wait_until(lambda: tab.comments >= 3, what="three heartbeats")
        tab.close()
    finally:
        server.stop()


def test_burst_of_saves_coalesces_and_matches_a_clean_build(site: Path, tmp_path: Path) -> None:
    server = PreviewServer(ServeOptions(site, port=0, debounce=0.1))
    server.start()
    try:
        first_builds = server.builds
        names = sorted(ARTICLES)
        for i in range(50):
            name = names[i % 3]
            title, date, tag, topic, _ = ARTICLES[name]
            tag = ("alpha", "beta", "gamma")[i % 3]
            save(site / name, article_text(title, date, tag, topic, f"Save number {i}."))
        last = names[49 % 3]
        wait_until(
            lambda: "Save number 49." in fetch(server.address, URLS[last]).text,
            what="the last save",
        )
        assert server.settled(30)
        builds = server.builds - first_builds
        assert 1 <= builds <= 5, f"{builds} builds for one burst of 50 saves"
        clean = tmp_path / "clean"
        build(BuildOptions(site, output=clean, base_url=server.url, use_cache=False))
        assert tree(server.output) == tree(clean)
    finally:
        server.stop()
