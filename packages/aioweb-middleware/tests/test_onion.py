"""The documented onion order, with and without the ``@middleware`` marker."""

from __future__ import annotations

import asyncio

import pytest
from middleware_testlib import TIMEOUT, Handler, make_app

from aioweb.kernel import Middleware, Request, Response, StreamResponse, middleware
from aioweb.testing import AiowebClient


def tracer(name: str, log: list[str], *, marked: bool) -> Middleware:
    async def mw(request: Request, handler: Handler) -> StreamResponse:
        log.append(f"{name}-before")
        try:
            return await handler(request)
        finally:
            log.append(f"{name}-after")

    return middleware(mw) if marked else mw


@pytest.mark.loopback
async def test_middlewares_run_as_an_onion(aioweb_client: AiowebClient) -> None:
    log: list[str] = []

    async def handler(request: Request) -> StreamResponse:
        log.append("handler")
        return Response(text="ok")

    app = make_app(
        [("GET", "/", handler)],
        [tracer("a", log, marked=True), tracer("b", log, marked=False)],
    )
    client = await aioweb_client(app)
    resp = await asyncio.wait_for(client.get("/"), TIMEOUT)
    assert await resp.text() == "ok"
    assert log == ["a-before", "b-before", "handler", "b-after", "a-after"]
