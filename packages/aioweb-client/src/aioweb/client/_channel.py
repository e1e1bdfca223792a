"""``Channel``: the transport side of one client connection.

Reads, writes with flow control (``drain()``), closing; the HTTP exchange on top
of it is ``ClientProtocol`` (``_protocol.py``), the timers live in the base class
(``_timers.py``).

The channel is a ``BufferedProtocol``: the transport reads into one buffer per
connection. With plain ``data_received`` the loop allocates a 256 KiB ``bytes``
per read and shrinks it, which glibc may serve with an ``mmap``/``munmap`` pair
per response (measured on the client benchmark: about 15 µs per request).
"""

from __future__ import annotations

import asyncio
from typing import Final, cast

from ._errors import ClientOSError
from ._timers import TimedProtocol

__all__ = ["READ_BUFFER_SIZE", "Channel"]

#: Bytes read from the socket at once, into each connection's own buffer.
READ_BUFFER_SIZE: Final = 2**16


class Channel(TimedProtocol, asyncio.BufferedProtocol):
    """The transport side of a client connection; subclasses implement ``data_received``.

    Args:
        loop: The running loop.
        peer: ``host:port`` (or the socket path), for error messages.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop, peer: str) -> None:
        super().__init__(loop, peer)
        self.transport: asyncio.Transport | None = None
        self._closed = loop.create_future()
        self._broken = False
        self._read_view: memoryview | None = None  # made on the first read
        self._write_paused = False
        self._drain_waiter: asyncio.Future[None] | None = None

    # -- asyncio.BufferedProtocol ----------------------------------------------------

    def get_buffer(self, sizehint: int) -> memoryview:
        view = self._read_view
        if view is None:
            view = self._read_view = memoryview(bytearray(READ_BUFFER_SIZE))
        return view

    def buffer_updated(self, nbytes: int) -> None:
        view = self._read_view
        if view is not None and nbytes:
            self.data_received(bytes(view[:nbytes]))

    def data_received(self, data: bytes) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # No isinstance check: uvloop's transports implement the interface without
        # subclassing asyncio.Transport.
        self.transport = cast("asyncio.Transport", transport)

    def eof_received(self) -> bool:
        return False  # close our side too; connection_lost follows

    def pause_writing(self) -> None:
        self._write_paused = True

    def resume_writing(self) -> None:
        self._write_paused = False
        self._wake_drain(None)

    @property
    def is_closed(self) -> bool:
        """Whether the connection is closed or closing."""
        return self._closed.done() or self.transport is None or self.transport.is_closing()

    async def wait_closed(self) -> None:
        """Wait until the transport reported the connection lost."""
        await asyncio.shield(self._closed)

    def close(self) -> None:
        """Close the connection (buffered writes are flushed first)."""
        self._broken = True
        if self.transport is not None and not self.transport.is_closing():
            self.transport.close()

    def abort(self) -> None:
        """Close the connection at once, dropping buffered writes."""
        self._broken = True
        if self.transport is not None:
            # close() first: on Python 3.10 an SSL transport that is only
            # aborted still warns "unclosed transport" when collected.
            self.transport.close()
            self.transport.abort()

    def write(self, data: bytes) -> None:
        """Write ``data`` to the server.

        Raises:
            ClientOSError: The connection is closed.
        """
        transport = self.transport
        if transport is None or transport.is_closing():
            raise ClientOSError(f"cannot write to {self.peer}: the connection is closed")
        transport.write(data)

    async def drain(self) -> None:
        """Wait while the transport's write buffer is full.

        Raises:
            ClientOSError: The connection was lost meanwhile.
        """
        if self.is_closed:
            raise ClientOSError(f"cannot write to {self.peer}: the connection is closed")
        if not self._write_paused:
            return
        waiter = self._drain_waiter = self._loop.create_future()
        try:
            await waiter
        finally:
            self._drain_waiter = None

    def _wake_drain(self, exc: BaseException | None) -> None:
        waiter = self._drain_waiter
        if waiter is not None and not waiter.done():
            if exc is None:
                waiter.set_result(None)
            else:
                waiter.set_exception(exc)
