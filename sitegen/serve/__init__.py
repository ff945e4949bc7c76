"""Live-reload preview: build, serve over HTTP, watch, rebuild and tell open tabs (`serve`)."""

from sitegen.serve.server import PortInUse, PreviewServer, ServeOptions, serve

__all__ = ["PortInUse", "PreviewServer", "ServeOptions", "serve"]
