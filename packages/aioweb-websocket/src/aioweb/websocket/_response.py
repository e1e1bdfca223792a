"""``WebSocketResponse``: the server side, an upgrade answered from a request handler."""

from __future__ import annotations

from collections.abc import Iterable

from typing_extensions import override

from aioweb.kernel import (
    HTTPBadRequest,
    HTTPException,
    Request,
    ResponseWriter,
    StreamResponse,
    switch_protocols,
)

from ._api import WebSocketMessages
from ._connection import WebSocketConnection
from .sansio import (
    DEFAULT_MAX_MSG_SIZE,
    FrameReader,
    FrameWriter,
    HandshakeError,
    MaskBackend,
    ServerAccept,
    accept_request,
    deflate_pair,
    get_masker,
)

__all__ = ["WebSocketResponse", "make_server_connection", "negotiate"]


def _http_error(exc: HandshakeError) -> HTTPException:
    return HTTPBadRequest(reason=exc.reason, headers=exc.headers, text=f"400: {exc.reason}")


def make_server_connection(
    accept: ServerAccept,
    *,
    max_msg_size: int = DEFAULT_MAX_MSG_SIZE,
    autoclose: bool = True,
    autoping: bool = True,
    timeout: float = 10.0,
    heartbeat: float | None = None,
    mask_backend: MaskBackend = "auto",
) -> WebSocketConnection:
    """The server-role connection object for an accepted handshake.

    Raises:
        ImportError: ``mask_backend="speedups"`` without the extra.
    """
    deflater = inflater = None
    if accept.deflate is not None:
        deflater, inflater = deflate_pair(accept.deflate, client=False)
    masker = get_masker(mask_backend)
    return WebSocketConnection(
        FrameReader(client=False, max_msg_size=max_msg_size, inflater=inflater, masker=masker),
        FrameWriter(client=False, deflater=deflater),
        autoclose=autoclose,
        autoping=autoping,
        timeout=timeout,
        heartbeat=heartbeat,
    )


class WebSocketResponse(StreamResponse, WebSocketMessages):
    """Answer a WebSocket handshake and talk over the connection (aiohttp's API).

    Args:
        timeout: how long :meth:`close` waits for the client's close frame.
        receive_timeout: the default timeout of :meth:`receive` (``None``: none).
        autoclose: answer a client's close frame at once.
        autoping: answer pings automatically (pings and pongs are not surfaced).
        heartbeat: ping after this many idle seconds and close without a pong.
        protocols: subprotocols we speak, in order of preference.
        compress: accept permessage-deflate when offered.
        max_msg_size: the largest message accepted (1009 past it; ``0``: no bound).
        mask_backend: how client frames are unmasked: ``"auto"`` (the compiled XOR of
            ``aioweb-websocket[speedups]`` when installed), ``"pure"`` or ``"speedups"``.

    Raises:
        ValueError: an unknown ``mask_backend``.
        ImportError: ``mask_backend="speedups"`` without the extra.
    """

    __slots__ = (
        "_autoclose",
        "_autoping",
        "_compress",
        "_conn",
        "_heartbeat",
        "_masker",
        "_max_msg_size",
        "_protocol",
        "_protocols",
        "_receive_timeout",
        "_timeout",
    )

    def __init__(
        self,
        *,
        timeout: float = 10.0,
        receive_timeout: float | None = None,
        autoclose: bool = True,
        autoping: bool = True,
        heartbeat: float | None = None,
        protocols: Iterable[str] = (),
        compress: bool = True,
        max_msg_size: int = DEFAULT_MAX_MSG_SIZE,
        mask_backend: MaskBackend = "auto",
    ) -> None:
        super().__init__(status=101)
        self._masker = get_masker(mask_backend)
        self._timeout = timeout
        self._receive_timeout = receive_timeout
        self._autoclose = autoclose
        self._autoping = autoping
        self._heartbeat = heartbeat
        self._protocols = tuple(protocols)
        self._compress = compress
        self._max_msg_size = max_msg_size
        self._conn: WebSocketConnection | None = None
        self._protocol: str | None = None

    # -- handshake ---------------------------------------------------------------------

    def _accept(self, request: Request) -> ServerAccept:
        return accept_request(
            request.method,
            request.headers.items(),
            protocols=self._protocols,
            compress=self._compress,
        )

    def can_prepare(self, request: Request) -> tuple[bool, str | None]:
        """Whether ``request`` is a valid handshake, and the subprotocol we would pick."""
        try:
            accept = self._accept(request)
        except HandshakeError:
            return False, None
        return True, accept.protocol

    @override
    async def prepare(self, request: Request) -> ResponseWriter:
        """Validate the handshake, answer ``101`` and take the connection over.

        Goes through the kernel's :func:`~aioweb.kernel.switch_protocols`, that is
        the application's ``upgrade`` extension point for ``"websocket"`` (this
        package's plugin provides it).

        Raises:
            HTTPBadRequest: an invalid handshake (the reason says what is wrong; a
                ``Sec-WebSocket-Version`` other than 13 also gets ``Sec-WebSocket-Version: 13``).
        """
        writer = self._writer
        if writer is None:
            conn = await switch_protocols(request, self, "websocket")
            if not isinstance(conn, WebSocketConnection):  # pragma: no cover - foreign plugin
                raise TypeError(f"the 'websocket' upgrade plugin returned {conn!r}")
            self._conn = conn
            writer = self._writer
            if writer is None:  # pragma: no cover - StreamResponse.prepare sets it
                raise RuntimeError("the response was not prepared")
        return writer

    def _negotiate(self, request: Request) -> WebSocketConnection:
        """The ``upgrade`` handler's work for this response: its options, its headers."""
        try:
            accept = self._accept(request)
        except HandshakeError as exc:
            raise _http_error(exc) from exc
        for name, value in accept.headers:
            self.headers[name] = value
        self._protocol = accept.protocol
        return make_server_connection(
            accept,
            max_msg_size=self._max_msg_size,
            autoclose=self._autoclose,
            autoping=self._autoping,
            timeout=self._timeout,
            heartbeat=self._heartbeat,
            mask_backend=self._masker.name,
        )

    @override
    async def write_eof(self, data: bytes = b"") -> None:
        """End the exchange: close the WebSocket if the handler left it open."""
        if self._eof_sent:
            return
        self._eof_sent = True
        if self._conn is not None:
            await self._conn.close()

    @override
    async def write(self, data: bytes | bytearray | memoryview) -> None:
        """Not for WebSockets: use :meth:`send_bytes`."""
        raise RuntimeError("use send_str()/send_bytes() on a WebSocketResponse")


def negotiate(request: Request, response: StreamResponse) -> WebSocketConnection:
    """Accept a WebSocket handshake for ``response`` (the ``"websocket"`` upgrade handler).

    A :class:`WebSocketResponse` brings its own options; any other response (a plain
    ``StreamResponse`` given to ``switch_protocols``) gets the defaults.

    Raises:
        HTTPBadRequest: an invalid handshake (also a ``Sec-WebSocket-Version`` other
            than 13, answered with ``Sec-WebSocket-Version: 13``).
    """
    if isinstance(response, WebSocketResponse):
        return response._negotiate(request)
    ws = WebSocketResponse()
    conn = ws._negotiate(request)
    for name, value in ws.headers.items():
        response.headers[name] = value
    return conn
