"""The benchmarks' static host: what a browser gets from it is what a static host sends."""

from __future__ import annotations

import http.client
from collections.abc import Iterator
from pathlib import Path

import pytest
from benchmark_loader import load_benchmark

static_host = load_benchmark("static_host")


@pytest.fixture
def host(tmp_path: Path) -> Iterator[tuple[str, int]]:
    site = tmp_path / "site"
    (site / "search" / "t").mkdir(parents=True)
    (site / "search" / "index.html").write_text("<p>Suche</p>", "utf-8")
    (site / "search" / "t" / "00ab.bin").write_bytes(bytes(range(256)))
    (tmp_path / "secret.txt").write_text("outside", "utf-8")
    with static_host.serve(site) as root:
        host, port = root.removeprefix("http://").rstrip("/").split(":")
        yield host, int(port)


def test_one_connection_serves_pages_and_files_in_turn(host: tuple[str, int]) -> None:
    connection = http.client.HTTPConnection(*host, timeout=10)
    connection.request("GET", "/search/?q=Decline")
    page = connection.getresponse()
    assert (page.status, page.read()) == (200, b"<p>Suche</p>")
    assert page.getheader("Content-Type") == "text/html"
    connection.request("GET", "/search/t/00ab.bin")  # the same connection: kept alive
    shard = connection.getresponse()
    assert (shard.status, shard.read()) == (200, bytes(range(256)))
    connection.request(
        "GET", "/search/t/00ab.bin", headers={"If-Modified-Since": shard.getheader("Last-Modified")}
    )
    again = connection.getresponse()
    assert (again.status, again.read()) == (304, b"")
    connection.close()


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/search?q=x", 301),
        ("/nothing/", 404),
        ("/../secret.txt", 404),
        ("/search/%2e%2e/../secret.txt", 404),
    ],
)
def test_what_is_not_a_file_of_the_site(host: tuple[str, int], path: str, status: int) -> None:
    connection = http.client.HTTPConnection(*host, timeout=10)
    connection.request("GET", path)
    response = connection.getresponse()
    assert response.status == status
    assert b"outside" not in response.read()
    connection.close()


def test_a_folder_without_its_slash_is_redirected_with_its_query(host: tuple[str, int]) -> None:
    connection = http.client.HTTPConnection(*host, timeout=10)
    connection.request("GET", "/search?q=Gro%C3%9F")
    response = connection.getresponse()
    assert (response.status, response.getheader("Location")) == (301, "/search/?q=Gro%C3%9F")
    connection.close()
