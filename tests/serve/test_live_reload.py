"""A real preview server with a real watchdog observer on a mini site: edit, break, fix, delete."""

from __future__ import annotations

import logging
import re
import shutil
import threading
import time
from pathlib import Path

from serve_helpers import (
    ARTICLES,
    URLS,
    SseClient,
    article_text,
    fetch,
    save,
    wait_until,
)

from sitegen.serve import PreviewServer, ServeOptions

FIRST = "content/2025/first-story.md"


def generation(html: str) -> int:
    found = re.search(r'data-generation="(\d+)"', html)
    assert found, "the live-reload script is missing"
    return int(found.group(1))


def page_has(server: PreviewServer, url: str, text: str) -> bool:
    response = fetch(server.address, url)
    return response.status == 200 and text in response.text


def connect(server: PreviewServer, url: str = URLS[FIRST]) -> SseClient:
    """An event stream as the page at `url` would open it."""
    client = SseClient(server.address, generation(fetch(server.address, url).text)).start()
    assert client.connected.wait(10)
    wait_until(lambda: server.hub.clients >= 1, what="the stream to register")
    return client


def test_edit_shows_new_text(site: Path, preview: PreviewServer) -> None:
    assert page_has(preview, URLS[FIRST], "The first body text.")
    title, date, tag, topic, _ = ARTICLES[FIRST]
    save(site / FIRST, article_text(title, date, tag, topic, "Freshly edited words."))
    wait_until(lambda: page_has(preview, URLS[FIRST], "Freshly edited words."), what="the edit")


def test_request_after_a_seen_change_waits_for_its_build(site: Path) -> None:
    server = PreviewServer(ServeOptions(site, port=0, debounce=0.3))
    server.start()
    try:
        before = server.gate.wanted
        title, date, tag, topic, _ = ARTICLES[FIRST]
        (site / FIRST).write_text(article_text(title, date, tag, topic, "Waited for."))
        wait_until(lambda: server.gate.wanted > before, what="the watcher to see the save")
        started = time.monotonic()
        response = fetch(server.address, URLS[FIRST])  # no polling: the first answer must be new
        assert "Waited for." in response.text
        assert time.monotonic() - started > 0.05  # it did wait (the debounce alone is 0.3 s)
    finally:
        server.stop()


def test_requests_wait_while_a_build_writes(preview: PreviewServer) -> None:
    answers: list[int] = []
    with preview.gate.writing(preview.gate.wanted):
        thread = threading.Thread(target=lambda: answers.append(fetch(preview.address, "/").status))
        thread.start()
        time.sleep(0.3)
        assert answers == []  # still waiting
    thread.join(10)
    assert answers == [302]


def test_broken_front_matter_then_fix(site: Path, preview: PreviewServer) -> None:
    tab = connect(preview)
    good = (site / FIRST).read_text()
    save(site / FIRST, good.replace("date: 2025-01-10T10:00:00Z", "date: yesterday"))
    wait_until(lambda: "error" in tab.kinds(), what="the error event")
    problems = dict(tab.events[-1][1])["problems"]
    assert isinstance(problems, list)
    assert problems[0]["file"] == FIRST
    assert problems[0]["line"] == 3
    assert "date" in problems[0]["text"]
    # the last good site is still served
    assert page_has(preview, URLS[FIRST], "The first body text.")
    # a tab opened now learns of the failure at once
    late = connect(preview)
    wait_until(lambda: "error" in late.kinds(), what="the state sent on connect")
    save(site / FIRST, good)
    wait_until(lambda: tab.kinds()[-1:] == ["reload"], what="the reload after the fix")
    wait_until(lambda: late.kinds()[-1:] == ["reload"], what="the late tab's reload")
    tab.close()
    late.close()


def break_template(site: Path, tab: SseClient) -> dict[str, object]:
    """Make the site use a theme whose article template does not parse; the problem reported."""
    theme = site / "themes/t/templates"
    theme.mkdir(parents=True)
    (site / "themes/t/theme.yaml").write_text("extends: default\n")
    broken = '{% extends "base.html" %}\n{% block content %}\n{{ oops(\n'
    (theme / "article.html").write_text(broken)
    save(site / "site.yaml", (site / "site.yaml").read_text().replace("theme: default", "theme: t"))
    wait_until(lambda: "error" in tab.kinds(), what="the template error")
    problems = tab.events[-1][1]["problems"]
    assert isinstance(problems, list)
    return dict(problems[0])


def test_template_error_reaches_the_tab(site: Path, preview: PreviewServer) -> None:
    tab = connect(preview)
    problem = break_template(site, tab)
    assert problem["line"] == 3
    assert "end of template" in str(problem["message"])
    tab.close()


def test_template_error_names_the_file(site: Path, preview: PreviewServer) -> None:
    tab = connect(preview)
    assert str(break_template(site, tab)["file"]).endswith("article.html")
    tab.close()


def test_delete_article(site: Path, preview: PreviewServer) -> None:
    assert URLS[FIRST] in fetch(preview.address, "/news/").text
    (site / FIRST).unlink()
    wait_until(lambda: fetch(preview.address, URLS[FIRST]).status == 404, what="the 404")
    missing = fetch(preview.address, URLS[FIRST])
    assert "data-sitegen-live" in missing.text  # the site's 404 page, with the script
    for listing in ("/news/", "/news/topics/world/", "/news/tags/alpha/"):
        assert URLS[FIRST] not in fetch(preview.address, listing).text


def test_rename_folder_and_new_folder(site: Path, preview: PreviewServer) -> None:
    (site / "content/2025").rename(site / "content/archive")
    wait_until(lambda: page_has(preview, URLS[FIRST], "The first body text."), what="rename")
    fresh = site / "content/new/deeper"
    fresh.mkdir(parents=True)
    (fresh / "fourth.md").write_text(
        article_text("Fourth Story", "2025-04-01T10:00:00Z", "gamma", "world", "Fourth body.")
    )
    wait_until(
        lambda: page_has(preview, "/news/2025/04/fourth-story/", "Fourth body."),
        what="an article in a new folder",
    )
    shutil.rmtree(site / "content/new")
    wait_until(
        lambda: fetch(preview.address, "/news/2025/04/fourth-story/").status == 404,
        what="a deleted folder",
    )


def test_editor_noise_builds_nothing(site: Path, preview: PreviewServer) -> None:
    builds = preview.builds
    folder = site / "content/2025"
    for name in (
        ".first-story.md.swp",
        ".first-story.md.swx",
        "first-story.md~",
        "4913",
        ".#first-story.md",
        "#first-story.md#",
        "notes.tmp",
        ".DS_Store",
    ):
        (folder / name).write_text("noise")
        (folder / name).unlink()
    (site / ".sitegen-cache" / "junk").write_text("x")
    (site / "README.txt").write_text("not part of the site")
    time.sleep(0.5)  # nothing to wait *for*: give a wrongly counted event time to build
    assert preview.builds == builds


def test_stylesheet_change_swaps_without_reload(site: Path) -> None:
    theme = site / "themes/t"
    (theme / "static").mkdir(parents=True)
    (theme / "theme.yaml").write_text("extends: default\n")
    (theme / "static/style.css").write_text("body { color: black }\n")
    (site / "site.yaml").write_text(
        (site / "site.yaml").read_text().replace("theme: default", "theme: t")
    )
    server = PreviewServer(ServeOptions(site, port=0, debounce=0.05))
    server.start()
    try:
        tab = connect(server)
        save(theme / "static/style.css", "body { color: rebeccapurple }\n")
        wait_until(lambda: tab.kinds(), what="an event after the stylesheet change")
        kind, data = tab.events[-1]
        assert kind == "css"
        links = dict(data["links"])  # type: ignore[call-overload]
        new = links["/news/static/style.css"]
        assert re.fullmatch(r"/news/static/style\.[0-9a-f]{10}\.css", new)
        assert f'href="{new}"' in fetch(server.address, URLS[FIRST]).text
        assert fetch(server.address, new).text == "body { color: rebeccapurple }\n"
        tab.close()
    finally:
        server.stop()


def test_script_only_in_responses(preview: PreviewServer) -> None:
    response = fetch(preview.address, URLS[FIRST])
    assert response.text.count("data-sitegen-live") == 1
    assert response.text.index("data-sitegen-live") < response.text.rindex("</body>")
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    for path in preview.output.rglob("*"):
        if path.is_file():
            assert b"data-sitegen-live" not in path.read_bytes(), path
    feed = fetch(preview.address, "/news/atom.xml")
    assert feed.status == 200 and b"data-sitegen-live" not in feed.body
    assert "charset=utf-8" in feed.headers["content-type"]
    head = fetch(preview.address, URLS[FIRST], method="HEAD")
    assert head.status == 200 and head.body == b""


def test_base_path_redirects(preview: PreviewServer) -> None:
    for target in ("/", "/news"):
        response = fetch(preview.address, target)
        assert (response.status, response.headers["location"]) == (302, "/news/")
    folder = fetch(preview.address, URLS[FIRST].rstrip("/"))
    assert (folder.status, folder.headers["location"]) == (302, URLS[FIRST])
    assert fetch(preview.address, "/2025/01/first-story/").status == 404  # outside /news/
    assert preview.url.endswith("/news/")


def test_broken_from_the_start_then_fixed(site: Path) -> None:
    good = (site / FIRST).read_text()
    (site / FIRST).write_text(good.replace("title: First Story\n", ""))
    server = PreviewServer(ServeOptions(site, port=0, debounce=0.05))
    server.start()  # a broken site still serves: the tab shows what is wrong
    try:
        page = fetch(server.address, URLS[FIRST])
        assert page.status == 404 and "data-sitegen-live" in page.text
        tab = SseClient(server.address, generation(page.text)).start()
        wait_until(lambda: "error" in tab.kinds(), what="the error sent on connect")
        problems = tab.events[0][1]["problems"]
        assert isinstance(problems, list) and problems[0]["file"] == FIRST
        save(site / FIRST, good)
        wait_until(lambda: "reload" in tab.kinds(), what="the reload after the fix")
        assert page_has(server, URLS[FIRST], "The first body text.")
        tab.close()
    finally:
        server.stop()


def test_lost_events_mean_a_full_rebuild(site: Path) -> None:
    messages: list[str] = []
    server = PreviewServer(ServeOptions(site, port=0, debounce=0.05), log=messages.append)
    server.start()
    try:
        first = next(m for m in messages if m.startswith("built in"))
        everything = re.search(r"(\d+) rendered", first)
        assert everything
        logging.getLogger("watchdog.observers.inotify_c").warning(
            "Inotify queue overflowed; filesystem events were lost"
        )
        wait_until(
            lambda: len([m for m in messages if m.startswith("built in")]) == 2,
            what="the rebuild after lost events",
        )
        last = [m for m in messages if m.startswith("built in")][-1]
        assert f"{everything.group(1)} rendered" in last  # every route, not just changed ones
    finally:
        server.stop()


def test_assets_named_by_their_hash_are_cached_and_pages_never(preview: PreviewServer) -> None:
    page = fetch(preview.address, URLS[FIRST])
    assert page.headers["cache-control"] == "no-store"
    stylesheet = re.search(r'href="(/news/static/style\.[0-9a-f]{10}\.css)"', page.text)
    assert stylesheet is not None
    asset = fetch(preview.address, stylesheet.group(1))
    assert asset.status == 200 and "immutable" in asset.headers["cache-control"]
    assert fetch(preview.address, "/news/atom.xml").headers["cache-control"] == "no-store"
