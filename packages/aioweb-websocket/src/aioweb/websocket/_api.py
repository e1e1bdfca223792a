"""The message API shared by the server's and the client's WebSocket objects."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from typing_extensions import Self

from ._connection import WebSocketConnection
from ._types import WSMessage, WSMsgType

__all__ = ["WebSocketMessages"]

_STOP = frozenset((WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.CLOSED))


class WebSocketMessages:
    """aiohttp's WebSocket message API over a :class:`WebSocketConnection`.

    Subclasses provide ``_conn``, ``_protocol`` and ``_receive_timeout``.
    """

    __slots__ = ()
    _conn: WebSocketConnection | None
    _receive_timeout: float | None
    _protocol: str | None

    def _connection(self) -> WebSocketConnection:
        conn = self._conn
        if conn is None:
            raise RuntimeError("call prepare() first")
        return conn

    @property
    def ws_protocol(self) -> str | None:
        """The negotiated subprotocol."""
        return self._protocol

    @property
    def closed(self) -> bool:
        """Whether the close handshake started (or the connection is gone)."""
        return self._conn is not None and self._conn.closed

    @property
    def close_code(self) -> int | None:
        """The close code, once closed."""
        return None if self._conn is None else self._conn.close_code

    def exception(self) -> BaseException | None:
        """The error that ended the connection, if any."""
        return None if self._conn is None else self._conn.exception()

    async def receive(self, timeout: float | None = None) -> WSMessage:
        """The next message (see :class:`WSMsgType`); ``timeout`` overrides ``receive_timeout``."""
        return await self._connection().receive(
            self._receive_timeout if timeout is None else timeout
        )

    async def receive_str(self, *, timeout: float | None = None) -> str:
        """The next message, which must be TEXT.

        Raises:
            TypeError: another kind of message arrived.
        """
        msg = await self.receive(timeout)
        if msg.type is not WSMsgType.TEXT:
            raise TypeError(f"Received message {msg.type}:{msg.data!r} is not WSMsgType.TEXT")
        return msg.data  # type: ignore[no-any-return]

    async def receive_bytes(self, *, timeout: float | None = None) -> bytes:
        """The next message, which must be BINARY.

        Raises:
            TypeError: another kind of message arrived.
        """
        msg = await self.receive(timeout)
        if msg.type is not WSMsgType.BINARY:
            raise TypeError(f"Received message {msg.type}:{msg.data!r} is not WSMsgType.BINARY")
        return msg.data  # type: ignore[no-any-return]

    async def receive_json(
        self, *, loads: Callable[[str], Any] = json.loads, timeout: float | None = None
    ) -> Any:
        """The next TEXT message parsed as JSON."""
        return loads(await self.receive_str(timeout=timeout))

    async def send_str(self, data: str, compress: bool | None = None) -> None:
        """Send a text message, waiting while the client does not read."""
        conn = self._connection()
        if conn._write_str(data, compress):
            await conn.drain()

    async def send_bytes(
        self, data: bytes | bytearray | memoryview, compress: bool | None = None
    ) -> None:
        """Send a binary message, waiting while the client does not read."""
        conn = self._connection()
        if conn._write_bytes(data, compress):
            await conn.drain()

    async def send_json(
        self, data: Any, compress: bool | None = None, *, dumps: Callable[[Any], str] = json.dumps
    ) -> None:
        """Send ``dumps(data)`` as a text message."""
        await self._connection().send_json(data, compress, dumps=dumps)

    async def ping(self, message: bytes = b"") -> None:
        """Send a ping."""
        await self._connection().ping(message)

    async def pong(self, message: bytes = b"") -> None:
        """Send an unsolicited pong."""
        await self._connection().pong(message)

    async def close(self, *, code: int = 1000, message: bytes | str = b"") -> bool:
        """Close the WebSocket; ``False`` when it was already closed."""
        return await self._connection().close(code=code, message=message)

    def __aiter__(self) -> Self:
        return self

    async def __anext__(self) -> WSMessage:
        msg = await self._connection().receive(self._receive_timeout)
        if msg.type in _STOP:
            raise StopAsyncIteration
        return msg
