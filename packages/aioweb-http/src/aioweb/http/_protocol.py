"""The asyncio edge: one ``HttpProtocol`` per connection, bytes in, responses out.

The only place bytes meet asyncio.  Requests on a connection are handled one at a
time, in order (pipelined requests wait in the parser's buffer, and reading is
paused while they wait).  A handler runs eagerly inside ``data_received``: on
Python 3.12+ as an eager task, so one that never suspends costs no scheduling.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
from typing import TYPE_CHECKING, Final, cast

from aioweb.kernel import (
    EMPTY_PAYLOAD,
    HTTPException,
    HTTPRequestEntityTooLarge,
    HTTPRequestTimeout,
    PayloadError,
    Request,
    Response,
    StreamReader,
    StreamResponse,
    exception_response,
)

from ._response_writer import ConnectionWriter
from .sansio import (
    NEED_DATA,
    PAUSED,
    BodyChunk,
    ContentDecoder,
    LocalProtocolError,
    MessageEnd,
    ParseError,
    RequestHead,
    make_content_decoder,
    make_request_parser,
    reason_phrase,
)

if TYPE_CHECKING:
    from ._server import Server

__all__ = ["HttpProtocol"]

logger: Final = logging.getLogger("aioweb.http")

_CONTINUE: Final = b"HTTP/1.1 100 Continue\r\n\r\n"


class _Drop(ContentDecoder):
    """Stands in after a decoding error: the rest of the body is dropped."""

    __slots__ = ()

    def __init__(self) -> None:
        super().__init__("gzip", 0)

    def decode(self, data: bytes) -> bytes:
        return b""

    def finish(self) -> None:
        return None


_DROP: Final = _Drop()
#: Unread request body we read and drop to keep a connection alive; past it, we close.
_DISCARD_LIMIT: Final = 256 * 1024
# Reasons reading is paused (a bit mask): the body buffer is full, or a response is
# still being produced while more pipelined bytes than the read buffer limit wait.
_PAUSE_BODY: Final = 1
_PAUSE_BACKLOG: Final = 2


class HttpProtocol(asyncio.Protocol):
    """Serves HTTP/1.1 on one connection.

    Args:
        server: the ``Server`` this connection belongs to.
    """

    def __init__(self, server: Server) -> None:
        self._server = server
        self._loop = server.loop
        self._parser = make_request_parser(server.limits, server.parser_backend)
        self._transport: asyncio.Transport | None = None
        self._writer: ConnectionWriter | None = None
        self._payload: StreamReader = EMPTY_PAYLOAD
        self._task: asyncio.Task[None] | None = None
        self._message_done = True
        self._discard: int | None = None
        self._keep_alive = True
        self._response_open = False
        self._pause_mask = 0
        self._write_paused = False
        self._drain_waiter: asyncio.Future[None] | None = None
        self._closing = False
        self._in_process = False
        self._awaiting_continue = False
        self._backlog = 0
        self._decoder: ContentDecoder | None = None
        self._eof = False
        self._body_length: int | None = None
        #: Loop time of the last activity, read by the server's idle sweep.
        self.last_activity = 0.0
        #: Whether a request is in progress (head received, response not finished).
        self.busy = False
        #: Loop time the first bytes of a request head arrived (``None``: none pending).
        self.head_started: float | None = None

    # -- asyncio callbacks ---------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        """Start serving ``transport``."""
        # uvloop's transports implement asyncio.Transport without subclassing it.
        transport = cast("asyncio.Transport", transport)
        self._transport = transport
        self._writer = ConnectionWriter(self, transport, self._server.server_line)
        self.last_activity = self._loop.time()
        self._server.connection_made(self)

    def connection_lost(self, exc: Exception | None) -> None:
        """Clean up: fail a body still being read, release waiters."""
        self._closing = True
        self._server.connection_lost(self)
        if self._writer is not None:
            self._writer.connection_lost()
        self._transport = None
        if not self._message_done:
            self._payload.set_exception(PayloadError("the client closed the connection"))
        waiter = self._drain_waiter
        if waiter is not None and not waiter.done():
            waiter.set_exception(ConnectionResetError("connection lost"))
        if self._task is not None and self._server.handler_cancellation:
            self._task.cancel()

    def data_received(self, data: bytes) -> None:
        """Feed the parser and handle what it yields."""
        now = self.last_activity = self._loop.time()
        if self.head_started is None and not self.busy:
            self.head_started = now
        if self.busy and self._message_done:
            self._backlog += len(data)
            if self._backlog > self._server.read_buffer_limit:
                self._pause(_PAUSE_BACKLOG)
        self._parser.feed(data)
        self._process()

    def eof_received(self) -> bool:
        """The client closed its side: finish what is in progress, then close."""
        self._eof = True
        self._keep_alive = False
        self._parser.feed(b"")
        self._process()
        if self._task is not None and self._server.handler_cancellation:
            # With handler_cancellation the client's EOF means it is gone: stop the handler.
            self._task.cancel()
            return False
        return self.busy  # keep the transport open while a response is produced

    def pause_writing(self) -> None:
        """The transport's buffer is over its high-water mark."""
        self._write_paused = True

    def resume_writing(self) -> None:
        """The transport's buffer drained."""
        self._write_paused = False
        waiter = self._drain_waiter
        if waiter is not None:
            self._drain_waiter = None
            if not waiter.done():
                waiter.set_result(None)

    async def drain(self) -> None:
        """Wait until the transport accepts more data."""
        if self._write_paused and self._transport is not None:
            waiter = self._drain_waiter
            if waiter is None:
                waiter = self._drain_waiter = self._loop.create_future()
            await waiter

    # -- parsing ---------------------------------------------------------------------

    def _process(self) -> None:
        if self._in_process:
            return  # re-entered from a handler that finished eagerly: the loop below goes on
        self._in_process = True
        try:
            self._process_events()
        finally:
            self._in_process = False

    def _process_events(self) -> None:
        parser = self._parser
        while not self._closing:
            if self.busy and self._message_done:
                # A response is being produced; later requests wait their turn in the
                # parser's buffer (data_received pauses reading once that holds too much:
                # reading goes on until then, so a client that leaves is noticed).
                return
            try:
                event = parser.next_event()
            except ParseError as exc:
                self._bad_request(exc)
                return
            if event is NEED_DATA:
                return
            if event is PAUSED:
                # After an Upgrade request nobody took over, or the last request.
                if self.busy or not self._keep_alive:
                    return
                parser.resume()
                continue
            if type(event) is BodyChunk:
                if self._discard is None:
                    if self._decoder is None:
                        self._payload.feed_data(event.data)
                    else:
                        self._feed_decoded(event.data)
                    continue
                self._discard -= len(event.data)
                if self._discard < 0:
                    self._close()
                    return
            elif type(event) is MessageEnd:
                self._message_done = True
                if self._discard is None:
                    self._end_body()
                else:
                    self._discard = None
                    self._after_response()
            elif type(event) is RequestHead:
                try:
                    self._start_request(event)
                except ParseError as exc:  # an unsupported Content-Encoding: 415
                    self._bad_request(exc)
                    return

    def _start_request(self, head: RequestHead) -> None:
        server = self._server
        self._decoder = None
        if head.chunked or head.content_length:
            self._decoder = self._content_decoder(head)
            payload = StreamReader(
                high_water=server.read_buffer_limit,
                pause=lambda: self._pause(_PAUSE_BODY),
                resume=lambda: self._resume(_PAUSE_BODY),
                on_first_wait=self._send_continue if head.expect_continue else None,
            )
            self._message_done = False
            self._awaiting_continue = head.expect_continue
        else:
            payload = EMPTY_PAYLOAD
            # No body is framed, so the parser's next event is this message's end.
            self._parser.next_event()
            self._message_done = True
        self._payload = payload
        self.head_started = None
        self._body_length = head.content_length
        self.busy = True
        self._response_open = False
        self._keep_alive = head.keep_alive and not self._eof
        request = Request(
            head.method,
            head.target,
            version=head.version,
            headers=head.headers,
            payload=payload,
            writer=self._writer,
            app=server.app,
            transport=self._transport,
            keep_alive=head.keep_alive,
            scheme=server.scheme,
            body_length=head.content_length,
        )
        logger = server.access_logger
        started = self._loop.time() if logger is not None and logger.enabled else 0.0
        coro = self._handle(request, started)
        if sys.version_info >= (3, 12):
            # Runs the handler now, inside data_received; a Task only matters if it suspends.
            task = asyncio.Task(coro, loop=self._loop, eager_start=True)
        else:  # pragma: no cover - Python < 3.12
            task = self._loop.create_task(coro)
        if not task.done():
            self._task = task

    async def _handle(self, request: Request, started: float) -> None:
        sent = self._writer.bytes_sent if started and self._writer is not None else 0
        try:
            try:
                response = await self._server.handler(request)
            except HTTPException as exc:
                response = exception_response(exc)
            except PayloadError as exc:
                response = Response(status=400, text=f"400: {exc}")
                response.force_close()
            if not isinstance(response, StreamResponse):
                raise TypeError(f"the handler returned {response!r}, not a response")
            await response.prepare(request)
            await response.write_eof()
            if started:
                self._log_access(request, response, started, sent)
        except (ConnectionError, asyncio.CancelledError):
            self._close()
        except LocalProtocolError as exc:
            # An application header value with CR/LF/NUL: nothing of it reaches the wire.
            logger.error("invalid response to %s %s: %s", request.method, request.raw_path, exc)
            self._internal_error()
        except Exception:
            logger.exception("error handling %s %s", request.method, request.raw_path)
            self._internal_error()

    def _content_decoder(self, head: RequestHead) -> ContentDecoder | None:
        """A decoder when the body has a ``Content-Encoding`` (bounded: no zip bombs)."""
        for name, value in head.headers:
            if len(name) == 16 and name.lower() == b"content-encoding":
                app = self._server.app
                limit = app.client_max_size if app is not None else 1024**2
                return make_content_decoder(value, limit)
        return None

    def _feed_decoded(self, data: bytes) -> None:
        decoder = self._decoder
        assert decoder is not None
        try:
            self._payload.feed_data(decoder.decode(data))
        except ParseError as exc:
            self._fail_body(exc)

    def _end_body(self) -> None:
        decoder = self._decoder
        if decoder is not None:
            try:
                decoder.finish()
            except ParseError as exc:
                self._fail_body(exc)
                return
        self._payload.feed_eof()

    def _fail_body(self, exc: ParseError) -> None:
        """The body cannot be decoded: the handler's next read raises instead."""
        self._decoder = _DROP
        error: BaseException
        if exc.status == 413:
            app = self._server.app
            limit = app.client_max_size if app is not None else 1024**2
            error = HTTPRequestEntityTooLarge(limit, limit + 1)
        else:
            error = PayloadError(exc.reason)
        self._payload.set_exception(error)

    def _send_continue(self) -> None:
        """RFC 9110 §10.1.1: ``100 Continue`` once the handler asks for the body."""
        self._awaiting_continue = False
        if self._writer is not None and not self._response_open:
            with contextlib.suppress(ConnectionError):
                self._writer.send_raw(_CONTINUE)

    def _log_access(
        self, request: Request, response: StreamResponse, started: float, sent: int
    ) -> None:
        logger = self._server.access_logger
        if logger is not None and self._writer is not None:
            duration = self._loop.time() - started
            logger.log(request, response, duration, self._writer.bytes_sent - sent)

    def _internal_error(self) -> None:
        if self._response_open or self._writer is None or self._closing:
            self._close()  # part of a response is out: all we can do is cut it short
            return
        self._keep_alive = False
        with contextlib.suppress(ConnectionError):
            self._writer.send_raw(_error_bytes(500, "Internal Server Error"))
        self.response_finished()

    # -- called by the writer ----------------------------------------------------------

    def response_started(self, keep_alive: bool) -> None:
        """The writer buffered a response head."""
        self._response_open = True
        self._keep_alive = self._keep_alive and keep_alive

    def response_finished(self) -> None:
        """The writer sent the end of a response: go on with the next request."""
        self._response_open = False
        self.last_activity = self._loop.time()
        if not self._keep_alive:
            self._close()
            return
        if not self._message_done:
            if self._awaiting_continue:
                # The client was told nothing and may never send the body: close.
                self._close()
                return
            # The handler left body unread: read and drop a bounded amount, else close.
            left = self._body_length
            if left is not None:
                left -= self._payload.total_bytes
            if left is not None and left > _DISCARD_LIMIT:
                self._close()
                return
            self._discard = _DISCARD_LIMIT
            self._resume(_PAUSE_BODY)
            self._payload = EMPTY_PAYLOAD
            return
        self._after_response()

    def _after_response(self) -> None:
        self.busy = False
        self._task = None
        self._payload = EMPTY_PAYLOAD
        if self._server.shutting_down:
            self._close()
            return
        self._backlog = 0
        self._resume(_PAUSE_BACKLOG)
        self._process()

    # -- helpers ---------------------------------------------------------------------

    def _pause(self, reason: int) -> None:
        if not self._pause_mask and self._transport is not None:
            self._transport.pause_reading()
        self._pause_mask |= reason

    def _resume(self, reason: int) -> None:
        if self._pause_mask & reason:
            self._pause_mask &= ~reason
            if not self._pause_mask and self._transport is not None:
                self._transport.resume_reading()

    def _bad_request(self, exc: ParseError) -> None:
        logger.info("bad request from %s: %s %s", self._peer(), exc.status, exc.reason)
        if self._writer is not None and not self._response_open:
            with contextlib.suppress(ConnectionError):
                self._writer.send_raw(_error_bytes(exc.status, exc.reason))
        self._close()

    def _peer(self) -> str:
        peer = self._transport.get_extra_info("peername") if self._transport else None
        return str(peer[0]) if isinstance(peer, tuple) else str(peer)

    def _close(self) -> None:
        self._closing = True
        if self._transport is not None:
            self._transport.close()

    def hand_over(self, protocol: asyncio.BaseProtocol) -> None:
        """Give the transport to ``protocol`` (an upgrade): this one is done with it.

        Raises:
            ConnectionResetError: the connection is already gone.
        """
        transport = self._transport
        if transport is None or transport.is_closing():
            raise ConnectionResetError("the connection closed before the upgrade")
        data = self._parser.trailing_data
        self._closing = True  # nothing more is parsed or written as HTTP here
        self._transport = None
        if self._writer is not None:
            self._writer.connection_lost()
        self._server.connection_lost(self)
        self._server.track_upgraded(protocol)
        transport.set_protocol(protocol)
        if self._pause_mask:
            self._pause_mask = 0
            transport.resume_reading()
        protocol.connection_made(transport)
        if data and isinstance(protocol, asyncio.Protocol):
            protocol.data_received(data)

    @property
    def keeps_alive(self) -> bool:
        """Whether the connection will take another request after the current one."""
        return self._keep_alive and not self._server.shutting_down

    @property
    def reading_body(self) -> bool:
        """Whether a request is in progress whose body has not fully arrived."""
        return self.busy and not self._message_done

    def body_timed_out(self) -> None:
        """The client stopped sending its body: 408, or a clean close.

        A handler waiting for the body gets ``HTTPRequestTimeout`` from its read (so
        the application answers 408 as if it had raised it); when a response is
        already on its way, or the body was being dropped after one, the
        connection just closes.
        """
        self._keep_alive = False
        if self._discard is not None or self._response_open:
            self._close()
        elif self._task is not None:
            self._payload.set_exception(HTTPRequestTimeout(text="408: the request body timed out"))
        else:
            with contextlib.suppress(ConnectionError):
                if self._writer is not None:
                    self._writer.send_raw(_error_bytes(408, "Request Timeout"))
            self._close()

    def close_if_idle(self) -> bool:
        """Close the connection unless a request is in progress; return whether closed."""
        if self.busy:
            return False
        self._close()
        return True

    def abort(self) -> None:
        """Drop the connection now (shutdown after the grace period)."""
        self._closing = True
        if self._transport is not None:
            self._transport.abort()
        if self._task is not None:
            self._task.cancel()


def _error_bytes(status: int, reason: str) -> bytes:
    from ._response_writer import http_date_now

    phrase = reason_phrase(status) or "Error"
    body = f"{status}: {reason}\n".encode("utf-8", "replace")
    return (
        f"HTTP/1.1 {status} {phrase}\r\nContent-Type: text/plain; charset=utf-8\r\n"
        f"Content-Length: {len(body)}\r\nDate: {http_date_now()}\r\nConnection: close\r\n\r\n"
    ).encode("latin-1") + body
