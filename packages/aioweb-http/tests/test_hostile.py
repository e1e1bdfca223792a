"""The hostile-input battery against a live server over raw sockets.

After every case: no server connection and no asyncio task is left over (counted,
with bounded waits), and a normal request on a new connection still gets 200.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import gzip
import importlib.util
import socket
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from server_testlib import TIMEOUT, Live, assert_recovered, serve

from aioweb.kernel import Request, Response, StreamResponse

pytestmark = pytest.mark.loopback

POST = b"POST /echo HTTP/1.1\r\nHost: x\r\n"
CHUNKED = POST + b"Transfer-Encoding: chunked\r\n\r\n"


async def handler(request: Request) -> StreamResponse:
    if request.path == "/echo":
        return Response(body=await request.read())
    if request.path == "/slow":
        await asyncio.sleep(0.05)
        return Response(text="slow")
    if request.path == "/flood":
        resp = StreamResponse()
        await resp.prepare(request)
        chunk = b"x" * 65536
        try:
            for _ in range(1000):  # 64 MiB if nobody stopped us
                await resp.write(chunk)
        except ConnectionError:
            pass
        return resp
    return Response(text="Hello, World")


@pytest.fixture
async def live() -> AsyncIterator[Live]:
    async with serve(handler, header_timeout=0.2, body_timeout=0.2) as server:
        yield server


BAD = [
    # -- request line and header grammar
    pytest.param(b"GARBAGE\r\n\r\n", 400, id="no-spaces"),
    pytest.param(b"GET / HTTP/1.1\r\n\r\n", 400, id="missing-host"),
    pytest.param(b"GET / HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n", 400, id="two-hosts"),
    pytest.param(b"G@T / HTTP/1.1\r\nHost: x\r\n\r\n", 400, id="bad-method"),
    pytest.param(b"GET /a b HTTP/1.1\r\nHost: x\r\n\r\n", 400, id="space-in-target"),
    pytest.param(b"GET / http/1.1\r\nHost: x\r\n\r\n", 400, id="lowercase-version"),
    pytest.param(b"GET /\r\n\r\n", 400, id="http09"),
    pytest.param(b"GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505, id="http2"),
    pytest.param(b"GET / HTTP/1.1\nHost: x\n\n", 400, id="bare-lf"),
    pytest.param(b"GET / HTTP/1.1\rHost: x\r\n\r\n", 400, id="bare-cr-line"),
    pytest.param(b"GET / HTTP/1.1\r\nHost: x\r\nX: a\rb\r\n\r\n", 400, id="bare-cr-value"),
    pytest.param(b"GET / HTTP/1.1\r\nHost: x\r\nX: a\x00b\r\n\r\n", 400, id="nul-in-value"),
    pytest.param(b"GET / HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n folded\r\n\r\n", 400, id="obs-fold"),
    pytest.param(b"GET / HTTP/1.1\r\n Host: x\r\n\r\n", 400, id="leading-space-field"),
    pytest.param(b"GET / HTTP/1.1\r\nHost: x\r\n: v\r\n\r\n", 400, id="empty-field-name"),
    # -- smuggling: Content-Length
    pytest.param(POST + b"Content-Length: 3\r\nContent-Length: 4\r\n\r\nabcd", 400, id="cl-cl"),
    pytest.param(POST + b"Content-Length: 3, 4\r\n\r\nabcd", 400, id="cl-list"),
    pytest.param(POST + b"Content-Length: +3\r\n\r\nabc", 400, id="cl-plus"),
    pytest.param(POST + b"Content-Length: 0x3\r\n\r\nabc", 400, id="cl-hex"),
    pytest.param(POST + b"Content-Length: 1 2\r\n\r\nabc", 400, id="cl-inner-space"),
    pytest.param(POST + b"Content-Length: " + b"9" * 30 + b"\r\n\r\n", 400, id="cl-overflow"),
    # -- smuggling: Transfer-Encoding
    pytest.param(
        POST + b"Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400, id="cl-te"
    ),
    pytest.param(
        POST + b"Transfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n", 400, id="te-cl"
    ),
    pytest.param(POST + b"Transfer-Encoding : chunked\r\n\r\n0\r\n\r\n", 400, id="te-space-colon"),
    pytest.param(POST + b"Transfer-Encoding: xchunked\r\n\r\n", 400, id="te-xchunked"),
    pytest.param(POST + b"Transfer-Encoding: foo, chunked\r\n\r\n", 501, id="te-unknown"),
    pytest.param(POST + b"Transfer-Encoding: gzip\r\n\r\n", 400, id="te-not-chunked-final"),
    pytest.param(POST + b"Transfer-Encoding: chunked, chunked\r\n\r\n", 400, id="te-twice"),
    pytest.param(
        POST + b"Transfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n\r\n",
        400,
        id="te-two-lines",
    ),
    pytest.param(POST + b"Transfer-Encoding: \x0bchunked\r\n\r\n", 400, id="te-vtab"),
    pytest.param(POST + b'Transfer-Encoding: "chunked"\r\n\r\n', 400, id="te-quoted"),
    pytest.param(POST + b"Transfer-Encoding: ,chunked\r\n\r\n", 400, id="te-leading-comma"),
    pytest.param(
        b"POST / HTTP/1.0\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        400,
        id="te-in-http10",
    ),
    # -- chunk-size tricks
    pytest.param(CHUNKED + b"0x5\r\nhello\r\n0\r\n\r\n", 400, id="chunk-0x"),
    pytest.param(CHUNKED + b"-1\r\nx\r\n0\r\n\r\n", 400, id="chunk-negative"),
    pytest.param(CHUNKED + b"f" * 40 + b"\r\nx\r\n0\r\n\r\n", 400, id="chunk-overflow"),
    pytest.param(CHUNKED + b"5 \r\nhello\r\n0\r\n\r\n", 400, id="chunk-trailing-space"),
    pytest.param(CHUNKED + b"5\nhello\r\n0\r\n\r\n", 400, id="chunk-bare-lf"),
    pytest.param(CHUNKED + b"3\r\nhello\r\n0\r\n\r\n", 400, id="chunk-longer-than-said"),
    pytest.param(CHUNKED + b"5\r\nhelloXX0\r\n\r\n", 400, id="chunk-no-crlf"),
    pytest.param(CHUNKED + b"5;" + b"a" * 20000 + b"\r\nhello\r\n0\r\n\r\n", 400, id="chunk-ext"),
    pytest.param(CHUNKED + b"0\r\n" + b"X: y\r\n" * 200 + b"\r\n", 431, id="trailers"),
    # -- oversize
    pytest.param(b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414, id="long-line"),
    pytest.param(
        b"GET / HTTP/1.1\r\nHost: x\r\nX: " + b"a" * 9000 + b"\r\n\r\n", 431, id="long-field"
    ),
    pytest.param(
        b"GET / HTTP/1.1\r\nHost: x\r\n" + b"X-N: 1\r\n" * 101 + b"\r\n", 431, id="many-headers"
    ),
    pytest.param(POST + b"Content-Length: %d\r\n\r\n" % (2 << 20), 413, id="body-over-max"),
    # -- content codings
    pytest.param(
        POST + b"Content-Encoding: compress\r\nContent-Length: 1\r\n\r\nx", 415, id="coding-unknown"
    ),
    pytest.param(
        POST + b"Content-Encoding: gzip, gzip\r\nContent-Length: 1\r\n\r\nx", 415, id="coding-two"
    ),
]


@pytest.mark.parametrize(("raw", "status"), BAD)
async def test_bad_request_is_refused_and_nothing_leaks(
    live: Live, raw: bytes, status: int
) -> None:
    tasks_before = len(asyncio.all_tasks())
    data = await live.exchange(raw)
    assert data.startswith(b"HTTP/1.1 %d " % status), data[:80]
    assert b"Connection: close\r\n" in data
    await assert_recovered(live, tasks_before)


# -- scenarios that take more than one write ---------------------------------------------------


async def slowloris(live: Live) -> None:
    """A head trickled a byte at a time never completes: the header timeout closes it."""
    reader, writer = await asyncio.open_connection("127.0.0.1", live.port)
    try:
        for byte in b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ":
            writer.write(bytes([byte]))
            await asyncio.sleep(0.005)
        for _ in range(200):  # keep trickling: the timeout counts from the head's start
            writer.write(b"a")
            await asyncio.sleep(0.01)
            if reader.at_eof() or writer.is_closing():
                break
        assert await asyncio.wait_for(reader.read(), TIMEOUT) == b""
    except ConnectionError:
        pass
    finally:
        writer.close()


async def stalled_body(live: Live) -> None:
    async with live.connect() as conn:
        await conn.send(POST + b"Content-Length: 10\r\n\r\nabc")
        status, _, _ = await conn.response()
        assert status == b"HTTP/1.1 408 Request Timeout"
        assert await conn.closed()


async def chunked_over_max(live: Live) -> None:
    chunk = b"%x\r\n%s\r\n" % (65536, b"y" * 65536)
    async with live.connect() as conn:
        await conn.send(CHUNKED)
        for _ in range(20):
            conn.writer.write(chunk)
        status, _, _ = await conn.response()
        assert status == b"HTTP/1.1 413 Content Too Large"


def _bomb_request(coding: str, bomb: bytes) -> bytes:
    head = POST + b"Content-Encoding: %s\r\nContent-Length: %d\r\n\r\n"
    return head % (coding.encode(), len(bomb)) + bomb


@functools.cache
def _gzip_bomb() -> bytes:
    return gzip.compress(b"\0" * (64 << 20))  # ~64 KiB: all of it is read and dropped


@functools.cache
def _zstd_bomb() -> bytes:
    import zstandard  # type: ignore[import-not-found,unused-ignore]

    packer = zstandard.ZstdCompressor(level=1).compressobj()
    zeros = b"\0" * (1 << 20)
    return b"".join(packer.compress(zeros) for _ in range(256)) + bytes(packer.flush())


async def gzip_bomb(live: Live) -> None:
    bomb = _gzip_bomb()
    async with live.connect() as conn:
        await conn.send(_bomb_request("gzip", bomb))
        assert (await conn.response())[0] == b"HTTP/1.1 413 Content Too Large"


async def zstd_bomb(live: Live) -> None:
    if importlib.util.find_spec("zstandard") is None:
        pytest.skip("zstandard is not installed")
    bomb = _zstd_bomb()
    async with live.connect() as conn:
        await conn.send(_bomb_request("zstd", bomb))
        assert (await conn.response())[0] == b"HTTP/1.1 413 Content Too Large"


async def closes_mid_body(live: Live) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", live.port)
    writer.write(POST + b"Content-Length: 100\r\n\r\nabc")
    await writer.drain()
    writer.close()
    await writer.wait_closed()
    del reader


async def closes_mid_response(live: Live) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", live.port)
    writer.write(b"GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
    await writer.drain()
    writer.close()
    await writer.wait_closed()
    del reader


async def never_reads(live: Live) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", live.port)
    writer.get_extra_info("socket").setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    writer.write(b"GET /flood HTTP/1.1\r\nHost: x\r\n\r\n")
    await writer.drain()
    await asyncio.sleep(0.2)  # the server fills the pipe, then waits in drain()
    writer.close()
    del reader


async def pipelined_flood(live: Live) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", live.port)
    try:
        writer.write(b"GET /slow HTTP/1.1\r\nHost: x\r\n\r\n" * 20000)  # ~660 KB, never read
        await asyncio.sleep(0.1)
    finally:
        writer.close()
    del reader


async def rst_after_head(live: Live) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", live.port)
    sock = writer.get_extra_info("socket")
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    writer.write(POST + b"Content-Length: 5000\r\n\r\n" + b"x" * 100)
    await writer.drain()
    writer.transport.abort()  # RST instead of FIN
    del reader


async def keeps_uploading_after_413(live: Live) -> None:
    """The client goes on writing a 50 MiB body while it reads: it gets the whole 413."""
    reader, writer = await asyncio.open_connection("127.0.0.1", live.port)

    async def pump() -> None:
        with contextlib.suppress(ConnectionError):
            while True:
                writer.write(b"x" * 65536)
                await writer.drain()

    writer.write(POST + b"Content-Length: %d\r\n\r\n" % (50 << 20))
    uploading = asyncio.ensure_future(pump())
    try:
        data = await asyncio.wait_for(reader.read(), TIMEOUT)  # to the server's FIN
        head, _, body = data.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 413 ")
        assert b"\r\nConnection: close" in head
        assert body.startswith(b"Maximum request body size")
    finally:
        uploading.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await uploading
        writer.close()


SCENARIOS: list[Callable[[Live], Awaitable[None]]] = [
    slowloris,
    stalled_body,
    chunked_over_max,
    gzip_bomb,
    zstd_bomb,
    closes_mid_body,
    closes_mid_response,
    never_reads,
    pipelined_flood,
    rst_after_head,
    keeps_uploading_after_413,
]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda f: f.__name__)
async def test_hostile_client_leaves_nothing_behind(
    live: Live, scenario: Callable[[Live], Awaitable[None]]
) -> None:
    tasks_before = len(asyncio.all_tasks())
    await asyncio.wait_for(scenario(live), TIMEOUT)
    await assert_recovered(live, tasks_before)


async def test_413_for_a_large_coded_body_says_close(live: Live) -> None:
    # The limit is hit long before the (coded) body ends, and more is left than the
    # server would read and drop: the 413 must announce the close (RFC 9112 §9.6).
    zeros = b"\0" * (1 << 20)
    packer = __import__("zlib").compressobj(1, wbits=31)
    bomb = b"".join(packer.compress(zeros) for _ in range(8)) + packer.flush()
    declared = len(bomb) + 2 * (1 << 20)  # the rest never comes
    tasks_before = len(asyncio.all_tasks())
    async with live.connect() as conn:
        head = POST + b"Content-Encoding: gzip\r\nContent-Length: %d\r\n\r\n" % declared
        await conn.send(head + bomb)
        status, headers, _ = await conn.response()
        assert status == b"HTTP/1.1 413 Content Too Large"
        assert headers.get("connection") == "close"
        assert await conn.closed()
    await assert_recovered(live, tasks_before)
