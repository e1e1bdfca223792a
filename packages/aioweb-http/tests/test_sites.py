"""Sites: TCP on IPv4 and IPv6, TLS, Unix sockets, pre-bound sockets, several on one runner."""

from __future__ import annotations

import asyncio
import socket
import ssl
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import trustme
from server_testlib import TIMEOUT, Conn

from aioweb.http import ServerRunner, SockSite, TCPSite, UnixSite
from aioweb.kernel import Request, Response, StreamResponse

pytestmark = pytest.mark.loopback

GET = b"GET /where HTTP/1.1\r\nHost: x\r\n\r\n"


async def handler(request: Request) -> StreamResponse:
    return Response(text=f"{request.scheme} {request.secure}")


def _has_ipv6_loopback() -> bool:
    if not socket.has_ipv6:
        return False
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as sock:
            sock.bind(("::1", 0))
    except OSError:
        return False
    return True


@pytest.fixture
async def runner() -> AsyncIterator[ServerRunner]:
    runner = ServerRunner(handler)
    await runner.setup()
    try:
        yield runner
        for _ in range(200):  # bounded: every client closed its socket
            if not runner.server.connections:
                break
            await asyncio.sleep(0.01)
        assert not runner.server.connections
    finally:
        await runner.cleanup()


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="module")
def server_ssl(ca: trustme.CA) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
    return context


@pytest.fixture(scope="module")
def client_ssl(ca: trustme.CA) -> ssl.SSLContext:
    context = ssl.create_default_context()
    ca.configure_trust(context)
    return context


async def ask(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, times: int = 2
) -> list[bytes]:
    """Send ``times`` keep-alive requests on one connection; return the bodies."""
    conn = Conn(reader, writer)
    bodies = []
    try:
        for _ in range(times):
            await conn.send(GET)
            status, _, body = await conn.response()
            assert status == b"HTTP/1.1 200 OK"
            bodies.append(body)
    finally:
        writer.close()
        await asyncio.wait_for(writer.wait_closed(), TIMEOUT)
    return bodies


def port_of(site: TCPSite | SockSite) -> int:
    (addr, *_) = site.addresses
    assert isinstance(addr, tuple)
    return int(addr[1])


@pytest.mark.skipif(not _has_ipv6_loopback(), reason="this host has no IPv6 loopback")
async def test_tcp_site_on_ipv6(runner: ServerRunner) -> None:
    site = TCPSite(runner, "::1", 0)
    await site.start()
    port = port_of(site)
    assert site.name == f"http://[::1]:{port}"
    streams = await asyncio.wait_for(asyncio.open_connection("::1", port), TIMEOUT)
    assert await ask(*streams) == [b"http False"] * 2


async def test_tls_site(
    runner: ServerRunner, server_ssl: ssl.SSLContext, client_ssl: ssl.SSLContext
) -> None:
    site = TCPSite(runner, "127.0.0.1", 0, ssl_context=server_ssl)
    await site.start()
    port = port_of(site)
    assert site.name == f"https://127.0.0.1:{port}"
    streams = await asyncio.wait_for(
        asyncio.open_connection("127.0.0.1", port, ssl=client_ssl, server_hostname="localhost"),
        TIMEOUT,
    )
    assert await ask(*streams) == [b"https True"] * 2


async def test_tls_site_refuses_plain_http(
    runner: ServerRunner, server_ssl: ssl.SSLContext
) -> None:
    site = TCPSite(runner, "127.0.0.1", 0, ssl_context=server_ssl)
    await site.start()
    reader, writer = await asyncio.open_connection("127.0.0.1", port_of(site))
    writer.write(GET)
    data = await asyncio.wait_for(reader.read(), TIMEOUT)  # the handshake fails: closed
    writer.close()
    assert b"200 OK" not in data


async def test_unix_site(runner: ServerRunner, tmp_path: Path) -> None:
    path = str(tmp_path / "aioweb.sock")
    site = UnixSite(runner, path)
    await site.start()
    assert site.addresses == [path]
    assert site.name == f"http://unix:{path}:"
    streams = await asyncio.wait_for(asyncio.open_unix_connection(path), TIMEOUT)
    assert await ask(*streams) == [b"http False"] * 2


async def test_sock_site(runner: ServerRunner) -> None:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    site = SockSite(runner, sock)
    await site.start()
    port = port_of(site)
    assert port == sock.getsockname()[1]
    streams = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), TIMEOUT)
    assert await ask(*streams) == [b"http False"] * 2


async def test_several_sites_on_one_runner_keep_their_own_scheme(
    runner: ServerRunner,
    server_ssl: ssl.SSLContext,
    client_ssl: ssl.SSLContext,
    tmp_path: Path,
) -> None:
    plain = TCPSite(runner, "127.0.0.1", 0)
    tls = TCPSite(runner, "127.0.0.1", 0, ssl_context=server_ssl)
    unix = UnixSite(runner, str(tmp_path / "s.sock"))
    for site in (plain, tls, unix):
        await site.start()
    assert runner.sites == [plain, tls, unix]
    assert len(runner.addresses) == 3
    # Interleaved: a TLS site must not make the plain ones report https.
    tls_streams = await asyncio.open_connection(
        "127.0.0.1", port_of(tls), ssl=client_ssl, server_hostname="localhost"
    )
    plain_streams = await asyncio.open_connection("127.0.0.1", port_of(plain))
    unix_streams = await asyncio.open_unix_connection(str(tmp_path / "s.sock"))
    results = await asyncio.wait_for(
        asyncio.gather(ask(*plain_streams), ask(*tls_streams), ask(*unix_streams)), TIMEOUT
    )
    assert list(results) == [[b"http False"] * 2, [b"https True"] * 2, [b"http False"] * 2]
    # Stopping one site stops only its listener.
    plain_port = port_of(plain)
    await plain.stop()
    with pytest.raises(ConnectionRefusedError):
        await asyncio.wait_for(asyncio.open_connection("127.0.0.1", plain_port), TIMEOUT)
    tls_streams = await asyncio.open_connection(
        "127.0.0.1", port_of(tls), ssl=client_ssl, server_hostname="localhost"
    )
    assert await ask(*tls_streams, times=1) == [b"https True"]
