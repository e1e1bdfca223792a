"""gunicorn worker classes: ``gunicorn -k aioweb.http.worker.GunicornWebWorker module:app``.

This module is public by name because gunicorn imports it by dotted path; it imports
gunicorn, so it is only imported when gunicorn loads it.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import os
import signal
import ssl
import sys
from collections.abc import Awaitable
from types import FrameType
from typing import Any

from gunicorn.workers import base  # type: ignore[import-untyped]

from aioweb.kernel import Application

from ._runner import AppRunner, SockSite

__all__ = ["GunicornUVLoopWebWorker", "GunicornWebWorker"]


class GunicornWebWorker(base.Worker):  # type: ignore[misc]
    """Serves an aioweb ``Application`` (or an awaitable making one) in a gunicorn worker.

    gunicorn's ``keepalive`` and ``graceful_timeout`` settings become the runner's
    keep-alive and shutdown timeouts; its listening sockets are served as-is.
    """

    exit_code = 0
    alive: bool

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.loop: asyncio.AbstractEventLoop | None = None
        self._wakeup: asyncio.Event | None = None

    def new_loop(self) -> asyncio.AbstractEventLoop:
        """The worker's event loop (plain asyncio here; uvloop in the uvloop variant)."""
        return asyncio.new_event_loop()

    def init_process(self) -> None:
        """Make the event loop, then let gunicorn set up signals and call :meth:`run`."""
        self.loop = self.new_loop()
        asyncio.set_event_loop(self.loop)
        super().init_process()

    def run(self) -> None:
        """Serve until gunicorn tells the worker to stop; exits the process."""
        assert self.loop is not None
        try:
            self.loop.run_until_complete(self._serve())
        finally:
            self.loop.close()
        sys.exit(self.exit_code)

    async def _serve(self) -> None:
        app = self.wsgi
        if not isinstance(app, Application) and isinstance(app, Awaitable):
            app = await app
        if not isinstance(app, Application):
            raise TypeError(f"gunicorn loaded {app!r}, not an aioweb Application")
        runner = AppRunner(
            app,
            keepalive_timeout=float(self.cfg.keepalive),
            shutdown_timeout=float(self.cfg.graceful_timeout) * 0.95,
            access_log=self.log.access_log if self.cfg.accesslog else None,
        )
        await runner.setup()
        context = self._ssl_context() if self.cfg.is_ssl else None
        for sock in self.sockets:
            site = SockSite(runner, getattr(sock, "sock", sock), ssl_context=context)
            await site.start()
        self._wakeup = asyncio.Event()
        try:
            while self.alive:
                self.notify()
                if self.ppid != os.getppid():  # the arbiter died: stop
                    self.alive = False
                    break
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(self._wakeup.wait(), 1.0)
        finally:
            await runner.cleanup()

    def _ssl_context(self) -> ssl.SSLContext:
        opts = self.cfg.ssl_options
        context = ssl.SSLContext(opts["ssl_version"])
        context.load_cert_chain(opts["certfile"], opts["keyfile"])
        context.verify_mode = opts["cert_reqs"]
        if opts.get("ca_certs"):
            context.load_verify_locations(opts["ca_certs"])
        if opts.get("ciphers"):
            context.set_ciphers(opts["ciphers"])
        return context

    def init_signals(self) -> None:
        """Route gunicorn's signals through the event loop."""
        assert self.loop is not None
        add = self.loop.add_signal_handler
        add(signal.SIGQUIT, self.handle_quit, signal.SIGQUIT, None)
        add(signal.SIGTERM, self.handle_exit, signal.SIGTERM, None)
        add(signal.SIGINT, self.handle_quit, signal.SIGINT, None)
        add(signal.SIGWINCH, self.handle_winch, signal.SIGWINCH, None)
        add(signal.SIGUSR1, self.handle_usr1, signal.SIGUSR1, None)
        add(signal.SIGABRT, self.handle_abort, signal.SIGABRT, None)
        signal.siginterrupt(signal.SIGTERM, False)
        signal.siginterrupt(signal.SIGUSR1, False)

    def _stop(self) -> None:
        self.alive = False
        if self._wakeup is not None:
            self._wakeup.set()

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        """SIGTERM: graceful stop."""
        self._stop()

    def handle_quit(self, sig: int, frame: FrameType | None) -> None:
        """SIGQUIT/SIGINT: stop (gracefully too: in-flight requests may finish)."""
        self._stop()

    def handle_abort(self, sig: int, frame: FrameType | None) -> None:
        """SIGABRT: stop with a failing exit code."""
        self.exit_code = 1
        self._stop()


class GunicornUVLoopWebWorker(GunicornWebWorker):
    """The same worker on uvloop (``pip install uvloop``)."""

    def new_loop(self) -> asyncio.AbstractEventLoop:
        """A uvloop event loop."""
        uvloop = importlib.import_module("uvloop")
        loop: asyncio.AbstractEventLoop = uvloop.new_event_loop()
        return loop
