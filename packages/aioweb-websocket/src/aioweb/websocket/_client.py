"""The client side over a plain asyncio connection (``ClientSession.ws_connect`` builds on it)."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Iterable, Mapping

from yarl import URL

from aioweb.http.sansio import NEED_DATA, PAUSED, Limits, ParseError, ResponseHead, ResponseParser
from aioweb.http.sansio import request_head as build_request_head

from ._api import WebSocketMessages
from ._connection import WebSocketConnection
from .sansio import (
    DEFAULT_MAX_MSG_SIZE,
    DeflateParams,
    FrameReader,
    FrameWriter,
    HandshakeError,
    MaskBackend,
    check_response,
    client_request,
    deflate_pair,
    get_masker,
)

__all__ = [
    "ClientWebSocketResponse",
    "HandshakeReader",
    "WSServerHandshakeError",
    "client_connection",
    "ws_connect",
]


class WSServerHandshakeError(HandshakeError):
    """The server refused the opening handshake or answered it wrongly (``status``)."""


class ClientWebSocketResponse(WebSocketMessages):
    """The client's side of an open WebSocket (the same message API as the server's).

    Built by :func:`ws_connect`.
    """

    __slots__ = ("_conn", "_protocol", "_receive_timeout", "response_headers")

    def __init__(
        self,
        conn: WebSocketConnection,
        protocol: str | None,
        receive_timeout: float | None,
        response_headers: tuple[tuple[str, str], ...],
    ) -> None:
        self._conn = conn
        self._protocol = protocol
        self._receive_timeout = receive_timeout
        #: The header fields of the server's ``101`` answer.
        self.response_headers = response_headers

    async def __aenter__(self) -> ClientWebSocketResponse:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()


class HandshakeReader(asyncio.Protocol):
    """Reads the server's answer to a client's opening handshake, then steps aside.

    Install it on a connection after writing the handshake request; ``done`` gets
    ``(head, rest)``: the 101 head and the bytes after it (already frames), or a refusing
    head (status >= 200, not 101) and ``b""``. Interim 1xx answers are skipped. A bad
    answer or an early close sets :class:`WSServerHandshakeError` on ``done``.

    Args:
        done: the future to resolve.
        limits: the response parser's limits (its defaults when ``None``).
    """

    def __init__(
        self, done: asyncio.Future[tuple[ResponseHead, bytes]], limits: Limits | None = None
    ) -> None:
        self._parser = ResponseParser() if limits is None else ResponseParser(limits)
        self._parser.expect_response("GET")
        self._done = done
        self._head: ResponseHead | None = None

    def data_received(self, data: bytes) -> None:
        """Feed the answer; resolve ``done`` once the head is complete."""
        if self._done.done():
            return
        self._parser.feed(data)
        try:
            while (event := self._parser.next_event()) is not NEED_DATA:
                if type(event) is ResponseHead:
                    if event.status == 101:
                        self._head = event  # PAUSED follows; the rest is WebSocket frames
                    elif event.status >= 200:  # refused: only the status and fields count
                        self._done.set_result((event, b""))
                        return
                elif event is PAUSED:
                    if self._head is not None:
                        self._done.set_result((self._head, bytes(self._parser.trailing_data)))
                    return
        except ParseError as exc:
            self._done.set_exception(WSServerHandshakeError(0, f"invalid response: {exc.reason}"))

    def connection_lost(self, exc: Exception | None) -> None:
        """Fail ``done`` if the server closed before answering."""
        if not self._done.done():
            self._done.set_exception(
                WSServerHandshakeError(0, "the server closed the connection during the handshake")
            )


async def ws_connect(
    url: str | URL,
    *,
    protocols: Iterable[str] = (),
    headers: Mapping[str, str] | None = None,
    compress: bool = True,
    max_msg_size: int = DEFAULT_MAX_MSG_SIZE,
    autoclose: bool = True,
    autoping: bool = True,
    heartbeat: float | None = None,
    timeout: float = 10.0,
    receive_timeout: float | None = None,
    ssl_context: ssl.SSLContext | None = None,
    mask_backend: MaskBackend = "auto",
) -> ClientWebSocketResponse:
    """Open a WebSocket to ``url`` (``ws://`` or ``wss://``) and complete the handshake.

    ``mask_backend`` picks how our frames are masked (see :func:`client_connection`).

    Raises:
        WSServerHandshakeError: the server refused or botched the handshake.
        OSError: the connection failed.
        asyncio.TimeoutError: no answer within ``timeout``.
        ValueError: not a ``ws://``/``wss://`` URL, or an unknown ``mask_backend``.
        ImportError: ``mask_backend="speedups"`` without the extra.
    """
    get_masker(mask_backend)  # an unknown or missing back-end fails before connecting
    target = URL(url)
    if target.scheme not in ("ws", "wss") or not target.host:
        raise ValueError(f"not a ws:// or wss:// URL: {url}")
    secure = target.scheme == "wss"
    port = target.port or (443 if secure else 80)
    handshake = client_request(protocols=tuple(protocols), compress=compress)
    host = target.host if target.is_default_port() else f"{target.host}:{port}"
    fields = [("Host", host), *handshake.headers, *(headers or {}).items()]
    loop = asyncio.get_running_loop()
    done: asyncio.Future[tuple[ResponseHead, bytes]] = loop.create_future()
    sslarg: ssl.SSLContext | bool | None = (ssl_context or True) if secure else None
    transport, _ = await asyncio.wait_for(
        loop.create_connection(lambda: HandshakeReader(done), target.host, port, ssl=sslarg),
        timeout,
    )
    try:
        transport.write(build_request_head("GET", target.raw_path_qs, fields))
        head, rest = await asyncio.wait_for(done, timeout)
        answer = tuple((n.decode("latin-1"), v.decode("latin-1")) for n, v in head.headers)
        try:
            protocol, deflate = check_response(handshake, head.status, answer)
        except HandshakeError as exc:
            raise WSServerHandshakeError(head.status, exc.reason) from exc
    except BaseException:
        transport.close()
        raise
    return client_connection(
        transport,
        rest,
        protocol=protocol,
        deflate=deflate,
        answer=answer,
        max_msg_size=max_msg_size,
        autoclose=autoclose,
        autoping=autoping,
        heartbeat=heartbeat,
        timeout=timeout,
        receive_timeout=receive_timeout,
        mask_backend=mask_backend,
    )


def client_connection(
    transport: asyncio.BaseTransport,
    rest: bytes = b"",
    *,
    protocol: str | None,
    deflate: DeflateParams | None,
    answer: tuple[tuple[str, str], ...],
    max_msg_size: int = DEFAULT_MAX_MSG_SIZE,
    autoclose: bool = True,
    autoping: bool = True,
    heartbeat: float | None = None,
    timeout: float = 10.0,
    receive_timeout: float | None = None,
    mask_backend: MaskBackend = "auto",
) -> ClientWebSocketResponse:
    """Turn a connection whose handshake succeeded into a client WebSocket.

    For clients that open the connection themselves (through a proxy tunnel, say):
    after sending the handshake of :func:`~aioweb.websocket.sansio.client_request` and
    checking the answer with :func:`~aioweb.websocket.sansio.check_response`, hand
    over the transport and what it received after the response head (``rest``).

    Args:
        transport: the connection; its protocol is replaced.
        rest: bytes that arrived after the 101 response head (frames already).
        protocol: the subprotocol the server chose.
        deflate: the negotiated permessage-deflate parameters, if any.
        answer: the 101 response's header fields (``ClientWebSocketResponse.headers``).
        max_msg_size: largest message accepted (close 1009 above it).
        autoclose: answer a close frame automatically.
        autoping: answer pings automatically.
        heartbeat: send a ping this often (seconds), if set.
        timeout: how long a close handshake may take.
        receive_timeout: default timeout of ``receive()``.
        mask_backend: how our frames are masked: ``"auto"`` (the compiled XOR of
            ``aioweb-websocket[speedups]`` when installed), ``"pure"`` or ``"speedups"``.

    Returns:
        The client WebSocket, already reading.
    """
    deflater = inflater = None
    if deflate is not None:
        deflater, inflater = deflate_pair(deflate, client=True)
    masker = get_masker(mask_backend)
    conn = WebSocketConnection(
        FrameReader(client=True, max_msg_size=max_msg_size, inflater=inflater, masker=masker),
        FrameWriter(client=True, deflater=deflater, masker=masker),
        autoclose=autoclose,
        autoping=autoping,
        timeout=timeout,
        heartbeat=heartbeat,
    )
    transport.set_protocol(conn)
    conn.connection_made(transport)
    if rest:
        conn.data_received(rest)
    return ClientWebSocketResponse(conn, protocol, receive_timeout, answer)
