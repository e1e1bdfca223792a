"""Sending and heartbeats: the outgoing half of :class:`WebSocketConnection`."""

from __future__ import annotations

import asyncio
import json
from collections import deque
from collections.abc import Callable
from typing import Any, Final

from ._types import WSMessage
from .sansio import FrameWriter

__all__ = ["FrameSender"]

#: Frames sent while the application still has received messages to handle are
#: joined into one ``transport.write`` (one syscall per batch instead of per frame),
#: up to this many bytes.
_COALESCE: Final = 65536


class FrameSender:
    """The send side of a connection; :class:`WebSocketConnection` sets every attribute."""

    _loop: asyncio.AbstractEventLoop
    _writer: FrameWriter
    _transport: asyncio.Transport | None
    _queue: deque[WSMessage]
    _out: list[bytes]
    _out_size: int
    _write_paused: bool
    _drain_waiter: asyncio.Future[None] | None
    _close_sent: bool
    _lost: bool
    _close_code: int | None
    _exception: BaseException | None
    _heartbeat: float | None
    _hb_timer: asyncio.TimerHandle | None
    _pong_timer: asyncio.TimerHandle | None

    @property
    def closed(self) -> bool:
        """Whether we sent a close frame or the connection is gone."""
        return self._close_sent or self._lost

    # -- sending -----------------------------------------------------------------------

    def _send_frame(self, data: bytes) -> None:
        """Write a frame of our own (control frames) after anything still held back."""
        transport = self._transport
        if transport is not None and not transport.is_closing():
            if self._out:
                self._out.append(data)
                self._flush()
            else:
                transport.write(data)

    def _flush(self) -> None:
        out = self._out
        if not out:
            return
        self._out = []
        self._out_size = 0
        transport = self._transport
        if transport is not None and not transport.is_closing():
            transport.write(out[0] if len(out) == 1 else b"".join(out))

    def _write(self, data: bytes) -> bool:
        """Send one data frame; ``True`` when the caller must wait for the buffer to drain.

        While received messages wait in the queue the application is about to
        answer them too: the frame is held and the batch leaves in one write (when
        the queue runs dry, at the next loop iteration, or past ``_COALESCE`` bytes).
        """
        transport = self._transport
        if self._close_sent or self._lost or transport is None:
            raise ConnectionResetError("cannot send on a closing WebSocket")
        out = self._out
        if self._queue and len(data) < _COALESCE:
            if not out:
                self._loop.call_soon(self._flush)
            out.append(data)
            self._out_size += len(data)
            if self._out_size >= _COALESCE:
                self._flush()
        elif out:
            out.append(data)
            self._flush()
        else:
            transport.write(data)
        return self._write_paused

    def _write_parts(self, parts: list[bytes]) -> bool:
        """Send one big data frame as its pieces, one write each: no joined copy.

        Not ``writelines``: CPython 3.13.0's selector transport does not pause the
        protocol from it, which would lose back-pressure.
        """
        transport = self._transport
        if self._close_sent or self._lost or transport is None:
            raise ConnectionResetError("cannot send on a closing WebSocket")
        if self._out:
            self._flush()
        for part in parts:
            transport.write(part)
        return self._write_paused

    async def _send(self, data: bytes) -> None:
        if self._write(data):
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

    def _message(self, raw: bytes, text: bool, compress: bool | None) -> bool:
        """Write one data message; ``True`` when the caller must wait for the drain."""
        writer = self._writer
        if len(raw) < _COALESCE:
            return self._write(writer.message(raw, text=text, compress=compress is not False))
        return self._write_parts(
            writer.message_parts(raw, text=text, compress=compress is not False)
        )

    def _write_str(self, data: str, compress: bool | None = None) -> bool:
        """The synchronous half of :meth:`send_str` (``True``: await :meth:`drain`).

        ``WebSocketMessages`` calls it directly: one coroutine less per message.
        """
        if not isinstance(data, str):
            raise TypeError(f"data argument must be str ({type(data)!r})")
        return self._message(data.encode("utf-8"), True, compress)

    def _write_bytes(
        self, data: bytes | bytearray | memoryview, compress: bool | None = None
    ) -> bool:
        """The synchronous half of :meth:`send_bytes` (``True``: await :meth:`drain`)."""
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise TypeError(f"data argument must be byte-ish ({type(data)!r})")
        return self._message(bytes(data), False, compress)

    async def send_str(self, data: str, compress: bool | None = None) -> None:
        """Send a text message (and wait for the buffer to drain)."""
        if self._write_str(data, compress):
            await self.drain()

    async def send_bytes(
        self, data: bytes | bytearray | memoryview, compress: bool | None = None
    ) -> None:
        """Send a binary message (and wait for the buffer to drain)."""
        if self._write_bytes(data, compress):
            await self.drain()

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
