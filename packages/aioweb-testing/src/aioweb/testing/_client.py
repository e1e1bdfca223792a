"""``TestClient``: a ``ClientSession`` bound to a test server."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Generator, Iterable, Mapping
from http.cookies import SimpleCookie
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypedDict

from typing_extensions import Self, Unpack
from yarl import URL

from aioweb.client import (
    AbstractCookieJar,
    BaseConnector,
    BasicAuth,
    ClientResponse,
    ClientSession,
    ClientTimeout,
    CookieJar,
    RequestOptions,
)
from aioweb.kernel import Application, MissingPluginError

from ._server import BaseTestServer, TestServer

if TYPE_CHECKING:
    import ssl

    from aioweb.websocket import ClientWebSocketResponse

__all__ = ["ClientOptions", "TestClient", "WSConnectOptions"]


class ClientOptions(TypedDict, total=False):
    """Keyword arguments :class:`TestClient` passes on to its ``ClientSession``.

    Attributes:
        connector: The connection pool (the session's default otherwise).
        cookies: Cookies sent with every request.
        headers: Default request headers.
        skip_auto_headers: Default headers not to add.
        auth: Default Basic credentials.
        json_serialize: Turns ``json=`` values into text.
        raise_for_status: Raise for 4xx/5xx, or an async callable run on each response.
        timeout: The default timeouts.
        auto_decompress: Decode compressed response bodies.
        read_bufsize: Body bytes buffered before reading pauses.
        max_redirects: Redirects followed at most.
        max_response_size: The most body bytes accepted per response.
    """

    connector: BaseConnector | None
    cookies: Mapping[str, str] | Iterable[tuple[str, str]] | SimpleCookie | None
    headers: Mapping[str, str] | None
    skip_auto_headers: Iterable[str] | None
    auth: BasicAuth | None
    json_serialize: Callable[[Any], str]
    raise_for_status: bool | Callable[[ClientResponse], Awaitable[None]]
    timeout: ClientTimeout
    auto_decompress: bool
    read_bufsize: int
    max_redirects: int
    max_response_size: int | None


class WSConnectOptions(TypedDict, total=False):
    """Keyword arguments :meth:`TestClient.ws_connect` passes on to ``aioweb.websocket.ws_connect``.

    Attributes:
        protocols: Subprotocols offered, in order of preference.
        headers: Extra handshake headers.
        compress: Offer permessage-deflate.
        max_msg_size: The largest message accepted.
        autoclose: Answer a close frame automatically.
        autoping: Answer pings automatically.
        heartbeat: Seconds between pings (``None``: none).
        timeout: Seconds the handshake may take.
        receive_timeout: Seconds a ``receive()`` may wait.
        ssl_context: TLS settings for a ``wss://`` server.
    """

    protocols: Iterable[str]
    headers: Mapping[str, str] | None
    compress: bool
    max_msg_size: int
    autoclose: bool
    autoping: bool
    heartbeat: float | None
    timeout: float
    receive_timeout: float | None
    ssl_context: ssl.SSLContext | None


class _TestRequest:
    """What the request methods return: ``await`` it, or use it with ``async with``."""

    __slots__ = ("_client", "_pending", "_resp")

    def __init__(self, client: TestClient, pending: Awaitable[ClientResponse]) -> None:
        self._client = client
        self._pending = pending
        self._resp: ClientResponse | None = None

    async def _send(self) -> ClientResponse:
        resp = await self._pending
        self._client._track(resp)
        return resp

    def __await__(self) -> Generator[Any, None, ClientResponse]:
        return self._send().__await__()

    async def __aenter__(self) -> ClientResponse:
        self._resp = await self._send()
        return self._resp

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._resp is not None:
            self._resp.release()


class TestClient:
    """A ``ClientSession`` whose relative URLs go to one test server.

    ``await client.get("/path")`` requests ``/path`` on the server. Closing the
    client releases its responses, closes its WebSockets and its session, and
    closes the server. Use it as ``async with TestClient(TestServer(app)) as client:``
    (or through the ``aioweb_client`` pytest fixture).

    Args:
        server: The server to talk to (started by :meth:`start_server` if needed).
        cookie_jar: The session's cookie jar; by default one that accepts cookies
            from IP addresses, since the server is ``127.0.0.1``.
        **options: Passed to ``ClientSession`` (see :class:`ClientOptions`).
    """

    __test__ = False  # not a test class, whatever pytest's python_classes says

    def __init__(
        self,
        server: BaseTestServer,
        *,
        cookie_jar: AbstractCookieJar | None = None,
        **options: Unpack[ClientOptions],
    ) -> None:
        self._server = server
        self._cookie_jar = cookie_jar
        self._options = options
        self._session: ClientSession | None = None
        self._responses: list[ClientResponse] = []
        self._websockets: list[ClientWebSocketResponse] = []
        self._closed = False

    # -- properties ------------------------------------------------------------------

    @property
    def server(self) -> BaseTestServer:
        """The test server."""
        return self._server

    @property
    def app(self) -> Application:
        """The application the server serves.

        Raises:
            RuntimeError: The server is a ``RawTestServer`` (it has no application).
        """
        if not isinstance(self._server, TestServer):
            raise RuntimeError(f"{type(self._server).__name__} serves no application")
        return self._server.app

    @property
    def session(self) -> ClientSession:
        """The underlying ``ClientSession`` (once started)."""
        if self._session is None:
            raise RuntimeError("the test client is not started: await client.start_server()")
        return self._session

    @property
    def host(self) -> str:
        """The server's host."""
        return self._server.host

    @property
    def port(self) -> int:
        """The server's port."""
        return self._server.port

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` ran."""
        return self._closed

    def make_url(self, path: str | URL = "") -> URL:
        """The absolute URL of ``path`` on the server."""
        return self._server.make_url(path)

    # -- lifetime --------------------------------------------------------------------

    async def start_server(self) -> None:
        """Start the server (if needed) and open the session; idempotent."""
        if self._closed:
            raise RuntimeError("the test client is closed")
        await self._server.start_server()
        if self._session is None:
            jar = self._cookie_jar if self._cookie_jar is not None else CookieJar(unsafe=True)
            self._session = ClientSession(
                self._server.make_url("/"), cookie_jar=jar, **self._options
            )

    async def close(self) -> None:
        """Release responses, close WebSockets, the session and the server; idempotent."""
        if self._closed:
            return
        self._closed = True
        try:
            for resp in self._responses:
                resp.release()
            self._responses.clear()
            for ws in self._websockets:
                await ws.close()
            self._websockets.clear()
            if self._session is not None:
                await self._session.close()
        finally:
            await self._server.close()

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

    def _track(self, resp: ClientResponse) -> None:
        self._responses.append(resp)

    # -- requests --------------------------------------------------------------------

    def request(
        self, method: str, path: str | URL, **kwargs: Unpack[RequestOptions]
    ) -> _TestRequest:
        """Send ``method`` to ``path`` on the server; await it or use ``async with``.

        Args:
            method: The request method.
            path: A path (``"/a?b=1"``) resolved against the server's URL.
            **kwargs: As for ``ClientSession.request``.

        Returns:
            An awaitable of the ``ClientResponse`` that is also an async context manager.
        """
        return _TestRequest(self, self.session.request(method, path, **kwargs))

    def get(self, path: str | URL, **kwargs: Unpack[RequestOptions]) -> _TestRequest:
        """Send a GET request to ``path``."""
        return self.request("GET", path, **kwargs)

    def post(self, path: str | URL, **kwargs: Unpack[RequestOptions]) -> _TestRequest:
        """Send a POST request to ``path``."""
        return self.request("POST", path, **kwargs)

    def put(self, path: str | URL, **kwargs: Unpack[RequestOptions]) -> _TestRequest:
        """Send a PUT request to ``path``."""
        return self.request("PUT", path, **kwargs)

    def patch(self, path: str | URL, **kwargs: Unpack[RequestOptions]) -> _TestRequest:
        """Send a PATCH request to ``path``."""
        return self.request("PATCH", path, **kwargs)

    def delete(self, path: str | URL, **kwargs: Unpack[RequestOptions]) -> _TestRequest:
        """Send a DELETE request to ``path``."""
        return self.request("DELETE", path, **kwargs)

    def head(self, path: str | URL, **kwargs: Unpack[RequestOptions]) -> _TestRequest:
        """Send a HEAD request to ``path`` (redirects are not followed unless asked)."""
        kwargs.setdefault("allow_redirects", False)
        return self.request("HEAD", path, **kwargs)

    def options(self, path: str | URL, **kwargs: Unpack[RequestOptions]) -> _TestRequest:
        """Send an OPTIONS request to ``path``."""
        return self.request("OPTIONS", path, **kwargs)

    async def ws_connect(
        self, path: str | URL, **kwargs: Unpack[WSConnectOptions]
    ) -> ClientWebSocketResponse:
        """Open a WebSocket to ``path`` on the server (closed with the client).

        Args:
            path: A path resolved against the server's URL.
            **kwargs: As for ``aioweb.websocket.ws_connect``.

        Raises:
            MissingPluginError: aioweb-websocket is not installed.
        """
        try:
            from aioweb.websocket import ws_connect
        except ImportError as exc:
            raise MissingPluginError(
                "TestClient.ws_connect needs aioweb-websocket: "
                "pip install aioweb-websocket (or aioweb-testing[websocket])"
            ) from exc
        url = self.make_url(path)
        url = url.with_scheme("wss" if url.scheme == "https" else "ws")
        ws = await ws_connect(url, **kwargs)
        self._websockets.append(ws)
        return ws

    def __repr__(self) -> str:
        return f"<TestClient for {self._server!r}>"
