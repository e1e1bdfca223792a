"""The kernel's ``ResponseWriter`` over an asyncio transport (one per connection)."""

from __future__ import annotations

import asyncio
from email.utils import formatdate
from time import time
from typing import TYPE_CHECKING, Final

from multidict import MultiMapping

from .sansio import LAST_CHUNK, encode_chunk, response_head

if TYPE_CHECKING:
    from ._protocol import HttpProtocol

__all__ = ["ConnectionWriter", "http_date_now"]

_date_cache: list[object] = [0, ""]


def http_date_now() -> str:
    """The current time as an IMF-fixdate, recomputed at most once a second."""
    now = int(time())
    if _date_cache[0] != now:
        _date_cache[0] = now
        _date_cache[1] = formatdate(now, usegmt=True)
    return _date_cache[1]  # type: ignore[return-value]


_CHUNKED_EOF: Final = LAST_CHUNK


class ConnectionWriter:
    """Writes responses of one connection; the head leaves with the first body bytes.

    Args:
        protocol: the connection's protocol (flow control and completion).
        transport: the connection's transport.
        server_header: the ``Server`` value added when a response lacks one
            (``None``: add none).
    """

    __slots__ = ("_chunked", "_head", "_protocol", "_server", "_transport", "bytes_sent")

    def __init__(
        self, protocol: HttpProtocol, transport: asyncio.Transport, server_header: str | None
    ) -> None:
        self._protocol = protocol
        self._transport: asyncio.Transport | None = transport
        self._server = server_header
        self._head: bytes | None = None
        self._chunked = False
        self.bytes_sent = 0

    @property
    def transport(self) -> asyncio.Transport | None:
        """The transport, ``None`` once the connection is lost."""
        return self._transport

    def connection_lost(self) -> None:
        """Forget the transport: writes from now on raise ``ConnectionResetError``."""
        self._transport = None

    def send_head(
        self,
        status: int,
        reason: str,
        headers: MultiMapping[str],
        *,
        chunked: bool,
        keep_alive: bool,
    ) -> None:
        """Serialize and buffer the head (raises ``LocalProtocolError`` for bad values)."""
        extra: list[tuple[str, str]] = []
        if "Date" not in headers:
            extra.append(("Date", http_date_now()))
        if self._server is not None and "Server" not in headers:
            extra.append(("Server", self._server))
        items = headers.items()
        head = response_head(status, reason or None, [*items, *extra] if extra else items)
        self._head = head
        self._chunked = chunked
        self._protocol.response_started(keep_alive)

    def _send(self, data: bytes) -> None:
        transport = self._transport
        if transport is None or transport.is_closing():
            raise ConnectionResetError("cannot write to a closing transport")
        self.bytes_sent += len(data)
        transport.write(data)

    def write(self, data: bytes, /) -> None:
        """Send body bytes (chunk-framed when the head said chunked)."""
        if self._chunked:
            data = encode_chunk(data)
        head = self._head
        if head is not None:
            self._head = None
            data = head + data
        if data:
            self._send(data)

    def write_eof(self, data: bytes = b"", /) -> None:
        """Send the last bytes, end the message and let the connection go on."""
        if self._chunked:
            data = encode_chunk(data) + _CHUNKED_EOF
        head = self._head
        if head is not None:
            self._head = None
            data = head + data
        if data:
            self._send(data)
        self._protocol.response_finished()

    async def drain(self) -> None:
        """Flush a buffered head and wait while the transport is paused."""
        head = self._head
        if head is not None:
            self._head = None
            self._send(head)
        await self._protocol.drain()

    def take_over(self, protocol: asyncio.BaseProtocol, /) -> None:
        """Flush the head and give the connection to ``protocol`` (see the kernel's docs)."""
        head = self._head
        if head is not None:
            self._head = None
            self._send(head)
        self._protocol.hand_over(protocol)

    def send_raw(self, data: bytes) -> None:
        """Write bytes outside any response (``100 Continue``, error responses)."""
        self._send(data)
