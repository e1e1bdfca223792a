"""Helpers for the WebSocket tests: event collection, a served handler, a raw client."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import os
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass

from aioweb.kernel import Request, StreamResponse
from aioweb.testing import RawTestServer
from aioweb.websocket.sansio import NEED_DATA, Event, FrameReader, encode_frame

#: Upper bound for every wait in these tests.
TIMEOUT = 5.0
MASK = b"\x37\xfa\x21\x3d"


def collect(reader: FrameReader, data: bytes, cuts: Sequence[int] = ()) -> list[Event]:
    """Feed ``data`` cut at ``cuts`` and return every event."""
    events: list[Event] = []
    start = 0
    for cut in [*sorted(set(cuts)), len(data)]:
        reader.feed(data[start:cut])
        start = max(start, cut)
        while (event := reader.next_event()) is not NEED_DATA:
            events.append(event)
    return events


def client_frame(opcode: int, payload: bytes, *, fin: bool = True, rsv1: bool = False) -> bytes:
    """A masked frame as a client sends it."""
    return encode_frame(opcode, payload, fin=fin, rsv1=rsv1, mask=MASK)


#: A request handler, as served by ``serve_ws`` (aioweb-testing's raw server).
Handler = Callable[[Request], Awaitable[StreamResponse]]
#: The ``serve_ws`` fixture: ``live = await serve_ws(handler)``.
ServeWs = Callable[[Handler], Awaitable["Live"]]


@dataclass
class Live:
    """A handler served by aioweb-testing's ``aioweb_raw_server`` fixture on 127.0.0.1."""

    server: RawTestServer

    @property
    def port(self) -> int:
        """The server's port (raw-socket tests connect to it by hand)."""
        return self.server.port

    @property
    def url(self) -> str:
        """The ws:// URL of the server's root."""
        return str(self.server.make_url("/").with_scheme("ws"))

    @asynccontextmanager
    async def raw(
        self, extra: str = ""
    ) -> AsyncIterator[tuple[asyncio.StreamReader, asyncio.StreamWriter]]:
        """A raw connection that completed the handshake (the 101 head is consumed)."""
        reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
        key = base64.b64encode(os.urandom(16)).decode()
        writer.write(
            (
                "GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                f"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: {key}\r\n{extra}\r\n"
            ).encode()
        )
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), TIMEOUT)
        assert head.startswith(b"HTTP/1.1 101 "), head
        try:
            yield reader, writer
        finally:
            writer.close()


async def read_frame(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    """One unmasked server frame: (first byte, payload)."""
    b0, b1 = await asyncio.wait_for(reader.readexactly(2), TIMEOUT)
    n = b1 & 0x7F
    if n == 126:
        n = int.from_bytes(await reader.readexactly(2), "big")
    elif n == 127:
        n = int.from_bytes(await reader.readexactly(8), "big")
    return b0, await asyncio.wait_for(reader.readexactly(n), TIMEOUT)


async def read_close(reader: asyncio.StreamReader) -> int:
    """Read frames until a close frame; return its code, then expect EOF."""
    while True:
        b0, payload = await read_frame(reader)
        if b0 & 0x0F == 0x8:
            code = int.from_bytes(payload[:2], "big")
            # Closed with our unread bytes in its buffer, the kernel sends RST instead.
            with contextlib.suppress(ConnectionResetError):
                assert await asyncio.wait_for(reader.read(), TIMEOUT) == b""
            return code
