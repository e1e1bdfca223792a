"""The client on every event loop: uvloop's transports do not subclass asyncio.Transport.

Each test runs on asyncio's loop and on uvloop's, over the paths that touch a
transport directly: TLS, a CONNECT tunnel through tinyproxy (TLS started over an
existing transport), absolute-form through the proxy, a Unix socket, and a WebSocket
through the tunnel (the transport changes protocol twice).
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from collections.abc import Callable

import pytest
from client_proxylib import tls_contexts
from client_testlib import ON_EVERY_LOOP, TIMEOUT

from aioweb.client import (
    BasicAuth,
    ClientConnectorCertificateError,
    ClientSession,
    UnixConnector,
)
from aioweb.http import ServerRunner, UnixSite
from aioweb.kernel import Request, Response, StreamResponse
from aioweb.testing import AiowebRawServer

_PY310 = (
    [pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")]
    if sys.version_info < (3, 11)
    else []
)
pytestmark = [*_PY310, ON_EVERY_LOOP, pytest.mark.loopback]


async def echo(request: Request) -> StreamResponse:
    return Response(text=f"{request.method} {request.path_qs} {request.secure}")


def loop_name() -> str:
    """``asyncio`` or ``uvloop``: which loop the test runs on."""
    module = type(asyncio.get_running_loop()).__module__
    return "uvloop" if module.startswith("uvloop") else "asyncio"


@pytest.fixture
async def warm_loop() -> None:
    """Listen once before ``no_fd_leak`` counts: the first time a uvloop loop listens,
    libuv keeps one spare descriptor (for EMFILE handling) for the loop's lifetime."""
    server = await asyncio.get_running_loop().create_server(asyncio.Protocol, "127.0.0.1", 0)
    server.close()
    await server.wait_closed()


@pytest.fixture
def expected_loop(request: pytest.FixtureRequest) -> str:
    """The loop this test's parameter asked for (so a silent fallback cannot pass)."""
    return "uvloop" if "[uvloop]" in request.node.name else "asyncio"


async def test_tls(
    warm_loop: None, no_fd_leak: None, aioweb_raw_server: AiowebRawServer, expected_loop: str
) -> None:
    assert loop_name() == expected_loop
    server_ctx, client_ctx = tls_contexts("127.0.0.1")
    origin = await aioweb_raw_server(echo, ssl_context=server_ctx)
    url = origin.make_url("/tls")
    async with ClientSession() as session:
        for _ in range(2):
            async with session.get(url, ssl=client_ctx) as resp:
                assert await resp.text() == "GET /tls True"
        assert session.connector.idle_count() == 1
        with pytest.raises(ClientConnectorCertificateError):
            await session.get(url)  # the default context does not trust the test CA


async def test_connect_tunnel_and_absolute_form_through_tinyproxy(
    warm_loop: None,
    no_fd_leak: None,
    aioweb_raw_server: AiowebRawServer,
    tinyproxy_factory: Callable[..., str],
    expected_loop: str,
) -> None:
    assert loop_name() == expected_loop
    server_ctx, client_ctx = tls_contexts("127.0.0.1")
    tls_origin = await aioweb_raw_server(echo, ssl_context=server_ctx)
    plain_origin = await aioweb_raw_server(echo)
    proxy = tinyproxy_factory(connect_ports=(tls_origin.port,), auth=("user", "secret"))
    async with ClientSession(proxy=proxy, proxy_auth=BasicAuth("user", "secret")) as session:
        for _ in range(2):
            async with session.get(tls_origin.make_url("/t"), ssl=client_ctx) as resp:
                assert await resp.text() == "GET /t True"
        async with session.get(plain_origin.make_url("/p?q=1")) as resp:
            assert await resp.text() == "GET /p?q=1 False"
            assert "tinyproxy" in resp.headers.get("Via", "")
        assert session.connector.idle_count() == 2  # the tunnel and the plain connection


async def test_unix_socket(warm_loop: None, no_fd_leak: None, expected_loop: str) -> None:
    assert loop_name() == expected_loop
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "s.sock")
        runner = ServerRunner(echo)
        await runner.setup()
        await UnixSite(runner, path).start()
        try:
            async with ClientSession(connector=UnixConnector(path)) as session:
                for _ in range(2):
                    async with session.get("http://localhost/u") as resp:
                        assert await resp.text() == "GET /u False"
                assert session.connector.idle_count() == 1
        finally:
            await runner.cleanup()


async def test_websocket_through_a_tinyproxy_tunnel(
    warm_loop: None,
    no_fd_leak: None,
    aioweb_raw_server: AiowebRawServer,
    tinyproxy_factory: Callable[..., str],
    expected_loop: str,
) -> None:
    from aioweb.websocket import WebSocketResponse, WSMsgType

    async def ws_echo(request: Request) -> StreamResponse:
        ws = WebSocketResponse()
        await ws.prepare(request)
        async for msg in ws:
            if msg.type == WSMsgType.TEXT:
                await ws.send_str(f"{msg.data} {request.secure}")
        return ws

    assert loop_name() == expected_loop
    server_ctx, client_ctx = tls_contexts("127.0.0.1")
    plain = await aioweb_raw_server(ws_echo, shutdown_timeout=1.0)
    tls = await aioweb_raw_server(ws_echo, ssl_context=server_ctx, shutdown_timeout=1.0)
    proxy = tinyproxy_factory(connect_ports=(plain.port, tls.port))
    async with ClientSession(proxy=proxy) as session:
        for url, ctx, secure in (
            (plain.make_url("/"), None, False),
            (tls.make_url("/"), client_ctx, True),
        ):
            ws = await session.ws_connect(url, ssl_context=ctx, timeout=TIMEOUT)
            await ws.send_str("hi")
            msg = await asyncio.wait_for(ws.receive(), TIMEOUT)
            assert (msg.type, msg.data) == (WSMsgType.TEXT, f"hi {secure}")
            await ws.close()
