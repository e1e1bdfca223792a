"""The asyncio edge of the client: one ``ClientProtocol`` per connection.

Bytes from the socket go through the sans-IO ``ResponseParser`` of aioweb-http;
body chunks are (optionally decompressed and) fed into the kernel's
``StreamReader``. A response whose head and whole plain body arrive in one
``data_received`` (the usual small response) skips the stream: its body is
handed over as bytes with the head. Reading pauses while the body buffer is
full. The transport side (reads, writes, ``drain()``, closing) lives in the base
class (``_channel.py``), the read, total and keep-alive timers in its base
(``_timers.py``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Final

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

from ._channel import Channel
from ._decompress import BodyDecoder, make_decoder
from ._errors import ClientOSError, ClientPayloadError, ServerDisconnectedError

__all__ = ["Body", "ClientProtocol"]

_CONTENT_ENCODING: Final = b"content-encoding"

Body = StreamReader | bytes
"""A response body: a stream, or all of its bytes when they came with the head."""


class ClientProtocol(Channel):
    """One client connection: sends requests, parses their responses in order.

    Args:
        loop: The running loop.
        peer: ``host:port`` (or the socket path), for error messages.
        limits: Head and chunk limits for the response parser.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop, peer: str, limits: Limits) -> None:
        super().__init__(loop, peer)
        self._parser = ResponseParser(limits)
        # The exchange in progress.
        self._gen = 0
        self._active = False
        self._complete = False
        self._keep_alive = False
        self._head_fut: asyncio.Future[tuple[ResponseHead, Body]] | None = None
        self._payload: StreamReader | None = None
        # The final head, until _publish() hands it over at the end of _process().
        self._head: ResponseHead | None = None
        # The first body chunk while there is no payload stream yet.
        self._early: bytes | None = None
        # The whole body, when it ended before the head was handed over.
        self._body: bytes | None = None
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
        self._body_paused = False
        #: Called once when the connection is lost (the connector's hook).
        self.on_lost: Callable[[ClientProtocol], None] | None = None

    # -- asyncio.Protocol ----------------------------------------------------------

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

    # -- state ---------------------------------------------------------------------

    @property
    def usable(self) -> bool:
        """Whether a new exchange may start on this connection."""
        return not (self._broken or self._active or self.is_closed)

    @property
    def reusable(self) -> bool:
        """Whether the last exchange ended cleanly on a persistent connection."""
        return self._complete and self._keep_alive and not self.writing and self.usable

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
        self._head = None
        self._early = None
        self._body = None
        self._decoder = None
        self._interim = False
        self._body_size = 0
        self._max_size = max_size
        self._auto_decompress = auto_decompress
        self._read_bufsize = read_bufsize
        self._on_done = on_done
        self.got_bytes = False
        self._arm_timers(sock_read, deadline, total)

    def read_head(self) -> asyncio.Future[tuple[ResponseHead, Body]]:
        """Wait for the final response head of the current exchange, and its body.

        The body is returned with the head because the connection may serve
        another exchange before the caller resumes (a short body ends at once):
        a ``StreamReader``, or the whole body as bytes when it arrived with the
        head.

        Raises:
            ParseError: The server's response is not valid HTTP/1.1.
            ServerDisconnectedError: The server closed the connection first.
            ServerTimeoutError: A timeout expired.
        """
        if self._head_fut is None:
            raise RuntimeError("no exchange in progress")
        return self._head_fut

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
                    break
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
        if self._head is not None:
            self._publish()

    def _parse_failure(self, exc: ParseError) -> Exception:
        if self._head is None and self._head_fut is not None and not self._head_fut.done():
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
        payload = self._payload
        if payload is not None:
            payload.feed_data(data)
        elif self._early is None:
            self._early = data  # perhaps the whole body: no stream needed yet
        else:
            self._open_payload().feed_data(data)

    def _open_payload(self) -> StreamReader:
        """Create the body stream (fed with the chunk kept so far, if any)."""
        gen = self._gen
        payload = self._payload = StreamReader(
            high_water=self._read_bufsize,
            pause=lambda: self._pause_body(gen),
            resume=lambda: self._resume_body(gen),
        )
        early, self._early = self._early, None
        if early is not None:
            payload.feed_data(early)
        return payload

    def _on_head(self, head: ResponseHead) -> None:
        # Handed over by _publish() once this batch of bytes is parsed: the
        # body may well be complete by then.
        self._head = head
        self._keep_alive = head.keep_alive
        if self._auto_decompress and head.content_length != 0:
            for name, value in head.headers:
                # The length test first: it spares a lower() for nearly every field.
                if len(name) == 16 and name.lower() == _CONTENT_ENCODING:
                    self._decoder = make_decoder(
                        value.decode("latin-1"), self._open_payload().feed_data, self._max_size
                    )

    def _publish(self) -> None:
        """Hand the final head over, with the whole body or its stream."""
        head, self._head = self._head, None
        body: Body | None = self._body
        if body is None:
            body = self._payload if self._payload is not None else self._open_payload()
        self._body = None
        fut = self._head_fut
        if head is not None and fut is not None and not fut.done():
            fut.set_result((head, body))

    def _on_end(self) -> None:
        if self._decoder is not None:
            self._decoder.finish()
        payload = self._payload
        if payload is not None:
            payload.feed_eof()
        elif self._head is not None:
            # Head and whole body in one batch: the body goes over as bytes.
            early, self._early = self._early, None
            self._body = b"" if early is None else early
        else:  # pragma: no cover - the head is always handed over with its stream
            self._open_payload().feed_eof()
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
        if self._head is not None:
            # The head arrived: it is handed over, and the body stream fails.
            self._body = None
            self._publish()
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
