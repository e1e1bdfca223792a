"""Hostile frames over raw sockets: the right close code, no crash, the server serves on."""

from __future__ import annotations

import asyncio
import zlib
from collections.abc import AsyncIterator

import pytest
from websockets.asyncio.client import connect
from ws_testlib import MASK, TIMEOUT, Live, ServeWs, client_frame, read_close, read_frame

from aioweb.kernel import Request, StreamResponse
from aioweb.websocket import WebSocketResponse, WSMsgType
from aioweb.websocket.sansio import WebSocketProtocolError, encode_frame

pytestmark = pytest.mark.loopback

ERRORS: list[BaseException | None] = []


async def echo(request: Request) -> StreamResponse:
    ws = WebSocketResponse(max_msg_size=64 * 1024)
    await ws.prepare(request)
    async for msg in ws:
        if msg.type == WSMsgType.TEXT:
            await ws.send_str(msg.data)
        elif msg.type == WSMsgType.BINARY:
            await ws.send_bytes(msg.data)
        elif msg.type == WSMsgType.ERROR:
            ERRORS.append(ws.exception())
    return ws


@pytest.fixture
async def live(serve_ws: ServeWs) -> AsyncIterator[Live]:
    ERRORS.clear()
    server = await serve_ws(echo)
    yield server
    # The server still serves a new, well-behaved connection.
    async with connect(server.url, open_timeout=TIMEOUT) as ws:
        await ws.send("still here")
        assert await asyncio.wait_for(ws.recv(), TIMEOUT) == "still here"


def _bomb() -> bytes:
    obj = zlib.compressobj(9, zlib.DEFLATED, -15)
    body = (obj.compress(b"\x00" * (32 * 1024 * 1024)) + obj.flush(zlib.Z_SYNC_FLUSH))[:-4]
    return client_frame(0x2, body, rsv1=True)


HOSTILE = [
    pytest.param(encode_frame(0x1, b"hello"), "", 1002, id="unmasked-client-frame"),
    pytest.param(
        bytes((0x82, 0xFF)) + (2**63).to_bytes(8, "big") + MASK, "", 1002, id="length-2**63"
    ),
    pytest.param(client_frame(0x9, b"p", fin=False), "", 1002, id="fragmented-ping"),
    pytest.param(
        client_frame(0x1, b"\xce", fin=False) + client_frame(0x0, b"\x28"),
        "",
        1007,
        id="invalid-utf8-across-fragments",
    ),
    pytest.param(client_frame(0x2, b"x" * (64 * 1024 + 1)), "", 1009, id="oversize"),
    pytest.param(
        bytes((0x82, 0xFF)) + (2**40).to_bytes(8, "big") + MASK, "", 1009, id="oversize-header-only"
    ),
    pytest.param(
        _bomb(), "Sec-WebSocket-Extensions: permessage-deflate\r\n", 1009, id="compression-bomb"
    ),
    pytest.param(client_frame(0x1, b"x", rsv1=True), "", 1002, id="rsv1-not-negotiated"),
    pytest.param(client_frame(0x8, b"\x03\xed"), "", 1002, id="close-code-1005"),
]


@pytest.mark.parametrize(("data", "extra", "code"), HOSTILE)
async def test_hostile_frame(live: Live, data: bytes, extra: str, code: int) -> None:
    async with live.raw(extra) as (reader, writer):
        writer.write(data)
        assert await read_close(reader) == code
    for _ in range(100):
        if ERRORS:
            break
        await asyncio.sleep(0.01)
    assert isinstance(ERRORS[0], WebSocketProtocolError)
    assert ERRORS[0].close_code == code


async def test_ping_interleaved_in_a_fragmented_message(live: Live) -> None:
    async with live.raw() as (reader, writer):
        writer.write(
            client_frame(0x1, b"ab", fin=False)
            + client_frame(0x9, b"hey")
            + client_frame(0x0, b"cd")
        )
        assert await read_frame(reader) == (0x8A, b"hey")  # the pong comes first
        assert await read_frame(reader) == (0x81, b"abcd")
        writer.write(client_frame(0x8, b"\x03\xe8"))
        assert await read_close(reader) == 1000


async def test_peer_vanishing_mid_message(live: Live) -> None:
    async with live.raw() as (_, writer):
        writer.write(client_frame(0x2, b"x" * 1000)[:100])
        await writer.drain()


VALID_THEN_BAD = [
    pytest.param(client_frame(0x1, b"x", rsv1=True), 1002, id="rsv1"),
    pytest.param(bytes((0x83, 0x80)) + MASK, 1002, id="reserved-opcode"),
    pytest.param(client_frame(0x0, b"x"), 1002, id="continuation-without-message"),
    pytest.param(client_frame(0x1, b"\xff"), 1007, id="invalid-utf8"),
]


@pytest.mark.parametrize(("bad", "code"), VALID_THEN_BAD)
async def test_valid_messages_before_a_bad_frame_are_answered_first(
    live: Live, bad: bytes, code: int
) -> None:
    # Autobahn 3.2-3.4, 4.x, 5.15: messages that arrived whole before the bad frame,
    # in the same read, are delivered (and echoed) before the connection fails.
    async with live.raw() as (reader, writer):
        writer.write(client_frame(0x1, b"one") + client_frame(0x2, b"two") + bad + b"junk")
        assert await read_frame(reader) == (0x81, b"one")
        assert await read_frame(reader) == (0x82, b"two")
        assert await read_close(reader) == code
    for _ in range(100):
        if ERRORS:
            break
        await asyncio.sleep(0.01)
    assert isinstance(ERRORS[0], WebSocketProtocolError)
    assert ERRORS[0].close_code == code


async def test_an_application_that_does_not_read_is_failed_after_timeout(serve_ws: ServeWs) -> None:
    gate = asyncio.Event()

    async def lazy(request: Request) -> StreamResponse:
        ws = WebSocketResponse(timeout=0.2)
        await ws.prepare(request)
        await asyncio.wait_for(gate.wait(), TIMEOUT)
        return ws

    server = await serve_ws(lazy)
    async with server.raw() as (reader, writer):
        writer.write(client_frame(0x1, b"one") + client_frame(0x1, b"x", rsv1=True))
        assert await read_close(reader) == 1002
        gate.set()


async def test_echoes_of_a_batch_leave_in_order(live: Live) -> None:
    # Answers to queued messages are joined into fewer writes: order and content kept.
    async with live.raw() as (reader, writer):
        writer.write(b"".join(client_frame(0x1, str(i).encode()) for i in range(200)))
        for i in range(200):
            assert await read_frame(reader) == (0x81, str(i).encode())
        writer.write(client_frame(0x8, b"\x03\xe8"))
        assert await read_close(reader) == 1000
