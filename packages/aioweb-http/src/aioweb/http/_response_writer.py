"""The kernel's ``ResponseWriter`` over an asyncio transport (one per connection)."""

from __future__ import annotations

import asyncio
from email.utils import formatdate
from time import time
from typing import TYPE_CHECKING, Final

from multidict import MultiMapping

from .sansio import LAST_CHUNK, encode_chunk, reason_phrase, response_head

if TYPE_CHECKING:
    from ._protocol import HttpProtocol

__all__ = ["ConnectionWriter", "error_bytes", "http_date_now"]


class _DateCache:
    """The ``Date`` value and header line, recomputed at most once a second."""

    __slots__ = ("line", "second", "value")

    def __init__(self) -> None:
        self.second = -1
        self.value = ""
        self.line = b""

    def refresh(self) -> None:
        now = int(time())
        if now != self.second:
            self.second = now
            self.value = formatdate(now, usegmt=True)
            self.line = b"Date: " + self.value.encode("ascii") + b"\r\n"


_date = _DateCache()


def http_date_now() -> str:
    """The current time as an IMF-fixdate, recomputed at most once a second."""
    _date.refresh()
    return _date.value


_CHUNKED_EOF: Final = LAST_CHUNK
#: Bodies from this size on leave with the head through ``writelines`` (one
#: ``sendmsg`` on Python 3.12+, ``writev`` on uvloop) instead of ``head + body``:
#: large allocations cost page faults and malloc trims, not just a memcpy.
_JOIN_LIMIT: Final = 16 * 1024


class ConnectionWriter:
    """Writes responses of one connection; the head leaves with the first body bytes.

    Args:
        protocol: the connection's protocol (flow control and completion).
        transport: the connection's transport.
        server_line: the serialized ``Server`` header line added when a response
            lacks one (``b""``: add none).
    """

    __slots__ = ("_chunked", "_head", "_protocol", "_server_line", "_transport", "bytes_sent")

    def __init__(
        self, protocol: HttpProtocol, transport: asyncio.Transport, server_line: bytes
    ) -> None:
        self._protocol = protocol
        self._transport: asyncio.Transport | None = transport
        self._server_line = server_line
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
        date = _date
        date.refresh()
        extra = date.line if "Date" not in headers else b""
        if self._server_line and "Server" not in headers:
            extra += self._server_line
        protocol = self._protocol
        if keep_alive and (not protocol.keeps_alive or (status == 413 and protocol.reading_body)):
            # The server will close after this one (the client sent EOF, a shutdown, a
            # body too large to drop, the rest of a body refused as too large, however
            # it is framed): say so, though the response asked to keep it.
            keep_alive = False
            if "Connection" not in headers:
                extra += b"Connection: close\r\n"
        self._head = response_head(status, reason or None, headers.items(), extra=extra)
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
            if len(data) >= _JOIN_LIMIT:
                self._send_two(head, data)
                self._protocol.response_finished()
                return
            data = head + data
        if data:
            self._send(data)
        self._protocol.response_finished()

    def _send_two(self, head: bytes, data: bytes) -> None:
        """Send head and a large body without joining them (a copy, a large malloc)."""
        transport = self._transport
        if transport is None or transport.is_closing():
            raise ConnectionResetError("cannot write to a closing transport")
        self.bytes_sent += len(head) + len(data)
        transport.writelines((head, data))

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


def error_bytes(status: int, reason: str) -> bytes:
    """A complete plain-text error response that closes the connection."""
    phrase = reason_phrase(status) or "Error"
    body = f"{status}: {reason}\n".encode("utf-8", "replace")
    return (
        f"HTTP/1.1 {status} {phrase}\r\nContent-Type: text/plain; charset=utf-8\r\n"
        f"Content-Length: {len(body)}\r\nDate: {http_date_now()}\r\nConnection: close\r\n\r\n"
    ).encode("latin-1") + body
