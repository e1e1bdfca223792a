"""The plugin registers the "websocket" upgrade handler, which answers a raw handshake."""

from __future__ import annotations

import asyncio
import socket
from typing import cast

import pytest
from ws_testlib import TIMEOUT, read_frame

from aioweb.kernel import UPGRADE, Registry, Request
from aioweb.websocket import WebSocketConnection, WSMsgType
from aioweb.websocket._plugin import plugin
from aioweb.websocket.sansio import HandshakeError, client_request, encode_frame

pytestmark = pytest.mark.loopback


def test_plugin_provides_the_websocket_upgrade() -> None:
    registry = Registry(discover=False)
    registry.add(plugin)
    registry.load()
    assert "websocket" in registry.items(UPGRADE)


async def test_upgrade_handler_over_a_socket_pair() -> None:
    registry = Registry(discover=False)
    registry.add(plugin)
    registry.load()
    handler = registry.get(UPGRADE, "websocket")
    hs = client_request(compress=False)
    request = Request("GET", "/", headers=tuple((n.encode(), v.encode()) for n, v in hs.headers))
    loop = asyncio.get_running_loop()
    server_side, client_side = socket.socketpair()
    transport, _ = await loop.connect_accepted_socket(asyncio.Protocol, server_side)
    reader, writer = await asyncio.open_connection(sock=client_side)
    try:
        first = encode_frame(0x1, b"hi", mask=b"abcd")
        conn = cast(WebSocketConnection, handler(request, transport, first))
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), TIMEOUT)
        assert head.startswith(b"HTTP/1.1 101 ")
        msg = await conn.receive(TIMEOUT)
        assert (msg.type, msg.data) == (WSMsgType.TEXT, "hi")
        await conn.send_str("yo")
        assert await read_frame(reader) == (0x81, b"yo")
        with pytest.raises(HandshakeError):
            handler(Request("POST", "/", headers=()), transport, b"")
    finally:
        writer.close()
        transport.close()
