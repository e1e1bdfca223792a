"""The server protocol over real sockets on 127.0.0.1: framing, keep-alive, bad input."""

from __future__ import annotations

import asyncio
import logging
import socket
from typing import cast

import pytest
from server_testlib import Live, serve

from aioweb.kernel import HTTPNotFound, Request, Response, StreamResponse

pytestmark = pytest.mark.loopback


async def handler(request: Request) -> StreamResponse:
    path = request.path
    if path == "/":
        return Response(text="Hello, World")
    if path == "/echo":
        return Response(body=await request.read())
    if path == "/slow":
        await asyncio.sleep(0.05)
        return Response(text="slow")
    if path == "/boom":
        raise RuntimeError("boom")
    if path == "/bad-header":
        return Response(text="x", headers={"X-Bad": "a\r\nInjected: yes"})
    if path == "/stream":
        resp = StreamResponse()
        await resp.prepare(request)
        for part in (b"one ", b"two ", b"three"):
            await resp.write(part)
        await resp.write_eof()
        return resp
    if path == "/missing":
        raise HTTPNotFound()
    if path == "/plain":
        return Response(text=f"{request.method} {request.version}")
    return Response(status=404, text="no such path")


@pytest.fixture
async def live() -> Live:  # type: ignore[misc]
    async with serve(handler) as server:
        yield server
        # Every client of the test closed its socket: no connection may linger.
        for _ in range(200):
            if not server.runner.server.connections:
                break
            await asyncio.sleep(0.01)
        assert not server.runner.server.connections


async def test_hello_head_and_body(live: Live) -> None:
    async with live.connect() as conn:
        await conn.send(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        status, headers, body = await conn.response()
    assert status == b"HTTP/1.1 200 OK"
    assert body == b"Hello, World"
    assert headers["content-length"] == "12"
    assert headers["content-type"] == "text/plain; charset=utf-8"
    assert headers["server"] == "aioweb"
    assert headers["date"].endswith(" GMT")
    assert "connection" not in headers


async def test_keep_alive_reuses_the_connection(live: Live) -> None:
    async with live.connect() as conn:
        for _ in range(3):
            await conn.send(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            status, _, body = await conn.response()
            assert (status, body) == (b"HTTP/1.1 200 OK", b"Hello, World")
        assert len(live.runner.server.connections) == 1


async def test_pipelined_requests_are_answered_in_order(live: Live) -> None:
    async with live.connect() as conn:
        await conn.send(
            b"GET /slow HTTP/1.1\r\nHost: x\r\n\r\n"
            b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"
            b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"
            b"GET /missing HTTP/1.1\r\nHost: x\r\n\r\n"
        )
        bodies = [(await conn.response())[2] for _ in range(4)]
    assert bodies == [b"slow", b"hello", b"Hello, World", b"404: Not Found"]


async def test_chunked_request_body(live: Live) -> None:
    async with live.connect() as conn:
        await conn.send(
            b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
            b"5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\n\r\n"
        )
        _, _, body = await conn.response()
    assert body == b"hello world"


async def test_chunked_response(live: Live) -> None:
    async with live.connect() as conn:
        await conn.send(b"GET /stream HTTP/1.1\r\nHost: x\r\n\r\n")
        _, headers, body = await conn.response()
        assert headers["transfer-encoding"] == "chunked"
        assert body == b"one two three"
        await conn.send(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        assert (await conn.response())[2] == b"Hello, World"


async def test_http10_closes_after_the_response(live: Live) -> None:
    raw = await live.exchange(b"GET /plain HTTP/1.0\r\n\r\n")
    assert raw.startswith(b"HTTP/1.1 200 OK\r\n")
    assert b"Connection: close\r\n" in raw
    assert raw.endswith(b"GET (1, 0)")


async def test_http10_keep_alive(live: Live) -> None:
    async with live.connect() as conn:
        await conn.send(b"GET /plain HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        _, headers, body = await conn.response()
        assert headers["connection"] == "keep-alive"
        assert body == b"GET (1, 0)"
        await conn.send(b"GET /plain HTTP/1.0\r\n\r\n")
        await conn.response()
        assert await conn.closed()


async def test_head_has_no_body(live: Live) -> None:
    async with live.connect() as conn:
        await conn.send(b"HEAD / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n")
        head = await conn.reader.readuntil(b"\r\n\r\n")
        assert b"Content-Length: 12\r\n" in head
        status, _, body = await conn.response()  # the next response follows directly
    assert (status, body) == (b"HTTP/1.1 200 OK", b"Hello, World")


async def test_expect_continue(live: Live) -> None:
    async with live.connect() as conn:
        await conn.send(
            b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n"
        )
        interim = await conn.reader.readuntil(b"\r\n\r\n")
        assert interim == b"HTTP/1.1 100 Continue\r\n\r\n"
        await conn.send(b"ok")
        assert (await conn.response())[2] == b"ok"


async def test_unread_small_body_is_discarded(live: Live) -> None:
    async with live.connect() as conn:
        await conn.send(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n0123456789")
        assert (await conn.response())[2] == b"Hello, World"
        # The body was not misread as the next request.
        await conn.send(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        assert (await conn.response())[2] == b"Hello, World"


async def test_unread_large_body_closes_the_connection(live: Live) -> None:
    async with live.connect() as conn:
        await conn.send(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10000000\r\n\r\n")
        await conn.send(b"x" * 1000)
        assert (await conn.response())[2] == b"Hello, World"
        assert await conn.closed()


async def test_body_over_client_max_size_is_413(live: Live) -> None:
    big = 2 * 1024 * 1024
    async with live.connect() as conn:
        await conn.send(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % big)
        status, _, body = await conn.response()
    assert status == b"HTTP/1.1 413 Content Too Large"
    assert b"1048576" in body


async def test_chunked_body_over_client_max_size_is_413(live: Live) -> None:
    chunk = b"%x\r\n%s\r\n" % (65536, b"y" * 65536)
    async with live.connect() as conn:
        await conn.send(b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
        for _ in range(20):
            conn.writer.write(chunk)
        status, _, _ = await conn.response()
    assert status == b"HTTP/1.1 413 Content Too Large"


# The bad-request battery (smuggling, grammar, oversize) is in test_hostile.py.


async def test_bad_request_after_a_good_one_keeps_the_order(live: Live) -> None:
    data = await live.exchange(b"GET /slow HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\n\r\n")
    first, _, second = data.partition(b"slow")
    assert first.startswith(b"HTTP/1.1 200 OK")
    assert second.startswith(b"HTTP/1.1 400 Bad Request")


async def test_handler_error_is_500_and_logged(
    live: Live, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="aioweb.http"):
        data = await live.exchange(b"GET /boom HTTP/1.1\r\nHost: x\r\n\r\n")
    assert data.startswith(b"HTTP/1.1 500 Internal Server Error")
    assert b"boom" not in data  # no traceback on the wire
    assert any("GET /boom" in r.getMessage() for r in caplog.records)


async def test_header_injection_is_replaced_by_500(
    live: Live, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="aioweb.http"):
        data = await live.exchange(b"GET /bad-header HTTP/1.1\r\nHost: x\r\n\r\n")
    assert data.startswith(b"HTTP/1.1 500 ")
    assert b"Injected" not in data
    assert any("X-Bad" in r.getMessage() for r in caplog.records)


async def test_idle_connections_close_at_shutdown() -> None:
    async with serve(handler) as live, live.connect() as conn:
        await conn.send(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        await conn.response()
        await live.runner.cleanup()
        assert await conn.closed()


async def test_in_flight_request_finishes_during_shutdown() -> None:
    async with serve(handler) as live, live.connect() as conn:
        await conn.send(b"GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
        await asyncio.sleep(0.01)
        cleanup = asyncio.ensure_future(live.runner.cleanup())
        status, _, body = await conn.response()
        assert (status, body) == (b"HTTP/1.1 200 OK", b"slow")
        await asyncio.wait_for(cleanup, 5)
        assert await conn.closed()


async def test_slow_header_is_cut_off() -> None:
    async with serve(handler, header_timeout=0.2) as live, live.connect() as conn:
        await conn.send(b"GET / HTTP/1.1\r\n")
        assert await conn.closed()


async def test_idle_keep_alive_times_out() -> None:
    async with serve(handler, keepalive_timeout=0.2) as live, live.connect() as conn:
        await conn.send(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        await conn.response()
        assert await conn.closed()
        assert not live.runner.server.connections


async def test_client_closing_mid_body_is_harmless(live: Live) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", live.port)
    writer.write(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc")
    await writer.drain()
    writer.close()
    await writer.wait_closed()
    del reader
    for _ in range(100):  # bounded: the server notices the close
        if not live.runner.server.connections:
            break
        await asyncio.sleep(0.01)
    assert not live.runner.server.connections
    async with live.connect() as conn:
        await conn.send(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        assert (await conn.response())[2] == b"Hello, World"


class _Echo(asyncio.Protocol):
    """What an upgrade hands the connection to: echoes bytes back, upper-cased."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.lost = asyncio.get_running_loop().create_future()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast("asyncio.Transport", transport)  # uvloop's do not subclass it

    def data_received(self, data: bytes) -> None:
        assert self.transport is not None
        self.transport.write(data.upper())

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.lost.done():
            self.lost.set_result(None)


async def upgrading(request: Request) -> StreamResponse:
    if request.headers.get("Upgrade") != "echo":
        return Response(text="plain")
    resp = StreamResponse(status=101, headers={"Upgrade": "echo", "Connection": "Upgrade"})
    writer = await resp.prepare(request)
    echo = _Echo()
    writer.take_over(echo)
    await asyncio.wait_for(echo.lost, 5)
    return resp


async def test_upgrade_hands_the_connection_over() -> None:
    async with serve(upgrading) as live, live.connect() as conn:
        # The first bytes of the new protocol arrive in the same packet as the request.
        await conn.send(
            b"GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\nab"
        )
        head = await asyncio.wait_for(conn.reader.readuntil(b"\r\n\r\n"), 5)
        assert head.startswith(b"HTTP/1.1 101 Switching Protocols\r\n")
        assert await asyncio.wait_for(conn.reader.readexactly(2), 5) == b"AB"
        await conn.send(b"more")
        assert await asyncio.wait_for(conn.reader.readexactly(4), 5) == b"MORE"
        assert not live.runner.server.connections  # no longer an HTTP connection


async def test_upgrade_not_taken_serves_plain_http() -> None:
    async with serve(upgrading) as live, live.connect() as conn:
        await conn.send(
            b"GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: other\r\n\r\n"
        )
        assert (await conn.response())[2] == b"plain"
        await conn.send(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        assert (await conn.response())[2] == b"plain"


async def test_no_continue_when_the_handler_ignores_the_body(live: Live) -> None:
    async with live.connect() as conn:
        await conn.send(
            b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n"
        )
        status, _, body = await conn.response()
        assert (status, body) == (b"HTTP/1.1 200 OK", b"Hello, World")
        # The client never sent its body: the connection cannot be reused safely.
        assert await conn.closed()


async def test_other_expectations_get_417(live: Live) -> None:
    data = await live.exchange(b"POST /echo HTTP/1.1\r\nHost: x\r\nExpect: magic\r\n\r\n")
    assert data.startswith(b"HTTP/1.1 417 Expectation Failed\r\n")


@pytest.mark.speedups
async def test_httptools_backend_serves_the_same() -> None:
    pytest.importorskip("httptools")
    async with serve(handler, parser_backend="httptools") as live:
        async with live.connect() as conn:
            await conn.send(
                b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"
                b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                b"3\r\nabc\r\n0\r\n\r\n"
            )
            assert (await conn.response())[2] == b"Hello, World"
            assert (await conn.response())[2] == b"abc"
        data = await live.exchange(b"GET / HTTP/1.1\r\nHost: x\r\nX: a\r\n b\r\n\r\n")
        assert data.startswith(b"HTTP/1.1 400 ")


async def test_unknown_parser_backend_fails_at_setup() -> None:
    from aioweb.http import Server

    with pytest.raises(ValueError, match="unknown request parser backend"):
        Server(handler, parser_backend="fast")  # type: ignore[arg-type]


def _gzip(data: bytes) -> bytes:
    import gzip

    return gzip.compress(data)


def _raw_deflate(data: bytes) -> bytes:
    import zlib

    packer = zlib.compressobj(wbits=-15)
    return packer.compress(data) + packer.flush()


def _post(body: bytes, coding: str) -> bytes:
    return (
        b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Encoding: %s\r\nContent-Length: %d\r\n\r\n"
        % (coding.encode(), len(body))
    ) + body


@pytest.mark.parametrize(
    ("coding", "encode"),
    [
        pytest.param("gzip", _gzip, id="gzip"),
        pytest.param("x-gzip", _gzip, id="x-gzip"),
        pytest.param("deflate", lambda d: __import__("zlib").compress(d), id="deflate-zlib"),
        pytest.param("deflate", _raw_deflate, id="deflate-raw"),
        pytest.param("identity", lambda d: d, id="identity"),
    ],
)
async def test_compressed_request_bodies_are_decoded(
    live: Live, coding: str, encode: object
) -> None:
    payload = b"hello compressed world " * 100
    assert callable(encode)
    async with live.connect() as conn:
        await conn.send(_post(encode(payload), coding))
        status, _, body = await conn.response()
    assert (status, body) == (b"HTTP/1.1 200 OK", payload)


# Decompression bombs: see test_hostile.py and test_compression_live.py.


@pytest.mark.parametrize(
    ("body", "coding", "status"),
    [
        pytest.param(b"not gzip at all", "gzip", 400, id="corrupt"),
        pytest.param(_gzip(b"x" * 1000)[:-10], "gzip", 400, id="truncated"),
        pytest.param(b"x", "compress", 415, id="unknown-coding"),
        pytest.param(b"x", "gzip, deflate", 415, id="two-codings"),
    ],
)
async def test_bad_compressed_bodies(live: Live, body: bytes, coding: str, status: int) -> None:
    data = await live.exchange(_post(body, coding))
    assert data.startswith(b"HTTP/1.1 %d " % status), data[:60]
    async with live.connect() as conn:
        await conn.send(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        assert (await conn.response())[2] == b"Hello, World"


async def test_stalled_body_gets_408() -> None:
    async with serve(handler, body_timeout=0.2) as live, live.connect() as conn:
        await conn.send(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc")
        status, headers, body = await conn.response()  # bounded: the sweep runs each second
        assert status == b"HTTP/1.1 408 Request Timeout"
        assert b"timed out" in body
        assert headers.get("connection") == "close"
        assert await conn.closed()


async def test_stalled_unread_body_after_a_response_just_closes() -> None:
    async with serve(handler, body_timeout=0.2) as live, live.connect() as conn:
        await conn.send(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc")
        assert (await conn.response())[2] == b"Hello, World"
        assert await conn.closed()  # and no second, unasked-for response


async def test_a_client_that_never_reads_cannot_make_the_server_buffer() -> None:
    written: list[int] = []

    async def flood(request: Request) -> StreamResponse:
        resp = StreamResponse()
        await resp.prepare(request)
        chunk = b"x" * 65536
        try:
            for _ in range(1000):  # 64 MiB if nobody stopped us
                await resp.write(chunk)
                transport = request.transport
                assert transport is not None
                written.append(transport.get_write_buffer_size())
        except ConnectionError:
            pass
        return resp

    tasks_before = len(asyncio.all_tasks())
    async with serve(flood) as live:
        reader, writer = await asyncio.open_connection("127.0.0.1", live.port)
        # A tiny receive buffer on our side, never read from.
        sock = writer.get_extra_info("socket")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        writer.write(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        await writer.drain()
        await asyncio.sleep(0.5)  # let the server write all it can
        count = len(written)
        await asyncio.sleep(0.3)
        assert len(written) == count, "the handler kept writing into a full pipe"
        assert count < 200  # far from the 1000 chunks it wanted to write
        assert max(written) <= 1 << 20  # the transport's buffer stayed bounded
        writer.close()
        del reader
        for _ in range(200):
            if not live.runner.server.connections:
                break
            await asyncio.sleep(0.01)
        assert not live.runner.server.connections
    for _ in range(200):  # bounded: the handler's task wakes with the reset and ends
        if len(asyncio.all_tasks()) <= tasks_before:
            break
        await asyncio.sleep(0.01)
    assert len(asyncio.all_tasks()) <= tasks_before  # the handler's task is gone too


@pytest.mark.parametrize("cancel", [True, False], ids=["cancelled", "runs-on"])
async def test_handler_cancellation_on_disconnect(cancel: bool) -> None:
    outcome = asyncio.get_running_loop().create_future()

    async def slow(request: Request) -> StreamResponse:
        try:
            await asyncio.sleep(0.3)
        except asyncio.CancelledError:
            outcome.set_result("cancelled")
            raise
        outcome.set_result("finished")
        return Response(text="late")

    async with serve(slow, handler_cancellation=cancel) as live:
        reader, writer = await asyncio.open_connection("127.0.0.1", live.port)
        writer.write(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        await writer.drain()
        await asyncio.sleep(0.05)
        writer.close()
        await writer.wait_closed()
        del reader
        assert await asyncio.wait_for(outcome, 5) == ("cancelled" if cancel else "finished")


async def test_pipelined_backlog_behind_a_slow_response_is_bounded(live: Live) -> None:
    async with live.connect() as conn:
        request = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"
        conn.writer.write(b"GET /slow HTTP/1.1\r\nHost: x\r\n\r\n" + request * 20000)  # ~600 KB
        await asyncio.sleep(0.02)
        (proto,) = live.runner.server.connections
        transport = proto._transport
        assert transport is not None
        assert not transport.is_reading()  # paused: the backlog went over the read limit
        assert (await conn.response())[2] == b"slow"
        for _ in range(3):
            assert (await conn.response())[2] == b"Hello, World"


async def test_large_reads_split_after_the_head_parse_the_same(live: Live) -> None:
    # One >16 KiB read holding a head, a body with CRLFCRLF inside it, and a second
    # pipelined request: handing the head over first must not change the framing.
    body = (b"x" * 9000 + b"\r\n\r\nGET /missing HTTP/1.1\r\n\r\n") * 3
    first = b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % len(body)
    async with live.connect() as conn:
        await conn.send(first + body + b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        assert (await conn.response())[2] == body
        assert (await conn.response())[2] == b"Hello, World"
    data = await live.exchange(b"GET / HTTP/1.1\r\n\r\n" + b"y" * 20000)  # no Host, big read
    assert data.startswith(b"HTTP/1.1 400 ")
