"""aioweb's client against the ``websockets`` library's server and against aioweb's server."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from websockets.asyncio.server import ServerConnection
from websockets.asyncio.server import serve as ws_serve
from ws_testlib import TIMEOUT, ServeWs

from aioweb.kernel import Request, Response, StreamResponse
from aioweb.testing import AiowebClient
from aioweb.websocket import WebSocketResponse, WSMsgType, WSServerHandshakeError, ws_connect

pytestmark = pytest.mark.loopback


async def _echo(conn: ServerConnection) -> None:
    async for message in conn:
        if message == "close":
            await conn.close(4002, "as asked")
            return
        await conn.send(message)


@pytest.fixture
async def ws_server() -> AsyncIterator[str]:
    async with ws_serve(_echo, "127.0.0.1", 0, subprotocols=["chat"]) as server:  # type: ignore[list-item]
        port = next(iter(server.sockets)).getsockname()[1]
        yield f"ws://127.0.0.1:{port}/path?q=1"


@pytest.mark.parametrize("compress", [True, False], ids=["deflate", "plain"])
async def test_against_websockets_server(ws_server: str, compress: bool) -> None:
    ws = await ws_connect(ws_server, protocols=["chat"], compress=compress, receive_timeout=TIMEOUT)
    assert ws.ws_protocol == "chat"
    extensions = dict(ws.response_headers).get("Sec-WebSocket-Extensions", "")
    assert ("permessage-deflate" in extensions) is compress
    await ws.send_str("héllo")
    assert await ws.receive_str() == "héllo"
    await ws.send_bytes(b"\x00" * 200_000)
    assert await ws.receive_bytes() == b"\x00" * 200_000
    await ws.ping(b"x")
    await ws.send_str("close")
    msg = await ws.receive()
    assert (msg.type, msg.data, msg.extra) == (WSMsgType.CLOSE, 4002, "as asked")
    assert (await ws.receive()).type is WSMsgType.CLOSED
    assert ws.close_code == 4002


async def test_client_initiated_close(ws_server: str) -> None:
    async with await ws_connect(ws_server, protocols=["chat"], receive_timeout=TIMEOUT) as ws:
        await ws.send_json({"a": [1]})
        assert await ws.receive_json() == {"a": [1]}
        assert await ws.close(code=1000)
    assert ws.closed
    assert ws.close_code == 1000


async def test_handshake_refused(serve_ws: ServeWs, aioweb_client: AiowebClient) -> None:
    async def handler(request: Request) -> StreamResponse:
        return Response(status=403, text="no")

    client = await aioweb_client((await serve_ws(handler)).server)
    with pytest.raises(WSServerHandshakeError) as info:
        await client.ws_connect("/", timeout=TIMEOUT)
    assert info.value.status == 403


async def test_bad_url() -> None:
    with pytest.raises(ValueError, match="ws://"):
        await ws_connect("http://127.0.0.1/")


async def test_aioweb_client_and_server_with_heartbeat(
    serve_ws: ServeWs, aioweb_client: AiowebClient
) -> None:
    async def handler(request: Request) -> StreamResponse:
        ws = WebSocketResponse(heartbeat=0.05, autoping=False)
        await ws.prepare(request)
        async for msg in ws:
            if msg.type is WSMsgType.PONG:
                await ws.send_str("got pong")
            elif msg.type is WSMsgType.TEXT:
                await ws.send_str(msg.data.upper())
        return ws

    client = await aioweb_client((await serve_ws(handler)).server)
    ws = await client.ws_connect("/", receive_timeout=TIMEOUT)
    await ws.send_str("abc")
    assert await ws.receive_str() == "ABC"
    # Idle: the server pings, our client's autoping answers, the server sees the pong.
    assert await ws.receive_str() == "got pong"
    await ws.close()
    assert ws.close_code == 1000


async def test_heartbeat_closes_a_silent_peer(serve_ws: ServeWs) -> None:
    closed = asyncio.Event()
    codes: list[int | None] = []

    async def handler(request: Request) -> StreamResponse:
        ws = WebSocketResponse(heartbeat=0.05)
        await ws.prepare(request)
        async for _ in ws:
            pass
        codes.append(ws.close_code)
        closed.set()
        return ws

    live = await serve_ws(handler)
    async with live.raw() as (_, writer):
        await asyncio.wait_for(closed.wait(), TIMEOUT)  # we never answer its ping
        writer.close()
    assert codes == [1006]


async def test_handshake_reader_skips_interim_answers_and_keeps_the_rest() -> None:
    from aioweb.http.sansio import ResponseHead
    from aioweb.websocket import HandshakeReader

    done: asyncio.Future[tuple[ResponseHead, bytes]] = asyncio.get_running_loop().create_future()
    reader = HandshakeReader(done)
    reader.data_received(b"HTTP/1.1 100 Continue\r\n\r\n")
    assert not done.done()
    reader.data_received(
        b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
        b"Connection: Upgrade\r\n\r\n\x81\x02hi"
    )
    head, rest = await asyncio.wait_for(done, 5)
    assert head.status == 101
    assert rest == b"\x81\x02hi"
