"""The built-in subcommands: ``aioweb run`` and ``aioweb plugins``."""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
from dataclasses import dataclass

from aioweb.kernel import SERVER, Application, PluginInfo, Registry

__all__ = ["PluginsCommand", "RunCommand", "load_app"]


def load_app(spec: str, argv: list[str] | None = None) -> Application:
    """Import ``module:attr`` and return the application it names.

    ``attr`` may be an ``Application`` or a callable returning one (called with
    ``argv``, as aiohttp's ``module:factory`` convention does).

    Raises:
        SystemExit: the spec is malformed or does not name an application.
    """
    module_name, sep, attr = spec.partition(":")
    if not sep or not module_name or not attr:
        raise SystemExit(f"aioweb run: expected module:app, got {spec!r}")
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise SystemExit(f"aioweb run: cannot import {module_name!r}: {exc}") from exc
    try:
        obj = getattr(module, attr)
    except AttributeError:
        raise SystemExit(f"aioweb run: {module_name!r} has no attribute {attr!r}") from None
    if not isinstance(obj, Application) and callable(obj):
        obj = obj(argv or [])
    if not isinstance(obj, Application):
        raise SystemExit(f"aioweb run: {spec} is {obj!r}, not an Application")
    return obj


@dataclass(frozen=True, slots=True)
class RunCommand:
    """``aioweb run module:app [--host H] [--port P] [--workers N] [--server NAME] [-- args]``."""

    help: str = "serve an application (module:app or module:factory)"

    def configure(self, parser: argparse.ArgumentParser, /) -> None:
        """Add the arguments."""
        parser.add_argument(
            "app", help="module:app, or module:factory (called with the arguments after --)"
        )
        parser.add_argument("--host", default="127.0.0.1", help="interface (default 127.0.0.1)")
        parser.add_argument("--port", type=int, default=8080, help="TCP port (default 8080)")
        parser.add_argument(
            "--workers", type=int, default=1, help="processes sharing the port (default 1)"
        )
        parser.add_argument(
            "--server", default="http/1.1", help="server plugin to use (default http/1.1)"
        )

    def run(self, args: argparse.Namespace, /) -> int:
        """Serve until interrupted."""
        app = load_app(args.app, list(args.passthrough))
        serve = app.registry.get(SERVER, args.server)
        serve(app, host=args.host, port=args.port, workers=args.workers)
        return 0


@dataclass(frozen=True, slots=True)
class PluginsCommand:
    """``aioweb plugins [--json]``: what is installed and what each plugin provides."""

    help: str = "list the installed plugins and what they provide"

    def configure(self, parser: argparse.ArgumentParser, /) -> None:
        """Add the arguments."""
        parser.add_argument("--json", action="store_true", help="machine-readable output")

    def run(self, args: argparse.Namespace, /) -> int:
        """Print one row per plugin; exit 1 when a plugin was refused."""
        registry = Registry()
        plugins = registry.plugins
        rows = [
            {
                "name": p.name,
                "distribution": p.distribution or "",
                "version": p.version or "",
                "provides": [f"{point}:{key}" for point, key in p.provides],
                "error": str(p.error) if p.error else None,
            }
            for p in plugins
        ]
        if args.json:
            print(json.dumps(rows, indent=2))
        else:
            self._table(plugins)
        return 1 if any(p.error for p in plugins) else 0

    @staticmethod
    def _table(plugins: list[PluginInfo]) -> None:
        cells = [("NAME", "DISTRIBUTION", "VERSION", "PROVIDES")]
        for p in plugins:
            provides = ", ".join(f"{point}:{key}" for point, key in p.provides)
            last = f"ERROR: {p.error}" if p.error else provides
            cells.append((p.name, p.distribution or "", p.version or "", last))
        widths = [max(len(c[i]) for c in cells) for i in range(3)]
        for c in cells:
            print("  ".join(c[i].ljust(widths[i]) for i in range(3)) + "  " + c[3])
