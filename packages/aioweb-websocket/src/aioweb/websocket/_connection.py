"""The asyncio edge of a WebSocket: one protocol object per connection, both roles."""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from typing import Final

from ._sending import FrameSender
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
_TEXT: Final = WSMsgType.TEXT
_BINARY: Final = WSMsgType.BINARY


class WebSocketConnection(FrameSender, asyncio.Protocol):
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
        self._out: list[bytes] = []  # frames waiting for one joined write
        self._out_size = 0
        self._deferred: WebSocketProtocolError | None = None
        self._deferred_timer: asyncio.TimerHandle | None = None

    # -- state -----------------------------------------------------------------------

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
        if self._heartbeat is not None:
            self._schedule_heartbeat()
        reader = self._reader
        reader.feed(data)
        queue = self._queue
        try:
            while (event := reader.next_event()) is not NEED_DATA:
                cls = type(event)
                if cls is TextMessage or cls is BinaryMessage:
                    if not self._close_sent:
                        kind = _TEXT if cls is TextMessage else _BINARY
                        queue.append(WSMessage(kind, event.data, None))  # type: ignore[union-attr]
                else:
                    self._on_event(event)
        except WebSocketProtocolError as exc:
            self._wake()
            if queue and not self._close_sent:
                self._defer_error(exc)
            else:
                self._protocol_error(exc)
            return
        self._wake()
        if len(queue) > _QUEUE_HIGH and not self._read_paused and self._transport:
            self._read_paused = True
            self._transport.pause_reading()

    def _on_event(self, event: object) -> None:
        """A control frame (data messages are queued by ``data_received`` itself)."""
        cls = type(event)
        if cls is Ping:
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

    def _defer_error(self, exc: WebSocketProtocolError) -> None:
        """Fail the connection once the application took the messages before ``exc``.

        RFC 6455 §7.1.7 says to fail at once, but the messages that arrived whole
        before the bad frame are valid: the application gets them first, so what it
        answers to them leaves before our close frame. Input is ignored meanwhile;
        an application that does not read is failed after ``timeout``.
        """
        self._discarding = True
        self._deferred = exc
        self._push(WSMessage(WSMsgType.ERROR, exc, None))
        self._deferred_timer = self._loop.call_later(self._timeout, self._fail_deferred)

    def _fail_deferred(self) -> None:
        exc = self._deferred
        if exc is not None:
            self._deferred = None
            if self._deferred_timer is not None:
                self._deferred_timer.cancel()
                self._deferred_timer = None
            self._protocol_error(exc, surface=False)

    def _protocol_error(self, exc: WebSocketProtocolError, *, surface: bool = True) -> None:
        logger.info("closing a WebSocket with %s: %s", exc.close_code, exc.reason)
        self._exception = exc
        self._close_code = exc.close_code
        if not self._close_sent:
            self._close_sent = True
            self._send_frame(self._writer.close_for(exc))
        if surface:
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
        try:
            transport.write_eof()
        except OSError:  # the peer is gone already (ENOTCONN): nothing to linger for
            transport.abort()
            return
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
        self._out = []
        self._deferred = None
        for timer in (self._hb_timer, self._pong_timer, self._linger_timer, self._deferred_timer):
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
                if self._deferred is not None and msg.data is self._deferred:
                    self._fail_deferred()
                return msg
            if self._out:
                self._flush()
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
