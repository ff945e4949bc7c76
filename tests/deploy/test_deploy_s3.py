"""S3 target against moto in server mode on 127.0.0.1, spoken to by boto3 over HTTP."""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from deploy_helpers import Crash, crash_after, deploy, site_files, uploads_in

from sitegen.deploy import DeployAborted, S3Target, TargetConfig, run_deploy

boto3 = pytest.importorskip("boto3")
moto_server = pytest.importorskip("moto.server")
Built = Callable[..., Path]
EDIT = "2025/11/second-story/index.html"
BUCKETS = itertools.count()


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    with pytest.MonkeyPatch.context() as env:
        env.setenv("AWS_ACCESS_KEY_ID", "testing")
        env.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        env.delenv("AWS_PROFILE", raising=False)
        server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        host, port = server.get_host_and_port()
        try:
            yield f"http://{host}:{port}"
        finally:
            server.stop()


@pytest.fixture
def cdn(endpoint: str, target_for: Callable[..., TargetConfig]) -> S3Target:
    bucket = f"news-{next(BUCKETS)}"
    s3_client(endpoint).create_bucket(Bucket=bucket)
    target = target_for(
        {
            "type": "s3",
            "bucket": bucket,
            "prefix": "/news/",
            "endpoint_url": endpoint,
            "region": "us-east-1",
            "workers": 4,
        }
    )
    assert isinstance(target, S3Target)
    return target


def s3_client(endpoint: str) -> Any:
    return boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")


def bucket_tree(target: S3Target) -> dict[str, bytes]:
    s3 = s3_client(str(target.endpoint_url))
    keys = [
        o["Key"]
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=target.bucket)
        for o in page.get("Contents", [])
    ]
    return {k: s3.get_object(Bucket=target.bucket, Key=k)["Body"].read() for k in keys}


def under_prefix(files: dict[str, bytes], prefix: str = "news/") -> dict[str, bytes]:
    return {prefix + k: v for k, v in files.items()}


def test_deploy_uploads_every_file_with_type_cache_and_hash(built: Built, cdn: S3Target) -> None:
    deploy(built(), cdn)
    assert bucket_tree(cdn) == under_prefix(site_files())
    s3 = s3_client(str(cdn.endpoint_url))

    def head(path: str) -> dict[str, Any]:
        return s3.head_object(Bucket=cdn.bucket, Key="news/" + path)  # type: ignore[no-any-return]

    assert head("index.html")["ContentType"] == "text/html; charset=utf-8"
    assert head("index.html")["CacheControl"] == "public, max-age=300"
    assert head("atom.xml")["ContentType"].startswith("application/atom+xml")
    assert head("rss.xml")["ContentType"].startswith("application/rss+xml")
    assert head("feed.json")["ContentType"] == "application/feed+json"
    assert head("static/style.3f2a9c1e.css")["CacheControl"] == (
        "public, max-age=31536000, immutable"
    )
    assert len(head("static/logo.png")["Metadata"]["sha256"]) == 64


def test_second_deploy_after_one_edit_uploads_exactly_one_file(built: Built, cdn: S3Target) -> None:
    deploy(built(), cdn)
    lines = deploy(built(edits={EDIT: b"<p>edited</p>"}), cdn)
    assert uploads_in(lines) == [EDIT]
    assert deploy(built(edits={EDIT: b"<p>edited</p>"}), cdn)[-1] == "t: already up to date"


def test_deploy_killed_after_half_its_uploads_then_rerun_matches_the_build(
    built: Built, cdn: S3Target
) -> None:
    site = built()
    half = len(site_files()) // 2
    with pytest.raises(Crash):
        run_deploy(
            site,
            cdn,
            dry_run=False,
            max_deletes=None,
            confirm=lambda _: True,
            log=crash_after(half),
        )
    assert 0 < len(bucket_tree(cdn)) < len(site_files())
    lines = deploy(site, cdn)
    assert len(uploads_in(lines)) <= len(site_files()) - half
    assert bucket_tree(cdn) == under_prefix(site_files())


def test_pages_through_large_listings_and_deletes_in_batches(built: Built, cdn: S3Target) -> None:
    s3 = s3_client(str(cdn.endpoint_url))
    stale = [f"news/old/{i:04d}.html" for i in range(1050)]
    with ThreadPoolExecutor(16) as pool:
        list(pool.map(lambda k: s3.put_object(Bucket=cdn.bucket, Key=k, Body=b"x"), stale))
    s3.put_object(Bucket=cdn.bucket, Key="elsewhere/keep.txt", Body=b"not ours")
    lines = deploy(built(), cdn)
    assert "1050 deleted" in lines[0]
    assert bucket_tree(cdn) == {**under_prefix(site_files()), "elsewhere/keep.txt": b"not ours"}


def test_dry_run_and_refused_deletes_change_nothing(built: Built, cdn: S3Target) -> None:
    deploy(built(), cdn, dry_run=True)
    assert bucket_tree(cdn) == {}
    deploy(built(), cdn)
    with pytest.raises(DeployAborted):
        deploy(built(drop=("static/app.js", "rss.xml")), cdn, max_deletes=1)
    assert bucket_tree(cdn) == under_prefix(site_files())


def test_multipart_etags_fall_back_to_the_sha256_metadata(built: Built, cdn: S3Target) -> None:
    s3 = s3_client(str(cdn.endpoint_url))
    site = built()
    deploy(site, cdn)
    for path, sha in (("static/logo.png", None), ("static/app.js", "0" * 64)):
        data = site_files()[path]
        real = hashlib.sha256(data).hexdigest()
        key = "news/" + path
        upload = s3.create_multipart_upload(
            Bucket=cdn.bucket, Key=key, Metadata={"sha256": sha or real}
        )
        part = s3.upload_part(
            Bucket=cdn.bucket, Key=key, UploadId=upload["UploadId"], PartNumber=1, Body=data
        )
        s3.complete_multipart_upload(
            Bucket=cdn.bucket,
            Key=key,
            UploadId=upload["UploadId"],
            MultipartUpload={"Parts": [{"ETag": part["ETag"], "PartNumber": 1}]},
        )
        assert "-" in s3.head_object(Bucket=cdn.bucket, Key=key)["ETag"]
    assert uploads_in(deploy(site, cdn)) == ["static/app.js"]
