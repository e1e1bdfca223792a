"""The asyncio edge of a WebSocket: one protocol object per connection, both roles."""

from __future__ import annotations

import asyncio
import json
import logging
from collections import deque
from collections.abc import Callable
from typing import Any, Final

from ._types import WSMessage, WSMsgType
from .sansio import (
    NEED_DATA,
    BinaryMessage,
    Close,
    FrameReader,
    FrameWriter,
    Ping,
    Pong,
    TextMessage,
    WebSocketProtocolError,
)

__all__ = ["WebSocketConnection"]

logger = logging.getLogger("aioweb.websocket")

_CLOSED: Final = WSMessage(WSMsgType.CLOSED, None, None)
_CLOSING: Final = WSMessage(WSMsgType.CLOSING, None, None)
#: Received messages queued while the application does not read; past this the
#: socket stops being read, so a fast sender cannot make us buffer without bound.
_QUEUE_HIGH: Final = 16


class WebSocketConnection(asyncio.Protocol):
    """One open WebSocket connection: frames in and out, the close handshake, flow control.

    ``WebSocketResponse`` (server) and the client's response object both drive one.

    Args:
        reader: the frame parser for our role.
        writer: the frame writer for our role.
        autoclose: answer a peer's close frame at once.
        autoping: answer pings (and swallow pongs) without surfacing them.
        timeout: how long :meth:`close` waits for the peer's close frame.
        heartbeat: send a ping after this many idle seconds; no answer within half
            of it closes the connection (``None``: off).
    """

    def __init__(
        self,
        reader: FrameReader,
        writer: FrameWriter,
        *,
        autoclose: bool = True,
        autoping: bool = True,
        timeout: float = 10.0,
        heartbeat: float | None = None,
    ) -> None:
        self._loop = asyncio.get_running_loop()
        self._reader = reader
        self._writer = writer
        self._autoclose = autoclose
        self._autoping = autoping
        self._timeout = timeout
        self._heartbeat = heartbeat
        self._transport: asyncio.Transport | None = None
        self._queue: deque[WSMessage] = deque()
        self._waiter: asyncio.Future[None] | None = None
        self._drain_waiter: asyncio.Future[None] | None = None
        self._write_paused = False
        self._read_paused = False
        self._close_sent = False
        self._close_received = False
        self._lost = False
        self._discarding = False
        self._close_done: asyncio.Future[None] = self._loop.create_future()
        self._close_code: int | None = None
        self._close_reason = ""
        self._exception: BaseException | None = None
        self._hb_timer: asyncio.TimerHandle | None = None
        self._pong_timer: asyncio.TimerHandle | None = None
        self._linger_timer: asyncio.TimerHandle | None = None

    # -- state -----------------------------------------------------------------------

    @property
    def closed(self) -> bool:
        """Whether we sent a close frame or the connection is gone."""
        return self._close_sent or self._lost

    @property
    def close_code(self) -> int | None:
        """The close code once the close handshake happened (1006: the connection dropped)."""
        return self._close_code

    def exception(self) -> BaseException | None:
        """The error that ended the connection, if one did."""
        return self._exception

    @property
    def transport(self) -> asyncio.Transport | None:
        """The transport, ``None`` once the connection is lost."""
        return self._transport

    # -- asyncio.Protocol ----------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        """Take the transport (called by the HTTP server's ``take_over``)."""
        self._transport = transport  # type: ignore[assignment] # a stream transport here
        self._schedule_heartbeat()

    def data_received(self, data: bytes) -> None:
        """Parse what arrived and act on each event."""
        if self._lost or self._discarding:
            return
        self._schedule_heartbeat()
        reader = self._reader
        reader.feed(data)
        try:
            while (event := reader.next_event()) is not NEED_DATA:
                self._on_event(event)
        except WebSocketProtocolError as exc:
            self._protocol_error(exc)
            return
        if len(self._queue) > _QUEUE_HIGH and not self._read_paused and self._transport:
            self._read_paused = True
            self._transport.pause_reading()

    def _on_event(self, event: object) -> None:
        cls = type(event)
        if cls is TextMessage:
            if not self._close_sent:
                self._push(WSMessage(WSMsgType.TEXT, event.data, None))  # type: ignore[attr-defined]
        elif cls is BinaryMessage:
            if not self._close_sent:
                self._push(WSMessage(WSMsgType.BINARY, event.data, None))  # type: ignore[attr-defined]
        elif cls is Ping:
            data: bytes = event.data  # type: ignore[attr-defined]
            if self._autoping:
                if not self._close_sent:
                    self._send_frame(self._writer.pong(data))
            else:
                self._push(WSMessage(WSMsgType.PING, data, None))
        elif cls is Pong:
            if not self._autoping:
                self._push(WSMessage(WSMsgType.PONG, event.data, None))  # type: ignore[attr-defined]
        elif isinstance(event, Close):
            self._on_close(event)

    def _on_close(self, event: Close) -> None:
        self._close_received = True
        code = 1005 if event.code is None else event.code
        if self._close_code is None:
            self._close_code = code
            self._close_reason = event.reason
        if self._close_sent:
            # The answer to our close frame: the handshake is complete.
            self._finish()
            return
        self._push(WSMessage(WSMsgType.CLOSE, code, event.reason))
        if self._autoclose:
            # RFC 6455 §5.5.1: echo the code, then the server closes the TCP connection.
            self._close_sent = True
            self._send_frame(self._writer.close(None if event.code is None else code))
            self._finish()

    def _protocol_error(self, exc: WebSocketProtocolError) -> None:
        logger.info("closing a WebSocket with %s: %s", exc.close_code, exc.reason)
        self._exception = exc
        self._close_code = exc.close_code
        if not self._close_sent:
            self._close_sent = True
            self._send_frame(self._writer.close_for(exc))
        self._push(WSMessage(WSMsgType.ERROR, exc, None))
        self._linger()

    def _linger(self) -> None:
        """Fail the connection without losing our close frame.

        Closing a socket with unread input makes the kernel send RST, which can
        destroy the close frame before the peer reads it. So: send FIN, read and
        drop whatever still comes, and close on the peer's EOF or after ``timeout``.
        """
        if not self._close_done.done():
            self._close_done.set_result(None)
        transport = self._transport
        if transport is None:
            return
        self._discarding = True
        if self._read_paused:
            self._read_paused = False
            transport.resume_reading()
        if not transport.can_write_eof():
            transport.close()
            return
        transport.write_eof()
        self._linger_timer = self._loop.call_later(self._timeout, transport.abort)

    def eof_received(self) -> bool:
        """The peer finished sending: let the transport close."""
        return False

    def _finish(self) -> None:
        if not self._close_done.done():
            self._close_done.set_result(None)
        transport = self._transport
        if transport is not None:
            transport.close()

    def connection_lost(self, exc: Exception | None) -> None:
        """The transport closed: wake everybody who waits."""
        self._lost = True
        self._discarding = False
        self._transport = None
        if self._close_code is None:
            self._close_code = 1006
        if exc is not None and self._exception is None:
            self._exception = exc
        for timer in (self._hb_timer, self._pong_timer, self._linger_timer):
            if timer is not None:
                timer.cancel()
        if not self._close_done.done():
            self._close_done.set_result(None)
        self._wake()
        drain = self._drain_waiter
        if drain is not None and not drain.done():
            drain.set_exception(ConnectionResetError("the WebSocket connection was lost"))
            drain.exception()  # nobody may be awaiting it: do not warn
        self._drain_waiter = None

    def pause_writing(self) -> None:
        """The transport's buffer is over its high-water mark."""
        self._write_paused = True

    def resume_writing(self) -> None:
        """The transport's buffer drained."""
        self._write_paused = False
        waiter = self._drain_waiter
        self._drain_waiter = None
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    # -- receiving ---------------------------------------------------------------------

    def _push(self, msg: WSMessage) -> None:
        self._queue.append(msg)
        self._wake()

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None:
            self._waiter = None
            if not waiter.done():
                waiter.set_result(None)

    async def receive(self, timeout: float | None = None) -> WSMessage:
        """The next message; CLOSING while our close is in progress, then CLOSED.

        Raises:
            asyncio.TimeoutError: nothing arrived within ``timeout``.
            RuntimeError: another task is already receiving.
        """
        while True:
            queue = self._queue
            if queue:
                msg = queue.popleft()
                if self._read_paused and len(queue) <= _QUEUE_HIGH // 2:
                    self._read_paused = False
                    if self._transport is not None:
                        self._transport.resume_reading()
                return msg
            if self._lost or self._close_received:
                return _CLOSED
            if self._close_sent:
                return _CLOSING
            if self._waiter is not None:
                raise RuntimeError("concurrent call to receive() is not allowed")
            waiter = self._waiter = self._loop.create_future()
            try:
                if timeout is None:
                    await waiter
                else:
                    await asyncio.wait_for(waiter, timeout)
            finally:
                self._waiter = None

    # -- sending -----------------------------------------------------------------------

    def _send_frame(self, data: bytes) -> None:
        transport = self._transport
        if transport is not None and not transport.is_closing():
            transport.write(data)

    async def _send(self, data: bytes) -> None:
        if self._close_sent or self._lost or self._transport is None:
            raise ConnectionResetError("cannot send on a closing WebSocket")
        self._transport.write(data)
        if self._write_paused:
            await self.drain()

    async def drain(self) -> None:
        """Wait while the transport's buffer is over its high-water mark."""
        if self._lost:
            raise ConnectionResetError("the WebSocket connection was lost")
        if not self._write_paused:
            return
        waiter = self._drain_waiter
        if waiter is None:
            waiter = self._drain_waiter = self._loop.create_future()
        await asyncio.shield(waiter)

    async def send_str(self, data: str, compress: bool | None = None) -> None:
        """Send a text message (and wait for the buffer to drain)."""
        if not isinstance(data, str):
            raise TypeError(f"data argument must be str ({type(data)!r})")
        await self._send(self._writer.text(data, compress=compress is not False))

    async def send_bytes(
        self, data: bytes | bytearray | memoryview, compress: bool | None = None
    ) -> None:
        """Send a binary message (and wait for the buffer to drain)."""
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise TypeError(f"data argument must be byte-ish ({type(data)!r})")
        await self._send(self._writer.binary(bytes(data), compress=compress is not False))

    async def send_json(
        self, data: Any, compress: bool | None = None, *, dumps: Callable[[Any], str] = json.dumps
    ) -> None:
        """Send ``dumps(data)`` as a text message."""
        await self.send_str(dumps(data), compress=compress)

    async def ping(self, message: bytes = b"") -> None:
        """Send a ping (at most 125 bytes)."""
        await self._send(self._writer.ping(message))

    async def pong(self, message: bytes = b"") -> None:
        """Send an unsolicited pong (at most 125 bytes)."""
        await self._send(self._writer.pong(message))

    async def shutdown(self) -> None:
        """The server is stopping: close with 1001 (going away); called by aioweb-http."""
        await self.close(code=1001, message=b"server shutdown")

    async def close(self, *, code: int = 1000, message: bytes | str = b"") -> bool:
        """Run the closing handshake; ``False`` when it was already done.

        Waits up to ``timeout`` for the peer's close frame, then drops the connection.
        """
        if self._close_sent or self._lost:
            if not self._lost and not self._close_done.done():
                await self._wait_close()
            return False
        self._close_sent = True
        if self._close_code is None or not self._close_received:
            self._close_code = code
        self._send_frame(self._writer.close(code, message))
        if self._close_received:
            self._finish()
        else:
            await self._wait_close()
        return True

    async def _wait_close(self) -> None:
        try:
            await asyncio.wait_for(asyncio.shield(self._close_done), self._timeout)
        except asyncio.TimeoutError:
            self._close_code = 1006
            if self._transport is not None:
                self._transport.abort()
            return
        self._finish()

    # -- heartbeat -----------------------------------------------------------------------

    def _schedule_heartbeat(self) -> None:
        if self._heartbeat is None:
            return
        if self._pong_timer is not None:
            self._pong_timer.cancel()
            self._pong_timer = None
        if self._hb_timer is not None:
            self._hb_timer.cancel()
        self._hb_timer = self._loop.call_later(self._heartbeat, self._send_heartbeat)

    def _send_heartbeat(self) -> None:
        self._hb_timer = None
        if self._heartbeat is None or self.closed:
            return
        self._send_frame(self._writer.ping(b""))
        self._pong_timer = self._loop.call_later(self._heartbeat / 2, self._heartbeat_timeout)

    def _heartbeat_timeout(self) -> None:
        self._pong_timer = None
        if self._lost:
            return
        self._exception = asyncio.TimeoutError("no pong within the heartbeat")
        self._close_code = 1006
        if self._transport is not None:
            self._transport.abort()
