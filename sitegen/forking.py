"""A function over items in forked processes: the function is inherited, never pickled."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Sequence
from typing import Any, Generic, Protocol, TypeVar

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


class Background(Generic[R]):
    """A function running in a forked process of its own (see in_background)."""

    def __init__(
        self, process: Any = None, receiver: Any = None, done: tuple[bool, R | None] = (True, None)
    ) -> None:
        self._process = process  # None: the function already ran here, with `done`
        self._receiver = receiver
        self._done = done

    def outcome(self) -> tuple[bool, R | None]:
        """Wait for the function to end: whether it ended without an error, and its result
        (None after an error)."""
        if self._process is not None:
            try:
                self._done = self._receiver.recv()
            except Exception:  # it died without a word, or half of one (killed, out of memory)
                self._done = (False, None)
            self._receiver.close()
            self._process.join()
            self._process = None
        return self._done

    def cancel(self) -> None:
        """Stop the function where it is, unless it has ended; its outcome is a failure."""
        if self._process is not None:
            self._process.terminate()
            self._process.join()
            self._receiver.close()
            self._process = None
            self._done = (False, None)

    def wait(self) -> bool:
        """Wait for the function to end; whether it ended without an error."""
        return self.outcome()[0]


def in_background(function: Callable[[], R]) -> Background[R]:
    """Start `function` in a forked process, which inherits what it reads; its result comes
    back pickled. Where fork is not available, run it here and now. Its errors only show
    as an outcome that failed."""
    if can_fork():
        context = multiprocessing.get_context("fork")
        receiver, sender = context.Pipe(duplex=False)
        try:
            # Not a daemon: should the caller fail first, exiting still waits for it.
            process = context.Process(target=_send_outcome, args=(function, sender))
            process.start()
        except OSError:  # no process to be had: run it here
            receiver.close()
        else:
            return Background(process, receiver)
        finally:
            sender.close()  # the child's copy stays open until it has sent its outcome
    try:
        return Background(done=(True, function()))
    except Exception:
        return Background(done=(False, None))


def _send_outcome(function: Callable[[], object], sender: Any) -> None:
    """Run `function` and send whether it worked, with its result: no traceback on an error
    or on Ctrl-C (the caller hears of a failure, or of nothing: a failure too)."""
    try:
        outcome = (True, function())
    except BaseException:
        outcome = (False, None)
    try:
        sender.send(outcome)
    except BaseException:
        pass  # a result that cannot be pickled, or a caller gone
    finally:
        sender.close()
