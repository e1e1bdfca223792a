"""A connection's state, and what the server and the writer do with it.

``Connection`` is the base of ``HttpProtocol``: it owns the per-connection state,
write-side flow control (``drain``), read pausing, the lingering close, and the
calls the ``Server`` makes on a connection (idle sweep, body timeout, shutdown,
upgrade hand-over).
Parsing and handling requests is in ``_protocol.py``.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING, Final, cast

from aioweb.kernel import EMPTY_PAYLOAD, HTTPRequestTimeout, PayloadError, StreamReader

from ._response_writer import ConnectionWriter, error_bytes
from .sansio import make_request_parser

if TYPE_CHECKING:
    from ._body_decoding import BodyDecoding
    from ._protocol import HttpProtocol
    from ._server import Server

__all__ = ["DISCARD_LIMIT", "PAUSE_BACKLOG", "PAUSE_BODY", "Connection"]

#: Unread request body we read and drop to keep a connection alive; past it, we close.
DISCARD_LIMIT: Final = 256 * 1024
# Reasons reading is paused (a bit mask): the body buffer is full, or a response is
# still being produced while more pipelined bytes than the read buffer limit wait.
PAUSE_BODY: Final = 1
PAUSE_BACKLOG: Final = 2


class Connection(asyncio.BufferedProtocol):
    """The state of one HTTP/1.1 connection (see ``HttpProtocol``).

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
        self._decoder: BodyDecoding | None = None
        self._eof = False
        self._body_length: int | None = None
        self._scheme = server.scheme
        #: Loop time of the last activity, read by the server's idle sweep.
        self.last_activity = 0.0
        #: Whether a request is in progress (head received, response not finished).
        self.busy = False
        #: Loop time the first bytes of a request head arrived (``None``: none pending).
        self.head_started: float | None = None
        #: Loop time a lingering close ends (``None``: not lingering), see ``_linger``.
        self.linger_deadline: float | None = None
        self._linger_left = 0

    # -- flow control ----------------------------------------------------------------

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

    def _pause(self, reason: int) -> None:
        if not self._pause_mask and self._transport is not None:
            self._transport.pause_reading()
        self._pause_mask |= reason

    def _resume(self, reason: int) -> None:
        if self._pause_mask & reason:
            self._pause_mask &= ~reason
            if not self._pause_mask and self._transport is not None:
                self._transport.resume_reading()

    def _peer(self) -> str:
        peer = self._transport.get_extra_info("peername") if self._transport else None
        return str(peer[0]) if isinstance(peer, tuple) else str(peer)

    def _close(self) -> None:
        if self.linger_deadline is not None:
            return  # a lingering close ends by its own bounds (or the peer's FIN)
        self._closing = True
        if self._transport is not None:
            self._transport.close()

    # -- lingering close (RFC 9112 §9.6) ---------------------------------------------

    def _linger(self) -> None:
        """Close after a response while the client may still be sending: in stages.

        Closing a socket with unread bytes makes the kernel send an RST, and a client
        still uploading may lose the response it has not read yet (or fail its write
        and never read it).  So: the response is out, the write side is half-closed
        (``write_eof``; under TLS there is none, reading just goes on), and what
        arrives is dropped unparsed, straight from the shared receive buffer, until
        the client closes, ``lingering_bytes`` were dropped, or ``lingering_timeout``
        passed (the server's sweep aborts it then).  A lingering connection is not
        busy: shutdown closes it at once.
        """
        transport = self._transport
        server = self._server
        if (
            transport is None
            or transport.is_closing()
            or self._eof
            or self.linger_deadline is not None
            or server.lingering_timeout <= 0
            or server.lingering_bytes <= 0
        ):
            self._close()
            return
        self._closing = True  # nothing more is parsed or written as HTTP
        self.busy = False
        self.head_started = None
        self.linger_deadline = self._loop.time() + server.lingering_timeout
        self._linger_left = server.lingering_bytes
        if self._writer is not None:
            self._writer.connection_lost()  # a handler still writing gets ConnectionResetError
        if not self._message_done:
            self._message_done = True
            self._payload.set_exception(PayloadError("the connection is closing"))
        self._payload = EMPTY_PAYLOAD
        if self._pause_mask:
            self._pause_mask = 0
            transport.resume_reading()
        if transport.can_write_eof():
            with contextlib.suppress(OSError, RuntimeError):
                transport.write_eof()  # sent once the response is flushed

    def _lingered(self, nbytes: int) -> None:
        """``nbytes`` arrived while lingering: drop them; close past the byte bound."""
        self._linger_left -= nbytes
        if self._linger_left <= 0:
            self._end_linger()

    def _end_linger(self) -> None:
        self._closing = True
        if self._transport is not None:
            self._transport.close()

    # -- called by the server ---------------------------------------------------------

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
        self._server.connection_lost(cast("HttpProtocol", self))  # the only subclass
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
        """Whether the connection will take another request after the current one.

        Not when the client sent EOF, a shutdown is under way, or the request's
        body is not all in and more of it is left than we would read and drop
        (RFC 9112 §9.6: say ``Connection: close`` rather than just closing).
        """
        if not self._keep_alive or self._server.shutting_down:
            return False
        if self._message_done:
            return True
        if self._awaiting_continue:
            return False
        left = self._body_length
        return left is None or left - self._body_received() <= DISCARD_LIMIT

    def _body_received(self) -> int:
        """Body bytes of the current request received so far, as sent (still coded)."""
        decoder = self._decoder
        return self._payload.total_bytes if decoder is None else decoder.received

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
                    self._writer.send_raw(error_bytes(408, "Request Timeout"))
            self._linger()

    def close_if_idle(self) -> bool:
        """Close the connection unless a request is in progress; return whether closed.

        A lingering connection is idle: it closes now.
        """
        if self.busy:
            return False
        if self.linger_deadline is not None:
            self._end_linger()
        else:
            self._close()
        return True

    def abort(self) -> None:
        """Drop the connection now (shutdown after the grace period)."""
        self._closing = True
        if self._transport is not None:
            self._transport.abort()
        if self._task is not None:
            self._task.cancel()
