"""Ports, start and stop: the next free port, a clear failure, and Ctrl-C without a traceback."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sitegen.serve import PreviewServer, ServeOptions, serve

# Ctrl-C as in a terminal: a test run started in the background (`cmd &` in a script) has SIGINT
# ignored, children inherit that, and Python then leaves it ignored.
AS_IN_A_TERMINAL = "import signal; signal.signal(signal.SIGINT, signal.default_int_handler)\n"

SERVE_SCRIPT = (
    AS_IN_A_TERMINAL
    + """
import sys
from pathlib import Path
from sitegen.serve import ServeOptions, serve
sys.exit(serve(ServeOptions(Path(sys.argv[1]), port=0), lambda m: print(m, flush=True)))
"""
)


def listening(port: int) -> socket.socket | None:
    sock = socket.socket()
    try:
        sock.bind(("127.0.0.1", port))
    except OSError:
        sock.close()
        return None
    sock.listen()
    return sock


def test_port_in_use_moves_to_the_next(site: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        messages: list[str] = []
        server = PreviewServer(ServeOptions(site, port=port), log=messages.append)
        try:
            _, bound = server.start()
        finally:
            server.stop()
    assert port < bound <= port + 10
    assert any(f"port {port} is in use" in m for m in messages)


def test_no_free_port_returns_1(site: Path) -> None:
    with contextlib.ExitStack() as stack:
        for base in range(41000, 60000, 97):
            sockets = [listening(base + i) for i in range(11)]
            held = [s for s in sockets if s is not None]
            for sock in held:
                stack.callback(sock.close)
            if len(held) == 11:
                break
        messages: list[str] = []
        assert serve(ServeOptions(site, port=base), messages.append) == 1
    assert "all in use" in messages[-1]


# Ctrl-C as the kernel may deliver it: to a thread other than the one waiting in serve().
CTRL_C_IN_ANOTHER_THREAD = (
    AS_IN_A_TERMINAL
    + """
import signal, sys, threading, time
from pathlib import Path
from sitegen.serve import ServeOptions, serve

def ctrl_c_here():
    time.sleep(0.5)  # serve() is waiting by now
    signal.pthread_kill(threading.get_ident(), signal.SIGINT)

def log(message):
    print(message, flush=True)
    if message.startswith("serving"):
        threading.Thread(target=ctrl_c_here).start()

sys.exit(serve(ServeOptions(Path(sys.argv[1]), port=0), log))
"""
)


def _stopped_by_ctrl_c(script: str, site: Path, send: bool) -> str:
    """Run `script` on `site` until it serves, Ctrl-C it (`send`: from here) and return all it
    printed once it exited 0."""
    child = subprocess.Popen(
        [sys.executable, "-c", script, str(site)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONFAULTHANDLER": "1"},  # SIGABRT prints every thread's stack
    )
    assert child.stdout is not None
    lines = []
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        line = child.stdout.readline()
        lines.append(line)
        if line.startswith("serving http://127.0.0.1:") or not line:
            break
    if send:
        child.send_signal(signal.SIGINT)
    try:
        rest, _ = child.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        child.send_signal(signal.SIGABRT)
        rest, _ = child.communicate(timeout=30)
        pytest.fail("still running 30 s after Ctrl-C:\n" + "".join(lines) + rest)
    output = "".join(lines) + rest
    assert child.returncode == 0, output
    return output


def test_ctrl_c_stops_cleanly(site: Path) -> None:
    output = _stopped_by_ctrl_c(SERVE_SCRIPT, site, send=True)
    assert "Traceback" not in output
    assert "stopping" in output


def test_ctrl_c_received_by_another_thread_stops_too(site: Path) -> None:
    """POSIX lets the kernel give a process's SIGINT to any of its threads; serve() used to wait
    on a lock that such a signal never interrupts."""
    output = _stopped_by_ctrl_c(CTRL_C_IN_ANOTHER_THREAD, site, send=False)
    assert "Traceback" not in output
    assert "stopping" in output


def test_stop_ends_open_connections(preview: PreviewServer) -> None:
    idle = socket.create_connection(preview.address)  # keep-alive that never sends a request
    started = time.monotonic()
    preview.stop()
    assert time.monotonic() - started < 5
    idle.close()
    assert not preview.output.exists()


def test_no_site_returns_1(tmp_path: Path) -> None:
    messages: list[str] = []
    assert serve(ServeOptions(tmp_path, port=0), messages.append) == 1
    assert "no site.yaml" in messages[-1]


def test_ipv6_loopback(site: Path) -> None:
    try:
        socket.create_server(("::1", 0), family=socket.AF_INET6).close()
    except OSError:
        pytest.skip("no IPv6 loopback here")
    server = PreviewServer(ServeOptions(site, host="::1", port=0))
    try:
        host, _ = server.start()
    finally:
        server.stop()
    assert host == "::1"
    assert server.url.startswith("http://[::1]:")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_fixed_port_keeps_its_build_for_a_fast_restart(site: Path, user_cache: Path) -> None:
    port = free_port()
    for run in range(2):
        messages: list[str] = []
        server = PreviewServer(ServeOptions(site, port=port), log=messages.append)
        try:
            server.start()
            output = server.output
        finally:
            server.stop()
        built = next(m for m in messages if m.startswith("built in"))
        assert (" 0 rendered" in built) == (run == 1), built
    assert output.is_relative_to(user_cache) and (output / "index.html").is_file()
