"""The asyncio edge of the client: one ``ClientProtocol`` per connection.

Bytes from the socket go through the sans-IO ``ResponseParser`` of aioweb-http;
body chunks are (optionally decompressed and) fed into the kernel's
``StreamReader``. Flow control works both ways: reading pauses while the body
buffer is full, and writers wait in ``drain()`` while the transport's buffer is.
The read, total and keep-alive timers live in its base class (``_timers.py``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Final, cast

from aioweb.http.sansio import (
    NEED_DATA,
    PAUSED,
    BodyChunk,
    Limits,
    ParseError,
    ResponseHead,
    ResponseParser,
)
from aioweb.kernel import StreamReader

from ._decompress import BodyDecoder, make_decoder
from ._errors import (
    ClientOSError,
    ClientPayloadError,
    ServerDisconnectedError,
)
from ._timers import TimedProtocol

__all__ = ["ClientProtocol"]

_CONTENT_ENCODING: Final = b"content-encoding"


class ClientProtocol(TimedProtocol):
    """One client connection: sends requests, parses their responses in order.

    Args:
        loop: The running loop.
        peer: ``host:port`` (or the socket path), for error messages.
        limits: Head and chunk limits for the response parser.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop, peer: str, limits: Limits) -> None:
        super().__init__(loop, peer)
        self._parser = ResponseParser(limits)
        self.transport: asyncio.Transport | None = None
        self._closed = loop.create_future()
        self._broken = False
        # The exchange in progress.
        self._gen = 0
        self._active = False
        self._complete = False
        self._keep_alive = False
        self._head_fut: asyncio.Future[tuple[ResponseHead, StreamReader]] | None = None
        self._payload: StreamReader | None = None
        self._decoder: BodyDecoder | None = None
        self._interim = False
        self._body_size = 0
        self._max_size: int | None = None
        self._auto_decompress = True
        self._read_bufsize = 2**16
        self._on_done: Callable[[], None] | None = None
        self._eof = False
        #: Whether any byte of the current exchange's response arrived.
        self.got_bytes = False
        #: True while a request body is still being written.
        self.writing = False
        # Flow control.
        self._body_paused = False
        self._write_paused = False
        self._drain_waiter: asyncio.Future[None] | None = None
        #: Called once when the connection is lost (the connector's hook).
        self.on_lost: Callable[[ClientProtocol], None] | None = None

    # -- asyncio.Protocol ----------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # No isinstance check: uvloop's transports implement the interface without
        # subclassing asyncio.Transport.
        self.transport = cast("asyncio.Transport", transport)

    def data_received(self, data: bytes) -> None:
        if not self._active:
            # Nothing was asked: bytes on an idle connection make it unusable.
            self._broken = True
            self.close()
            return
        self.got_bytes = True
        if self._sock_read is not None:
            self._last_read = self._loop.time()
        self._parser.feed(data)
        self._process()

    def eof_received(self) -> bool:
        return False  # close our side too; connection_lost follows

    def connection_lost(self, exc: Exception | None) -> None:
        if not self._closed.done():
            self._closed.set_result(None)
        self._broken = True
        if self._active and not self._eof:
            # EOF may legitimately end a body delimited by the close (RFC 9112 §6.3).
            self._eof = True
            self._parser.feed(b"")
            self._process()
        if self._active:
            cause = f": {exc}" if exc else ""
            if self._head_fut is not None and not self._head_fut.done():
                err: Exception = ServerDisconnectedError(
                    f"Server disconnected: {self.peer} closed the connection "
                    f"before sending a response{cause}"
                )
            else:
                err = ClientPayloadError(
                    f"Response payload is not completed: {self.peer} closed the connection{cause}"
                )
            self._fail(err)
        suffix = f": {exc}" if exc else ""
        self._wake_drain(ClientOSError(f"connection to {self.peer} lost{suffix}"))
        self._cancel_timers(idle=True)
        on_lost, self.on_lost = self.on_lost, None
        if on_lost is not None:
            on_lost(self)

    def pause_writing(self) -> None:
        self._write_paused = True

    def resume_writing(self) -> None:
        self._write_paused = False
        self._wake_drain(None)

    # -- state ---------------------------------------------------------------------

    @property
    def is_closed(self) -> bool:
        """Whether the connection is closed or closing."""
        return self._closed.done() or self.transport is None or self.transport.is_closing()

    @property
    def usable(self) -> bool:
        """Whether a new exchange may start on this connection."""
        return not (self._broken or self._active or self.is_closed)

    @property
    def reusable(self) -> bool:
        """Whether the last exchange ended cleanly on a persistent connection."""
        return self._complete and self._keep_alive and not self.writing and self.usable

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

    # -- one exchange --------------------------------------------------------------

    def start_exchange(
        self,
        method: str,
        on_done: Callable[[], None],
        *,
        auto_decompress: bool,
        max_size: int | None,
        read_bufsize: int,
        sock_read: float | None,
        deadline: float | None,
        total: float | None,
    ) -> None:
        """Prepare for the response to a request about to be written.

        Args:
            method: The request method (HEAD changes the framing).
            on_done: Called once when the exchange ends, well or badly.
            auto_decompress: Decode gzip/deflate bodies.
            max_size: The most (decoded) body bytes accepted, or None.
            read_bufsize: Buffered body bytes that pause reading.
            sock_read: The longest silence from the server, or None.
            deadline: Loop time at which the total timeout expires, or None.
            total: The total timeout, for the message.
        """
        if not self.usable:
            raise RuntimeError("the connection is not ready for a new request")
        self._parser.expect_response(method)
        self._gen += 1
        self._active = True
        self._complete = False
        self._keep_alive = False
        self._head_fut = self._loop.create_future()
        self._payload = None
        self._decoder = None
        self._interim = False
        self._body_size = 0
        self._max_size = max_size
        self._auto_decompress = auto_decompress
        self._read_bufsize = read_bufsize
        self._on_done = on_done
        self.got_bytes = False
        self._arm_timers(sock_read, deadline, total)

    async def read_head(self) -> tuple[ResponseHead, StreamReader]:
        """Wait for the final response head of the current exchange, and its body stream.

        The stream is returned with the head because the connection may serve
        another exchange before the caller resumes (a short body ends at once).

        Raises:
            ParseError: The server's response is not valid HTTP/1.1.
            ServerDisconnectedError: The server closed the connection first.
            ServerTimeoutError: A timeout expired.
        """
        if self._head_fut is None:
            raise RuntimeError("no exchange in progress")
        return await self._head_fut

    @property
    def payload(self) -> StreamReader:
        """The body stream of the current response (after ``read_head``)."""
        if self._payload is None:
            raise RuntimeError("no response head yet")
        return self._payload

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

    def fail(self, exc: BaseException) -> None:
        """End the exchange with ``exc`` (for example, the request body failed)."""
        if self._active:
            self._fail(exc)
        else:
            self.close()

    # -- internals -----------------------------------------------------------------

    def _process(self) -> None:
        parser = self._parser
        try:
            while self._active:
                event = parser.next_event()
                if event is NEED_DATA or event is PAUSED:
                    return
                if type(event) is BodyChunk:
                    if self._interim:  # pragma: no cover - 1xx responses have no body
                        continue
                    if self._decoder is not None:
                        self._decoder.feed(event.data)
                    else:
                        self._feed_plain(event.data)
                elif type(event) is ResponseHead:
                    # RFC 9110 §15.2: a client MUST be able to parse one or more
                    # 1xx responses before the final one; they are skipped here.
                    if event.status < 200 and event.status != 101:
                        self._interim = True
                    else:
                        self._on_head(event)
                elif self._interim:
                    self._interim = False
                else:
                    self._on_end()
        except ParseError as exc:
            self._fail(self._parse_failure(exc))
        except ClientPayloadError as exc:
            self._fail(exc)

    def _parse_failure(self, exc: ParseError) -> Exception:
        if self._head_fut is not None and not self._head_fut.done():
            if not self._eof:
                return exc
            return ServerDisconnectedError(
                f"Server disconnected: {self.peer} closed the connection "
                "in the middle of the response head"
            )
        if self._eof:
            return ClientPayloadError(
                f"Response payload is not completed: {self.peer} closed the "
                f"connection before the end of the body ({exc.reason})"
            )
        return ClientPayloadError(f"invalid response body from {self.peer}: {exc.reason}")

    def _feed_plain(self, data: bytes) -> None:
        self._body_size += len(data)
        if self._max_size is not None and self._body_size > self._max_size:
            raise ClientPayloadError(
                f"response body from {self.peer} exceeds max_response_size ({self._max_size} bytes)"
            )
        self.payload.feed_data(data)

    def _on_head(self, head: ResponseHead) -> None:
        gen = self._gen
        payload = StreamReader(
            high_water=self._read_bufsize,
            pause=lambda: self._pause_body(gen),
            resume=lambda: self._resume_body(gen),
        )
        self._payload = payload
        self._keep_alive = head.keep_alive
        if self._auto_decompress and head.content_length != 0:
            for name, value in head.headers:
                # The length test first: it spares a lower() for nearly every field.
                if len(name) == 16 and name.lower() == _CONTENT_ENCODING:
                    self._decoder = make_decoder(
                        value.decode("latin-1"), payload.feed_data, self._max_size
                    )
        fut = self._head_fut
        if fut is not None and not fut.done():
            fut.set_result((head, payload))

    def _on_end(self) -> None:
        if self._decoder is not None:
            self._decoder.finish()
        self.payload.feed_eof()
        self._active = False
        self._complete = True
        self._stop_timers()
        if self._body_paused:
            self._body_paused = False
            if self.transport is not None:
                self.transport.resume_reading()
        self._finish()

    def _fail(self, exc: BaseException) -> None:
        self._broken = True
        self._active = False
        self._stop_timers()
        fut = self._head_fut
        if fut is not None and not fut.done():
            fut.set_exception(exc)
        elif self._payload is not None and not self._payload.is_eof():
            self._payload.set_exception(exc)
        self._wake_drain(exc)
        self.close()
        self._finish()

    def _finish(self) -> None:
        on_done, self._on_done = self._on_done, None
        if on_done is not None:
            on_done()

    def _wake_drain(self, exc: BaseException | None) -> None:
        waiter = self._drain_waiter
        if waiter is not None and not waiter.done():
            if exc is None:
                waiter.set_result(None)
            else:
                waiter.set_exception(exc)

    def _pause_body(self, gen: int) -> None:
        if gen == self._gen and self._active and self.transport is not None:
            self._body_paused = True
            self.transport.pause_reading()

    def _resume_body(self, gen: int) -> None:
        if gen == self._gen and self._body_paused:
            self._body_paused = False
            self._last_read = self._loop.time()
            if self.transport is not None:
                self.transport.resume_reading()
