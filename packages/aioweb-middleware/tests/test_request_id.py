"""request_id_middleware: propagation, validation, echo, contextvar and log filter."""

from __future__ import annotations

import asyncio
import logging
import re

import pytest
from middleware_testlib import TIMEOUT, as_response, make_app, make_request

from aioweb.kernel import HTTPNotFound, Request, Response, StreamResponse
from aioweb.middleware import (
    REQUEST_ID_KEY,
    RequestIdFilter,
    current_request_id,
    request_id_middleware,
)
from aioweb.testing import AiowebClient

_logger = logging.getLogger("aioweb.middleware.tests")


async def echo(request: Request) -> StreamResponse:
    _logger.info("handling")
    return Response(text=f"{request[REQUEST_ID_KEY]}|{current_request_id()}")


@pytest.mark.parametrize(
    ("incoming", "kept"),
    [
        ("abc-123", True),
        ("0f8fad5b-d9cb-469f-a165-70867728950e", True),
        ("trace:span.1/2+3=@x_y", True),
        ("x" * 128, True),
        ("x" * 129, False),
        ("", False),
        ("has space", False),
        ("semi;colon", False),
        ("<script>", False),
        ("é", False),
        ("a\tb", False),
    ],
)
async def test_incoming_ids_are_validated(incoming: str, kept: bool) -> None:
    mw = request_id_middleware()
    resp = as_response(await mw(make_request(headers={"X-Request-ID": incoming}), echo))
    rid = resp.headers["X-Request-ID"]
    assert resp.text == f"{rid}|{rid}"
    if kept:
        assert rid == incoming
    else:
        assert re.fullmatch(r"[0-9a-f]{32}", rid)


async def test_generated_ids_are_unique_and_context_is_reset() -> None:
    mw = request_id_middleware()
    ids = {(await mw(make_request(), echo)).headers["X-Request-ID"] for _ in range(20)}
    assert len(ids) == 20
    assert current_request_id() is None


async def test_options() -> None:
    counter = iter(range(100))
    mw = request_id_middleware(
        header="X-Trace", generator=lambda: f"gen-{next(counter)}", trust_incoming=False
    )
    resp = await mw(make_request(headers={"X-Trace": "client"}), echo)
    assert resp.headers["X-Trace"] == "gen-0"
    mw = request_id_middleware(max_length=4)
    resp = await mw(make_request(headers={"X-Request-ID": "12345"}), echo)
    assert resp.headers["X-Request-ID"] != "12345"


async def test_two_incoming_headers_are_not_trusted() -> None:
    req = Request("GET", "/", headers=((b"X-Request-ID", b"a"), (b"X-Request-ID", b"b")))
    resp = await request_id_middleware()(req, echo)
    assert resp.headers["X-Request-ID"] not in ("a", "b")


async def test_raised_error_gets_the_id() -> None:
    async def missing(request: Request) -> StreamResponse:
        raise HTTPNotFound()

    with pytest.raises(HTTPNotFound) as info:
        await request_id_middleware()(make_request(headers={"X-Request-ID": "r1"}), missing)
    assert info.value.headers["X-Request-ID"] == "r1"
    assert current_request_id() is None


async def test_log_filter_and_concurrent_requests(caplog: pytest.LogCaptureFixture) -> None:
    flt = RequestIdFilter()
    caplog.handler.addFilter(flt)
    try:
        mw = request_id_middleware()

        async def slow(request: Request) -> StreamResponse:
            await asyncio.sleep(0)
            return await echo(request)

        with caplog.at_level(logging.INFO, logger="aioweb.middleware.tests"):
            await asyncio.gather(
                *(mw(make_request(headers={"X-Request-ID": f"id{i}"}), slow) for i in range(5))
            )
            _logger.info("outside")
    finally:
        caplog.handler.removeFilter(flt)
    seen = [str(getattr(r, "request_id", None)) for r in caplog.records]
    assert sorted(seen[:-1]) == [f"id{i}" for i in range(5)]
    assert seen[-1] == "-"


@pytest.mark.parametrize("options", [{"header": "Bad Header"}, {"max_length": 0}])
def test_bad_options_fail_at_setup(options: dict[str, object]) -> None:
    with pytest.raises(ValueError):  # noqa: PT011
        request_id_middleware(**options)  # type: ignore[arg-type]


@pytest.mark.loopback
async def test_live_request_id(aioweb_client: AiowebClient) -> None:
    app = make_app([("GET", "/", echo)], [request_id_middleware()])
    client = await aioweb_client(app)
    resp = await asyncio.wait_for(client.get("/", headers={"X-Request-ID": "abc"}), TIMEOUT)
    assert (resp.headers["x-request-id"], await resp.text()) == ("abc", "abc|abc")
    resp = await asyncio.wait_for(client.get("/", headers={"X-Request-ID": "bad id!"}), TIMEOUT)
    assert resp.headers["x-request-id"] != "bad id!"
    assert re.fullmatch(r"[0-9a-f]{32}", resp.headers["x-request-id"])
