"""A function over items in forked processes: the function is inherited, never pickled."""

from __future__ import annotations

import multiprocessing
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class Mapper(Protocol):
    """`function(item)` for each item, in order (as `list(map(function, items))`)."""

    def __call__(self, function: Callable[[T], R], items: Sequence[T], /) -> list[R]: ...


def can_fork() -> bool:
    """Whether this process may fork workers: fork exists here, and this is no pool's daemon
    worker (which may have no children)."""
    return (
        "fork" in multiprocessing.get_all_start_methods()
        and not multiprocessing.current_process().daemon
    )


def in_process(function: Callable[[T], R], items: Sequence[T], /) -> list[R]:
    return [function(item) for item in items]


def forked(jobs: int) -> Mapper:
    """A Mapper running the items in up to `jobs` forked processes, one item at a time, in
    the order given (put the biggest first). Items and results cross the process boundary
    pickled; the function, a closure over the caller's data say, is inherited. Where fork is
    not available, or for one job or item, the items run in this process."""

    def run(function: Callable[[T], R], items: Sequence[T], /) -> list[R]:
        if jobs <= 1 or len(items) <= 1 or not can_fork():
            return in_process(function, items)
        _task[:] = [function]
        try:
            with multiprocessing.get_context("fork").Pool(min(jobs, len(items))) as pool:
                results: list[R] = pool.map(_run_task, items, chunksize=1)
        finally:
            _task.clear()
        return results

    return run


# The function of the running `forked` map: set before its processes fork, read in them.
_task: list[Callable[[Any], Any]] = []


def _run_task(item: Any) -> Any:
    return _task[0](item)


@dataclass
class Background:
    """A function running in a forked process of its own (see in_background)."""

    process: Any  # multiprocessing's forked Process; None: the function already ran here
    ran: bool = True

    def wait(self) -> bool:
        """Wait for the function to end; whether it ended without an error."""
        if self.process is None:
            return self.ran
        self.process.join()
        return bool(self.process.exitcode == 0)


def in_background(function: Callable[[], object]) -> Background:
    """Start `function` in a forked process, which inherits what it reads; where fork is not
    available, run it here and now. Its errors only show as wait() returning False."""
    if can_fork():
        try:
            # Not a daemon: should the caller fail first, exiting still waits for it.
            process = multiprocessing.get_context("fork").Process(target=_quietly, args=(function,))
            process.start()
            return Background(process)
        except OSError:
            pass  # no process to be had: run it here
    try:
        function()
    except Exception:
        return Background(None, ran=False)
    return Background(None)


def _quietly(function: Callable[[], object]) -> None:
    """Run `function`; an error ends the process with status 1 instead of a traceback."""
    try:
        function()
    except Exception:
        sys.exit(1)
