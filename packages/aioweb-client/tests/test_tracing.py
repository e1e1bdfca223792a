"""TraceConfig: every hook fires, in order, with its params and the request's context."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from types import SimpleNamespace

import pytest

from aioweb.client import (
    ClientConnectorError,
    ClientSession,
    TCPConnector,
    TraceConfig,
    TraceRequestEndParams,
    TraceRequestExceptionParams,
    TraceRequestStartParams,
)
from aioweb.kernel import Request, Response, StreamResponse
from aioweb.testing import AiowebRawServer

pytestmark = pytest.mark.loopback

SIGNALS = (
    "on_request_start",
    "on_request_headers_sent",
    "on_request_chunk_sent",
    "on_response_chunk_received",
    "on_request_end",
    "on_request_exception",
    "on_request_redirect",
    "on_connection_queued_start",
    "on_connection_queued_end",
    "on_connection_create_start",
    "on_connection_create_end",
    "on_connection_reuseconn",
    "on_dns_resolvehost_start",
    "on_dns_resolvehost_end",
    "on_dns_cache_hit",
    "on_dns_cache_miss",
)


async def handler(request: Request) -> StreamResponse:
    if request.path == "/redirect":
        return Response(status=302, headers={"Location": "/"})
    if request.path == "/slow":
        await asyncio.sleep(0.05)
    return Response(body=await request.read() or b"hello")


def recording() -> tuple[TraceConfig, list[tuple[str, object, object]]]:
    events: list[tuple[str, object, object]] = []
    config = TraceConfig()
    for name in SIGNALS:

        async def hook(
            session: ClientSession, ctx: SimpleNamespace, params: object, name: str = name
        ) -> None:
            events.append((name, ctx.trace_request_ctx, params))

        getattr(config, name).append(hook)
    return config, events


def names(events: list[tuple[str, object, object]]) -> list[str]:
    return [e[0] for e in events]


async def test_a_request_a_reuse_and_a_redirect(aioweb_raw_server: AiowebRawServer) -> None:
    server = await aioweb_raw_server(handler)
    config, events = recording()
    url = server.make_url("/")
    async with ClientSession(trace_configs=[config]) as session:
        async with session.post(url, data=b"body", trace_request_ctx="first") as resp:
            assert await resp.read() == b"body"
        assert names(events) == [
            "on_request_start",
            "on_connection_create_start",
            "on_dns_cache_miss",
            "on_dns_resolvehost_start",
            "on_dns_resolvehost_end",
            "on_connection_create_end",
            "on_request_headers_sent",
            "on_request_chunk_sent",
            "on_request_end",
            "on_response_chunk_received",
        ]
        assert {e[1] for e in events} == {"first"}
        start = events[0][2]
        assert isinstance(start, TraceRequestStartParams)
        assert (start.method, start.url, start.headers["Content-Length"]) == ("POST", url, "4")
        end = events[8][2]
        assert isinstance(end, TraceRequestEndParams)
        assert end.response is resp
        assert getattr(events[6][2], "headers", None) is start.headers
        assert getattr(events[7][2], "chunk", None) == b"body"
        assert getattr(events[9][2], "chunk", None) == b"body"

        events.clear()
        async with session.get(server.make_url("/redirect")) as resp:
            await resp.read()
        assert names(events) == [
            "on_request_start",
            "on_connection_reuseconn",
            "on_request_headers_sent",
            "on_request_redirect",
            "on_request_start",
            "on_connection_reuseconn",
            "on_request_headers_sent",
            "on_request_end",
            "on_response_chunk_received",
        ]
        assert {e[1] for e in events} == {None}


async def test_dns_cache_hit_and_queueing(aioweb_raw_server: AiowebRawServer) -> None:
    server = await aioweb_raw_server(handler)
    config, events = recording()
    connector = TCPConnector(limit=1, force_close=True)
    async with ClientSession(connector=connector, trace_configs=[config]) as session:

        async def one() -> None:
            async with session.get(server.make_url("/slow")) as resp:
                await resp.read()

        await asyncio.gather(one(), one())
    seen = names(events)
    assert seen.count("on_connection_queued_start") == 1
    assert seen.count("on_connection_queued_end") == 1
    assert seen.count("on_dns_cache_miss") == 1
    assert seen.count("on_dns_cache_hit") == 1
    assert seen.count("on_connection_create_end") == 2


async def test_exception_hook(aioweb_unused_port: Callable[[], int]) -> None:
    config, events = recording()
    port = aioweb_unused_port()
    async with ClientSession(trace_configs=[config]) as session:
        with pytest.raises(ClientConnectorError):
            await session.get(f"http://127.0.0.1:{port}/", trace_request_ctx=42)
    last = events[-1]
    assert last[0] == "on_request_exception"
    assert last[1] == 42
    assert isinstance(last[2], TraceRequestExceptionParams)
    assert isinstance(last[2].exception, ClientConnectorError)


async def test_streamed_body_chunks_are_traced(aioweb_raw_server: AiowebRawServer) -> None:
    server = await aioweb_raw_server(handler)
    config, events = recording()

    async def parts() -> AsyncIterator[bytes]:
        for part in (b"a", b"bb", b"ccc"):
            yield part

    async with ClientSession(trace_configs=[config]) as session:
        resp = await session.post(server.make_url("/"), data=parts())
        assert await resp.read() == b"abbccc"
    chunks = [getattr(p, "chunk", None) for n, _, p in events if n == "on_request_chunk_sent"]
    assert chunks == [b"a", b"bb", b"ccc"]


async def test_config_is_frozen_once_in_use_and_ctx_factory() -> None:
    class Ctx(SimpleNamespace):
        pass

    config = TraceConfig(trace_config_ctx_factory=Ctx)
    assert isinstance(config.trace_config_ctx("x"), Ctx)
    assert config.trace_config_ctx("x").trace_request_ctx == "x"
    before = config.frozen
    session = ClientSession(trace_configs=[config])
    try:
        assert (before, config.frozen) == (False, True)
        with pytest.raises(RuntimeError, match="in use"):
            config.on_request_start.append(lambda s, c, p: asyncio.sleep(0))
    finally:
        await session.close()
