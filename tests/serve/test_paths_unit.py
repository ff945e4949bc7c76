"""Pure parts of the preview: target resolution, event filtering, debouncing, injection."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from sitegen.serve.inject import inject
from sitegen.serve.paths import decode_segments, resolve_target, split_target
from sitegen.serve.rebuild import stylesheet_links
from sitegen.serve.watch import Change, ChangeQueue, classify, is_noise


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "a/b").mkdir(parents=True)
    (tmp_path / "index.html").write_text("home")
    (tmp_path / "a/b/index.html").write_text("b")
    (tmp_path / "a/x.css").write_text("css")
    return tmp_path


@pytest.mark.parametrize(
    ("target", "outcome", "detail"),
    [
        ("/", "file", "index.html"),
        ("/a/b/", "file", "a/b/index.html"),
        ("/a/b", "redirect", "/a/b/"),
        ("/a/x.css?v=3", "file", "a/x.css"),
        ("/a/", "missing", ""),
        ("/nope", "missing", ""),
        ("/a/%2e%2e/index.html", "bad", ""),
        ("//a/b/", "bad", ""),
        ("http://x/", "bad", ""),
    ],
)
def test_resolve_target(root: Path, target: str, outcome: str, detail: str) -> None:
    resolved = resolve_target(root, target, "/")
    assert resolved.outcome == outcome
    if outcome == "file":
        assert resolved.file == (root / detail).resolve()
    if outcome == "redirect":
        assert resolved.location == detail


def test_resolve_under_sub_path(root: Path) -> None:
    assert resolve_target(root, "/", "/news/").location == "/news/"
    assert resolve_target(root, "/news", "/news/").location == "/news/"
    assert resolve_target(root, "/news/a/b/", "/news/").outcome == "file"
    assert resolve_target(root, "/newsy/a/b/", "/news/").outcome == "missing"
    assert resolve_target(root, "/a/b/", "/news/").outcome == "missing"


def test_split_and_decode() -> None:
    assert split_target("/a?b=1#c") == ("/a", "b=1#c")
    assert split_target("/" + "x" * 2048) is None
    assert decode_segments("/caf%C3%A9/") == ("café", "")
    assert decode_segments("/a%2Fb") == ("a", "b")
    for bad in ("/%2e%2e", "/a/./b", "/a%00", "/a%5cb", "/%ff", "/a//b", "/a%7f"):
        assert decode_segments(bad) is None, bad


@pytest.mark.parametrize(
    "name",
    [".a.md.swp", ".a.md.swx", "a.md~", "4913", ".#a.md", "#a.md#", "a.tmp", ".DS_Store"],
)
def test_editor_noise(name: str) -> None:
    assert is_noise(name)


def test_classify(tmp_path: Path) -> None:
    site = tmp_path
    theme = tmp_path.parent / "builtin"
    assert classify([site / "content/a.md"], site, ()) == Change(frozenset({site / "content/a.md"}))
    assert classify([site / "content/.a.md.swp"], site, ()) is None
    assert classify([site / "public/index.html"], site, ()) is None
    assert classify([site / ".sitegen-cache/x"], site, ()) is None
    assert classify([site / "content/.git/x"], site, ()) is None
    moved = classify([site / "content/.a.md.tmp", site / "content/a.md"], site, ())
    assert moved == Change(frozenset({site / "content/a.md"}))
    assert classify([site / "site.yaml"], site, ()) == Change(
        frozenset({site / "site.yaml"}), structural=True
    )
    assert classify([site / "content"], site, ()) == Change(
        frozenset({site / "content"}), structural=True
    )
    assert classify([theme / "default/a.html"], site, (theme / "default",)) is not None


def test_queue_coalesces_a_burst() -> None:
    numbers = iter(range(2, 1000))
    changes = ChangeQueue(0.1, lambda: next(numbers))
    taken = []
    thread = threading.Thread(target=lambda: taken.append(changes.take()))
    thread.start()
    for i in range(50):
        changes.put(Change(frozenset({Path(f"/s/content/{i}.md")})))
        time.sleep(0.002)
    thread.join(5)
    batch = taken[0]
    assert batch is not None and len(batch.paths) == 50 and batch.covers == 51


def test_queue_bounds_the_delay() -> None:
    changes = ChangeQueue(0.2, lambda: 1, max_wait=0.3)
    started = time.monotonic()
    stop = threading.Event()

    def keep_saving() -> None:
        while not stop.is_set():
            changes.put(Change(frozenset({Path("/s/content/a.md")})))
            time.sleep(0.01)

    thread = threading.Thread(target=keep_saving)
    thread.start()
    assert changes.take() is not None
    stop.set()
    thread.join()
    assert time.monotonic() - started < 1.0
    changes.close()
    assert changes.take() is None


def test_inject_before_last_body() -> None:
    page = b"<html><body><p>&lt;/body&gt;</p></BODY></html>"
    result = inject(page, 7)
    assert result.startswith(b"<html><body><p>&lt;/body&gt;</p><script data-sitegen-live")
    assert result.endswith(b"</script>\n</BODY></html>")
    assert b'data-generation="7"' in result
    assert inject(b"<p>no body</p>", 1).startswith(b"<p>no body</p><script")


def test_stylesheet_links() -> None:
    rendered = [
        "asset:static/style.0123456789.css",
        "article:x",
        "asset:extra.css",
        "asset:static/app.abcdef0123.js",
    ]
    assert stylesheet_links("/news/", rendered, 5) == {
        "/news/static/style.css": "/news/static/style.0123456789.css",
        "/news/extra.css": "/news/extra.css?v=5",
    }
