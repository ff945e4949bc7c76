"""The benchmark corpus generator: deterministic, complete, parseable and realistically skewed."""

from __future__ import annotations

import hashlib
import statistics
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml
from benchmark_loader import load_benchmark

N = 200


corpus = load_benchmark("corpus")


def _digest(site: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(site.rglob("*")):
        if path.is_file():
            h.update(str(path.relative_to(site)).encode())
            h.update(path.read_bytes())
    return h.hexdigest()


def _front_matter(path: Path) -> dict[str, Any]:
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\n")
    head, sep, _ = text[4:].partition("\n---\n")
    assert sep, f"{path}: front matter not closed"
    data = yaml.safe_load(head)
    assert isinstance(data, dict)
    return data


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("corpus")
    corpus.write_corpus(out, N, seed=3)
    return out


@pytest.fixture(scope="module")
def front_matters(site: Path) -> list[dict[str, Any]]:
    return [_front_matter(p) for p in sorted((site / "content").rglob("*.md"))]


def test_same_seed_same_bytes_other_seed_other_bytes(site: Path, tmp_path: Path) -> None:
    corpus.write_corpus(tmp_path / "again", N, seed=3)
    corpus.write_corpus(tmp_path / "other", N, seed=4)
    assert _digest(tmp_path / "again") == _digest(site)
    assert _digest(tmp_path / "other") != _digest(site)


def test_writes_n_articles_and_site_yaml(site: Path) -> None:
    files = list((site / "content").rglob("*.md"))
    assert len(files) == N
    for path in files:
        assert path.parent.parent == site / "content"
        assert path.parent.name.isdigit()
    config = yaml.safe_load((site / "site.yaml").read_text(encoding="utf-8"))
    assert config["paginate"] == 20
    assert len(config["topics"]) == 8


def test_front_matter_parses_with_required_keys(front_matters: list[dict[str, Any]]) -> None:
    for fm in front_matters:
        assert isinstance(fm["title"], str) and 5 <= len(fm["title"].split()) <= 12
        assert fm["date"].tzinfo is not None
        assert fm["lang"] in ("de", "en")
        assert 2 <= len(fm["tags"]) <= 6 and all(isinstance(t, str) for t in fm["tags"])
        assert 1 <= len(fm["topics"]) <= 2


def test_tags_are_skewed(front_matters: list[dict[str, Any]]) -> None:
    counts = Counter(t for fm in front_matters for t in fm["tags"])
    top = counts.most_common(1)[0][1]
    assert top >= 5 * statistics.median(counts.values())
    assert top >= N // 5


def test_both_languages_and_bodies(site: Path, front_matters: list[dict[str, Any]]) -> None:
    langs = Counter(fm["lang"] for fm in front_matters)
    assert langs["de"] > langs["en"] > N // 5
    for path in (site / "content").rglob("*.md"):
        body = path.read_text(encoding="utf-8").split("\n---\n", 1)[1]
        assert 250 <= len(body.split()) <= 900


@pytest.mark.parametrize("kind", corpus.EDIT_KINDS)
def test_edit_changes_one_article(tmp_path: Path, kind: str) -> None:
    corpus.write_corpus(tmp_path, 30, seed=5)
    before = {p: p.read_bytes() for p in (tmp_path / "content").rglob("*.md")}
    edited = corpus.edit_article(tmp_path, kind)
    first = edited.read_bytes()
    corpus.edit_article(tmp_path, kind, path=edited)
    changed = [p for p, data in before.items() if p.read_bytes() != data]
    assert changed == [edited]
    assert first != before[edited] and edited.read_bytes() != first
    fm = _front_matter(edited)
    assert fm["title"] and fm["date"]


def test_a_cold_benchmark_build_finds_the_last_outputs_set_aside(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Outputs are moved out of the site, not deleted right before the next build."""
    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parent.parent / "benchmarks"))
    import build_bench

    site = tmp_path / "work" / "site"
    (site / "content").mkdir(parents=True)
    (site / "site.yaml").write_text("title: x\n", encoding="utf-8")
    for name in ("public/index.html", ".sitegen-cache/build-1/index.pickle"):
        (site / name).parent.mkdir(parents=True)
        (site / name).write_text(name, encoding="utf-8")
    build_bench.clean_site(site)
    assert sorted(p.name for p in site.iterdir()) == ["content", "site.yaml"]
    aside = tmp_path / "work" / build_bench.SET_ASIDE
    kept = sorted(p.read_text("utf-8") for p in aside.rglob("*") if p.is_file())
    assert kept == [".sitegen-cache/build-1/index.pickle", "public/index.html"]


def test_benchmark_times_come_from_runs_that_do_not_sample_memory(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Sampling the process tree's memory costs CPU, so timed runs sample nothing and the peak
    comes from one more run made for it."""
    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parent.parent / "benchmarks"))
    import build_bench

    # Two processes of 40 MB each: only the sampler sees their sum.
    script = (
        "import os, time\n"
        "child = os.fork()\n"
        'data = b"x" * (40 << 20)\n'
        "time.sleep(0.5)\n"
        "if child:\n"
        "    os.waitpid(child, 0)\n"
    )
    command = [sys.executable, "-c", script]
    calls: list[bool] = []

    def run(memory: bool) -> build_bench.Measurement:
        calls.append(memory)
        return build_bench.run_measured(command, memory=memory)

    series = build_bench.repeat(2, lambda: None, run)
    assert calls == [True, False, False]
    assert [m.tree_peak_mb for m in series.runs] == [None, None]
    assert len(series.sampled) == 1
    assert series.tree_peak_mb is not None and series.tree_peak_mb >= 80
    assert series.wall >= 0.5
