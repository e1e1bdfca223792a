"""Proxies: plain http in absolute-form and https through CONNECT, via a real tinyproxy.

Raw-socket proxies cover what tinyproxy will not do: exact request bytes, and
hostile answers to CONNECT.
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
    InvalidURL,
)
from aioweb.kernel import Request, Response, StreamResponse
from aioweb.testing import AiowebRawServer

# Python 3.10's legacy sslproto leaves the origin server's SSL transport unclosed
# when the client refuses its certificate, and warns when it is collected.
_PY310 = (
    [pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")]
    if sys.version_info < (3, 11)
    else []
)
pytestmark = [*_PY310, pytest.mark.loopback]

Proxy = Callable[..., str]


async def echo(request: Request) -> StreamResponse:
    """The origin: says what it received."""
    seen = {k: request.headers.get(k, "-") for k in ("Proxy-Authorization", "Via", "X-Proxy")}
    return Response(text=f"{request.method} {request.path_qs} {request.secure} {seen}")


async def test_http_goes_through_the_proxy_with_credentials(
    aioweb_raw_server: AiowebRawServer, tinyproxy_factory: Proxy
) -> None:
    origin = await aioweb_raw_server(echo)
    proxy = tinyproxy_factory(auth=("user", "secret"))
    url = origin.make_url("/a?b=1")
    async with ClientSession() as session:
        async with session.get(url, proxy=proxy, proxy_auth=BasicAuth("user", "secret")) as resp:
            assert resp.status == 200
            text = await resp.text()
        assert text.startswith("GET /a?b=1 False")
        assert "tinyproxy" in text  # the proxy's Via header: it really went through it
        # Credentials in the proxy URL work too; without any, the proxy says 407.
        creds = proxy.replace("http://", "http://user:secret@")
        async with session.get(url, proxy=creds) as resp:
            assert resp.status == 200
        async with session.get(url, proxy=proxy) as resp:
            assert resp.status == 407


async def test_https_goes_through_a_connect_tunnel(
    no_fd_leak: None, aioweb_raw_server: AiowebRawServer, tinyproxy_factory: Proxy
) -> None:
    server_ctx, client_ctx = tls_contexts("127.0.0.1")
    origin = await aioweb_raw_server(echo, ssl_context=server_ctx)
    proxy = tinyproxy_factory(connect_ports=(origin.port,), auth=("user", "secret"))
    url = origin.make_url("/tls")
    async with ClientSession(proxy=proxy, proxy_auth=BasicAuth("user", "secret")) as session:
        for _ in range(2):
            async with session.get(url, ssl=client_ctx) as resp:
                text = await resp.text()
            # TLS end to end; the proxy credentials stayed on the CONNECT.
            assert text.startswith("GET /tls True")
            assert "'Proxy-Authorization': '-'" in text
        assert session.connector.idle_count() == 1  # the tunnel is pooled and reused


async def test_connect_refused_by_the_proxy_is_a_proxy_error(
    no_fd_leak: None, aioweb_raw_server: AiowebRawServer, tinyproxy_factory: Proxy
) -> None:
    server_ctx, client_ctx = tls_contexts("127.0.0.1")
    origin = await aioweb_raw_server(echo, ssl_context=server_ctx)
    with_auth = tinyproxy_factory(connect_ports=(origin.port,), auth=("user", "secret"))
    wrong_port = tinyproxy_factory(connect_ports=(origin.port + 1,))
    async with ClientSession() as session:
        with pytest.raises(ClientHttpProxyError) as info:
            await session.get(origin.make_url("/"), proxy=with_auth, ssl=client_ctx)
        assert info.value.status == 407
        assert info.value.request_info.method == "CONNECT"
        with pytest.raises(ClientHttpProxyError) as info:
            await session.get(origin.make_url("/"), proxy=wrong_port, ssl=client_ctx)
        assert info.value.status == 403


async def test_the_tunnel_verifies_the_origin_certificate(
    aioweb_raw_server: AiowebRawServer, tinyproxy_factory: Proxy
) -> None:
    server_ctx, client_ctx = tls_contexts("other.test")  # not the origin's name
    origin = await aioweb_raw_server(echo, ssl_context=server_ctx)
    proxy = tinyproxy_factory(connect_ports=(origin.port,))
    async with ClientSession() as session:
        with pytest.raises(ClientConnectorCertificateError):
            await session.get(origin.make_url("/"), proxy=proxy, ssl=client_ctx)


async def test_proxied_and_direct_connections_never_mix(
    aioweb_raw_server: AiowebRawServer, tinyproxy_factory: Proxy
) -> None:
    origin = await aioweb_raw_server(echo)
    proxy = tinyproxy_factory()
    url = origin.make_url("/")
    async with ClientSession() as session:
        for via_proxy in (False, True, False, True):
            async with session.get(url, proxy=proxy if via_proxy else None) as resp:
                assert ("tinyproxy" in await resp.text()) is via_proxy


async def test_unreachable_proxy_is_a_proxy_connection_error(
    aioweb_raw_server: AiowebRawServer, aioweb_unused_port: Callable[[], int]
) -> None:
    origin = await aioweb_raw_server(echo)
    port = aioweb_unused_port()
    async with ClientSession() as session:
        with pytest.raises(ClientProxyConnectionError) as info:
            await session.get(origin.make_url("/"), proxy=f"http://127.0.0.1:{port}")
    assert f"proxy 127.0.0.1:{port}" in str(info.value)
    assert info.value.port == origin.port


@pytest.mark.parametrize("proxy", ["https://127.0.0.1:1", "socks5://127.0.0.1:1", "http://"])
async def test_unsupported_proxy_urls_are_refused(proxy: str) -> None:
    async with ClientSession() as session:
        with pytest.raises(InvalidURL):
            await session.get("http://127.0.0.1:1/", proxy=proxy)
    with pytest.raises(InvalidURL):
        ClientSession(proxy=proxy)


# -- raw proxies: exact bytes and hostile answers ---------------------------------------


async def test_absolute_form_and_proxy_headers_on_the_wire() -> None:
    seen: list[bytes] = []

    async def fake_proxy(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        seen.append(await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), TIMEOUT))
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        await writer.drain()

    async with raw_server(fake_proxy) as proxy, ClientSession() as session:
        url = "http://origin.test:8080/p/a?q=1#frag"
        auth = BasicAuth("pu", "pp")
        async with session.get(
            url, proxy=proxy, proxy_auth=auth, proxy_headers={"X-Proxy": "1"}
        ) as resp:
            assert await resp.read() == b"ok"
    lines = seen[0].decode().split("\r\n")
    assert lines[0] == "GET http://origin.test:8080/p/a?q=1 HTTP/1.1"
    assert "Host: origin.test:8080" in lines
    assert f"Proxy-Authorization: {auth.encode()}" in lines
    assert "X-Proxy: 1" in lines


@pytest.mark.parametrize(
    "answer",
    [
        pytest.param(b"", id="hang-up"),
        pytest.param(b"SPDY/9 banana\r\n\r\n", id="garbage"),
        pytest.param(b"HTTP/1.1 200 Connection established\r\n\r\nEARLY", id="data-before-tls"),
        pytest.param(b"HTTP/1.1 200 OK\r\n" + b"X-Pad: 0123456789\r\n" * 5000, id="huge-head"),
    ],
)
async def test_hostile_connect_answers(answer: bytes, no_fd_leak: None) -> None:
    requests: list[bytes] = []

    async def fake_proxy(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        requests.append(await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), TIMEOUT))
        writer.write(answer)
        await writer.drain()
        if answer:
            await asyncio.wait_for(reader.read(), TIMEOUT)  # until the client gives up

    async with raw_server(fake_proxy) as proxy, ClientSession() as session:
        with pytest.raises(ClientProxyConnectionError):
            await session.get(
                "https://origin.test:4443/", proxy=proxy, proxy_auth=BasicAuth("u", "p")
            )
    head = requests[0].decode().split("\r\n")
    assert head[0] == "CONNECT origin.test:4443 HTTP/1.1"
    assert "Host: origin.test:4443" in head
    assert f"Proxy-Authorization: {BasicAuth('u', 'p').encode()}" in head


async def test_a_proxy_that_never_answers_connect_times_out() -> None:
    from aioweb.client import ClientTimeout, ConnectionTimeoutError

    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await asyncio.wait_for(reader.read(), TIMEOUT)

    session = ClientSession(timeout=ClientTimeout(connect=0.2))
    async with raw_server(silent) as proxy, session:
        with pytest.raises(ConnectionTimeoutError):
            await session.get("https://origin.test/", proxy=proxy)


async def test_a_proxy_authorization_header_goes_on_the_connect_only() -> None:
    connects: list[bytes] = []

    async def refusing(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connects.append(await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), TIMEOUT))
        writer.write(b"HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n")
        await writer.drain()

    token = BasicAuth("hdr", "pw").encode()
    async with raw_server(refusing) as proxy, ClientSession() as session:
        with pytest.raises(ClientHttpProxyError) as info:
            await session.get(
                "https://origin.test/", proxy=proxy, headers={"Proxy-Authorization": token}
            )
        assert info.value.status == 407
        # proxy_auth= replaces the header rather than sending two.
        with pytest.raises(ClientHttpProxyError):
            await session.get(
                "https://origin.test/",
                proxy=proxy,
                proxy_auth=BasicAuth("arg", "pw"),
                headers={"Proxy-Authorization": token},
            )
    first, second = (c.decode().split("\r\n") for c in connects)
    assert f"Proxy-Authorization: {token}" in first
    assert [h for h in second if h.startswith("Proxy-Authorization")] == [
        f"Proxy-Authorization: {BasicAuth('arg', 'pw').encode()}"
    ]


async def test_trust_env_https_proxy_tunnels(
    monkeypatch: pytest.MonkeyPatch, aioweb_raw_server: AiowebRawServer, tinyproxy_factory: Proxy
) -> None:
    server_ctx, client_ctx = tls_contexts("127.0.0.1")
    origin = await aioweb_raw_server(echo, ssl_context=server_ctx)
    proxy = tinyproxy_factory(connect_ports=(origin.port,), auth=("env", "pw"))
    for name in ("no_proxy", "NO_PROXY", "all_proxy", "ALL_PROXY", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTPS_PROXY", proxy.replace("http://", "http://env:pw@"))
    async with ClientSession(trust_env=True) as session:
        resp = await session.get(origin.make_url("/env"), ssl=client_ctx)
        assert (await resp.text()).startswith("GET /env True")
