"""The protocol's lazily re-armed timers and the response's buffered-body fast path.

A pooled connection keeps one total-timeout timer, one read timer and one keep-alive
timer across exchanges (re-armed when they fire early) instead of two or three new
TimerHandles per request. These tests pin down that a timer armed for an *earlier*
exchange or idle period never fires early for a later one, and that a shorter timeout on
a reused connection still fires on time.
"""

from __future__ import annotations

import asyncio
from contextlib import AbstractAsyncContextManager

import pytest
from client_testlib import TIMEOUT, raw_server, read_request

from aioweb.client import (
    ClientPayloadError,
    ClientSession,
    ClientTimeout,
    ServerTimeoutError,
    SocketTimeoutError,
    TCPConnector,
)

OK = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"


def delayed_server(delays: list[float]) -> AbstractAsyncContextManager[str]:
    """One keep-alive connection; the n-th response waits ``delays[n]`` seconds."""

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        for delay in delays:
            await read_request(reader)
            await asyncio.sleep(delay)
            writer.write(OK)
            await writer.drain()
        await reader.read()

    return raw_server(handler)


async def test_total_timer_of_an_earlier_exchange_does_not_fire_early() -> None:
    # Exchange 1 arms the total timer at t0+0.4; exchange 2 starts at ~t0+0.25 and takes
    # 0.3 s, so the old timer fires while exchange 2 runs: it must re-arm, not fail it.
    async with delayed_server([0.0, 0.3]) as url:
        timeout = ClientTimeout(total=0.4)
        async with ClientSession(connector=TCPConnector(limit=1), timeout=timeout) as s:
            async with s.get(url) as resp:
                assert await resp.read() == b"ok"
            await asyncio.sleep(0.25)
            async with s.get(url) as resp:
                assert await resp.read() == b"ok"
                assert resp.connection is None  # released: the body was read


async def test_shorter_total_timeout_on_a_reused_connection_fires_on_time() -> None:
    async with delayed_server([0.0, 3.0]) as url:
        long = ClientTimeout(total=30)
        async with ClientSession(connector=TCPConnector(limit=1), timeout=long) as s:
            async with s.get(url) as resp:
                assert await resp.read() == b"ok"
            loop = asyncio.get_running_loop()
            t0 = loop.time()
            with pytest.raises(ServerTimeoutError):
                await s.get(url, timeout=ClientTimeout(total=0.2))
            assert loop.time() - t0 < 1.5  # not the 30 s timer of the first exchange


async def test_sock_read_timer_is_per_exchange_on_a_reused_connection() -> None:
    async with delayed_server([0.0, 0.15, 0.15, 2.0]) as url:
        timeout = ClientTimeout(total=TIMEOUT, sock_read=0.3)
        async with ClientSession(connector=TCPConnector(limit=1), timeout=timeout) as s:
            for _ in range(3):  # each waits 0.15 s: under sock_read, even summed up
                async with s.get(url) as resp:
                    assert await resp.read() == b"ok"
            with pytest.raises(SocketTimeoutError):
                await s.get(url)


async def test_keepalive_timer_counts_from_the_last_release() -> None:
    # keepalive_timeout 0.3: parked at t0, reused at ~0.2 and parked again at ~0.2; the
    # timer armed at t0 fires at ~0.3 and must re-arm (the idle time restarted).
    async with delayed_server([0.0, 0.0, 0.0]) as url:
        connector = TCPConnector(limit=1, keepalive_timeout=0.3)
        async with ClientSession(connector=connector) as s:
            conns = []
            for pause in (0.2, 0.2):
                async with s.get(url) as resp:
                    assert await resp.read() == b"ok"
                    conns.append(id(resp.connection and resp.connection.protocol))
                assert connector.idle_count() == 1
                await asyncio.sleep(pause)
                assert connector.idle_count() == 1  # not expired by the older timer
            async with s.get(url) as resp:
                assert await resp.read() == b"ok"
            loop = asyncio.get_running_loop()
            deadline = loop.time() + TIMEOUT
            while connector.idle_count() and loop.time() < deadline:
                await asyncio.sleep(0.02)
            assert connector.idle_count() == 0  # and it does expire once really idle


@pytest.mark.parametrize("limit", [1000, 999], ids=["at-limit", "over-limit"])
async def test_buffered_body_and_max_response_size(limit: int) -> None:
    body = b"x" * 1000
    head = b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n"

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(head + body)
        await writer.drain()
        await reader.read()

    async with raw_server(handler) as url, ClientSession(max_response_size=limit) as s:
        resp = await s.get(url)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + TIMEOUT
        while not (resp.content.is_eof() or resp.content.exception()) and loop.time() < deadline:
            await asyncio.sleep(0.01)  # let the body arrive: read() then takes it at once
        if limit >= len(body):
            assert resp.content.is_eof()
            assert await resp.read() == body
            assert s.connector.idle_count() == 1  # pooled again
        else:
            with pytest.raises(ClientPayloadError, match="max_response_size"):
                await resp.read()
            assert s.connector.idle_count() == 0  # the connection was not pooled
