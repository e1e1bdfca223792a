"""``StreamReader``: the request body as an async byte stream, with flow control."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator, Callable
from typing import Final

from ._errors import AiowebError

__all__ = ["EMPTY_PAYLOAD", "EofStream", "PayloadError", "StreamReader"]


class EofStream(AiowebError):  # noqa: N818 - aiohttp's public name
    """Raised by ``readexactly`` when the stream ends early."""


class PayloadError(AiowebError):
    """The body could not be read completely (the peer closed or sent bad framing)."""


class StreamReader:
    """A buffered byte stream fed by the server and read by the application.

    When more than ``high_water`` bytes are buffered, ``pause`` is called (the
    server stops reading the socket); once the buffer drains below half of it,
    ``resume`` is called.

    Args:
        high_water: buffered bytes that trigger ``pause``.
        pause: called when the buffer is full (stop reading from the peer).
        resume: called when the buffer has room again.
        on_first_wait: called once, the first time a reader waits for data (the
            server sends ``100 Continue`` then: RFC 9110 §10.1.1 lets it wait until
            the application asks for the body).
    """

    __slots__ = (
        "_buffer",
        "_eof",
        "_exception",
        "_high_water",
        "_on_first_wait",
        "_pause",
        "_paused",
        "_resume",
        "_size",
        "_total",
        "_waiter",
    )

    def __init__(
        self,
        *,
        high_water: int = 2**17,
        pause: Callable[[], None] | None = None,
        resume: Callable[[], None] | None = None,
        on_first_wait: Callable[[], None] | None = None,
    ) -> None:
        self._on_first_wait = on_first_wait
        self._buffer: deque[bytes] = deque()
        self._size = 0
        self._total = 0
        self._eof = False
        self._exception: BaseException | None = None
        self._waiter: asyncio.Future[None] | None = None
        self._high_water = high_water
        self._pause = pause
        self._resume = resume
        self._paused = False

    # -- producer side (the server) -------------------------------------------------

    def feed_data(self, data: bytes) -> None:
        """Append body bytes (called by the server)."""
        if not data:
            return
        self._buffer.append(data)
        self._size += len(data)
        self._total += len(data)
        self._wake()
        if self._pause is not None and not self._paused and self._size > self._high_water:
            self._paused = True
            self._pause()

    def feed_eof(self) -> None:
        """Mark the end of the body (called by the server)."""
        self._eof = True
        self._wake()

    def set_exception(self, exc: BaseException) -> None:
        """Fail every pending and future read with ``exc``."""
        self._exception = exc
        self._wake()

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None:
            self._waiter = None
            if not waiter.done():
                waiter.set_result(None)

    # -- consumer side (the application) --------------------------------------------

    @property
    def total_bytes(self) -> int:
        """Bytes fed so far."""
        return self._total

    def exception(self) -> BaseException | None:
        """The error the stream failed with, if any."""
        return self._exception

    def is_eof(self) -> bool:
        """The producer has signalled the end (data may still be buffered)."""
        return self._eof

    def at_eof(self) -> bool:
        """The end was signalled and everything buffered was read."""
        return self._eof and not self._buffer

    async def _wait(self) -> None:
        if self._exception is not None:
            raise self._exception
        if self._on_first_wait is not None:
            callback, self._on_first_wait = self._on_first_wait, None
            callback()
        if self._waiter is not None:
            raise RuntimeError("another coroutine is already waiting on this stream")
        self._waiter = asyncio.get_running_loop().create_future()
        try:
            await self._waiter
        finally:
            self._waiter = None
        if self._exception is not None:
            raise self._exception

    def _take(self, n: int) -> bytes:
        """Take up to ``n`` (``-1``: all) buffered bytes."""
        buf = self._buffer
        if n < 0 or n >= self._size:
            data = buf.popleft() if len(buf) == 1 else b"".join(buf)
            buf.clear()
        else:
            parts: list[bytes] = []
            need = n
            while need:
                head = buf[0]
                if len(head) <= need:
                    parts.append(buf.popleft())
                    need -= len(head)
                else:
                    parts.append(head[:need])
                    buf[0] = head[need:]
                    need = 0
            data = b"".join(parts)
        self._size -= len(data)
        if self._paused and self._size <= self._high_water // 2:
            self._paused = False
            if self._resume is not None:
                self._resume()
        return data

    async def readany(self) -> bytes:
        """Whatever is buffered (waiting for something); ``b""`` at the end."""
        while not self._buffer and not self._eof:
            await self._wait()
        if self._exception is not None and not self._buffer:
            raise self._exception
        return self._take(-1) if self._buffer else b""

    async def read(self, n: int = -1) -> bytes:
        """Up to ``n`` bytes, or (``n=-1``) everything until the end."""
        if n < 0:
            while not self._eof:
                await self._wait()
            if self._exception is not None:
                raise self._exception
            return self._take(-1) if self._buffer else b""
        if n == 0:
            return b""
        while not self._buffer and not self._eof:
            await self._wait()
        return self._take(n) if self._buffer else b""

    async def readexactly(self, n: int) -> bytes:
        """Exactly ``n`` bytes.

        Raises:
            EofStream: the body ended first.
        """
        while self._size < n and not self._eof:
            await self._wait()
        if self._size < n:
            raise EofStream(f"expected {n} bytes, the body has {self._size} left")
        return self._take(n)

    async def readline(self, *, max_line_size: int = 2**16) -> bytes:
        """One line including its ``\\n`` (the last line may lack it).

        Raises:
            ValueError: no newline within ``max_line_size`` bytes.
        """
        while True:
            joined = b"".join(self._buffer)
            idx = joined.find(b"\n")
            if idx >= 0:
                return self._take(idx + 1)
            if len(joined) > max_line_size:
                raise ValueError(f"line longer than {max_line_size} bytes")
            if self._eof:
                return self._take(-1) if self._buffer else b""
            await self._wait()

    async def iter_chunked(self, n: int) -> AsyncIterator[bytes]:
        """Yield chunks of at most ``n`` bytes until the end."""
        while chunk := await self.read(n):
            yield chunk

    async def iter_any(self) -> AsyncIterator[bytes]:
        """Yield data as it arrives until the end."""
        while chunk := await self.readany():
            yield chunk

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self._lines()

    async def _lines(self) -> AsyncIterator[bytes]:
        while line := await self.readline():
            yield line


class _EmptyStreamReader(StreamReader):
    """A body that is known to be empty; shared, never fed."""

    __slots__ = ()

    def __init__(self) -> None:
        super().__init__()
        self._eof = True

    def feed_data(self, data: bytes) -> None:
        if data:
            raise RuntimeError("EMPTY_PAYLOAD cannot be fed")

    def set_exception(self, exc: BaseException) -> None:
        """Ignored: the shared empty body never fails."""


#: The shared stream of every request without a body.
EMPTY_PAYLOAD: Final[StreamReader] = _EmptyStreamReader()
