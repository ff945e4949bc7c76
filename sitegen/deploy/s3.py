"""Deploy to S3-compatible storage with boto3: hash diff, typed uploads, deletes in batches last."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sitegen.deploy.config import S3Target
from sitegen.deploy.errors import DeployError
from sitegen.deploy.local import is_excluded
from sitegen.deploy.mime import cache_control, content_type
from sitegen.deploy.plan import DeployPlan, LocalFile, Manifest, Upload, diff

DELETE_BATCH = 1000  # the most keys one DeleteObjects call takes
SNIFF = 512


@dataclass(frozen=True)
class RemoteObject:
    """What a listing says about one object: enough to skip most HEAD requests."""

    key: str
    size: int
    etag: str


def client(target: S3Target) -> Any:
    """A boto3 S3 client; credentials come from the environment or ~/.aws, never site.yaml."""
    import boto3  # lazily: only S3 deploys need boto3

    session = boto3.session.Session(profile_name=target.profile)
    return session.client("s3", endpoint_url=target.endpoint_url, region_name=target.region)


@contextlib.contextmanager
def s3_errors(target: S3Target) -> Iterator[None]:
    """Turn boto3's failures into a DeployError naming the bucket (messages hold no secrets)."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        yield
    except (BotoCoreError, ClientError) as error:
        raise DeployError(f"s3://{target.bucket}/{target.prefix}: {error}") from error


def list_remote(s3: Any, target: S3Target) -> dict[str, RemoteObject]:
    """Every object under the prefix, by site path, paging through listings of any size."""
    found: dict[str, RemoteObject] = {}
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=target.bucket, Prefix=target.prefix)
    for page in pages:
        for item in page.get("Contents", []):
            path = str(item["Key"])[len(target.prefix) :]
            if path and not is_excluded(path, target.exclude):
                found[path] = RemoteObject(
                    item["Key"], int(item["Size"]), str(item.get("ETag", "")).strip('"')
                )
    return found


def plan(local: Manifest, target: S3Target) -> DeployPlan:
    """Compare local hashes with the bucket; HEAD only objects whose ETag is inconclusive."""
    with s3_errors(target):
        s3 = client(target)
        remote = list_remote(s3, target)
        common = [local[p] for p in local if p in remote]
        with ThreadPoolExecutor(target.workers) as pool:
            verdicts = pool.map(lambda f: _same(s3, target, f, remote[f.path]), common)
            same = {f.path for f, ok in zip(common, verdicts, strict=True) if ok}
    return diff(target.name, local, remote, lambda f: f.path in same)


def _same(s3: Any, target: S3Target, local: LocalFile, remote: RemoteObject) -> bool:
    """Same size and an ETag equal to the md5 settle it; otherwise the sha256 metadata does
    (multipart or encrypted uploads have ETags that are no md5)."""
    if local.size != remote.size:
        return False
    if remote.etag == local.md5:
        return True
    head = s3.head_object(Bucket=target.bucket, Key=remote.key)
    return bool(head.get("Metadata", {}).get("sha256") == local.sha256)


def apply(plan: DeployPlan, source: Path, target: S3Target, log: Callable[[str], None]) -> str:
    """Upload group by group (each in parallel, the next only when it is done), delete last."""
    with s3_errors(target):
        s3 = client(target)
        with ThreadPoolExecutor(target.workers) as pool:
            for _group, uploads in plan.batches():
                _upload_group(pool, s3, source, target, uploads, log)
        deleted = delete_keys(s3, target, [target.prefix + p for p in plan.deletes], log)
    return f"s3://{target.bucket}/{target.prefix}: {len(plan.uploads)} uploaded, {deleted} deleted"


def _upload_group(
    pool: ThreadPoolExecutor,
    s3: Any,
    source: Path,
    target: S3Target,
    uploads: tuple[Upload, ...],
    log: Callable[[str], None],
) -> None:
    futures: dict[Future[None], Upload] = {
        pool.submit(put_file, s3, target, source, u): u for u in uploads
    }
    try:
        for done in as_completed(futures):
            done.result()
            log(f"upload {futures[done].reason} {futures[done].path}")
    except BaseException:
        for future in futures:
            future.cancel()
        raise


def put_file(s3: Any, target: S3Target, source: Path, upload: Upload) -> None:
    """Upload one file with its type, caching rule and sha256 (read back by the next plan)."""
    with (source / upload.path).open("rb") as body:
        type_ = content_type(upload.path, body.read(SNIFF))
        body.seek(0)
        s3.put_object(
            Bucket=target.bucket,
            Key=target.prefix + upload.path,
            Body=body,
            ContentType=type_,
            CacheControl=cache_control(upload.path, type_),
            Metadata={"sha256": upload.sha256},
        )


def delete_keys(s3: Any, target: S3Target, keys: list[str], log: Callable[[str], None]) -> int:
    """Delete keys 1000 per request; any key the service refuses fails the deploy."""
    for start in range(0, len(keys), DELETE_BATCH):
        batch = keys[start : start + DELETE_BATCH]
        answer = s3.delete_objects(
            Bucket=target.bucket, Delete={"Objects": [{"Key": k} for k in batch], "Quiet": True}
        )
        if errors := answer.get("Errors"):
            first = errors[0]
            raise DeployError(
                f"s3://{target.bucket}: {len(errors)} deletes refused, e.g. "
                f"{first.get('Key')}: {first.get('Message')}"
            )
        for key in batch:
            log(f"delete {key[len(target.prefix) :]}")
    return len(keys)
