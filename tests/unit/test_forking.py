"""sitegen.forking: a closure over the caller's data, run in forked processes."""

from __future__ import annotations

import multiprocessing
import os
import time
from pathlib import Path

import pytest

from sitegen.forking import forked, in_background, in_process


def test_forked_runs_a_closure_in_other_processes_and_keeps_the_order() -> None:
    squares = {n: n * n for n in range(12)}  # reached through the closure, never pickled
    results = forked(2)(lambda n: (squares[n], os.getpid()), list(range(12)))
    assert [square for square, _ in results] == [n * n for n in range(12)]
    assert os.getpid() not in {pid for _, pid in results}


def test_one_job_or_one_item_runs_here() -> None:
    assert forked(1)(lambda n: os.getpid(), [1, 2]) == [os.getpid()] * 2
    assert forked(2)(lambda n: os.getpid(), [1]) == [os.getpid()]
    assert in_process(str, [1, 2]) == ["1", "2"]


def test_an_error_in_a_process_reaches_the_caller() -> None:
    def fail(n: int) -> int:
        if n == 3:
            raise ValueError(f"no {n}")
        return n

    with pytest.raises(ValueError, match="no 3"):
        forked(2)(fail, [1, 2, 3, 4])


def test_in_background_runs_in_a_process_of_its_own_while_the_caller_goes_on(
    tmp_path: Path,
) -> None:
    gate, done = tmp_path / "gate", tmp_path / "done"

    def work() -> None:
        while not gate.exists():  # waits for the caller, which must not be waiting for it
            time.sleep(0.01)
        done.write_text(str(os.getpid()))

    running = in_background(work)
    gate.touch()
    assert running.wait()
    assert int(done.read_text()) != os.getpid()


def test_in_background_tells_of_an_error() -> None:
    def fail() -> None:
        raise OSError("disk full")

    assert not in_background(fail).wait()


def test_in_background_hands_its_result_back() -> None:
    kept = {n: str(n) for n in range(1000)}  # inherited, never pickled
    running = in_background(lambda: (os.getpid(), [kept[n] for n in range(0, 1000, 7)]))
    ok, result = running.outcome()
    assert ok and result is not None
    pid, values = result
    assert pid != os.getpid() and values == [str(n) for n in range(0, 1000, 7)]


def test_a_cancelled_function_is_stopped_and_fails() -> None:
    running = in_background(lambda: time.sleep(60))
    started = time.monotonic()
    running.cancel()
    assert running.outcome() == (False, None)
    assert time.monotonic() - started < 30
    assert not multiprocessing.active_children()


def test_a_result_that_cannot_cross_is_a_failure() -> None:
    assert in_background(lambda: lambda: None).outcome() == (False, None)  # not picklable
