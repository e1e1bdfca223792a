"""Hostile and broken servers: each failure is a specific ClientError, nothing leaks."""

from __future__ import annotations

import asyncio
import gzip

import pytest
from client_testlib import TIMEOUT, raw_server, read_request

from aioweb.client import (
    ClientConnectorError,
    ClientPayloadError,
    ClientResponseError,
    ClientSession,
    ClientTimeout,
    ConnectionTimeoutError,
    ServerDisconnectedError,
    ServerTimeoutError,
    SocketTimeoutError,
    TCPConnector,
)

pytestmark = pytest.mark.loopback

OK = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"


def replying(*responses: bytes, close: bool = False):  # type: ignore[no-untyped-def]
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        for response in responses:
            await read_request(reader)
            writer.write(response)
            await writer.drain()
        if not close:
            await reader.read()

    return handler


@pytest.mark.parametrize(
    ("response", "status"),
    [
        pytest.param(b"HTTP/1.1 2000 OK\r\n\r\n", 400, id="bad-status"),
        pytest.param(
            b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
            400,
            id="two-lengths",
        ),
        pytest.param(
            b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n",
            400,
            id="cl-and-te",
        ),
        pytest.param(b"HTTP/1.1 200 OK\r\nX: " + b"a" * 70000 + b"\r\n\r\n", 431, id="huge-header"),
        pytest.param(b"HTTP/1.1 200 OK\r\nX: 1\n\r\n", 400, id="bare-lf"),
    ],
)
async def test_bad_head_is_a_response_error(response: bytes, status: int, no_fd_leak: None) -> None:
    async with raw_server(replying(response)) as url, ClientSession() as session:
        with pytest.raises(ClientResponseError) as info:
            await session.get(url)
        assert info.value.status == status
        assert "127.0.0.1" in info.value.message
        assert session.connector.in_use_count() == 0
        assert session.connector.idle_count() == 0


async def test_bad_chunked_framing_is_a_payload_error(no_fd_leak: None) -> None:
    bad = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nabcde\r\nzz\r\n"
    async with raw_server(replying(bad)) as url, ClientSession() as session:
        async with session.get(url) as resp:
            with pytest.raises(ClientPayloadError, match="invalid chunk-size"):
                await resp.read()
        assert session.connector.idle_count() == 0


async def test_close_mid_body_is_a_payload_error(no_fd_leak: None) -> None:
    cut = b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly-part"
    async with raw_server(replying(cut, close=True)) as url, ClientSession() as session:
        async with session.get(url) as resp:
            with pytest.raises(ClientPayloadError, match="closed the connection"):
                await resp.read()
        assert session.connector.idle_count() == 0
        assert session.connector.in_use_count() == 0


async def test_close_before_response_is_server_disconnected(no_fd_leak: None) -> None:
    async def hang_up(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)

    async with raw_server(hang_up) as url, ClientSession() as session:
        with pytest.raises(ServerDisconnectedError, match=r"127\.0\.0\.1"):
            await session.get(url)


async def test_endless_body_hits_max_response_size(no_fd_leak: None) -> None:
    async def endless(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\n\r\n")
        while True:
            writer.write(b"x" * 65536)
            await writer.drain()

    async with raw_server(endless) as url, ClientSession(max_response_size=2**20) as session:  # noqa: SIM117 - the inner block reads better nested
        async with session.get(url) as resp:
            with pytest.raises(ClientPayloadError, match="max_response_size"):
                await resp.read()


async def test_endless_body_streams_with_bounded_buffer() -> None:
    async def endless(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\n\r\n")
        while True:
            writer.write(b"x" * 65536)
            await writer.drain()

    async with raw_server(endless) as url, ClientSession(read_bufsize=2**16) as session:  # noqa: SIM117 - the inner block reads better nested
        async with session.get(url) as resp:
            got = 0
            async for chunk in resp.content.iter_any():
                got += len(chunk)
                # Flow control: the buffer never grows far past read_bufsize.
                assert resp.content._size < 2**16 + 2**18
                if got > 4 * 2**20:
                    break


async def test_gzip_bomb_is_refused(no_fd_leak: None) -> None:
    bomb = gzip.compress(b"\0" * (64 * 2**20), compresslevel=9)
    head = b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: %d\r\n\r\n" % len(bomb)
    async with raw_server(replying(head + bomb)) as url:  # noqa: SIM117 - the inner block reads better nested
        async with ClientSession(max_response_size=2**20) as session:
            async with session.get(url) as resp:
                with pytest.raises(ClientPayloadError, match="exceeds max_response_size"):
                    await resp.read()
            assert session.connector.idle_count() == 0


async def test_corrupt_gzip_is_a_payload_error() -> None:
    body = b"not gzip at all"
    head = b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: %d\r\n\r\n" % len(body)
    async with raw_server(replying(head + body)) as url, ClientSession() as session:  # noqa: SIM117 - the inner block reads better nested
        async with session.get(url) as resp:
            with pytest.raises(ClientPayloadError, match="cannot decode gzip"):
                await resp.read()


async def test_server_that_never_answers_times_out(no_fd_leak: None) -> None:
    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()

    async with raw_server(silent) as url:
        async with ClientSession(timeout=ClientTimeout(sock_read=0.2)) as session:
            with pytest.raises(SocketTimeoutError, match=r"nothing received for 0\.2 s"):
                await session.get(url)
            assert session.connector.in_use_count() == 0
        async with ClientSession(timeout=ClientTimeout(total=0.2)) as session:
            with pytest.raises(ServerTimeoutError, match="Total timeout"):
                await session.get(url)
            with pytest.raises(asyncio.TimeoutError):
                await session.get(url)


async def test_slow_body_hits_total_timeout() -> None:
    async def slow(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nab")
        await reader.read()

    async with raw_server(slow) as url, ClientSession(timeout=ClientTimeout(total=0.3)) as session:  # noqa: SIM117 - the inner block reads better nested
        async with session.get(url) as resp:
            with pytest.raises(ServerTimeoutError):
                await resp.read()


async def test_connection_refused_names_host_and_port(unused_tcp_port: int) -> None:
    async with ClientSession() as session:
        with pytest.raises(ClientConnectorError) as info:
            await session.get(f"http://127.0.0.1:{unused_tcp_port}/")
    assert info.value.host == "127.0.0.1"
    assert info.value.port == unused_tcp_port
    assert isinstance(info.value.os_error, ConnectionRefusedError)
    assert f"127.0.0.1:{unused_tcp_port}" in str(info.value)


async def test_pool_slot_wait_times_out() -> None:
    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()

    async with raw_server(silent) as url:
        connector = TCPConnector(limit=1)
        async with ClientSession(connector=connector) as session:
            first = asyncio.ensure_future(session.get(url))
            await asyncio.sleep(0.05)
            with pytest.raises(ConnectionTimeoutError, match="no free connection slot"):
                await session.get(url, timeout=ClientTimeout(connect=0.1))
            first.cancel()
            with pytest.raises(asyncio.CancelledError):
                await asyncio.wait_for(first, TIMEOUT)
            assert connector.in_use_count() == 0


async def test_unsolicited_bytes_discard_the_idle_connection() -> None:
    async def chatty(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(OK)
        await writer.drain()
        await asyncio.sleep(0.05)
        writer.write(b"HTTP/1.1 200 OK\r\n\r\n")  # nobody asked
        await reader.read()

    async with raw_server(chatty) as url, ClientSession() as session:
        assert await (await session.get(url)).read() == b"ok"
        for _ in range(100):
            if session.connector.idle_count() == 0:
                break
            await asyncio.sleep(0.01)
        assert session.connector.idle_count() == 0
