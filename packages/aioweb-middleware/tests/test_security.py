"""security_headers_middleware: defaults, HSTS on https only, CSP hook, setup errors."""

from __future__ import annotations

import asyncio

import pytest
from middleware_testlib import TIMEOUT, make_app, make_request, ok

from aioweb.kernel import HTTPNotFound, Request, Response, StreamResponse
from aioweb.middleware import security_headers_middleware
from aioweb.testing import AiowebClient


async def test_defaults_on_http_and_https() -> None:
    mw = security_headers_middleware()
    resp = await mw(make_request(), ok)
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["X-Frame-Options"] == "DENY"
    assert resp.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "Strict-Transport-Security" not in resp.headers  # RFC 6797 §7.2
    assert "Content-Security-Policy" not in resp.headers
    resp = await mw(make_request(scheme="https"), ok)
    assert resp.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


async def test_options_and_handler_values_win() -> None:
    mw = security_headers_middleware(
        hsts="max-age=60; preload",
        hsts_on_http=True,
        content_type_options=False,
        frame_options="sameorigin",
        referrer_policy="no-referrer, strict-origin",
        csp="default-src 'self'",
        csp_report_only=True,
    )

    async def own(request: Request) -> StreamResponse:
        return Response(
            text="x", headers={"X-Frame-Options": "SAMEORIGIN", "Referrer-Policy": "origin"}
        )

    resp = await mw(make_request(), own)
    assert resp.headers["Strict-Transport-Security"] == "max-age=60; preload"
    assert "X-Content-Type-Options" not in resp.headers
    assert resp.headers["Referrer-Policy"] == "origin"
    assert resp.headers["Content-Security-Policy-Report-Only"] == "default-src 'self'"
    resp = await mw(make_request(), ok)
    assert resp.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert resp.headers["Referrer-Policy"] == "no-referrer, strict-origin"


async def test_csp_callable_and_none() -> None:
    def policy(request: Request) -> str | None:
        nonce = request.get("nonce")
        return f"script-src 'nonce-{nonce}'" if nonce else None

    mw = security_headers_middleware(csp=policy, frame_options=None, referrer_policy=None)
    req = make_request()
    req["nonce"] = "r4nd"
    resp = await mw(req, ok)
    assert resp.headers["Content-Security-Policy"] == "script-src 'nonce-r4nd'"
    assert "X-Frame-Options" not in resp.headers
    assert "Referrer-Policy" not in resp.headers
    resp = await mw(make_request(), ok)
    assert "Content-Security-Policy" not in resp.headers

    bad = security_headers_middleware(csp=lambda r: "a\r\nSet-Cookie: x")
    with pytest.raises(ValueError, match="control characters"):
        await bad(make_request(), ok)


async def test_raised_errors_get_the_headers() -> None:
    async def missing(request: Request) -> StreamResponse:
        raise HTTPNotFound()

    with pytest.raises(HTTPNotFound) as info:
        await security_headers_middleware()(make_request(), missing)
    assert info.value.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    "options",
    [
        {"hsts": "max-age=abc"},
        {"hsts": "includeSubDomains"},
        {"hsts": "max-age=1\r\nX: y"},
        {"frame_options": "ALLOW-FROM https://x"},
        {"referrer_policy": "everything"},
        {"csp": "default-src\n'self'"},
    ],
)
def test_bad_values_fail_at_setup(options: dict[str, object]) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - one per option, messages differ
        security_headers_middleware(**options)  # type: ignore[arg-type]


@pytest.mark.loopback
async def test_live_security_headers(aioweb_client: AiowebClient) -> None:
    app = make_app([("GET", "/", ok)], [security_headers_middleware(csp="default-src 'none'")])
    client = await aioweb_client(app)
    resp = await asyncio.wait_for(client.get("/"), TIMEOUT)
    assert resp.headers["x-content-type-options"] == "nosniff"
    assert resp.headers["content-security-policy"] == "default-src 'none'"
    missing = await asyncio.wait_for(client.get("/missing"), TIMEOUT)
    assert missing.status == 404
    assert missing.headers["x-frame-options"] == "DENY"
