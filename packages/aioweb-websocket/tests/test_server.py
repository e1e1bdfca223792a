"""WebSocketResponse over real sockets, with the ``websockets`` library as the client."""

from __future__ import annotations

import asyncio

import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.datastructures import Headers
from websockets.exceptions import ConnectionClosed, InvalidStatus
from ws_testlib import TIMEOUT, Live, ServeWs

from aioweb.kernel import Request, Response, StreamResponse
from aioweb.websocket import WebSocketResponse, WSCloseCode, WSMsgType

pytestmark = pytest.mark.loopback

SEEN: list[object] = []


async def echo(request: Request) -> StreamResponse:
    """The seed's handler shape, plus binary echo and a few commands."""
    if request.path == "/plain":
        return Response(text="plain")
    ws = WebSocketResponse(protocols=("chat",), compress=request.path != "/nocompress")
    await ws.prepare(request)
    async for msg in ws:
        if msg.type == WSMsgType.TEXT:
            if msg.data == "close":
                await ws.close(code=4001, message=b"asked")
            elif msg.data == "ping":
                await ws.ping(b"hb")
            elif msg.data == "json":
                await ws.send_json({"a": 1})
            else:
                await ws.send_str(f"Hello, {msg.data}")
        elif msg.type == WSMsgType.BINARY:
            await ws.send_bytes(msg.data)
        elif msg.type == WSMsgType.ERROR:
            SEEN.append(ws.exception())
    SEEN.append(ws.close_code)
    return ws


def _headers(ws: ClientConnection) -> Headers:
    assert ws.response is not None
    return ws.response.headers


@pytest.fixture
async def live(serve_ws: ServeWs) -> Live:
    SEEN.clear()
    return await serve_ws(echo)


async def test_text_binary_and_compression(live: Live) -> None:
    async with connect(live.url, subprotocols=["chat"], open_timeout=TIMEOUT) as ws:  # type: ignore[list-item]
        assert ws.subprotocol == "chat"
        assert "permessage-deflate" in _headers(ws)["Sec-WebSocket-Extensions"]
        await ws.send("world")
        assert await asyncio.wait_for(ws.recv(), TIMEOUT) == "Hello, world"
        big = bytes(range(256)) * 4000
        await ws.send(big)
        assert await asyncio.wait_for(ws.recv(), TIMEOUT) == big
        await ws.send("json")
        assert await asyncio.wait_for(ws.recv(), TIMEOUT) == '{"a": 1}'
    assert ws.close_code == 1000


async def test_without_compression(live: Live) -> None:
    async with connect(live.url + "nocompress", open_timeout=TIMEOUT) as ws:
        assert "Sec-WebSocket-Extensions" not in _headers(ws)
        assert ws.subprotocol is None
        await ws.send("x" * 100_000)
        assert await asyncio.wait_for(ws.recv(), TIMEOUT) == "Hello, " + "x" * 100_000
    async with connect(live.url, compression=None, open_timeout=TIMEOUT) as ws:
        assert "Sec-WebSocket-Extensions" not in _headers(ws)
        await ws.send(b"\x00\x01")
        assert await asyncio.wait_for(ws.recv(), TIMEOUT) == b"\x00\x01"


async def test_fragmented_message(live: Live) -> None:
    async with connect(live.url, open_timeout=TIMEOUT) as ws:
        await ws.send(["frag", "men", "ted ✓"])
        assert await asyncio.wait_for(ws.recv(), TIMEOUT) == "Hello, fragmented ✓"


async def test_pings_both_ways(live: Live) -> None:
    async with connect(live.url, open_timeout=TIMEOUT) as ws:
        pong = await ws.ping(b"abc")
        await asyncio.wait_for(pong, TIMEOUT)  # autoping answered
        await ws.send("ping")  # the server pings us; the library answers on its own
        await ws.send("after")
        assert await asyncio.wait_for(ws.recv(), TIMEOUT) == "Hello, after"


async def test_server_initiated_close_code(live: Live) -> None:
    async with connect(live.url, open_timeout=TIMEOUT) as ws:
        await ws.send("close")
        with pytest.raises(ConnectionClosed):
            await asyncio.wait_for(ws.recv(), TIMEOUT)
    assert (ws.close_code, ws.close_reason) == (4001, "asked")


async def test_client_close_code_reaches_the_handler(live: Live) -> None:
    async with connect(live.url, open_timeout=TIMEOUT) as ws:
        await ws.close(code=4321, reason="bye")
    for _ in range(100):
        if SEEN:
            break
        await asyncio.sleep(0.01)
    assert SEEN == [4321]


async def test_bad_handshake_is_400_and_plain_http_still_works(live: Live) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", live.port)
    try:
        writer.write(
            b"GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            b"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: short\r\n\r\n"
        )
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), TIMEOUT)
        assert head.startswith(b"HTTP/1.1 400 ")
        assert b"Sec-WebSocket-Key" in head  # the reason says what is wrong
    finally:
        writer.close()
    with pytest.raises(InvalidStatus) as info:
        async with connect(live.url + "plain", open_timeout=TIMEOUT):
            pass
    assert info.value.response.status_code == 200  # a plain route answers plain HTTP


async def test_wrong_version_is_400_naming_the_version_we_speak(serve_ws: ServeWs) -> None:
    live = await serve_ws(echo)
    reader, writer = await asyncio.open_connection("127.0.0.1", live.port)
    try:
        writer.write(
            b"GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            b"Sec-WebSocket-Version: 8\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"
        )
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), TIMEOUT)
    finally:
        writer.close()
    assert head.startswith(b"HTTP/1.1 400 ")  # as in RFC 6455 §4.4's example
    assert b"\r\nSec-WebSocket-Version: 13\r\n" in head


async def test_can_prepare_and_message_api(serve_ws: ServeWs) -> None:
    async def handler(request: Request) -> StreamResponse:
        ws = WebSocketResponse(receive_timeout=TIMEOUT)
        assert ws.can_prepare(request) == (True, None)
        await ws.prepare(request)
        assert await ws.receive_str() == "s"
        assert await ws.receive_bytes() == b"b"
        assert await ws.receive_json() == {"k": [1]}
        with pytest.raises(TypeError):
            await ws.receive_str()  # a binary message
        msg = await ws.receive()
        assert msg.type is WSMsgType.CLOSE
        assert msg.data == WSCloseCode.GOING_AWAY
        assert msg.extra == "gone"
        assert (await ws.receive()).type is WSMsgType.CLOSED
        assert ws.closed
        assert ws.close_code == 1001
        assert not await ws.close()
        with pytest.raises(ConnectionResetError):
            await ws.send_str("late")
        return ws

    live = await serve_ws(handler)
    async with connect(live.url, open_timeout=TIMEOUT) as ws:
        for item in ("s", b"b", '{"k": [1]}', b"x"):
            await ws.send(item)
        await ws.close(1001, "gone")


async def test_receive_timeout(serve_ws: ServeWs) -> None:
    async def handler(request: Request) -> StreamResponse:
        ws = WebSocketResponse(receive_timeout=0.05)
        await ws.prepare(request)
        with pytest.raises(asyncio.TimeoutError):
            await ws.receive()
        await ws.send_str("timed out")
        await ws.close()
        return ws

    live = await serve_ws(handler)
    async with connect(live.url, open_timeout=TIMEOUT) as ws:
        assert await asyncio.wait_for(ws.recv(), TIMEOUT) == "timed out"


async def test_send_waits_for_a_client_that_does_not_read(serve_ws: ServeWs) -> None:
    """Back-pressure: the server's buffer stays bounded while the client reads nothing."""
    sent: list[int] = []
    blocked = asyncio.Event()

    async def handler(request: Request) -> StreamResponse:
        ws = WebSocketResponse(compress=False)
        await ws.prepare(request)
        chunk = b"x" * 65536
        for i in range(2000):  # 128 MiB if nothing pushed back
            task = asyncio.ensure_future(ws.send_bytes(chunk))
            done, _ = await asyncio.wait([task], timeout=0.2)
            if not done:
                blocked.set()
                task.cancel()
                break
            sent.append(i)
        await ws.close()
        return ws

    live = await serve_ws(handler)
    _, writer = await asyncio.open_connection("127.0.0.1", live.port, limit=1024)
    writer.write(
        b"GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        b"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"
    )
    await asyncio.wait_for(blocked.wait(), TIMEOUT)
    writer.close()
    assert len(sent) < 200


async def test_server_shutdown_closes_open_websockets_with_1001(serve_ws: ServeWs) -> None:
    done = asyncio.get_running_loop().create_future()

    async def handler(request: Request) -> StreamResponse:
        ws = WebSocketResponse()
        await ws.prepare(request)
        async for _ in ws:
            pass
        done.set_result(ws.close_code)
        return ws

    live = await serve_ws(handler)
    client = await connect(live.url, open_timeout=TIMEOUT)
    await client.send("hi")
    cleanup = asyncio.ensure_future(live.server.close())
    with pytest.raises(ConnectionClosed) as info:
        await asyncio.wait_for(client.recv(), TIMEOUT)
    assert info.value.rcvd is not None
    assert info.value.rcvd.code == WSCloseCode.GOING_AWAY
    assert await asyncio.wait_for(done, TIMEOUT) == WSCloseCode.GOING_AWAY
    await asyncio.wait_for(cleanup, TIMEOUT)
    await client.close()
