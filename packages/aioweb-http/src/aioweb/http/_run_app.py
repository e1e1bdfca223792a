"""``run_app``: serve an application until SIGINT/SIGTERM, then shut down cleanly."""

from __future__ import annotations

import asyncio
import builtins
import contextlib
import importlib
import logging
import signal
import socket
import ssl
from collections.abc import Awaitable, Callable

from aioweb.kernel import Application

from ._access_log import (
    DEFAULT_ACCESS_LOG_FORMAT,
    AbstractAccessLogger,
    AccessLogger,
    access_logger,
)
from ._runner import AppRunner, BaseSite, SockSite, TCPSite, UnixSite
from ._server import DEFAULT_LINGERING_BYTES, DEFAULT_LINGERING_TIMEOUT, DEFAULT_SERVER_HEADER
from ._workers import run_forked
from .sansio import DEFAULT_LIMITS, Limits, ParserBackend

__all__ = ["GracefulExit", "run_app"]

_logger = logging.getLogger("aioweb.http")


class GracefulExit(SystemExit):
    """Raised inside the loop by SIGINT/SIGTERM to leave ``run_app`` cleanly."""

    code = 1


def run_app(
    app: Application | Awaitable[Application],
    *,
    host: str | list[str] | None = None,
    port: int | None = None,
    path: str | None = None,
    sock: socket.socket | None = None,
    shutdown_timeout: float = 60.0,
    keepalive_timeout: float = 75.0,
    lingering_timeout: float = DEFAULT_LINGERING_TIMEOUT,
    lingering_bytes: int = DEFAULT_LINGERING_BYTES,
    ssl_context: ssl.SSLContext | None = None,
    print: Callable[..., None] | None = builtins.print,
    backlog: int = 128,
    access_log: logging.Logger | None = access_logger,
    access_log_format: str = DEFAULT_ACCESS_LOG_FORMAT,
    access_log_class: type[AbstractAccessLogger] = AccessLogger,
    handle_signals: bool = True,
    reuse_address: bool | None = None,
    reuse_port: bool | None = None,
    handler_cancellation: bool = False,
    limits: Limits = DEFAULT_LIMITS,
    server_header: str | None = DEFAULT_SERVER_HEADER,
    workers: int = 1,
    use_uvloop: bool | None = None,
    parser_backend: ParserBackend = "pure",
    loop: asyncio.AbstractEventLoop | None = None,
) -> None:
    """Serve ``app`` until interrupted (Ctrl-C or SIGTERM), then shut it down cleanly.

    Args:
        app: the application (or an awaitable that makes it).
        host: interface(s) to listen on (default ``0.0.0.0`` when no ``path``/``sock``).
        port: the TCP port (default 8080, or 8443 with ``ssl_context``).
        path: also listen on this Unix socket.
        sock: also serve on this bound socket.
        shutdown_timeout: seconds in-flight requests get to finish.
        keepalive_timeout: seconds an idle keep-alive connection stays open.
        lingering_timeout: seconds a connection closed while its client may still be
            sending keeps dropping what arrives, so the client reads the response
            (0: close at once; see ``Server``).
        lingering_bytes: bytes it drops before it is cut off sooner.
        ssl_context: serve TLS.
        print: where the "Running on" banner goes (``None``: nowhere).
        backlog: the listen backlog.
        access_log: the access log's logger (``None``: no access log); it writes
            at INFO, so it is silent until logging is configured to show INFO.
        access_log_format: the access log format (aiohttp's directives).
        access_log_class: the ``AbstractAccessLogger`` subclass that writes it.
        handle_signals: install SIGINT/SIGTERM handlers.
        reuse_address: ``SO_REUSEADDR``.
        reuse_port: ``SO_REUSEPORT``.
        handler_cancellation: cancel handlers whose client went away.
        limits: the request parser's limits.
        server_header: the ``Server`` header (``None``: none).
        workers: fork this many processes, each serving the same port with
            ``SO_REUSEPORT`` (POSIX); the parent supervises and passes signals on.
        use_uvloop: run on uvloop (``None``: when it is installed; ``False``: never).
        parser_backend: the request parser, ``"pure"``, ``"httptools"`` or ``"auto"``.
        loop: the event loop to run on (default: a new one).

    Raises:
        SystemExit: with ``workers > 1``, when a worker exited with an error.
    """
    if workers != 1:
        options = dict(locals())
        options.update(workers=1, reuse_port=True, loop=None)
        del options["app"]
        code = run_forked(workers, lambda: run_app(app, **options))
        if code:
            raise SystemExit(code)
        return
    own_loop = loop is None
    if loop is None:
        loop = _new_loop(use_uvloop)
    main = _serve(
        app,
        host=host,
        port=port,
        path=path,
        sock=sock,
        shutdown_timeout=shutdown_timeout,
        keepalive_timeout=keepalive_timeout,
        lingering_timeout=lingering_timeout,
        lingering_bytes=lingering_bytes,
        ssl_context=ssl_context,
        print=print,
        backlog=backlog,
        reuse_address=reuse_address,
        reuse_port=reuse_port,
        handler_cancellation=handler_cancellation,
        limits=limits,
        server_header=server_header,
        access_log=access_log,
        access_log_format=access_log_format,
        access_log_class=access_log_class,
        parser_backend=parser_backend,
    )
    stop = asyncio.Event()
    if handle_signals:
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, stop.set)
    try:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(main(stop))
    except (GracefulExit, KeyboardInterrupt):
        pass
    finally:
        if handle_signals:
            for sig in (signal.SIGINT, signal.SIGTERM):
                with contextlib.suppress(NotImplementedError, RuntimeError):
                    loop.remove_signal_handler(sig)
        _cancel_all(loop)
        loop.run_until_complete(loop.shutdown_asyncgens())
        if own_loop:
            asyncio.set_event_loop(None)
            loop.close()


def _serve(
    app: Application | Awaitable[Application],
    *,
    host: str | list[str] | None,
    port: int | None,
    path: str | None,
    sock: socket.socket | None,
    shutdown_timeout: float,
    keepalive_timeout: float,
    lingering_timeout: float,
    lingering_bytes: int,
    ssl_context: ssl.SSLContext | None,
    print: Callable[..., None] | None,
    backlog: int,
    reuse_address: bool | None,
    reuse_port: bool | None,
    handler_cancellation: bool,
    limits: Limits,
    server_header: str | None,
    access_log: logging.Logger | None,
    access_log_format: str,
    access_log_class: type[AbstractAccessLogger],
    parser_backend: ParserBackend,
) -> Callable[[asyncio.Event], Awaitable[None]]:
    async def main(stop: asyncio.Event) -> None:
        application = app if isinstance(app, Application) else await app
        runner = AppRunner(
            application,
            limits=limits,
            keepalive_timeout=keepalive_timeout,
            lingering_timeout=lingering_timeout,
            lingering_bytes=lingering_bytes,
            shutdown_timeout=shutdown_timeout,
            server_header=server_header,
            handler_cancellation=handler_cancellation,
            access_log=access_log,
            access_log_format=access_log_format,
            access_log_class=access_log_class,
            parser_backend=parser_backend,
        )
        await runner.setup()
        try:
            sites: list[BaseSite] = []
            the_port = port if port is not None else (8443 if ssl_context else 8080)
            hosts = [host] if isinstance(host, str) else list(host or [])
            if not hosts and path is None and sock is None:
                hosts = ["0.0.0.0"]  # aiohttp's default: all interfaces
            for h in hosts:
                sites.append(
                    TCPSite(
                        runner,
                        h,
                        the_port,
                        ssl_context=ssl_context,
                        backlog=backlog,
                        reuse_address=reuse_address,
                        reuse_port=reuse_port,
                    )
                )
            if path is not None:
                sites.append(UnixSite(runner, path, ssl_context=ssl_context, backlog=backlog))
            if sock is not None:
                sites.append(SockSite(runner, sock, ssl_context=ssl_context, backlog=backlog))
            for site in sites:
                await site.start()
            if print is not None:
                names = ", ".join(site.name for site in sites)
                print(f"======== Running on {names} ========\n(Press CTRL+C to quit)")
            await stop.wait()
        finally:
            await runner.cleanup()

    return main


def _new_loop(use_uvloop: bool | None) -> asyncio.AbstractEventLoop:
    if use_uvloop is not False:
        try:
            uvloop = importlib.import_module("uvloop")  # optional: aioweb-http[speedups]
        except ImportError:
            if use_uvloop:
                raise ImportError("use_uvloop=True needs uvloop: pip install uvloop") from None
        else:
            new_loop: Callable[[], asyncio.AbstractEventLoop] = uvloop.new_event_loop
            return new_loop()
    return asyncio.new_event_loop()


def _cancel_all(loop: asyncio.AbstractEventLoop) -> None:
    tasks = [t for t in asyncio.all_tasks(loop) if not t.done()]
    for task in tasks:
        task.cancel()
    if tasks:
        loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))
    # A connection accepted while the listener closed may still have its close (and the
    # listener's bookkeeping) queued as callbacks: let them run before the loop closes.
    for _ in range(2):
        loop.run_until_complete(asyncio.sleep(0))
