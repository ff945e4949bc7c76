"""Only files inside the output folder are served: hostile request targets get 400 or 404."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from serve_helpers import fetch, raw_request

from sitegen.serve import PreviewServer

HOSTILE = [
    "/../etc/passwd",
    "/news/../../etc/passwd",
    "/news/../../../../../../etc/passwd",
    "/%2e%2e/",
    "/%2e%2e/etc/passwd",
    "/%2E%2E%2F",
    "/%2E%2E%2Fetc%2Fpasswd",
    "/news/%2e%2e/%2e%2e/etc/passwd",
    "/news/..%2f..%2fetc%2fpasswd",
    "/..%2f",
    "/.%2e/",
    "/%2e./etc/passwd",
    "/news/%252e%252e/%252e%252e/etc/passwd",
    "/%00",
    "/a%00b",
    "/news/index.html%00.css",
    "/news/%0d%0aSet-Cookie:%20x=1",
    "//evil.com/",
    "///evil.com/",
    "/\\..\\",
    "/news/\\..\\..\\etc\\passwd",
    "/news/%5c..%5c..%5cetc%5cpasswd",
    "/" + "a" * 3000,
    "/news/" + "a/" * 1200,
    "/.sitegen-cache",
    "/news/.sitegen-cache/state.pickle",
    "/news/.git/config",
    "/news/%c0%ae%c0%ae/etc/passwd",
    "/news/%ff",
    "/etc/passwd",
    "/news/./index.html",
    "/news//index.html",
    "/news/static/../../etc/passwd",
]


def test_enough_cases() -> None:
    assert len(HOSTILE) >= 27


@pytest.mark.parametrize("target", HOSTILE)
def test_hostile_target_refused(preview: PreviewServer, target: str) -> None:
    response = fetch(preview.address, target)
    assert response.status in (400, 404)
    assert b"root:" not in response.body


@pytest.mark.parametrize(
    "request_bytes",
    [
        b"GET http://evil.example/ HTTP/1.1\r\nHost: evil.example\r\n\r\n",
        b"GET http://127.0.0.1/news/ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
        b"GET https://evil.example/../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n",
        b"GET * HTTP/1.1\r\nHost: x\r\n\r\n",
        b"GET news/ HTTP/1.1\r\nHost: x\r\n\r\n",
        b"GET /../../etc/passwd HTTP/1.0\r\n\r\n",
    ],
)
def test_raw_request_targets_refused(preview: PreviewServer, request_bytes: bytes) -> None:
    assert raw_request(preview.address, request_bytes) in (400, 404)


def test_symlinks_never_lead_out(preview: PreviewServer, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("top secret")
    os.symlink(secret, preview.output / "leak.txt")
    os.symlink(tmp_path, preview.output / "outside")
    assert fetch(preview.address, "/news/leak.txt").status == 404
    assert fetch(preview.address, "/news/outside/secret.txt").status == 404


def test_other_methods_refused(preview: PreviewServer) -> None:
    assert fetch(preview.address, "/news/", method="POST").status in (405, 501)
    assert fetch(preview.address, "/news/", method="DELETE").status in (405, 501)
