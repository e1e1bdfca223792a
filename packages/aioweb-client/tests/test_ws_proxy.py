"""``ClientSession.ws_connect`` through proxies: a CONNECT tunnel for ws:// and wss://.

The real tinyproxy covers the happy paths and 407; raw-socket proxies cover the
answers tinyproxy will not give (garbage, hanging up, early bytes, silence).
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable

import pytest
from client_proxylib import tls_contexts
from client_testlib import TIMEOUT, raw_server

from aioweb.client import (
    BasicAuth,
    ClientConnectorCertificateError,
    ClientHttpProxyError,
    ClientProxyConnectionError,
    ClientSession,
    ConnectionTimeoutError,
    InvalidURL,
)
from aioweb.kernel import Application, Request, StreamResponse
from aioweb.testing import AiowebServer, TestServer
from aioweb.websocket import WebSocketResponse, WSMsgType, WSServerHandshakeError

_PY310 = (
    [pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")]
    if sys.version_info < (3, 11)
    else []
)
pytestmark = [*_PY310, pytest.mark.loopback]

Proxy = Callable[..., str]


async def echo(request: Request) -> StreamResponse:
    """Echo text frames, prefixed by what the handshake carried."""
    ws = WebSocketResponse()
    await ws.prepare(request)
    seen = " ".join(
        f"{k}={request.headers.get(k, '-')}" for k in ("Proxy-Authorization", "X-Default")
    )
    async for msg in ws:
        if msg.type == WSMsgType.TEXT:
            await ws.send_str(f"{msg.data} secure={request.secure} {seen}")
    return ws


async def start(aioweb_server: AiowebServer, **options: object) -> TestServer:
    app = Application()
    app.router.add_route("GET", "/ws", echo, name=None)
    return await aioweb_server(app, shutdown_timeout=1.0, **options)  # type: ignore[arg-type]


async def roundtrip(session: ClientSession, url: object, **options: object) -> str:
    ws = await session.ws_connect(url, timeout=TIMEOUT, **options)  # type: ignore[arg-type]
    try:
        await ws.send_str("hi")
        msg = await asyncio.wait_for(ws.receive(), TIMEOUT)
        assert msg.type == WSMsgType.TEXT
        return str(msg.data)
    finally:
        await ws.close()


async def test_ws_goes_through_a_connect_tunnel_with_credentials(
    no_fd_leak: None, aioweb_server: AiowebServer, tinyproxy_factory: Proxy
) -> None:
    origin = await start(aioweb_server)
    proxy = tinyproxy_factory(connect_ports=(origin.port,), auth=("user", "secret"))
    url = origin.make_url("/ws").with_scheme("ws")
    async with ClientSession(headers={"X-Default": "d"}) as session:
        text = await roundtrip(session, url, proxy=proxy, proxy_auth=BasicAuth("user", "secret"))
        # Through the proxy (it checked the credentials), which never reached the origin.
        assert text == "hi secure=False Proxy-Authorization=- X-Default=d"
        creds = proxy.replace("http://", "http://user:secret@")
        assert (await roundtrip(session, url, proxy=creds, mask_backend="pure")).startswith("hi ")
        with pytest.raises(ClientHttpProxyError) as info:
            await session.ws_connect(url, proxy=proxy, timeout=TIMEOUT)
        assert info.value.status == 407


async def test_wss_through_the_tunnel_verifies_the_origin(
    no_fd_leak: None, aioweb_server: AiowebServer, tinyproxy_factory: Proxy
) -> None:
    server_ctx, client_ctx = tls_contexts("127.0.0.1")
    origin = await start(aioweb_server, ssl_context=server_ctx)
    proxy = tinyproxy_factory(connect_ports=(origin.port,))
    url = origin.make_url("/ws")  # https: becomes wss
    async with ClientSession(proxy=proxy) as session:
        text = await roundtrip(session, url, ssl_context=client_ctx)
        assert text.startswith("hi secure=True ")
        with pytest.raises(ClientConnectorCertificateError):
            await session.ws_connect(url, timeout=TIMEOUT)  # the default context


async def test_trust_env_picks_the_proxy_per_scheme_and_honours_no_proxy(
    no_fd_leak: None,
    aioweb_server: AiowebServer,
    tinyproxy_factory: Proxy,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    origin = await start(aioweb_server)
    proxy = tinyproxy_factory(connect_ports=(origin.port,), auth=("user", "secret"))
    url = origin.make_url("/ws").with_scheme("ws")
    for name in ("http_proxy", "https_proxy", "all_proxy", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)
    monkeypatch.setenv("http_proxy", proxy)  # ws:// uses http_proxy (wss:// https_proxy)
    async with ClientSession(trust_env=True) as session:
        with pytest.raises(ClientHttpProxyError):  # 407: it went to the proxy
            await session.ws_connect(url, timeout=TIMEOUT)
        creds = {"Proxy-Authorization": BasicAuth("user", "secret").encode()}
        # A Proxy-Authorization header goes on the CONNECT, not to the origin.
        text = await roundtrip(session, url, headers=creds)
        assert "Proxy-Authorization=-" in text
        monkeypatch.setenv("no_proxy", "127.0.0.1")
        assert (await roundtrip(session, url)).startswith("hi ")
    async with ClientSession() as session:  # trust_env off: the environment is ignored
        monkeypatch.delenv("no_proxy")
        assert (await roundtrip(session, url)).startswith("hi ")


@pytest.mark.parametrize(
    ("answer", "error"),
    [
        pytest.param(b"garbage\r\n\r\n", ClientProxyConnectionError, id="garbage"),
        pytest.param(b"", ClientProxyConnectionError, id="hang-up"),
        pytest.param(b"HTTP/1.1 200 OK\r\n\r\nearly", ClientProxyConnectionError, id="early"),
        pytest.param(b"HTTP/1.1 403 Forbidden\r\n\r\n", ClientHttpProxyError, id="403"),
    ],
)
async def test_hostile_proxy_answers(no_fd_leak: None, answer: bytes, error: type) -> None:
    seen: list[bytes] = []

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        seen.append(await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), TIMEOUT))
        writer.write(answer)
        await writer.drain()

    async with raw_server(handler) as proxy, ClientSession() as session:
        with pytest.raises(error):
            await session.ws_connect("ws://example.test:81/ws", proxy=proxy, timeout=TIMEOUT)
    assert seen[0].startswith(b"CONNECT example.test:81 HTTP/1.1\r\n")
    assert b"\r\nHost: example.test:81\r\n" in seen[0]


async def test_silent_proxy_times_out(no_fd_leak: None) -> None:
    release = asyncio.Event()

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await asyncio.wait_for(release.wait(), TIMEOUT)

    async with raw_server(handler) as proxy, ClientSession() as session:
        with pytest.raises(ConnectionTimeoutError, match="tunnel"):
            await session.ws_connect("ws://example.test/ws", proxy=proxy, timeout=0.2)
        release.set()


async def test_origin_refusing_the_handshake_through_the_tunnel(no_fd_leak: None) -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), TIMEOUT)  # CONNECT
        writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), TIMEOUT)  # the upgrade
        assert head.startswith(b"GET /ws HTTP/1.1\r\n")
        writer.write(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
        await writer.drain()
        await asyncio.wait_for(reader.read(), TIMEOUT)

    async with raw_server(handler) as proxy, ClientSession() as session:
        with pytest.raises(WSServerHandshakeError) as info:
            await session.ws_connect("ws://example.test/ws", proxy=proxy, timeout=TIMEOUT)
        assert info.value.status == 404


async def test_unreachable_proxy_and_bad_proxy_url(
    no_fd_leak: None, aioweb_unused_port: Callable[[], int]
) -> None:
    async with ClientSession() as session:
        with pytest.raises(ClientProxyConnectionError):
            await session.ws_connect(
                "ws://example.test/ws",
                proxy=f"http://127.0.0.1:{aioweb_unused_port()}",
                timeout=TIMEOUT,
            )
        with pytest.raises(InvalidURL):
            await session.ws_connect("ws://example.test/ws", proxy="socks5://127.0.0.1:1")
