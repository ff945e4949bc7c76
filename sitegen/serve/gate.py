"""A readers-writer gate over the built site: page requests never see a half-built site."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager


class SiteGate:
    """Requests read the output folder together; a build writes it alone.

    Every change the watcher reports gets a number (`want`); a build covers the changes up to
    the number it was started with. A request waits while a build runs *or* while a reported
    change is not yet covered, so a page asked for right after a save already shows it.
    """

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._readers = 0
        self._writing = False
        self._wanted = 1  # the first build is wanted from the start
        self._done = 0
        self._builds = 0
        self._closed = False

    def want(self) -> int:
        """Note a change no build has covered yet; returns its number."""
        with self._cond:
            self._wanted += 1
            return self._wanted

    @property
    def wanted(self) -> int:
        with self._cond:
            return self._wanted

    def _fresh(self) -> bool:
        return self._closed or not (self._writing or self._done < self._wanted)

    @contextmanager
    def reading(self) -> Iterator[None]:
        with self._cond:
            self._cond.wait_for(self._fresh)
            self._readers += 1
        try:
            yield
        finally:
            with self._cond:
                self._readers -= 1
                self._cond.notify_all()

    @contextmanager
    def writing(self, covers: int) -> Iterator[None]:
        """Exclusive access for one build that picks up the changes numbered up to `covers`."""
        with self._cond:
            self._cond.wait_for(lambda: not self._writing and self._readers == 0)
            self._writing = True
        try:
            yield
        finally:
            with self._cond:
                self._writing = False
                self._done = max(self._done, covers)
                self._builds += 1
                self._cond.notify_all()

    def settled(self, timeout: float) -> bool:
        """Wait until every reported change is built and no build runs; False on timeout."""
        with self._cond:
            return self._cond.wait_for(
                lambda: not self._writing and self._done >= self._wanted, timeout
            )

    @property
    def builds(self) -> int:
        """How many builds have finished (successful or not)."""
        with self._cond:
            return self._builds

    def close(self) -> None:
        """Let every waiting reader through: the server is stopping."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()
