"""Server-Sent Events to open tabs: reload, stylesheet swap, or the problems of a failed build."""

from __future__ import annotations

import json
import queue
import threading
import time
from collections.abc import Mapping, Sequence

from sitegen.model import Problem

EVENTS_PATH = "/__sitegen/events"
HEARTBEAT_SECONDS = 15.0
RETRY_MS = 1000

Message = bytes | None  # None tells a client's stream to end


def sse(event: str, data: object, event_id: int | None = None) -> bytes:
    """One SSE message; `id` lets a reconnecting tab say which build it shows."""
    lines = [f"id: {event_id}"] if event_id is not None else []
    lines += [f"event: {event}", f"data: {json.dumps(data, ensure_ascii=False)}"]
    return ("\n".join(lines) + "\n\n").encode("utf-8")


def problem_data(problems: Sequence[Problem]) -> list[dict[str, object]]:
    return [
        {"file": p.path, "line": p.line, "key": p.key, "message": p.message, "text": str(p)}
        for p in problems
    ]


class EventHub:
    """Every connected tab's queue, and the state a newly connected tab must learn at once.

    `generation` counts the builds tabs were told about; a page carries the generation it was
    served at, so a tab that connects (or reconnects) late still learns of a build it missed.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._clients: set[queue.SimpleQueue[Message]] = set()
        self._generation = time.time_ns() // 1_000_000  # differs from a previous server's
        self._problems: tuple[Problem, ...] = ()
        self._closed = False

    @property
    def generation(self) -> int:
        with self._lock:
            return self._generation

    @property
    def failing(self) -> bool:
        with self._lock:
            return bool(self._problems)

    @property
    def clients(self) -> int:
        with self._lock:
            return len(self._clients)

    def connect(self, since: int | None) -> queue.SimpleQueue[Message]:
        """A new client's queue, primed with what it missed: the problems, or a reload."""
        client: queue.SimpleQueue[Message] = queue.SimpleQueue()
        client.put(f"retry: {RETRY_MS}\n\n".encode())
        with self._lock:
            if self._closed:
                client.put(None)
            elif self._problems:
                client.put(self._error_message())
            elif since is not None and since != self._generation:
                client.put(sse("reload", {"generation": self._generation}, self._generation))
            self._clients.add(client)
        return client

    def disconnect(self, client: queue.SimpleQueue[Message]) -> None:
        with self._lock:
            self._clients.discard(client)

    def reload(self) -> None:
        """A build succeeded: every tab reloads (and any error overlay goes with the old page)."""
        with self._lock:
            self._generation += 1
            self._problems = ()
            self._send(sse("reload", {"generation": self._generation}, self._generation))

    def swap_css(self, links: Mapping[str, str]) -> None:
        """Only stylesheets changed: tabs replace the old hrefs (keys) by the new (values)."""
        with self._lock:
            self._generation += 1
            data = {"generation": self._generation, "links": dict(links)}
            self._send(sse("css", data, self._generation))

    def fail(self, problems: Sequence[Problem]) -> None:
        """A build failed: tabs show the problems over the last good page."""
        with self._lock:
            self._problems = tuple(problems)
            self._send(self._error_message())

    def close(self) -> None:
        """End every stream: the server is stopping."""
        with self._lock:
            self._closed = True
            self._send(None)
            self._clients.clear()

    def _error_message(self) -> bytes:
        return sse("error", {"problems": problem_data(self._problems)})

    def _send(self, message: Message) -> None:
        for client in self._clients:
            client.put(message)
