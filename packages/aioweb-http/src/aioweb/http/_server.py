"""``Server``: the protocol factory, its connections, idle timeouts and graceful shutdown."""

from __future__ import annotations

import asyncio
import logging
import re
import weakref
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Final

from aioweb.kernel import Request, StreamResponse

from ._access_log import (
    DEFAULT_ACCESS_LOG_FORMAT,
    AbstractAccessLogger,
    AccessLogger,
    access_logger,
)
from ._protocol import HttpProtocol
from .sansio import DEFAULT_LIMITS, Limits, ParserBackend, make_request_parser

if TYPE_CHECKING:
    from aioweb.kernel import Application

__all__ = ["DEFAULT_SERVER_HEADER", "Server"]

_SERVER_VALUE: Final = re.compile(r"[\x20-\x7e]*")

#: Seconds closed-but-not-yet-gone idle connections get at shutdown before an abort.
_IDLE_CLOSE_GRACE: Final = 1.0
#: Bytes one read may take from a socket (asyncio's own default for data_received).
_RECEIVE_BUFFER_SIZE: Final = 256 * 1024

#: Default bounds of a lingering close: see ``Server`` (docs: lingering_bytes).
DEFAULT_LINGERING_TIMEOUT: Final = 5.0
DEFAULT_LINGERING_BYTES: Final = 64 * 1024 * 1024

#: The ``Server`` header sent when a response has none.
DEFAULT_SERVER_HEADER: Final = "aioweb"
_MALLOC_WARMUP: Final = 4 * 1024 * 1024


def _raise_malloc_thresholds() -> None:
    """Free one large block, so glibc keeps request-sized blocks instead of trimming.

    glibc (mallopt(3), M_MMAP_THRESHOLD) raises its dynamic mmap threshold to the
    size of a freed mmapped block and the heap trim threshold to twice that.  At
    the 128 KiB defaults, every 64 KiB request body is carved from freshly
    faulted-in pages after the heap was trimmed (~15 page faults a request, a
    third of a large upload's CPU).  Elsewhere this is a harmless allocation.
    """
    bytearray(_MALLOC_WARMUP)


RequestHandler = Callable[[Request], Awaitable[StreamResponse]]


class Server:
    """Serves HTTP/1.1 with ``handler``; pass it to ``loop.create_server`` as the factory.

    Args:
        handler: ``async (request) -> response`` (an application's ``app.handler``).
        app: the application requests belong to (``None`` for a bare handler).
        limits: parser limits (line, field and header-block sizes, header count).
        keepalive_timeout: seconds an idle keep-alive connection stays open.
        header_timeout: seconds a client has to send a complete request head.
        body_timeout: seconds a request body may go without a byte arriving (408).
        read_buffer_limit: buffered request body bytes before reading pauses.
        lingering_timeout: seconds a connection closed while the client may still be
            sending (after a 413, 400, 431, 408, 417, or a response that left body
            unread) keeps reading and dropping its bytes before it is cut off, so the
            client reads the response instead of an RST (RFC 9112 §9.6); 0: no
            lingering.
        lingering_bytes: bytes such a connection drops before it is cut off sooner.
            64 MiB by default: enough for a client that writes its whole upload
            before it reads (urllib, requests) to get to the response for uploads up
            to that size, while what the client can have in flight (socket buffers
            of a few MiB each way) is far below it; dropping costs a read into the
            shared receive buffer, no memory.
        server_header: the ``Server`` value to add (``None``: none).
        handler_cancellation: cancel a handler when its client disconnects.
        scheme: the scheme of plain connections (a TLS connection is always ``https``).
        access_log: the access log's logger (``None``: no access log).
        access_log_format: its format (aiohttp's directives).
        access_log_class: an ``AbstractAccessLogger`` subclass to format and write it.
        parser_backend: the request parser: ``"pure"`` (the default: it is as fast as
            httptools here, see docs/decisions.rst), ``"httptools"`` or ``"auto"``.
    """

    def __init__(
        self,
        handler: RequestHandler,
        *,
        app: Application | None = None,
        limits: Limits = DEFAULT_LIMITS,
        keepalive_timeout: float = 75.0,
        header_timeout: float = 30.0,
        body_timeout: float = 60.0,
        read_buffer_limit: int = 2**17,
        lingering_timeout: float = DEFAULT_LINGERING_TIMEOUT,
        lingering_bytes: int = DEFAULT_LINGERING_BYTES,
        server_header: str | None = DEFAULT_SERVER_HEADER,
        handler_cancellation: bool = False,
        scheme: str = "http",
        access_log: logging.Logger | None = access_logger,
        access_log_format: str = DEFAULT_ACCESS_LOG_FORMAT,
        access_log_class: type[AbstractAccessLogger] = AccessLogger,
        parser_backend: ParserBackend = "pure",
        loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        make_request_parser(limits, parser_backend)  # fail now, not per connection
        self.parser_backend: ParserBackend = parser_backend
        self.handler = handler
        self.app = app
        self.limits = limits
        self.keepalive_timeout = keepalive_timeout
        self.header_timeout = header_timeout
        self.body_timeout = body_timeout
        self.read_buffer_limit = read_buffer_limit
        self.lingering_timeout = lingering_timeout
        self.lingering_bytes = lingering_bytes
        self.server_header = server_header
        if server_header is not None and not _SERVER_VALUE.fullmatch(server_header):
            raise ValueError(f"invalid Server header value {server_header!r}")
        #: The serialized ``Server`` line (empty when ``server_header`` is None).
        self.server_line = (
            b"Server: " + server_header.encode("latin-1") + b"\r\n" if server_header else b""
        )
        self.handler_cancellation = handler_cancellation
        self.scheme = scheme
        self.access_logger: AbstractAccessLogger | None = (
            None if access_log is None else access_log_class(access_log, access_log_format)
        )
        self.loop = loop or asyncio.get_running_loop()
        #: Where every connection's transport reads into (``HttpProtocol.get_buffer``);
        #: the bytes are copied out before the next read, so one buffer serves all.
        self.receive_buffer = memoryview(bytearray(_RECEIVE_BUFFER_SIZE))
        _raise_malloc_thresholds()
        self.shutting_down = False
        self._connections: set[HttpProtocol] = set()
        self._upgraded: weakref.WeakSet[asyncio.BaseProtocol] = weakref.WeakSet()
        self._sweeper: asyncio.TimerHandle | None = None
        self._all_closed: asyncio.Future[None] | None = None

    def __call__(self) -> HttpProtocol:
        """Make the protocol for a new connection."""
        return HttpProtocol(self)

    @property
    def connections(self) -> frozenset[HttpProtocol]:
        """The open connections."""
        return frozenset(self._connections)

    def connection_made(self, protocol: HttpProtocol) -> None:
        """Track a new connection (called by the protocol)."""
        self._connections.add(protocol)
        if self.shutting_down:
            # Accepted just before the listener closed: there is nothing to serve it.
            protocol.close_if_idle()
            return
        if self._sweeper is None:
            self._sweeper = self.loop.call_later(self._sweep_interval(), self._sweep)

    def connection_lost(self, protocol: HttpProtocol) -> None:
        """Forget a closed connection (called by the protocol)."""
        self._connections.discard(protocol)
        waiter = self._all_closed
        if not self._connections and waiter is not None and not waiter.done():
            waiter.set_result(None)

    def track_upgraded(self, protocol: asyncio.BaseProtocol) -> None:
        """Remember a connection handed over by an upgrade, to stop it at shutdown.

        At :meth:`shutdown` such a protocol's ``async shutdown()`` is awaited when it
        has one (aioweb-websocket closes with 1001 there); it is forgotten once it is
        garbage.
        """
        self._upgraded.add(protocol)

    async def _shutdown_upgraded(self, timeout: float | None) -> None:
        stops = []
        for protocol in list(self._upgraded):
            stop = getattr(protocol, "shutdown", None)
            if callable(stop):
                stops.append(asyncio.ensure_future(stop()))
        if stops:
            await asyncio.wait(stops, timeout=timeout)
            for pending in stops:
                if not pending.done():
                    pending.cancel()

    def _sweep(self) -> None:
        """Once a second: close connections idle too long, slow to send a head, lingering.

        One timer for the whole server instead of one per request keeps the hot
        path free of timer bookkeeping; the price is up to a second of slack (a
        quarter of the timeout for timeouts under 4 s, see ``_sweep_interval``).
        """
        self._sweeper = None
        now = self.loop.time()
        for proto in list(self._connections):
            deadline = proto.linger_deadline
            if deadline is not None:
                if now >= deadline:
                    proto.abort()  # a lingering close past its time
                continue
            if proto.busy:
                if proto.reading_body and now - proto.last_activity >= self.body_timeout:
                    proto.body_timed_out()
                continue
            started = proto.head_started
            if started is not None:
                if now - started >= self.header_timeout:
                    proto.close_if_idle()  # a head that takes this long is a slowloris
            elif now - proto.last_activity >= self.keepalive_timeout:
                proto.close_if_idle()
        if self._connections:
            self._sweeper = self.loop.call_later(self._sweep_interval(), self._sweep)

    def _sweep_interval(self) -> float:
        """A second, or a quarter of the shortest timeout when that is under 4 s."""
        shortest = min(self.keepalive_timeout, self.header_timeout, self.body_timeout)
        if self.lingering_timeout > 0:
            shortest = min(shortest, self.lingering_timeout)
        return min(1.0, max(0.02, shortest / 4))

    async def shutdown(self, timeout: float | None = 60.0) -> None:
        """Close idle connections, wait up to ``timeout`` for the busy ones, drop the rest."""
        self.shutting_down = True
        await self._shutdown_upgraded(timeout)
        for proto in list(self._connections):
            proto.close_if_idle()
        loop = self.loop
        start = loop.time()
        while self._connections:
            elapsed = loop.time() - start
            if timeout is not None and elapsed >= timeout:
                break
            # Closed idle connections normally go at once; a TLS one may wait for the
            # peer's close_notify. Give those a second, busy ones the whole timeout.
            if elapsed >= _IDLE_CLOSE_GRACE and not any(p.busy for p in self._connections):
                break
            waiter = self._all_closed = loop.create_future()
            await asyncio.wait([waiter], timeout=0.1)
        for proto in list(self._connections):
            proto.abort()  # past the grace period, or opened while we waited
        if self._sweeper is not None:
            self._sweeper.cancel()
            self._sweeper = None
