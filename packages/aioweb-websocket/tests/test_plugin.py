"""The ``upgrade`` extension point: what the plugin registers is what serving uses.

``WebSocketResponse.prepare`` and a third-party protocol (a toy ``Upgrade: echo/1``)
both go through ``aioweb.kernel.switch_protocols``, which looks the token up in the
application's registry.
"""

from __future__ import annotations

import asyncio

import pytest
from ws_testlib import TIMEOUT, client_frame, read_frame

from aioweb.kernel import (
    UPGRADE,
    Application,
    HTTPBadRequest,
    PluginSpec,
    Registry,
    Request,
    StreamResponse,
    UpgradeHandler,
    switch_protocols,
)
from aioweb.routing import UrlDispatcher
from aioweb.testing import AiowebServer
from aioweb.websocket import WebSocketConnection, WebSocketResponse, WSMsgType
from aioweb.websocket._plugin import WebSocketUpgrade, plugin

pytestmark = pytest.mark.loopback


class EchoProtocol(asyncio.Protocol):
    """The toy protocol: every byte comes back upper-cased."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        assert self.transport is not None
        self.transport.write(data.upper())


class EchoUpgrade:
    """A third party's ``upgrade`` handler for ``Upgrade: echo/1``."""

    def negotiate(self, request: Request, response: StreamResponse, /) -> EchoProtocol:
        if "X-Echo-Ready" not in request.headers:
            raise HTTPBadRequest(reason="X-Echo-Ready is missing")
        response.headers["X-Echo"] = "ok"
        return EchoProtocol()


class Spy:
    """Wraps the websocket plugin's handler and counts the calls that reach it."""

    def __init__(self) -> None:
        self.calls = 0
        self.inner = WebSocketUpgrade()

    def negotiate(self, request: Request, response: StreamResponse, /) -> WebSocketConnection:
        self.calls += 1
        return self.inner.negotiate(request, response)


def _registry(token: str, handler: UpgradeHandler) -> Registry:
    registry = Registry(discover=False)
    registry.add(
        PluginSpec(
            name="toy",
            api_version=(1, 0),
            setup=lambda r: r.provide(UPGRADE, token, handler),
        )
    )
    return registry


async def upgrade_echo(request: Request) -> StreamResponse:
    response = StreamResponse()
    await switch_protocols(request, response, "echo/1")
    return response


async def websocket_echo(request: Request) -> StreamResponse:
    ws = WebSocketResponse()
    await ws.prepare(request)
    async for msg in ws:
        if msg.type is WSMsgType.TEXT:
            await ws.send_str(msg.data)
    return ws


def test_plugin_provides_the_websocket_upgrade() -> None:
    registry = Registry(discover=False)
    registry.add(plugin)
    registry.load()
    handler: UpgradeHandler = registry.get(UPGRADE, "websocket")
    assert isinstance(handler, WebSocketUpgrade)


async def test_a_third_party_upgrade_is_reached_through_the_registry(
    aioweb_server: AiowebServer,
) -> None:
    app = Application(registry=_registry("echo/1", EchoUpgrade()), router=UrlDispatcher())
    app.router.add_route("GET", "/", upgrade_echo, name=None)
    port = (await aioweb_server(app, shutdown_timeout=1.0)).port
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        # The first bytes of the new protocol ride with the request head.
        writer.write(
            b"GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: echo/1\r\n"
            b"X-Echo-Ready: 1\r\n\r\nhello"
        )
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), TIMEOUT)
        assert head.startswith(b"HTTP/1.1 101 ")
        lines = head.lower().split(b"\r\n")
        assert b"upgrade: echo/1" in lines
        assert b"connection: upgrade" in lines
        assert b"x-echo: ok" in lines
        assert await asyncio.wait_for(reader.readexactly(5), TIMEOUT) == b"HELLO"
        writer.write(b"more")
        assert await asyncio.wait_for(reader.readexactly(4), TIMEOUT) == b"MORE"
    finally:
        writer.close()


async def test_a_refused_handshake_is_a_400_and_the_connection_stays_http(
    aioweb_server: AiowebServer,
) -> None:
    app = Application(registry=_registry("echo/1", EchoUpgrade()), router=UrlDispatcher())
    app.router.add_route("GET", "/", upgrade_echo, name=None)
    port = (await aioweb_server(app, shutdown_timeout=1.0)).port
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: echo/1\r\n\r\n")
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), TIMEOUT)
        assert head.startswith(b"HTTP/1.1 400 X-Echo-Ready is missing\r\n")
    finally:
        writer.close()


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        pytest.param(b"X-Echo-Ready: 1\r\n", b"no 'Upgrade: echo/1' header", id="no-upgrade"),
        pytest.param(
            b"Upgrade: h2c\r\nConnection: Upgrade\r\nX-Echo-Ready: 1\r\n",
            b"no 'Upgrade: echo/1' header",
            id="other-token",
        ),
        pytest.param(
            b"Upgrade: echo/1\r\nX-Echo-Ready: 1\r\n",
            b"no 'Connection: upgrade' header",
            id="not-in-connection",
        ),
    ],
)
async def test_no_switch_to_a_protocol_the_client_did_not_ask_for(
    aioweb_server: AiowebServer, headers: bytes, reason: bytes
) -> None:
    # RFC 9110 §7.8, checked by switch_protocols before any plugin runs.
    app = Application(registry=_registry("echo/1", EchoUpgrade()), router=UrlDispatcher())
    app.router.add_route("GET", "/", upgrade_echo, name=None)
    port = (await aioweb_server(app, shutdown_timeout=1.0)).port
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(b"GET / HTTP/1.1\r\nHost: x\r\n" + headers + b"\r\n")
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), TIMEOUT)
        assert head.startswith(b"HTTP/1.1 400 " + reason + b"\r\n")
    finally:
        writer.close()


async def test_an_unknown_token_names_what_to_install(aioweb_server: AiowebServer) -> None:
    app = Application(registry=_registry("echo/1", EchoUpgrade()), router=UrlDispatcher())
    seen: list[BaseException] = []

    async def handler(request: Request) -> StreamResponse:
        try:
            await switch_protocols(request, StreamResponse(), "WebSocket")
        except Exception as exc:
            seen.append(exc)
        return StreamResponse(status=204)

    app.router.add_route("GET", "/", handler, name=None)
    port = (await aioweb_server(app, shutdown_timeout=1.0)).port
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(
            b"GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: upgrade\r\n\r\n"
        )
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), TIMEOUT)
        assert head.startswith(b"HTTP/1.1 204 ")
    finally:
        writer.close()
    assert len(seen) == 1
    assert "'websocket'" in str(seen[0])
    assert "pip install aioweb-websocket" in str(seen[0])


async def test_websocket_response_goes_through_the_registry(aioweb_server: AiowebServer) -> None:
    spy = Spy()
    app = Application(registry=_registry("websocket", spy), router=UrlDispatcher())
    app.router.add_route("GET", "/", websocket_echo, name=None)
    port = (await aioweb_server(app, shutdown_timeout=1.0)).port
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(
            b"GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
            b"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
            b"\r\n" + client_frame(0x1, b"hi")
        )
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), TIMEOUT)
        assert head.startswith(b"HTTP/1.1 101 ")
        assert b"Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" in head
        assert await read_frame(reader) == (0x81, b"hi")
    finally:
        writer.close()
    assert spy.calls == 1


async def test_a_plain_response_can_switch_to_websocket_with_default_options(
    aioweb_server: AiowebServer,
) -> None:
    async def handler(request: Request) -> StreamResponse:
        response = StreamResponse()
        conn = await switch_protocols(request, response, "websocket")
        assert isinstance(conn, WebSocketConnection)
        msg = await conn.receive(TIMEOUT)
        await conn.send_str(msg.data.upper())
        await conn.close()
        return response

    registry = Registry(discover=False)
    registry.add(plugin)
    app = Application(registry=registry, router=UrlDispatcher())
    app.router.add_route("GET", "/", handler, name=None)
    port = (await aioweb_server(app, shutdown_timeout=1.0)).port
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(
            b"GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
            b"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
            b"\r\n" + client_frame(0x1, b"hi")
        )
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), TIMEOUT)
        assert b"Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" in head
        assert await read_frame(reader) == (0x81, b"HI")
        b0, payload = await read_frame(reader)
        assert (b0, payload[:2]) == (0x88, b"\x03\xe8")
        writer.write(client_frame(0x8, b"\x03\xe8"))
    finally:
        writer.close()
