"""Time and memory stay bounded: Markdown that blows up parsers scales linearly, a 20 MB
article builds in under 2 minutes within 1.5 GB (slow: SITEGEN_SLOW=1; the benchmark prints
the same figures, benchmarks/hardening_bench.py)."""

from __future__ import annotations

import contextlib
import gc
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from hardening_cases import PATHOLOGICAL
from hardening_harness import big_article_text, markup_bomb_text, measure_build, write_site

from sitegen import markdown
from sitegen.markdown import MAX_LINES, MarkdownRenderer, MarkdownTooLarge

RENDERER = MarkdownRenderer()


def render_seconds(source: str, runs: int = 3) -> float:
    """CPU seconds of the fastest of a few renders: the least noisy estimate of the cost.
    CPU time of this process, not the wall clock: other work on a shared machine (the other
    test worker, a benchmark) must not decide whether the growth looks linear."""
    best = float("inf")
    for _ in range(runs):
        gc.collect()
        started = time.process_time()
        with contextlib.suppress(MarkdownTooLarge):  # refusing a bomb is right; quickly too
            RENDERER.render(source)
        best = min(best, time.process_time() - started)
    return best


def ratio(make: Callable[[int], str], size: int, runs: int = 5) -> tuple[float, float]:
    """Time of 4x the input over time of the input, the fastest of `runs` each, taken in
    turns so a busy moment on a shared machine cannot fall on one size only."""
    small_text, large_text = make(size), make(4 * size)
    small = large = float("inf")
    for _ in range(runs):
        small = min(small, render_seconds(small_text, 1))
        large = min(large, render_seconds(large_text, 1))
    return large / max(small, 1e-4), large


def measurable_size(make: Callable[[int], str], start: int = 5_000) -> int:
    """The smallest size (from `start`, doubling) whose render takes 20 ms: below that,
    timer noise decides the ratio."""
    size = start
    while size < 160_000 and render_seconds(make(size), runs=1) < 0.02:
        size *= 2
    return size


@pytest.mark.parametrize("name", sorted(PATHOLOGICAL))
def test_four_times_the_input_costs_about_four_times_the_time(name: str) -> None:
    size = measurable_size(PATHOLOGICAL[name])
    growth, seconds = ratio(PATHOLOGICAL[name], size)
    assert seconds < 10, f"{name}: {seconds:.1f} s for {4 * size // 1000} KB"
    assert growth <= 10, f"{name}: 4x the input took {growth:.1f}x the time (generous bound)"


def test_markup_past_the_element_budget_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """The real budget (2 million elements, some 700 MB) takes seconds to reach; the same
    mechanism with a small one."""
    monkeypatch.setattr(markdown, "MAX_TOKENS", 1_000)
    renderer = MarkdownRenderer()
    renderer.render("A paragraph with *some* [links](https://e.org/).\n\n" * 50)
    for bomb in ("*a* " * 400, "- a\n" * 200, "| a |\n|---|\n" + "| b |\n" * 300):
        with pytest.raises(MarkdownTooLarge, match="more than 1,000 Markdown elements"):
            renderer.render(bomb)


def test_more_lines_than_the_limit_are_refused_at_once() -> None:
    started = time.perf_counter()
    with pytest.raises(MarkdownTooLarge, match="lines, more than 1,000,000"):
        RENDERER.render("a\n" * (MAX_LINES + 1))
    assert time.perf_counter() - started < 1


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(PATHOLOGICAL))
def test_four_times_the_input_costs_at_most_six_times_the_time(name: str) -> None:
    growth, _ = ratio(PATHOLOGICAL[name], 50_000, runs=5)
    assert growth <= 6, f"{name}: 4x the input took {growth:.1f}x the time"


@pytest.mark.slow
def test_a_20_mb_article_builds_in_2_minutes_within_1_5_gb(tmp_path: Path) -> None:
    site = tmp_path / "site"
    write_site(site, {"content/big.md": big_article_text(20 * 1024 * 1024)}, None)
    measured = measure_build(site)
    assert measured.code == 0, measured.err
    assert measured.seconds < 120, measured
    assert measured.peak_mb < 1536, measured


@pytest.mark.slow
def test_a_20_mb_markup_bomb_is_refused_in_bounds(tmp_path: Path) -> None:
    site = tmp_path / "site"
    write_site(site, {"content/bomb.md": markup_bomb_text(20 * 1024 * 1024)}, None)
    measured = measure_build(site)
    assert measured.code == 1, measured.err
    assert "content/bomb.md:5: more than 2,000,000 Markdown elements" in measured.err
    assert measured.seconds < 120, measured
    assert measured.peak_mb < 1536, measured
