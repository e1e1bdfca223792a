"""Runners and sites: ``AppRunner`` owns the app's lifecycle, sites listen on sockets."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import ssl
from typing import TYPE_CHECKING, TypedDict

from typing_extensions import Unpack

from ._access_log import (
    DEFAULT_ACCESS_LOG_FORMAT,
    AbstractAccessLogger,
    AccessLogger,
    access_logger,
)
from ._server import (
    DEFAULT_LINGERING_BYTES,
    DEFAULT_LINGERING_TIMEOUT,
    DEFAULT_SERVER_HEADER,
    RequestHandler,
    Server,
)
from .sansio import DEFAULT_LIMITS, Limits, ParserBackend

if TYPE_CHECKING:
    from aioweb.kernel import Application

__all__ = [
    "AppRunner",
    "BaseRunner",
    "BaseSite",
    "RunnerOptions",
    "ServerRunner",
    "SockSite",
    "TCPSite",
    "UnixSite",
]


class RunnerOptions(TypedDict, total=False):
    """The keyword options every runner takes (see :class:`BaseRunner`)."""

    limits: Limits
    keepalive_timeout: float
    header_timeout: float
    body_timeout: float
    lingering_timeout: float
    lingering_bytes: int
    shutdown_timeout: float
    server_header: str | None
    handler_cancellation: bool
    access_log: logging.Logger | None
    access_log_format: str
    access_log_class: type[AbstractAccessLogger]
    parser_backend: ParserBackend


class BaseRunner:
    """Common part of :class:`AppRunner` and :class:`ServerRunner`.

    Args:
        limits: parser limits for every connection.
        keepalive_timeout: idle keep-alive connections close after this many seconds.
        header_timeout: a request head must arrive within this many seconds.
        body_timeout: a request body may pause this long between bytes (then 408).
        lingering_timeout: seconds a connection closed while its client may still be
            sending keeps dropping what arrives, so the client can read the response
            (see ``Server``; 0: close at once).
        lingering_bytes: bytes it drops before it is cut off sooner (see ``Server``).
        shutdown_timeout: seconds in-flight requests get to finish at cleanup.
        server_header: the ``Server`` header value (``None``: none).
        handler_cancellation: cancel handlers whose client went away.
        access_log: the access log's logger (``None``: none).
        access_log_format: its format (aiohttp's directives).
        access_log_class: the ``AbstractAccessLogger`` subclass that writes it.
        parser_backend: ``"pure"``, ``"httptools"`` or ``"auto"`` (see ``Server``).
    """

    def __init__(
        self,
        *,
        limits: Limits = DEFAULT_LIMITS,
        keepalive_timeout: float = 75.0,
        header_timeout: float = 30.0,
        body_timeout: float = 60.0,
        lingering_timeout: float = DEFAULT_LINGERING_TIMEOUT,
        lingering_bytes: int = DEFAULT_LINGERING_BYTES,
        shutdown_timeout: float = 60.0,
        server_header: str | None = DEFAULT_SERVER_HEADER,
        handler_cancellation: bool = False,
        access_log: logging.Logger | None = access_logger,
        access_log_format: str = DEFAULT_ACCESS_LOG_FORMAT,
        access_log_class: type[AbstractAccessLogger] = AccessLogger,
        parser_backend: ParserBackend = "pure",
    ) -> None:
        self._parser_backend: ParserBackend = parser_backend
        self._access_log = access_log
        self._access_log_format = access_log_format
        self._access_log_class = access_log_class
        self._limits = limits
        self._keepalive_timeout = keepalive_timeout
        self._header_timeout = header_timeout
        self._body_timeout = body_timeout
        self._lingering_timeout = lingering_timeout
        self._lingering_bytes = lingering_bytes
        self.shutdown_timeout = shutdown_timeout
        self._server_header = server_header
        self._handler_cancellation = handler_cancellation
        self._server: Server | None = None
        self._sites: list[BaseSite] = []

    @property
    def server(self) -> Server:
        """The running ``Server``.

        Raises:
            RuntimeError: :meth:`setup` was not called.
        """
        if self._server is None:
            raise RuntimeError("call await runner.setup() first")
        return self._server

    @property
    def sites(self) -> list[BaseSite]:
        """The started sites."""
        return list(self._sites)

    @property
    def addresses(self) -> list[object]:
        """The addresses the sites listen on (``(host, port)`` or a path)."""
        out: list[object] = []
        for site in self._sites:
            out.extend(site.addresses)
        return out

    def _make_server(self, handler: RequestHandler, app: Application | None) -> Server:
        return Server(
            handler,
            app=app,
            limits=self._limits,
            keepalive_timeout=self._keepalive_timeout,
            header_timeout=self._header_timeout,
            body_timeout=self._body_timeout,
            lingering_timeout=self._lingering_timeout,
            lingering_bytes=self._lingering_bytes,
            server_header=self._server_header,
            handler_cancellation=self._handler_cancellation,
            access_log=self._access_log,
            access_log_format=self._access_log_format,
            access_log_class=self._access_log_class,
            parser_backend=self._parser_backend,
        )

    async def setup(self) -> None:
        """Prepare to serve (freeze and start the app, build the server)."""
        raise NotImplementedError

    async def _before_shutdown(self) -> None:
        """Hook: what to run once sites stopped listening."""

    async def _after_shutdown(self) -> None:
        """Hook: what to run after connections closed."""

    async def cleanup(self) -> None:
        """Stop listening, let requests finish, then shut down and clean up the app."""
        listeners = [site._listener for site in self._sites if site._listener is not None]
        for site in reversed(self._sites):
            await site.stop()
        self._sites.clear()
        await self._before_shutdown()
        if self._server is not None:
            await self._server.shutdown(self.shutdown_timeout)
        await self._after_shutdown()
        # Connections accepted just before the listeners closed get their
        # connection_made (and, shutting down, their close) on the next iterations.
        for listener in listeners:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(listener.wait_closed(), 1.0)
        if self._server is not None:
            await self._server.shutdown(0)
        self._server = None


class AppRunner(BaseRunner):
    """Runs an ``Application``: freeze, ``on_startup``, serve, ``on_shutdown``, ``on_cleanup``.

    Args:
        app: the application.
        **options: see :class:`BaseRunner`.
    """

    def __init__(
        self,
        app: Application,
        **options: Unpack[RunnerOptions],
    ) -> None:
        super().__init__(**options)
        self._app = app

    @property
    def app(self) -> Application:
        """The application."""
        return self._app

    async def setup(self) -> None:
        """Freeze the app, run its startup callbacks and build the server."""
        self._app.freeze()
        await self._app.startup()
        self._server = self._make_server(self._app.handler, self._app)

    async def _before_shutdown(self) -> None:
        await self._app.shutdown()

    async def _after_shutdown(self) -> None:
        await self._app.cleanup()


class ServerRunner(BaseRunner):
    """Runs a bare ``async (request) -> response`` handler, without an application.

    Args:
        handler: the request handler.
        **options: see :class:`BaseRunner`.
    """

    def __init__(
        self,
        handler: RequestHandler,
        **options: Unpack[RunnerOptions],
    ) -> None:
        super().__init__(**options)
        self._handler = handler

    async def setup(self) -> None:
        """Build the server."""
        self._server = self._make_server(self._handler, None)


class BaseSite:
    """A listening socket attached to a runner.

    Args:
        runner: a runner that was set up.
        ssl_context: serve TLS with this context.
        backlog: the listen backlog.
    """

    def __init__(
        self, runner: BaseRunner, *, ssl_context: ssl.SSLContext | None = None, backlog: int = 128
    ) -> None:
        self._runner = runner
        self._ssl_context = ssl_context
        self._backlog = backlog
        self._listener: asyncio.Server | None = None

    @property
    def addresses(self) -> list[object]:
        """Where the site listens."""
        if self._listener is None:
            return []
        return [sock.getsockname() for sock in self._listener.sockets]

    @property
    def name(self) -> str:
        """A URL-ish description (``http://127.0.0.1:8080``)."""
        scheme = "https" if self._ssl_context else "http"
        names = []
        for addr in self.addresses:
            if isinstance(addr, tuple):
                host = f"[{addr[0]}]" if ":" in str(addr[0]) else addr[0]
                names.append(f"{scheme}://{host}:{addr[1]}")
            else:
                names.append(f"{scheme}://unix:{addr}:")
        return ", ".join(names)

    async def _listen(self) -> asyncio.Server:
        raise NotImplementedError

    async def start(self) -> None:
        """Start listening."""
        # The scheme is per connection (HttpProtocol asks the transport), so a TLS
        # site does not make the runner's plain sites report https.
        self._listener = await self._listen()
        self._runner._sites.append(self)

    async def stop(self) -> None:
        """Stop accepting connections (open ones are the runner's business)."""
        if self._listener is not None:
            self._listener.close()
            self._listener = None


class TCPSite(BaseSite):
    """Listen on a TCP host and port (IPv4 or IPv6).

    Args:
        runner: a runner that was set up.
        host: the interface (``None``: all interfaces).
        port: the port (``0``: any free port, see :attr:`addresses`).
        reuse_address: set ``SO_REUSEADDR``.
        reuse_port: set ``SO_REUSEPORT`` (several processes on one port).
    """

    def __init__(
        self,
        runner: BaseRunner,
        host: str | None = None,
        port: int = 8080,
        *,
        ssl_context: ssl.SSLContext | None = None,
        backlog: int = 128,
        reuse_address: bool | None = None,
        reuse_port: bool | None = None,
    ) -> None:
        super().__init__(runner, ssl_context=ssl_context, backlog=backlog)
        self._host = host
        self._port = port
        self._reuse_address = reuse_address
        self._reuse_port = reuse_port

    async def _listen(self) -> asyncio.Server:
        loop = asyncio.get_running_loop()
        return await loop.create_server(
            self._runner.server,
            self._host,
            self._port,
            ssl=self._ssl_context,
            backlog=self._backlog,
            reuse_address=self._reuse_address,
            reuse_port=self._reuse_port,
        )


class UnixSite(BaseSite):
    """Listen on a Unix domain socket.

    Args:
        runner: a runner that was set up.
        path: the socket's file system path.
    """

    def __init__(
        self,
        runner: BaseRunner,
        path: str,
        *,
        ssl_context: ssl.SSLContext | None = None,
        backlog: int = 128,
    ) -> None:
        super().__init__(runner, ssl_context=ssl_context, backlog=backlog)
        self._path = path

    async def _listen(self) -> asyncio.Server:
        loop = asyncio.get_running_loop()
        return await loop.create_unix_server(
            self._runner.server, self._path, ssl=self._ssl_context, backlog=self._backlog
        )


class SockSite(BaseSite):
    """Serve on a socket that is already bound (and perhaps listening).

    Args:
        runner: a runner that was set up.
        sock: the socket.
    """

    def __init__(
        self,
        runner: BaseRunner,
        sock: socket.socket,
        *,
        ssl_context: ssl.SSLContext | None = None,
        backlog: int = 128,
    ) -> None:
        super().__init__(runner, ssl_context=ssl_context, backlog=backlog)
        self._sock = sock

    async def _listen(self) -> asyncio.Server:
        loop = asyncio.get_running_loop()
        return await loop.create_server(
            self._runner.server, sock=self._sock, ssl=self._ssl_context, backlog=self._backlog
        )
