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
from typing import Final, cast

from aioweb.kernel import (
    EMPTY_PAYLOAD,
    HTTPException,
    PayloadError,
    Request,
    Response,
    StreamReader,
    StreamResponse,
    exception_response,
)

from ._body_decoding import body_decoding
from ._connection import DISCARD_LIMIT, PAUSE_BACKLOG, PAUSE_BODY, Connection
from ._response_writer import ConnectionWriter, error_bytes
from .sansio import (
    NEED_DATA,
    PAUSED,
    BodyChunk,
    LocalProtocolError,
    MessageEnd,
    ParseError,
    RequestHead,
)

__all__ = ["HttpProtocol"]

logger: Final = logging.getLogger("aioweb.http")

_CONTINUE: Final = b"HTTP/1.1 100 Continue\r\n\r\n"
#: Reads this large that start a request are split after the head (see buffer_updated).
_SPLIT_READS_FROM: Final = 16 * 1024


class HttpProtocol(Connection):
    """Serves HTTP/1.1 on one connection.

    A ``BufferedProtocol``: the transport reads into the server's one receive
    buffer (``get_buffer``) and we copy out what arrived, so no read allocates
    asyncio's 256 KiB scratch buffer, and a large body is copied once, straight
    into the bytes the handler gets (``buffer_updated``).  ``data_received``
    still works (tests, callers that push bytes).

    Args:
        server: the ``Server`` this connection belongs to.
    """

    # -- asyncio callbacks ---------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        """Start serving ``transport``."""
        # uvloop's transports implement asyncio.Transport without subclassing it.
        transport = cast("asyncio.Transport", transport)
        self._transport = transport
        if transport.get_extra_info("sslcontext") is not None:
            self._scheme = "https"
        self._writer = ConnectionWriter(self, transport, self._server.server_line)
        self.last_activity = self._loop.time()
        self._server.connection_made(self)

    def connection_lost(self, exc: Exception | None) -> None:
        """Clean up: fail a body still being read, release waiters."""
        self._closing = True
        self._server.connection_lost(self)
        if self._writer is not None:
            self._writer.connection_lost()
        if self._transport is not None:
            # Python 3.10's TLS transport warns when collected unclosed, even after the
            # peer closed it; closing a lost transport is a no-op otherwise.
            self._transport.close()
        self._transport = None
        if not self._message_done:
            self._payload.set_exception(PayloadError("the client closed the connection"))
        waiter = self._drain_waiter
        if waiter is not None and not waiter.done():
            waiter.set_exception(ConnectionResetError("connection lost"))
        if self._task is not None and self._server.handler_cancellation:
            self._task.cancel()

    def get_buffer(self, sizehint: int) -> memoryview:
        """The server's receive buffer (shared: ``buffer_updated`` empties it at once)."""
        return self._server.receive_buffer

    def buffer_updated(self, nbytes: int) -> None:
        """``nbytes`` arrived in the receive buffer: copy them out and parse."""
        if self.linger_deadline is not None:
            self._lingered(nbytes)  # dropped unread: the connection is closing
            return
        view = self._server.receive_buffer
        if nbytes >= _SPLIT_READS_FROM and not self.busy:
            # A new request with a large body in one read: hand the head and the
            # rest over separately, so the body is copied once, straight into the
            # bytes object the handler gets (the parser is byte-split invariant).
            end = view.obj.find(b"\r\n\r\n", 0, nbytes)  # type: ignore[attr-defined]
            if 0 <= end < nbytes - 4:
                self.data_received(view[: end + 4].tobytes())
                if not self._closing:
                    self.data_received(view[end + 4 : nbytes].tobytes())
                return
        self.data_received(view[:nbytes].tobytes())

    def data_received(self, data: bytes) -> None:
        """Feed the parser and handle what it yields."""
        if self.linger_deadline is not None:
            self._lingered(len(data))
            return
        now = self.last_activity = self._loop.time()
        if self.head_started is None and not self.busy:
            self.head_started = now
        if self.busy and self._message_done:
            self._backlog += len(data)
            if self._backlog > self._server.read_buffer_limit:
                self._pause(PAUSE_BACKLOG)
        self._parser.feed(data)
        self._process()

    def eof_received(self) -> bool:
        """The client closed its side: finish what is in progress, then close."""
        if self.linger_deadline is not None:
            return False  # the lingering close is complete
        self._eof = True
        self._keep_alive = False
        self._parser.feed(b"")
        self._process()
        if self._task is not None and self._server.handler_cancellation:
            # With handler_cancellation the client's EOF means it is gone: stop the handler.
            self._task.cancel()
            return False
        return self.busy  # keep the transport open while a response is produced

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
                        self._decoder.feed(self._payload, event.data)
                    continue
                self._discard -= len(event.data)
                if self._discard < 0:
                    self._linger()  # more body than we drop to keep the connection
                    return
            elif type(event) is MessageEnd:
                self._message_done = True
                if self._discard is None:
                    if self._decoder is None:
                        self._payload.feed_eof()
                    else:
                        self._decoder.end(self._payload)
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
            app = server.app
            limit = app.client_max_size if app is not None else 1024**2
            self._decoder = body_decoding(head, limit)
            payload = StreamReader(
                high_water=server.read_buffer_limit,
                pause=lambda: self._pause(PAUSE_BODY),
                resume=lambda: self._resume(PAUSE_BODY),
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
            scheme=self._scheme,
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
            self._writer.send_raw(error_bytes(500, "Internal Server Error"))
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
            if not self._message_done or self._parser.trailing_data:
                self._linger()  # the client may still be sending: close in stages
            else:
                self._close()
            return
        if not self._message_done:
            if self._awaiting_continue:
                # The client was told nothing and may never send the body: close.
                self._linger()
                return
            # The handler left body unread: read and drop a bounded amount, else close.
            left = self._body_length
            if left is not None:
                left -= self._body_received()
            if left is not None and left > DISCARD_LIMIT:
                self._linger()
                return
            self._discard = DISCARD_LIMIT
            self._resume(PAUSE_BODY)
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
        self._resume(PAUSE_BACKLOG)
        self._process()

    # -- helpers ---------------------------------------------------------------------

    def _bad_request(self, exc: ParseError) -> None:
        logger.info("bad request from %s: %s %s", self._peer(), exc.status, exc.reason)
        if self._writer is None or self._response_open:
            self._close()  # part of a response is out: all we can do is cut it short
            return
        with contextlib.suppress(ConnectionError):
            self._writer.send_raw(error_bytes(exc.status, exc.reason))
        self._linger()  # the rest of what the client sends is never parsed
