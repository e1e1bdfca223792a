"""Client middlewares: add headers, retry, short-circuit, per request or per session."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from aioweb.client import (
    ClientHandlerType,
    ClientMiddlewareType,
    ClientRequest,
    ClientResponse,
    ClientSession,
)
from aioweb.kernel import Request, Response, StreamResponse
from aioweb.testing import AiowebRawServer

pytestmark = pytest.mark.loopback

HITS: list[str] = []


async def handler(request: Request) -> StreamResponse:
    HITS.append(request.path)
    if request.path == "/flaky" and HITS.count("/flaky") == 1:
        return Response(status=503)
    if request.path == "/redirect":
        return Response(status=302, headers={"Location": "/final"})
    body = await request.read()
    return Response(
        text=f"{request.method} {request.path} {request.headers.get('X-Mw', '-')} {body!r}"
    )


@pytest.fixture(autouse=True)
def clear_hits() -> None:
    HITS.clear()


def tagging(tag: str, log: list[str]) -> ClientMiddlewareType:
    async def middleware(request: ClientRequest, handler: ClientHandlerType) -> ClientResponse:
        log.append(f"{tag}>{request.method} {request.url.path}")
        request.headers["X-Mw"] = request.headers.get("X-Mw", "") + tag
        resp = await handler(request)
        log.append(f"{tag}<{resp.status}")
        return resp

    return middleware


async def test_order_headers_and_redirect_hops(aioweb_raw_server: AiowebRawServer) -> None:
    server = await aioweb_raw_server(handler)
    log: list[str] = []
    session = ClientSession(middlewares=(tagging("a", log), tagging("b", log)))
    async with session, session.post(server.make_url("/redirect"), data=b"x") as resp:
        assert await resp.text() == "GET /final ab b''"
    # The first middleware is the outermost; each redirect hop runs the chain again.
    assert log == [
        "a>POST /redirect",
        "b>POST /redirect",
        "b<302",
        "a<302",
        "a>GET /final",
        "b>GET /final",
        "b<200",
        "a<200",
    ]


async def test_retry_and_per_request_override(aioweb_raw_server: AiowebRawServer) -> None:
    server = await aioweb_raw_server(handler)
    seen_bodies: list[bytes | None] = []

    async def retry(request: ClientRequest, handler: ClientHandlerType) -> ClientResponse:
        seen_bodies.append(request.body)
        resp = await handler(request)
        if resp.status == 503:
            resp.release()
            resp = await handler(request)
        return resp

    log: list[str] = []
    async with ClientSession(middlewares=(tagging("s", log),)) as session:
        async with session.put(
            server.make_url("/flaky"), data=b"again", middlewares=(retry,)
        ) as resp:
            assert resp.status == 200
            assert await resp.text() == "PUT /flaky - b'again'"
        assert HITS == ["/flaky", "/flaky"]
        assert seen_bodies == [b"again"]
        assert log == []  # the request's middlewares replaced the session's
        async with session.get(server.make_url("/x"), middlewares=()) as resp:
            assert (await resp.text()).startswith("GET /x - ")


async def test_short_circuit_never_reaches_the_server(aioweb_raw_server: AiowebRawServer) -> None:
    server = await aioweb_raw_server(handler)
    cache: dict[str, ClientResponse] = {}

    async def caching(request: ClientRequest, handler: ClientHandlerType) -> ClientResponse:
        key = str(request.url)
        if key not in cache:
            resp = await handler(request)
            await resp.read()
            cache[key] = resp
        return cache[key]

    async with ClientSession(middlewares=(caching,)) as session:
        first = await session.get(server.make_url("/c"))
        second = await session.get(server.make_url("/c"))
    assert second is first
    assert await second.text() == "GET /c - b''"
    assert HITS == ["/c"]


async def test_a_streamed_body_cannot_be_resent(aioweb_raw_server: AiowebRawServer) -> None:
    server = await aioweb_raw_server(handler)

    async def twice(request: ClientRequest, handler: ClientHandlerType) -> ClientResponse:
        assert request.has_body
        assert request.body is None
        (await handler(request)).release()
        return await handler(request)

    async def stream() -> AsyncIterator[bytes]:
        yield b"once"

    async with ClientSession(middlewares=(twice,)) as session:
        with pytest.raises(RuntimeError, match="already sent"):
            await session.post(server.make_url("/s"), data=stream())
    assert HITS == ["/s"]


async def test_a_middleware_can_change_method_and_url(aioweb_raw_server: AiowebRawServer) -> None:
    server = await aioweb_raw_server(handler)

    other = await aioweb_raw_server(handler)

    async def rewrite(request: ClientRequest, handler: ClientHandlerType) -> ClientResponse:
        request.method = "delete"
        request.url = other.make_url("/rewritten")  # another port: Host must follow
        return await handler(request)

    async with ClientSession(middlewares=(rewrite,)) as session:
        resp = await session.get(server.make_url("/orig"))
        assert await resp.text() == "DELETE /rewritten - b''"
        assert resp.method == "DELETE"
        assert resp.request_info.headers["Host"] == f"127.0.0.1:{other.port}"
