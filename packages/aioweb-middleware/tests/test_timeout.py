"""timeout_middleware: 503 on the deadline, handler TimeoutErrors untouched."""

from __future__ import annotations

import asyncio
import json

import pytest
from middleware_testlib import make_app, make_request, ok, serve

from aioweb.kernel import HTTPServiceUnavailable, Request, StreamResponse
from aioweb.middleware import error_pages_middleware, timeout_middleware

SHORT = 0.05


async def sleepy(request: Request) -> StreamResponse:
    await asyncio.sleep(10)
    return await ok(request)


async def test_fast_handler_passes() -> None:
    resp = await timeout_middleware(1)(make_request(), ok)
    assert resp.status == 200


async def test_slow_handler_is_cancelled_with_503() -> None:
    cancelled = asyncio.Event()

    async def handler(request: Request) -> StreamResponse:
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            cancelled.set()
            raise
        return await ok(request)

    with pytest.raises(HTTPServiceUnavailable):
        await asyncio.wait_for(timeout_middleware(SHORT)(make_request(), handler), 5)
    assert cancelled.is_set()


async def test_handler_own_timeout_error_propagates() -> None:
    async def handler(request: Request) -> StreamResponse:
        raise asyncio.TimeoutError("upstream")

    with pytest.raises(asyncio.TimeoutError, match="upstream"):
        await timeout_middleware(1)(make_request(), handler)


@pytest.mark.parametrize("seconds", [0, -1, float("inf"), float("nan"), True, "5"])
def test_bad_seconds_fail_at_setup(seconds: object) -> None:
    with pytest.raises(ValueError, match="finite"):
        timeout_middleware(seconds)  # type: ignore[arg-type]


@pytest.mark.loopback
async def test_live_timeout_renders_through_error_pages() -> None:
    app = make_app(
        [("GET", "/slow", sleepy), ("GET", "/ok", ok)],
        [error_pages_middleware(), timeout_middleware(SHORT)],
    )
    async with serve(app) as live:
        resp = await live.client.get("/slow", headers={"Accept": "application/json"})
        assert resp.status_code == 503
        assert json.loads(resp.text) == {"status": 503, "reason": "Service Unavailable"}
        assert (await live.client.get("/ok")).status_code == 200
