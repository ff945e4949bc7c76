"""Faults: `kill -9` during a build or a deploy, two builds at once, a full disk.

Each run is a real `python -m sitegen` process on a generated ~300-article site. After a kill,
a rerun must leave exactly what a clean build makes; a failed build must leave the previous
site as it was. The full disk is a small tmpfs mounted for the test (root can mount one here);
where mounting fails, RLIMIT_FSIZE in the child stands in for it (SIGXFSZ ignored, so a write
past the limit fails with EFBIG the way a full disk fails with ENOSPC).
"""

from __future__ import annotations

import contextlib
import errno
import importlib.util
import os
import random
import resource
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import pytest
from hardening_harness import REPO, Snapshot, snapshot

from sitegen.model import InputError
from sitegen.output import replace_all, update_in_place

TRIALS = 10
SEED = int(os.environ.get("SITEGEN_FAULT_SEED", "8"))
ARTICLES = 300


def _corpus() -> ModuleType:
    path = REPO / "benchmarks" / "corpus.py"
    spec = importlib.util.spec_from_file_location("hardening_corpus", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def sitegen(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sitegen", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def killed_after(delay: float, *args: str) -> bool:
    """Start `sitegen args` in its own process group, SIGKILL the group after `delay` seconds.
    Returns whether it was still running when killed."""
    process = subprocess.Popen(
        [sys.executable, "-m", "sitegen", *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        process.wait(timeout=delay)
        return False
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)  # the build and the workers it forked
        process.wait()
        return True


def leftovers(site: Path) -> list[str]:
    """Staging or old output folders a build left next to the output."""
    names = (p.name for p in site.iterdir())
    return sorted(n for n in names if n.endswith((".sitegen-staging", ".sitegen-old")))


@dataclass
class Corpus:
    """A generated site that switches between two contents, and a clean build of each."""

    site: Path
    originals: dict[Path, bytes]
    edited: Path
    removed: Path
    added: Path
    references: dict[str, Snapshot]

    def set_state(self, state: str) -> None:
        for path, data in self.originals.items():
            path.write_bytes(data)
        self.added.unlink(missing_ok=True)
        if state == "B":
            text = self.originals[self.edited].decode("utf-8")
            self.edited.write_text(text + "\nEin neuer Absatz nach dem Abbruch.\n", "utf-8")
            self.removed.unlink()
            self.added.write_text(
                "---\ntitle: Nachgereicht\ndate: 2025-06-01T09:00:00+02:00\n"
                "tags: [Abbruch]\n---\nEin Artikel, der nur im Zustand B existiert.\n",
                encoding="utf-8",
            )


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    root = tmp_path_factory.mktemp("faults")
    site = root / "site"
    _corpus().write_corpus(site, ARTICLES, seed=SEED)
    articles = sorted((site / "content").rglob("*.md"))
    edited, removed = articles[7], articles[11]
    made = Corpus(
        site,
        {p: p.read_bytes() for p in (edited, removed)},
        edited,
        removed,
        site / "content" / "2025" / "nachgereicht.md",
        {},
    )
    for state in ("A", "B"):
        made.set_state(state)
        reference = root / f"reference-{state}"
        shutil.copytree(site, reference)
        done = sitegen("build", "--site", str(reference), "--no-cache", "-q")
        assert done.returncode == 0, done.stderr
        made.references[state] = snapshot(reference / "public")
    made.set_state("A")
    return made


def _timed_build(site: Path, *args: str) -> float:
    started = time.perf_counter()
    done = sitegen("build", "--site", str(site), "-q", *args)
    assert done.returncode == 0, done.stderr
    return time.perf_counter() - started


def test_kill_9_during_builds_then_a_rerun_gives_the_clean_site(corpus: Corpus) -> None:
    """Half the kills hit full builds (--no-cache, the staged swap), half incremental ones
    (files moved in one by one); each kill lands somewhere in the build's running time."""
    site, output = corpus.site, corpus.site / "public"
    cold = _timed_build(site, "--no-cache")
    corpus.set_state("B")
    warm = _timed_build(site)
    chance = random.Random(SEED)
    interrupted = 0
    for trial in range(TRIALS):
        state = "AB"[trial % 2]
        corpus.set_state(state)
        full = trial < TRIALS // 2
        delay = chance.uniform(0.05, cold if full else warm)
        flags = ("--no-cache",) if full else ()
        interrupted += killed_after(delay, "build", "--site", str(site), "-q", *flags)
        done = sitegen("build", "--site", str(site), "-q")
        assert done.returncode == 0, f"trial {trial}: {done.stderr}"
        assert "Traceback" not in done.stderr
        assert snapshot(output) == corpus.references[state], f"trial {trial} (seed {SEED})"
        assert leftovers(site) == []
    print(f"{interrupted}/{TRIALS} builds killed while running (seed {SEED})")
    assert interrupted >= 3, "kills must land while builds run"


def _deploy_config(site: Path, target: Path) -> None:
    config = site / "site.yaml"
    text = config.read_text(encoding="utf-8").split("deploy:")[0]
    config.write_text(
        text + f"deploy:\n  targets:\n    www: {{type: directory, path: '{target}'}}\n",
        encoding="utf-8",
    )


def test_kill_9_during_deploys_then_a_rerun_publishes_the_build(
    corpus: Corpus, tmp_path: Path
) -> None:
    site, output = corpus.site, corpus.site / "public"
    target = tmp_path / "www" / "site"
    original = (site / "site.yaml").read_text(encoding="utf-8")
    _deploy_config(site, target)
    try:
        chance = random.Random(SEED + 1)
        interrupted = 0
        for trial in range(TRIALS):
            corpus.set_state("AB"[trial % 2])
            assert sitegen("build", "--site", str(site), "-q").returncode == 0
            started = time.perf_counter()
            interrupted += killed_after(
                chance.uniform(0.02, 0.6), "deploy", "--site", str(site), "--yes", "-q"
            )
            done = sitegen("deploy", "--site", str(site), "--yes", "-q")
            assert done.returncode == 0, f"trial {trial}: {done.stderr}"
            assert "Traceback" not in done.stderr
            live = Path(os.path.realpath(target))
            assert snapshot(live) == snapshot(output), f"trial {trial} (seed {SEED})"
            assert time.perf_counter() - started < 120
        print(f"{interrupted}/{TRIALS} deploys killed while running (seed {SEED})")
        assert interrupted >= 3, "some kills must land while the deploy runs"
    finally:
        (site / "site.yaml").write_text(original, encoding="utf-8")


def test_two_builds_at_once_both_succeed_with_one_complete_site(corpus: Corpus) -> None:
    site, output = corpus.site, corpus.site / "public"
    for trial, state in enumerate("BAB"):
        corpus.set_state(state)
        if trial == 0:  # a cold start: both would write everything
            shutil.rmtree(output, ignore_errors=True)
            shutil.rmtree(site / ".sitegen-cache", ignore_errors=True)
        command = [sys.executable, "-m", "sitegen", "build", "--site", str(site)]
        first = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
        second = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
        errors = [first.communicate(timeout=300)[1], second.communicate(timeout=300)[1]]
        assert (first.returncode, second.returncode) == (0, 0), errors
        assert not any("Traceback" in e for e in errors)
        assert snapshot(output) == corpus.references[state], f"trial {trial}"
        assert leftovers(site) == []
        if trial == 0:
            assert any("another build of this site is running" in e for e in errors), errors


# --- a full disk -----------------------------------------------------------------------------


@dataclass
class Disk:
    """A place to build in where writes run out of room on demand."""

    root: Path
    kind: str  # 'tmpfs' or 'rlimit'
    fill: Callable[[], None]
    free: Callable[[], None]
    limit: int | None = None  # RLIMIT_FSIZE for the child, in bytes

    def build(self, site: Path) -> subprocess.CompletedProcess[str]:
        def limited() -> None:
            if self.limit is not None:
                signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
                resource.setrlimit(resource.RLIMIT_FSIZE, (self.limit, self.limit))

        return subprocess.run(
            [sys.executable, "-m", "sitegen", "build", "--site", str(site), "-q"],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
            preexec_fn=limited if self.kind == "rlimit" else None,
        )


@pytest.fixture
def disk(tmp_path: Path) -> Iterator[Disk]:
    mount = tmp_path / "disk"
    mount.mkdir()
    mounted = (
        os.environ.get("SITEGEN_FULL_DISK") != "rlimit"  # to try the stand-in where tmpfs works
        and os.geteuid() == 0
        and shutil.which("mount") is not None
        and subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", str(mount)],
            capture_output=True,
            check=False,
        ).returncode
        == 0
    )
    filler = mount / "filler.bin"
    if not mounted:
        made = Disk(mount, "rlimit", lambda: None, lambda: None)

        def fill_limit() -> None:
            made.limit = 64 * 1024

        def free_limit() -> None:
            made.limit = None

        made.fill, made.free = fill_limit, free_limit
        yield made
        return

    def fill() -> None:
        for mode, chunk in (("wb", 1 << 20), ("ab", 4096)):  # unbuffered: no flush at close
            with filler.open(mode, buffering=0) as handle, contextlib.suppress(OSError):
                while True:
                    handle.write(b"\0" * chunk)
        size = filler.stat().st_size
        os.truncate(filler, size - 256 * 1024)  # room for a little, not for a whole build

    try:
        yield Disk(mount, "tmpfs", fill, lambda: filler.unlink(missing_ok=True))
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True, check=False)


def _small_site(disk: Disk) -> Path:
    site = disk.root / "site"
    _corpus().write_corpus(site, 60, seed=SEED)
    return site


ADDED = "Nachtrag, geschrieben als die Platte voll war."


def _edit_everything(site: Path) -> Path:
    """Append a paragraph to every article; returns one of them."""
    paths = sorted((site / "content").rglob("*.md"))
    for path in paths:
        path.write_text(path.read_text(encoding="utf-8") + f"\n{ADDED}\n", encoding="utf-8")
    return paths[0]


def test_a_full_disk_leaves_the_previous_site_intact(disk: Disk) -> None:
    site = _small_site(disk)
    first = disk.build(site)
    assert first.returncode == 0, first.stderr
    before = snapshot(site / "public")
    _edit_everything(site)
    disk.fill()
    failed = disk.build(site)
    assert failed.returncode != 0, f"the build must fail on a full disk ({disk.kind})"
    assert snapshot(site / "public") == before
    assert leftovers(site) == []
    disk.free()
    again = disk.build(site)
    assert again.returncode == 0, again.stderr
    assert ADDED in (site / "public" / "feed.json").read_text(encoding="utf-8")


def test_a_full_disk_gives_a_clear_error(disk: Disk) -> None:
    site = _small_site(disk)
    assert disk.build(site).returncode == 0
    _edit_everything(site)
    disk.fill()
    failed = disk.build(site)
    assert "Traceback" not in failed.stderr, failed.stderr
    reason = os.strerror(errno.ENOSPC if disk.kind == "tmpfs" else errno.EFBIG)
    assert reason in failed.stderr
    assert failed.returncode == 3  # EXIT_FAILED: not the input's fault


# --- the output folder's own guarantees, one fault at a time ---------------------------------


def _output(tmp_path: Path) -> Path:
    output = tmp_path / "public"
    (output / "a").mkdir(parents=True)
    (output / "index.html").write_bytes(b"old index")
    (output / "a" / "index.html").write_bytes(b"old a")
    return output


def test_a_planted_link_stops_the_update_before_any_file_moves(tmp_path: Path) -> None:
    output = _output(tmp_path)
    victim = tmp_path / "victim"
    victim.mkdir()
    os.symlink(victim, output / "z")
    before = snapshot(tmp_path)
    changed = {"index.html": b"new index", "a/index.html": b"new a", "z/index.html": b"x"}
    with pytest.raises(InputError, match="symbolic link inside the output folder"):
        update_in_place(output, changed, ["a/old.html"])
    assert snapshot(tmp_path) == before, "all or nothing: not even index.html moved"


@pytest.mark.parametrize("commit", ["replace_all", "update_in_place"])
def test_a_failed_write_leaves_no_staging_folder(tmp_path: Path, commit: str) -> None:
    output = _output(tmp_path)
    before = snapshot(tmp_path)
    files = {"index.html": b"new", "b/con.txt": b"a name Windows cannot hold"}
    with pytest.raises(ValueError, match="unsafe output path"):
        if commit == "replace_all":
            replace_all(output, files)
        else:
            update_in_place(output, files, [])
    assert snapshot(tmp_path) == before


def test_an_update_clears_what_a_killed_swap_left(tmp_path: Path) -> None:
    output = _output(tmp_path)
    for leftover in ("public.sitegen-old", "public.sitegen-staging"):
        (tmp_path / leftover / "x").mkdir(parents=True)
    update_in_place(output, {"index.html": b"new"}, [])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["public"]
    assert (output / "index.html").read_bytes() == b"new"
