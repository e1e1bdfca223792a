"""The plain-request fast path: cached URLs and default heads, bodies that come with the head."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest
from client_testlib import TIMEOUT, raw_server, read_request

from aioweb.client import ClientPayloadError, ClientSession, CookieJar

pytestmark = pytest.mark.loopback

Reply = Callable[[asyncio.StreamWriter], Awaitable[None]]


def recording(heads: list[bytes], reply: Reply | None = None):  # type: ignore[no-untyped-def]
    """A server that records each request head and answers ``ok`` (or with ``reply``)."""

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            try:
                head, _ = await read_request(reader)
            except asyncio.IncompleteReadError:
                return
            heads.append(head)
            if reply is None:
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
            else:
                await reply(writer)
            await writer.drain()

    return handler


def lines(head: bytes) -> list[bytes]:
    return head.split(b"\r\n")


async def test_body_with_the_head_is_read_and_streamed(no_fd_leak: None) -> None:
    heads: list[bytes] = []
    async with raw_server(recording(heads)) as url, ClientSession() as session:
        async with session.get(url + "/a") as resp:
            assert await resp.read() == b"ok"
            assert await resp.read() == b"ok"  # cached
        async with session.get(url + "/a") as resp:
            # The stream is made on demand and holds the whole body.
            assert [c async for c in resp.content.iter_chunked(1)] == [b"o", b"k"]
            assert resp.content.at_eof()
        async with session.get(url + "/a") as resp:
            assert await resp.content.read(1) == b"o"
            assert await resp.read() == b"k"  # the rest of the stream
        assert session.connector.idle_count() == 1  # one connection served all three
    assert len(heads) == 3


async def test_body_after_the_head_goes_through_the_stream(no_fd_leak: None) -> None:
    async def slow(writer: asyncio.StreamWriter) -> None:
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nab")
        await writer.drain()
        await asyncio.sleep(0.05)
        writer.write(b"cd")
        await writer.drain()
        await asyncio.sleep(0.05)
        writer.write(b"ef")

    async with (
        raw_server(recording([], slow)) as url,
        ClientSession() as session,
        session.get(url) as resp,
    ):
        assert resp.status == 200
        assert await asyncio.wait_for(resp.read(), TIMEOUT) == b"abcdef"


async def test_bad_body_in_the_same_batch_fails_the_read(no_fd_leak: None) -> None:
    async def bad(writer: asyncio.StreamWriter) -> None:
        writer.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nokzz\r\n")

    async with raw_server(recording([], bad)) as url, ClientSession() as session:
        async with session.get(url) as resp:
            assert resp.status == 200  # the head was fine
            with pytest.raises(ClientPayloadError, match="invalid response body"):
                await asyncio.wait_for(resp.read(), TIMEOUT)
        assert session.connector.idle_count() == 0


async def test_body_with_the_head_still_honours_max_response_size(no_fd_leak: None) -> None:
    async def big(writer: asyncio.StreamWriter) -> None:
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789")

    session = ClientSession(max_response_size=4)
    async with raw_server(recording([], big)) as url, session:
        with pytest.raises(ClientPayloadError, match="exceeds max_response_size"):
            async with session.get(url) as resp:
                await resp.read()
        assert session.connector.idle_count() == 0


async def test_changed_session_headers_reach_the_next_request(no_fd_leak: None) -> None:
    heads: list[bytes] = []
    async with raw_server(recording(heads)) as url, ClientSession(headers={"X-A": "1"}) as session:
        for _ in range(2):
            async with session.get(url + "/p") as resp:
                await resp.read()
        session.headers["X-A"] = "2"
        session.headers["X-B"] = "3"
        async with session.get(url + "/p") as resp:
            await resp.read()
        del session.headers["X-A"]
        async with session.head(url + "/p") as resp:
            await resp.read()
    assert lines(heads[0]) == lines(heads[1])
    assert lines(heads[0])[0] == b"GET /p HTTP/1.1"
    assert b"X-A: 1" in lines(heads[0])
    assert b"X-A: 2" in lines(heads[2])
    assert b"X-B: 3" in lines(heads[2])
    assert lines(heads[3])[0] == b"HEAD /p HTTP/1.1"
    assert not any(line.startswith(b"X-A") for line in lines(heads[3]))
    assert b"X-B: 3" in lines(heads[3])


async def test_per_call_headers_cookies_and_params_leave_the_fast_path(
    no_fd_leak: None,
) -> None:
    heads: list[bytes] = []
    jar = CookieJar(unsafe=True)
    async with (
        raw_server(recording(heads)) as url,
        ClientSession(base_url=url, cookie_jar=jar) as session,
    ):
        async with session.get("/q") as resp:
            await resp.read()
        async with session.get("/q", headers={"X-C": "4"}, params={"k": "v"}) as resp:
            await resp.read()
        jar.update_cookies({"s": "t"})
        async with session.get("/q") as resp:
            await resp.read()
        async with session.post("/q") as resp:
            await resp.read()
    assert lines(heads[0])[0] == b"GET /q HTTP/1.1"
    assert not any(line.startswith(b"Cookie") for line in lines(heads[0]))
    assert lines(heads[1])[0] == b"GET /q?k=v HTTP/1.1"
    assert b"X-C: 4" in lines(heads[1])
    assert b"Cookie: s=t" in lines(heads[2])
    assert lines(heads[3])[0] == b"POST /q HTTP/1.1"
    assert b"Content-Length: 0" in lines(heads[3])


async def test_a_middleware_editing_the_headers_is_honoured(no_fd_leak: None) -> None:
    heads: list[bytes] = []

    async def add(request, handler):  # type: ignore[no-untyped-def]
        request.headers["X-Mw"] = "yes"
        return await handler(request)

    async with raw_server(recording(heads)) as url, ClientSession(middlewares=(add,)) as session:
        for _ in range(2):
            async with session.get(url + "/m") as resp:
                await resp.read()
    assert all(b"X-Mw: yes" in lines(head) for head in heads)
    assert len(heads) == 2


async def test_url_credentials_are_stripped_and_sent_as_auth(no_fd_leak: None) -> None:
    heads: list[bytes] = []
    async with raw_server(recording(heads)) as url, ClientSession() as session:
        authed = url.replace("http://", "http://user:pw@") + "/c"
        for _ in range(2):  # the second time from the URL cache
            async with session.get(authed) as resp:
                assert resp.url.user is None
                await resp.read()
    for head in heads:
        assert b"Authorization: Basic dXNlcjpwdw==" in lines(head)


async def test_bodies_larger_than_the_read_buffer_arrive_intact(no_fd_leak: None) -> None:
    body = bytes(range(256)) * 1200  # 300 KiB: several reads into the connection's buffer
    reply = b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%b" % (len(body), body)

    async def big(writer: asyncio.StreamWriter) -> None:
        writer.write(reply)

    async with raw_server(recording([], big)) as url, ClientSession() as session:
        for _ in range(2):
            async with session.get(url) as resp:
                assert await asyncio.wait_for(resp.read(), TIMEOUT) == body
        assert session.connector.idle_count() == 1
