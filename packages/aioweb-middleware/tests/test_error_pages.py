"""error_pages_middleware and render_error: negotiation, custom pages, 500s, logging."""

from __future__ import annotations

import asyncio
import json
import logging

import pytest
from middleware_testlib import TIMEOUT, as_response, make_app, make_request, ok

from aioweb.client import ClientResponse
from aioweb.kernel import (
    HTTPFound,
    HTTPMethodNotAllowed,
    HTTPNotFound,
    Request,
    Response,
    StreamResponse,
)
from aioweb.middleware import ERROR_KEY, error_pages_middleware, render_error
from aioweb.testing import AiowebClient


async def boom(request: Request) -> StreamResponse:
    raise RuntimeError("secret-db-password")


async def not_found(request: Request) -> StreamResponse:
    raise HTTPNotFound()


@pytest.mark.parametrize(
    ("accept", "kind"),
    [
        (None, "text/plain"),
        ("*/*", "text/plain"),
        ("application/json", "application/json"),
        ("application/*", "application/json"),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "text/html"),
        ("application/json;q=0.5, text/html;q=0.9", "text/html"),
        ("text/*;q=0.1, application/json;q=0.2", "application/json"),
        ("text/html;q=0, */*", "text/plain"),
        ("image/png", "text/plain"),
        ("application/json;q=bogus", "text/plain"),
        ("application/json;q=1.5", "text/plain"),
        ("x" * 5000, "text/plain"),
    ],
)
def test_render_error_negotiates(accept: str | None, kind: str) -> None:
    headers = {"Accept": accept} if accept is not None else {}
    resp = render_error(make_request(headers=headers), 404)
    assert resp.status == 404
    assert resp.content_type == kind
    assert "Accept" in resp.headers["Vary"]
    if kind == "application/json":
        assert json.loads(resp.body) == {"status": 404, "reason": "Not Found"}
    elif kind == "text/html":
        assert "<h1>404 Not Found</h1>" in (resp.text or "")
    else:
        assert resp.text == "404: Not Found\n"


def test_render_error_escapes_html() -> None:
    req = make_request(headers={"Accept": "text/html"})
    resp = render_error(req, 400, "<script>", detail="<b>x</b>")
    assert "<script>" not in (resp.text or "")
    assert "&lt;b&gt;x&lt;/b&gt;" in (resp.text or "")


async def test_http_exception_gets_the_negotiated_page_and_keeps_its_headers() -> None:
    async def nope(request: Request) -> StreamResponse:
        raise HTTPMethodNotAllowed("PUT", ["GET", "POST"])

    mw = error_pages_middleware()
    resp = as_response(await mw(make_request(headers={"Accept": "application/json"}), nope))
    assert resp.status == 405
    assert resp.headers["Allow"] == "GET,POST"
    assert json.loads(resp.body) == {"status": 405, "reason": "Method Not Allowed"}


async def test_exception_with_its_own_body_and_redirects_pass_unchanged() -> None:
    async def custom(request: Request) -> StreamResponse:
        raise HTTPNotFound(text="no such user")

    async def move(request: Request) -> StreamResponse:
        raise HTTPFound("/elsewhere")

    mw = error_pages_middleware()
    with pytest.raises(HTTPNotFound) as info:
        await mw(make_request(), custom)
    assert info.value.text == "no such user"
    with pytest.raises(HTTPFound):
        await mw(make_request(), move)


async def test_returned_error_responses_are_not_rewritten() -> None:
    async def handler(request: Request) -> StreamResponse:
        return Response(status=404, text="mine")

    resp = as_response(await error_pages_middleware({404: ok})(make_request(), handler))
    assert (resp.status, resp.text) == (404, "mine")


async def test_custom_page_sees_the_exception() -> None:
    seen: list[object] = []

    async def page(request: Request) -> StreamResponse:
        seen.append(request[ERROR_KEY])
        return Response(status=404, text="custom")

    resp = await error_pages_middleware({404: page})(make_request(), not_found)
    assert resp.status == 404
    assert isinstance(seen[0], HTTPNotFound)


async def test_unhandled_exception_is_a_500_without_traceback_logged_once(
    mw_log: pytest.LogCaptureFixture,
) -> None:
    resp = as_response(await error_pages_middleware()(make_request(), boom))
    assert resp.status == 500
    assert resp.body == b"500: Internal Server Error\n"
    records = [r for r in mw_log.records if r.name == "aioweb.middleware"]
    assert len(records) == 1
    assert records[0].levelno == logging.ERROR
    assert records[0].exc_info is not None
    assert "secret-db-password" in mw_log.text  # in the log, never in the body


async def test_debug_shows_the_traceback() -> None:
    req = make_request(headers={"Accept": "application/json"})
    resp = as_response(await error_pages_middleware(debug=True)(req, boom))
    data = json.loads(resp.body)
    assert data["status"] == 500
    assert "RuntimeError: secret-db-password" in data["detail"]


async def test_custom_500_page_and_failing_pages(mw_log: pytest.LogCaptureFixture) -> None:
    async def page500(request: Request) -> StreamResponse:
        return Response(status=500, text=f"sorry: {type(request[ERROR_KEY]).__name__}")

    async def broken(request: Request) -> StreamResponse:
        raise ValueError("page bug")

    resp = as_response(await error_pages_middleware({500: page500})(make_request(), boom))
    assert resp.text == "sorry: RuntimeError"
    resp = as_response(await error_pages_middleware({404: broken})(make_request(), not_found))
    assert (resp.status, resp.body) == (404, b"404: Not Found\n")
    assert "the error page for 404 failed" in mw_log.text


@pytest.mark.parametrize(
    "handlers", [{200: ok}, {"404": ok}, {404: "not callable"}], ids=["200", "str", "value"]
)
def test_bad_configuration_fails_at_setup(handlers: dict[object, object]) -> None:
    with pytest.raises(ValueError, match="error page"):
        error_pages_middleware(handlers)  # type: ignore[arg-type]


async def test_cancellation_is_not_swallowed() -> None:
    import asyncio

    async def cancelled(request: Request) -> StreamResponse:
        raise asyncio.CancelledError

    with pytest.raises(asyncio.CancelledError):
        await error_pages_middleware()(make_request(), cancelled)


@pytest.mark.loopback
async def test_live_error_pages(
    aioweb_client: AiowebClient, mw_log: pytest.LogCaptureFixture
) -> None:
    app = make_app([("GET", "/boom", boom), ("GET", "/ok", ok)], [error_pages_middleware()])
    client = await aioweb_client(app)

    async def get(path: str, method: str = "GET", **headers: str) -> ClientResponse:
        return await asyncio.wait_for(client.request(method, path, headers=headers), TIMEOUT)

    resp = await get("/missing", Accept="application/json")
    assert resp.status == 404
    assert await resp.json() == {"status": 404, "reason": "Not Found"}
    resp = await get("/missing", Accept="text/html")
    assert resp.headers["content-type"].startswith("text/html")
    resp = await get("/ok", "POST")
    assert resp.status == 405
    assert resp.headers["allow"] == "GET"
    resp = await get("/boom")
    assert resp.status == 500
    assert "secret" not in await resp.text()
    assert await (await get("/ok")).text() == "ok"  # the connection is still fine
    assert sum("unhandled error" in r.getMessage() for r in mw_log.records) == 1
