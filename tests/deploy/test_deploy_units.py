"""Pure parts of deploy: config validation, upload order, the diff, HTTP metadata, extras."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from sitegen.deploy import (
    DeployConfigError,
    DirectoryTarget,
    GitTarget,
    Group,
    RsyncTarget,
    S3Target,
    parse_targets,
    upload_group,
)
from sitegen.deploy.mime import cache_control, content_type
from sitegen.deploy.plan import LocalFile, describe, diff, format_bytes

EXAMPLE = {
    "default": "www",
    "targets": {
        "www": {"type": "directory", "path": "/srv/www/news", "keep": 5},
        "pages": {
            "type": "git",
            "remote": "git@github.com:me/news.git",
            "branch": "gh-pages",
            "cname": "news.example.org",
        },
        "box": {"type": "rsync", "dest": "me@host:/var/www/news"},
        "cdn": {
            "type": "s3",
            "bucket": "news",
            "prefix": "",
            "region": "auto",
            "endpoint_url": "https://s3.example.net",
        },
    },
}


def errors(raw: Mapping[str, Any]) -> list[str]:
    with pytest.raises(DeployConfigError) as caught:
        parse_targets(raw, Path("/site"))
    return [f"{p.key}: {p.message}" for p in caught.value.problems]


def test_the_documented_example_parses() -> None:
    config = parse_targets(EXAMPLE, Path("/site"))
    www = config.select(None)
    assert isinstance(www, DirectoryTarget) and www.path == Path("/srv/www/news")
    assert www.releases_dir == Path("/srv/www/news.releases")
    assert www.cache_dir == Path("/site/.sitegen-cache/deploy/www")
    pages = config.select("pages")
    assert isinstance(pages, GitTarget) and pages.remote == "git@github.com:me/news.git"
    assert dict(pages.extra_files) == {".nojekyll": b"", "CNAME": b"news.example.org\n"}
    box = config.select("box")
    assert isinstance(box, RsyncTarget) and box.dest == "me@host:/var/www/news"
    cdn = config.select("cdn")
    assert isinstance(cdn, S3Target) and cdn.region == "auto" and cdn.prefix == ""


def test_relative_local_paths_resolve_against_the_site_folder() -> None:
    raw = {
        "targets": {
            "a": {"type": "rsync", "dest": "../out"},
            "b": {"type": "git", "remote": "repo.git"},
            "c": {"type": "s3", "bucket": "news", "prefix": "/blog"},
        }
    }
    config = parse_targets(raw, Path("/home/me/site"))
    assert config.default is None
    assert config.select("a").dest == "/home/me/out"  # type: ignore[union-attr]
    assert config.select("b").remote == "/home/me/site/repo.git"  # type: ignore[union-attr]
    assert config.select("c").prefix == "blog/"  # type: ignore[union-attr]


def test_every_problem_is_reported_with_its_key_path() -> None:
    raw = {
        "default": "ww",
        "targets": {
            "www": {"type": "directory", "kep": 3},
            "pages": {"type": "git", "remote": "x", "cname": "not a host", "nojekyll": "yes"},
            "cdn": {"type": "s3", "bucket": "news", "aws_secret_access_key": "abc", "workers": 0},
            "ftp": {"type": "ftp"},
        },
        "redirects": [{"from": "old", "to": "/new/", "status": 299}],
        "headers": {"/*": {"Bad Name": "x"}},
    }
    found = errors(raw)
    assert "deploy.targets.www.path: required" in found
    assert "deploy.targets.www.kep: unknown key (did you mean 'keep'?)" in found
    assert any(e.startswith("deploy.targets.pages.cname: 'not a host' is not valid") for e in found)
    assert "deploy.targets.pages.nojekyll: expected true or false" in found
    assert any(
        e.startswith("deploy.targets.cdn.aws_secret_access_key: credentials never go")
        for e in found
    )
    assert "deploy.targets.cdn.workers: expected a whole number 1..64" in found
    assert (
        "deploy.targets.ftp.type: unknown type 'ftp' (one of: directory, git, rsync, s3)" in found
    )
    assert any(e.startswith("deploy.default: 'ww' is not a target") for e in found)
    assert any(e.startswith("deploy.redirects[0].from") for e in found)
    assert any(e.startswith("deploy.redirects[0].status") for e in found)
    assert "deploy.headers./*.Bad Name: not a valid header name" in found
    assert all("abc" not in e for e in found), "a secret's value is never repeated"


def test_selecting_a_missing_target_names_the_known_ones() -> None:
    config = parse_targets(EXAMPLE, Path("/site"))
    with pytest.raises(DeployConfigError, match=r"no target named 'cnd' .*'cdn'"):
        config.select("cnd")
    with pytest.raises(DeployConfigError, match="no deploy targets"):
        parse_targets({}, Path("/site")).select(None)


@pytest.mark.parametrize(
    ("path", "group"),
    [
        ("static/style.3f2a9c1e.css", Group.ASSETS),
        ("static/fonts/inter.woff2", Group.ASSETS),
        ("search/index-0.json", Group.ASSETS),
        ("2025/11/a-story/index.html", Group.ARTICLES),
        ("404.html", Group.ARTICLES),
        ("index.html", Group.LISTS),
        ("page/3/index.html", Group.LISTS),
        ("2025/11/index.html", Group.LISTS),
        ("tags/world/page/2/index.html", Group.LISTS),
        ("search/index.html", Group.LISTS),
        ("atom.xml", Group.FEEDS),
        ("tags/world/feed.json", Group.FEEDS),
        ("sitemap.xml", Group.FEEDS),
        ("feeds.opml", Group.FEEDS),
        ("_redirects", Group.FEEDS),
    ],
)
def test_upload_groups(path: str, group: Group) -> None:
    assert upload_group(path) == group


def local(path: str, data: str) -> LocalFile:
    return LocalFile(path, len(data), data, data)


def test_diff_orders_uploads_and_puts_deletes_last() -> None:
    files = {
        f.path: f
        for f in [
            local("index.html", "2"),
            local("2025/11/new/index.html", "1"),
            local("2025/11/old/index.html", "2"),
            local("a.css", "1"),
            local("atom.xml", "2"),
            local("same.js", "1"),
        ]
    }
    remote = {
        "index.html": "1",
        "2025/11/old/index.html": "1",
        "atom.xml": "1",
        "same.js": "1",
        "gone/index.html": "1",
        "gone.css": "1",
    }
    plan = diff("t", files, remote, lambda f: remote[f.path] == f.sha256)
    assert [(u.path, u.reason) for u in plan.uploads] == [
        ("a.css", "new"),
        ("2025/11/new/index.html", "new"),
        ("2025/11/old/index.html", "changed"),
        ("index.html", "changed"),
        ("atom.xml", "changed"),
    ]
    assert plan.deletes == ("gone/index.html", "gone.css")
    assert plan.unchanged == ("same.js",)
    assert describe(plan)[0] == (
        "deploy 't': 2 new, 3 changed, 2 deleted, 1 unchanged; 5 B to upload"
    )
    assert [g for g, _ in plan.batches()] == [
        Group.ASSETS,
        Group.ARTICLES,
        Group.LISTS,
        Group.FEEDS,
    ]


def test_format_bytes() -> None:
    assert [format_bytes(n) for n in (0, 999, 12_345, 4_000_000, 5 * 10**12)] == [
        "0 B",
        "999 B",
        "12.3 kB",
        "4.0 MB",
        "5.0 TB",
    ]


@pytest.mark.parametrize(
    ("path", "head", "ctype", "cache"),
    [
        ("index.html", b"", "text/html; charset=utf-8", "public, max-age=300"),
        (
            "atom.xml",
            b"<?xml?><feed xmlns=",
            "application/atom+xml; charset=utf-8",
            "public, max-age=300",
        ),
        (
            "tags/x/rss.xml",
            b"<rss version",
            "application/rss+xml; charset=utf-8",
            "public, max-age=300",
        ),
        ("sitemap.xml", b"<urlset>", "application/xml; charset=utf-8", "public, max-age=300"),
        ("feed.json", b"", "application/feed+json", "public, max-age=300"),
        (
            "static/style.3f2a9c1e.css",
            b"",
            "text/css; charset=utf-8",
            "public, max-age=31536000, immutable",
        ),
        ("static/app.js", b"", "text/javascript; charset=utf-8", "public, max-age=3600"),
        ("static/logo.png", b"", "image/png", "public, max-age=3600"),
        ("static/data.bin", b"", "application/octet-stream", "public, max-age=3600"),
    ],
)
def test_content_type_and_cache_control(path: str, head: bytes, ctype: str, cache: str) -> None:
    assert content_type(path, head) == ctype
    assert cache_control(path, ctype) == cache


def test_a_password_in_a_url_is_refused_without_repeating_it() -> None:
    raw = {"targets": {"pages": {"type": "git", "remote": "https://me:ghp_s3cret@github.com/n"}}}
    found = errors(raw)
    assert found[0].startswith("deploy.targets.pages.remote: credentials never go in site.yaml")
    assert all("s3cret" not in e for e in found)
