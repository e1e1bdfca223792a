"""The types of the pytest fixtures' factories (for annotating tests)."""

from __future__ import annotations

import ssl
from typing import Protocol, TypedDict

from typing_extensions import Unpack

from aioweb.client import AbstractCookieJar
from aioweb.kernel import Application

from ._client import ClientOptions, TestClient
from ._server import BaseTestServer, RawHandler, RawTestServer, TestServer

__all__ = ["AiowebClient", "AiowebRawServer", "AiowebServer", "AiowebUnusedPort", "ServerOptions"]


class ServerOptions(TypedDict, total=False):
    """Keyword arguments of :class:`TestServer` and :class:`RawTestServer` after the first.

    Attributes:
        host: The interface to listen on.
        port: The port (``None``: any free port).
        scheme: ``"http"`` or ``"https"``.
        ssl_context: Serve TLS with this context.
        shutdown_timeout: Seconds in-flight requests get to finish at close.
    """

    host: str
    port: int | None
    scheme: str
    ssl_context: ssl.SSLContext | None
    shutdown_timeout: float


class AiowebClient(Protocol):
    """The ``aioweb_client`` fixture: ``client = await aioweb_client(app)``."""

    async def __call__(
        self,
        target: Application | BaseTestServer,
        /,
        *,
        server_kwargs: ServerOptions | None = None,
        cookie_jar: AbstractCookieJar | None = None,
        **options: Unpack[ClientOptions],
    ) -> TestClient:
        """A started :class:`TestClient` for ``target``, closed at teardown.

        Args:
            target: An application (served by a new :class:`TestServer` built
                with ``server_kwargs``), or a test server.
            server_kwargs: Options of the server built for an application.
            cookie_jar: The session's cookie jar.
            **options: Passed to the ``ClientSession``.
        """
        ...


class AiowebServer(Protocol):
    """The ``aioweb_server`` fixture: ``server = await aioweb_server(app)``."""

    async def __call__(self, app: Application, /, **options: Unpack[ServerOptions]) -> TestServer:
        """A started :class:`TestServer` for ``app``, closed at teardown."""
        ...


class AiowebRawServer(Protocol):
    """The ``aioweb_raw_server`` fixture: ``server = await aioweb_raw_server(handler)``."""

    async def __call__(
        self, handler: RawHandler, /, **options: Unpack[ServerOptions]
    ) -> RawTestServer:
        """A started :class:`RawTestServer` for ``handler``, closed at teardown."""
        ...


class AiowebUnusedPort(Protocol):
    """The ``aioweb_unused_port`` fixture: ``port = aioweb_unused_port()``."""

    def __call__(self, host: str = "127.0.0.1") -> int:
        """A TCP port that is free on ``host`` right now."""
        ...
