"""The connection pool: reuse, limits and waiters, idle expiry, stale connections."""

from __future__ import annotations

import asyncio
import os
import tempfile
from http.server import BaseHTTPRequestHandler

import pytest
from client_testlib import TIMEOUT, Serve, raw_server, read_request, thread_server
from yarl import URL

from aioweb.client import (
    ClientSession,
    ConnectionKey,
    ServerDisconnectedError,
    TCPConnector,
    UnixConnector,
)
from aioweb.http import ServerRunner, UnixSite
from aioweb.kernel import Request, Response, StreamResponse

pytestmark = pytest.mark.loopback

OK = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"


async def hello(request: Request) -> StreamResponse:
    if request.path == "/slow":
        await asyncio.sleep(0.05)
    if request.path == "/big":
        return Response(body=b"z" * 2**20)
    return Response(text="hi")


async def test_limit_per_host_bounds_concurrency(no_fd_leak: None, serve: Serve) -> None:
    active = peak = 0

    async def counting(request: Request) -> StreamResponse:
        nonlocal active, peak
        active += 1
        peak = max(peak, active)
        await asyncio.sleep(0.02)
        active -= 1
        return Response(text="x")

    url = await serve(counting)
    connector = TCPConnector(limit_per_host=3)
    async with ClientSession(connector=connector) as session:

        async def one() -> bytes:
            async with session.get(url) as resp:
                return await resp.read()

        assert await asyncio.gather(*(one() for _ in range(12))) == [b"x"] * 12
        assert peak == 3
        assert connector.idle_count() == 3
        assert connector.in_use_count() == 0


async def test_waiters_are_served_in_order_and_cancellation_is_safe() -> None:
    release = asyncio.Event()

    async def holding(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        _head, _ = await read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\no")  # held mid-body
        await release.wait()
        writer.write(b"k")
        while True:
            await read_request(reader)
            writer.write(OK)

    async with raw_server(holding) as url:
        connector = TCPConnector(limit=1)
        async with ClientSession(connector=connector) as session:
            order: list[int] = []
            first = await session.get(url)

            async def wait(i: int) -> None:
                async with session.get(url) as resp:
                    order.append(i)
                    await resp.read()

            tasks = [asyncio.ensure_future(wait(i)) for i in range(4)]
            await asyncio.sleep(0.02)
            assert order == []
            tasks[1].cancel()
            release.set()
            assert await first.read() == b"ok"
            await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), TIMEOUT)
            assert order == [0, 2, 3]
            assert tasks[1].cancelled()
            assert connector.in_use_count() == 0
            assert connector.idle_count() == 1


async def test_unread_response_closes_its_connection(serve: Serve) -> None:
    url = await serve(hello)
    async with ClientSession(read_bufsize=2**14) as session:
        async with session.get(url + "/big") as resp:
            assert len(await resp.content.read(10)) == 10
        assert session.connector.idle_count() == 0
        assert session.connector.in_use_count() == 0
        async with session.get(url + "/big") as resp:
            assert len(await resp.read()) == 2**20
        assert session.connector.idle_count() == 1


async def test_idle_connections_expire_after_keepalive_timeout(serve: Serve) -> None:
    url = await serve(hello)
    connector = TCPConnector(keepalive_timeout=0.05)
    async with ClientSession(connector=connector) as session:
        await (await session.get(url)).read()
        assert connector.idle_count() == 1
        await asyncio.sleep(0.15)
        assert connector.idle_count() == 0


async def test_force_close_and_connection_close_are_not_pooled(serve: Serve) -> None:
    url = await serve(hello)
    async with ClientSession(connector=TCPConnector(force_close=True)) as session:
        await (await session.get(url)).read()
        assert session.connector.idle_count() == 0
    closing = b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok"
    async with raw_server(lambda r, w: _answer(r, w, closing)) as url, ClientSession() as session:
        await (await session.get(url)).read()
        assert session.connector.idle_count() == 0


async def _answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, data: bytes) -> None:
    await read_request(reader)
    writer.write(data)
    await writer.drain()


def stale_server(requests: list[bytes]):  # type: ignore[no-untyped-def]
    """Answers the first request, then closes the connection without a word."""

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head, _ = await read_request(reader)
        requests.append(head)
        writer.write(OK)
        await writer.drain()
        await read_request(reader)  # the next request on the same connection...
        # ...is dropped as if the server had timed the connection out.

    return handler


async def test_stale_connection_is_retried_once_for_idempotent_requests(no_fd_leak: None) -> None:
    requests: list[bytes] = []
    async with raw_server(stale_server(requests)) as url, ClientSession() as session:
        assert await (await session.get(url)).read() == b"ok"
        assert await (await session.get(url)).read() == b"ok"  # retried on a new connection
        assert len(requests) == 2
        with pytest.raises(ServerDisconnectedError):
            await session.post(url, data=b"once")  # not idempotent: never resent


async def test_thread_http_server_and_unix_connector() -> None:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            body = b"from http.server"
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    with thread_server(Handler) as url:
        async with ClientSession() as session:
            for _ in range(3):
                async with session.get(url + "/x") as resp:
                    assert await resp.text() == "from http.server"
            assert session.connector.idle_count() == 1

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "s.sock")
        runner = ServerRunner(hello)
        await runner.setup()
        await UnixSite(runner, path).start()
        try:
            async with ClientSession(connector=UnixConnector(path)) as session:  # noqa: SIM117 - the inner block reads better nested
                async with session.get("http://localhost/") as resp:
                    assert await resp.text() == "hi"
        finally:
            await runner.cleanup()


async def test_waiter_cancelled_after_being_handed_a_slot_passes_it_on(serve: Serve) -> None:
    url = await serve(hello)
    connector = TCPConnector(limit=1)
    try:
        key = ConnectionKey("http", "127.0.0.1", int(url.rsplit(":", 1)[1]), None)
        held = await connector.connect(key)
        second = asyncio.ensure_future(connector.connect(key))
        third = asyncio.ensure_future(connector.connect(key))
        await asyncio.sleep(0)
        held.close()  # hands the slot to `second`, which has not run yet...
        second.cancel()  # ...and is cancelled before it can use it
        conn = await asyncio.wait_for(third, TIMEOUT)
        assert second.cancelled()
        assert connector.in_use_count() == 1
        conn.close()
        assert connector.in_use_count() == 0
    finally:
        await connector.close()


def test_connection_key_hash_is_cached_and_consistent_with_equality() -> None:
    a = ConnectionKey("http", "h", 80, None)
    b = ConnectionKey("http", "h", 80, None)
    c = ConnectionKey("http", "h", 80, None, proxy=URL("http://p:3128"))
    assert a == b
    assert hash(a) == hash(b)
    assert a != c
    assert {a: 1}[b] == 1
    assert c not in {a: 1}
    assert "_hash" not in repr(a)
    with pytest.raises(AttributeError):
        a.host = "other"  # type: ignore[misc]


async def test_the_key_cache_shares_keys_and_stays_bounded() -> None:
    connector = TCPConnector()
    try:
        first = connector._key_for("http", "h", 80, None, None, None, ())
        assert connector._key_for("http", "h", 80, None, None, None, ()) is first
        assert first == ConnectionKey("http", "h", 80, None)
        for port in range(1000):
            connector._key_for("http", "h", port, None, None, None, ())
        assert len(connector._keys) <= 256
    finally:
        await connector.close()
