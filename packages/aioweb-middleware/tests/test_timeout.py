"""timeout_middleware: 503 on the deadline, handler TimeoutErrors untouched."""

from __future__ import annotations

import asyncio
import json

import pytest
from middleware_testlib import TIMEOUT, make_app, make_request, ok

from aioweb.kernel import HTTPServiceUnavailable, Request, StreamResponse
from aioweb.middleware import error_pages_middleware, timeout_middleware
from aioweb.testing import AiowebClient

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
async def test_live_timeout_renders_through_error_pages(
    aioweb_client: AiowebClient,
) -> None:
    app = make_app(
        [("GET", "/slow", sleepy), ("GET", "/ok", ok)],
        [error_pages_middleware(), timeout_middleware(SHORT)],
    )
    client = await aioweb_client(app)
    headers = {"Accept": "application/json"}
    resp = await asyncio.wait_for(client.get("/slow", headers=headers), TIMEOUT)
    assert resp.status == 503
    assert json.loads(await resp.text()) == {"status": 503, "reason": "Service Unavailable"}
    assert (await asyncio.wait_for(client.get("/ok"), TIMEOUT)).status == 200
