"""``TestServer`` and ``RawTestServer``: an application or a bare handler on a free port."""

from __future__ import annotations

import ssl
from collections.abc import Awaitable, Callable
from types import TracebackType

from typing_extensions import Self
from yarl import URL

from aioweb.http import AppRunner, BaseRunner, ServerRunner, TCPSite
from aioweb.kernel import Application, Request, StreamResponse

__all__ = ["BaseTestServer", "RawHandler", "RawTestServer", "TestServer"]

#: What :class:`RawTestServer` serves: ``async (request) -> response``.
RawHandler = Callable[[Request], Awaitable[StreamResponse]]

#: Seconds in-flight requests get to finish when a test server closes. Short,
#: because a test that still has requests running at teardown is already done.
DEFAULT_SHUTDOWN_TIMEOUT = 5.0


class BaseTestServer:
    """What :class:`TestServer` and :class:`RawTestServer` share: a runner on 127.0.0.1.

    Args:
        host: The interface to listen on.
        port: The port; ``None`` binds port 0, so the OS picks a free one.
        scheme: ``"http"`` or ``"https"`` (``"https"`` needs ``ssl_context``).
        ssl_context: Serve TLS with this context (implies ``scheme="https"``).
        shutdown_timeout: Seconds in-flight requests get to finish at :meth:`close`.
    """

    __test__ = False  # not a test class, whatever pytest's python_classes says

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int | None = None,
        scheme: str = "http",
        ssl_context: ssl.SSLContext | None = None,
        shutdown_timeout: float = DEFAULT_SHUTDOWN_TIMEOUT,
    ) -> None:
        if ssl_context is not None:
            scheme = "https"
        if scheme not in ("http", "https"):
            raise ValueError(f"scheme must be 'http' or 'https', not {scheme!r}")
        if scheme == "https" and ssl_context is None:
            raise ValueError("scheme='https' needs an ssl_context")
        self._host = host
        self._requested_port = port
        self._port: int | None = None
        self._scheme = scheme
        self._ssl_context = ssl_context
        self._shutdown_timeout = shutdown_timeout
        self._runner: BaseRunner | None = None
        self._root: URL | None = None
        self._closed = False

    def _make_runner(self) -> BaseRunner:
        raise NotImplementedError

    # -- properties ------------------------------------------------------------------

    @property
    def host(self) -> str:
        """The interface the server listens on."""
        return self._host

    @property
    def port(self) -> int:
        """The port the server listens on.

        Raises:
            RuntimeError: The server was not started.
        """
        if self._port is None:
            raise RuntimeError("the test server is not started: await server.start_server()")
        return self._port

    @property
    def scheme(self) -> str:
        """``"http"`` or ``"https"``."""
        return self._scheme

    @property
    def runner(self) -> BaseRunner:
        """The runner serving the requests (once started)."""
        if self._runner is None:
            raise RuntimeError("the test server is not started: await server.start_server()")
        return self._runner

    @property
    def started(self) -> bool:
        """Whether :meth:`start_server` ran (and :meth:`close` did not)."""
        return self._runner is not None

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` ran."""
        return self._closed

    # -- lifetime --------------------------------------------------------------------

    async def start_server(self) -> None:
        """Set the runner up and start listening; calling it again does nothing.

        Raises:
            RuntimeError: The server was closed (a closed server cannot restart).
        """
        if self._closed:
            raise RuntimeError("the test server is closed")
        if self._runner is not None:
            return
        runner = self._make_runner()
        await runner.setup()
        try:
            site = TCPSite(
                runner, self._host, self._requested_port or 0, ssl_context=self._ssl_context
            )
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        address = site.addresses[0]
        if not isinstance(address, tuple):  # pragma: no cover - TCPSite gives (host, port, ...)
            raise TypeError(f"unexpected socket address {address!r}")
        self._port = int(address[1])
        self._root = URL.build(scheme=self._scheme, host=self._host, port=self._port)
        self._runner = runner

    async def close(self) -> None:
        """Stop listening, finish in-flight requests and run the cleanup; idempotent."""
        self._closed = True
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    async def __aenter__(self) -> Self:
        await self.start_server()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    # -- URLs ------------------------------------------------------------------------

    def make_url(self, path: str | URL = "") -> URL:
        """The absolute URL of ``path`` (``"/a?b=1"``) on this server.

        Raises:
            ValueError: ``path`` is an absolute URL.
            RuntimeError: The server was not started.
        """
        if self._root is None:
            raise RuntimeError("the test server is not started: await server.start_server()")
        url = URL(path)
        if url.absolute:
            raise ValueError(f"make_url() takes a path, not an absolute URL: {path}")
        return self._root.join(url)

    def __repr__(self) -> str:
        where = f"{self._scheme}://{self._host}:{self._port}" if self._port else "not started"
        return f"<{type(self).__name__} {where}>"


class TestServer(BaseTestServer):
    """Serve an :class:`~aioweb.kernel.Application` on a free port, for tests.

    Starting it freezes the application and runs ``on_startup``; closing it runs
    ``on_shutdown`` and ``on_cleanup``. Use it as ``async with TestServer(app):``.

    Args:
        app: The application.
        host: The interface to listen on.
        port: The port; ``None`` lets the OS pick a free one.
        scheme: ``"http"`` or ``"https"``.
        ssl_context: Serve TLS with this context.
        shutdown_timeout: Seconds in-flight requests get to finish at :meth:`close`.
    """

    def __init__(
        self,
        app: Application,
        *,
        host: str = "127.0.0.1",
        port: int | None = None,
        scheme: str = "http",
        ssl_context: ssl.SSLContext | None = None,
        shutdown_timeout: float = DEFAULT_SHUTDOWN_TIMEOUT,
    ) -> None:
        super().__init__(
            host=host,
            port=port,
            scheme=scheme,
            ssl_context=ssl_context,
            shutdown_timeout=shutdown_timeout,
        )
        self._app = app

    @property
    def app(self) -> Application:
        """The application served."""
        return self._app

    def _make_runner(self) -> BaseRunner:
        return AppRunner(self._app, shutdown_timeout=self._shutdown_timeout)


class RawTestServer(BaseTestServer):
    """Serve a bare ``async (request) -> response`` handler, with no application.

    Args:
        handler: The request handler.
        host: The interface to listen on.
        port: The port; ``None`` lets the OS pick a free one.
        scheme: ``"http"`` or ``"https"``.
        ssl_context: Serve TLS with this context.
        shutdown_timeout: Seconds in-flight requests get to finish at :meth:`close`.
    """

    def __init__(
        self,
        handler: RawHandler,
        *,
        host: str = "127.0.0.1",
        port: int | None = None,
        scheme: str = "http",
        ssl_context: ssl.SSLContext | None = None,
        shutdown_timeout: float = DEFAULT_SHUTDOWN_TIMEOUT,
    ) -> None:
        super().__init__(
            host=host,
            port=port,
            scheme=scheme,
            ssl_context=ssl_context,
            shutdown_timeout=shutdown_timeout,
        )
        self._handler = handler

    @property
    def handler(self) -> RawHandler:
        """The request handler served."""
        return self._handler

    def _make_runner(self) -> BaseRunner:
        return ServerRunner(self._handler, shutdown_timeout=self._shutdown_timeout)
