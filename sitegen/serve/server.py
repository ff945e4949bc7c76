"""The preview server as one object: bind, build, watch, rebuild, serve, stop."""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import shutil
import tempfile
import threading
import webbrowser
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sitegen.config import CONFIG_FILE
from sitegen.serve.events import HEARTBEAT_SECONDS, EventHub
from sitegen.serve.gate import SiteGate
from sitegen.serve.handler import PreviewHTTPServer
from sitegen.serve.rebuild import BuildSettings, Rebuilder
from sitegen.serve.watch import Batch, ChangeQueue, Watcher

Log = Callable[[str], None]
EXTRA_PORTS = 10
WILDCARD_HOSTS = ("", "0.0.0.0", "::")
WAKE_SECONDS = 0.2  # how soon the waiting thread sees a Ctrl-C that another thread received


@dataclass(frozen=True)
class ServeOptions:
    site_dir: Path
    host: str = "127.0.0.1"
    port: int = 8000
    open_browser: bool = False
    drafts: bool = False
    future: bool = False
    debounce: float = 0.05  # seconds of quiet after a save before the build starts (editors
    # write a save in one burst: temp file, rename, within a few milliseconds)


class PortInUse(OSError):
    """The port asked for and the next ones are all taken."""


def bind(host: str, port: int, site: PreviewServer, log: Log) -> PreviewHTTPServer:
    """Listen on host:port, or on one of the next EXTRA_PORTS ports if it is taken (and say so)."""
    candidates = [port] if port == 0 else list(range(port, port + EXTRA_PORTS + 1))
    for candidate in candidates:
        try:
            server = PreviewHTTPServer((host, candidate), site)
        except OSError as error:
            if error.errno != errno.EADDRINUSE:
                raise
            continue
        if candidate != port:
            log(f"port {port} is in use; serving on port {candidate} instead")
        return server
    last = candidates[-1]
    raise PortInUse(
        errno.EADDRINUSE,
        f"ports {port} to {last} on {host} are all in use; stop the other server or pass --port",
    )


def preview_output(site_dir: Path, port: int) -> Path:
    """Where the preview of site_dir on port is built, kept between runs: a restart is incremental.

    In the user's cache folder ($XDG_CACHE_HOME or ~/.cache), one folder per site and port, so
    two previews never share one. (Not under the site's .sitegen-cache/: the output check
    refuses any folder in there.)
    """
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    digest = hashlib.blake2b(str(site_dir).encode(), digest_size=6).hexdigest()
    return Path(cache) / "sitegen" / "serve" / f"{site_dir.name}-{digest}-{port}" / "site"


def url_host(host: str) -> str:
    if host in WILDCARD_HOSTS:
        return "localhost"
    return f"[{host}]" if ":" in host else host


class PreviewServer:
    """A running preview of one site; `start()` returns the bound (host, port), `stop()` ends it.

    The site is built into a folder of its own, never into the site's output_dir: `output` if
    given, else a temporary folder for port 0 and `preview_output()` for a fixed port.
    """

    def __init__(
        self,
        options: ServeOptions,
        log: Log = lambda _: None,
        output: Path | None = None,
        heartbeat: float = HEARTBEAT_SECONDS,
    ) -> None:
        self.options = options
        self.heartbeat = heartbeat
        self.gate = SiteGate()
        self.hub = EventHub()
        self._log = log
        self._temp: Path | None = None
        self._output = output
        self._http: PreviewHTTPServer | None = None
        self._rebuilder: Rebuilder | None = None
        self._changes = ChangeQueue(options.debounce, self.gate.want)
        self._watcher: Watcher | None = None
        self._threads: list[threading.Thread] = []
        self._stopped = threading.Event()

    @property
    def output(self) -> Path:
        """The folder the preview is built into and served from."""
        if self._output is None:
            raise RuntimeError("the preview server is not started")
        return self._output

    def _choose_output(self, site_dir: Path, port: int) -> Path:
        if self._output is not None:
            return self._output
        if self.options.port:
            return preview_output(site_dir, port)
        self._temp = Path(tempfile.mkdtemp(prefix="sitegen-serve-"))
        return self._temp / "site"

    @property
    def base_path(self) -> str:
        return self._rebuilder.base_path if self._rebuilder else "/"

    @property
    def address(self) -> tuple[str, int]:
        if self._http is None:
            raise RuntimeError("the preview server is not started")
        host, port = self._http.server_address[:2]
        return str(host), int(port)

    @property
    def url(self) -> str:
        host, port = self.address
        return f"http://{url_host(host)}:{port}{self.base_path}"

    @property
    def builds(self) -> int:
        """Builds finished so far, the first one included."""
        return self.gate.builds

    def settled(self, timeout: float = 30.0) -> bool:
        """Wait until every change seen so far is built; False on timeout."""
        return self.gate.settled(timeout)

    def start(self) -> tuple[str, int]:
        """Bind, build once, then watch and serve in background threads."""
        options = self.options
        site_dir = options.site_dir.resolve()
        self._http = bind(options.host, options.port, self, self._log)
        host, port = self.address
        self._output = self._choose_output(site_dir, port)
        settings = BuildSettings(
            site_dir,
            self._output,
            f"http://{url_host(host)}:{port}",
            options.drafts,
            options.future,
        )
        self._rebuilder = Rebuilder(settings, self.gate, self.hub, self._log)
        self._watcher = Watcher(site_dir, self._changes.put, self._rebuilder.theme_dirs)
        self._watcher.start()
        self._rebuilder.run(Batch(frozenset(), structural=True, full=False, covers=1))
        self._spawn("sitegen-rebuild", self._rebuild_loop)
        self._spawn("sitegen-http", self._http.serve_forever)
        return host, port

    def _spawn(self, name: str, target: Callable[[], None]) -> None:
        thread = threading.Thread(target=target, name=name, daemon=True)
        thread.start()
        self._threads.append(thread)

    def _rebuild_loop(self) -> None:
        assert self._rebuilder is not None and self._watcher is not None
        while (batch := self._changes.take()) is not None:
            try:
                if batch.structural:
                    self._watcher.replan()
                self._rebuilder.run(batch)
            except Exception as error:  # never leave requests waiting on a dead thread
                self._log(f"preview: rebuild failed unexpectedly: {type(error).__name__}: {error}")

    def wait(self) -> None:
        """Block until stop() (or Ctrl-C in the calling thread)."""
        # In steps: the kernel may hand Ctrl-C to another thread (the HTTP server's, the
        # watcher's), and Python raises KeyboardInterrupt here only once this thread wakes.
        while not self._stopped.wait(WAKE_SECONDS):
            pass

    def stop(self) -> None:
        """Stop watching, finish the running build, end every stream and connection."""
        if self._stopped.is_set():
            return
        if self._watcher is not None:
            self._watcher.stop()
        self._changes.close()
        self.hub.close()
        self.gate.close()
        if self._http is not None:
            if any(t.name == "sitegen-http" for t in self._threads):
                self._http.shutdown()
            self._http.close_connections()
            self._http.server_close()
        for thread in self._threads:
            thread.join()
        self._threads.clear()
        if self._rebuilder is not None:
            self._rebuilder.close()
        if self._temp is not None:
            shutil.rmtree(self._temp, ignore_errors=True)
        self._stopped.set()


def serve(options: ServeOptions, log: Log) -> int:
    """Serve the site with live reload until Ctrl-C: 0 after a clean stop, 1 when there is no
    site.yaml or no free port. A site that does not build is served anyway: tabs show why."""
    if not (options.site_dir / CONFIG_FILE).is_file():
        log(
            f"sitegen serve: no {CONFIG_FILE} in {options.site_dir}; pass --site or run sitegen new"
        )
        return 1
    server = PreviewServer(options, log)
    try:
        server.start()
        log(f"serving {server.url} (Ctrl-C to stop)")
        if options.open_browser:
            webbrowser.open(server.url)
        server.wait()
    except PortInUse as error:
        log(f"sitegen serve: {error.strerror}")
        return 1
    except KeyboardInterrupt:
        log("stopping")
    finally:
        with contextlib.suppress(KeyboardInterrupt):
            server.stop()
    return 0
