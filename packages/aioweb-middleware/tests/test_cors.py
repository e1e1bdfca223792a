"""cors_middleware: origins, preflights, credentials, Vary, and setup errors."""

from __future__ import annotations

import asyncio
import re

import pytest
from middleware_testlib import TIMEOUT, make_app, make_request, ok

from aioweb.kernel import HTTPNotFound, Request, Response, StreamResponse
from aioweb.middleware import OriginSpec, cors_middleware
from aioweb.testing import AiowebClient

GOOD = "https://app.example.com"
PREFLIGHT = {"Origin": GOOD, "Access-Control-Request-Method": "PUT"}


async def missing(request: Request) -> StreamResponse:
    raise HTTPNotFound()


def pred(origin: str) -> bool:
    return origin.endswith(".example.com")


@pytest.mark.parametrize(
    ("origins", "origin", "allowed"),
    [
        (GOOD, GOOD, True),
        (GOOD, "HTTPS://APP.EXAMPLE.COM", True),
        (GOOD, "https://app.example.com.evil.com", False),
        (GOOD, "http://app.example.com", False),
        (GOOD, "https://app.example.com:8443", False),
        ([GOOD, "http://localhost:3000"], "http://localhost:3000", True),
        ([GOOD], "null", False),
        (["null"], "null", True),
        (re.compile(r"https://[a-z]+\.example\.com"), GOOD, True),
        (re.compile(r"https://[a-z]+\.example\.com"), "https://a.b.example.com", False),
        (re.compile(r"https://.*\.example\.com"), "https://x/.example.com", False),
        (re.compile(r".*"), "https://a.com\r\nX-Evil: 1", False),
        (re.compile(r".*"), "https://a.com/path", False),
        (pred, GOOD, True),
        (pred, "https://example.org", False),
        ("*", "https://anything.test", True),
        ("*", "not an origin", False),
    ],
)
async def test_simple_request_origins(origins: OriginSpec, origin: str, allowed: bool) -> None:
    mw = cors_middleware(origins=origins)
    resp = await mw(make_request("GET", "/", {"Origin": origin}), ok)
    assert resp.status == 200
    acao = resp.headers.get("Access-Control-Allow-Origin")
    if allowed:
        assert acao == ("*" if origins == "*" else origin)
    else:
        assert acao is None
    if origins != "*":
        assert resp.headers["Vary"] == "Origin"


async def test_credentials_and_exposed_headers() -> None:
    mw = cors_middleware(origins=[GOOD], allow_credentials=True, expose_headers=["X-Total"])
    resp = await mw(make_request("GET", "/", {"Origin": GOOD}), ok)
    assert resp.headers["Access-Control-Allow-Origin"] == GOOD
    assert resp.headers["Access-Control-Allow-Credentials"] == "true"
    assert resp.headers["Access-Control-Expose-Headers"] == "X-Total"


async def test_headers_go_on_raised_errors_too() -> None:
    mw = cors_middleware(origins=[GOOD])
    with pytest.raises(HTTPNotFound) as info:
        await mw(make_request("GET", "/", {"Origin": GOOD}), missing)
    assert info.value.headers["Access-Control-Allow-Origin"] == GOOD
    assert info.value.headers["Vary"] == "Origin"


async def test_no_origin_still_varies_and_duplicate_origin_is_refused() -> None:
    mw = cors_middleware(origins=[GOOD])
    resp = await mw(make_request(), ok)
    assert resp.headers["Vary"] == "Origin"
    with pytest.raises(HTTPNotFound) as info:
        await mw(make_request(), missing)
    assert info.value.headers["Vary"] == "Origin"
    assert "Access-Control-Allow-Origin" not in info.value.headers
    req = Request("GET", "/", headers=((b"Origin", GOOD.encode()), (b"Origin", GOOD.encode())))
    resp = await mw(req, ok)
    assert "Access-Control-Allow-Origin" not in resp.headers


async def test_preflight_is_answered_without_the_handler() -> None:
    called: list[Request] = []

    async def handler(request: Request) -> StreamResponse:
        called.append(request)
        return await ok(request)

    mw = cors_middleware(origins=[GOOD], allow_headers=["Content-Type", "X-Token"], max_age=600)
    headers = {**PREFLIGHT, "Access-Control-Request-Headers": "x-token, Content-Type"}
    resp = await mw(make_request("OPTIONS", "/api", headers), handler)
    assert not called
    assert resp.status == 204
    assert resp.headers["Access-Control-Allow-Origin"] == GOOD
    assert resp.headers["Access-Control-Allow-Methods"] == "GET, HEAD, POST, PUT, PATCH, DELETE"
    assert resp.headers["Access-Control-Allow-Headers"] == "x-token, content-type"
    assert resp.headers["Access-Control-Max-Age"] == "600"
    assert "Origin" in resp.headers["Vary"]
    assert "Access-Control-Allow-Credentials" not in resp.headers


@pytest.mark.parametrize(
    "headers",
    [
        {**PREFLIGHT, "Origin": "https://evil.com"},
        {**PREFLIGHT, "Access-Control-Request-Method": "TRACE"},
        {**PREFLIGHT, "Access-Control-Request-Method": "PU T"},
        {**PREFLIGHT, "Access-Control-Request-Headers": "X-Not-Allowed"},
    ],
    ids=["origin", "method", "bad-token", "header"],
)
async def test_refused_preflight_is_403_without_allow_headers(headers: dict[str, str]) -> None:
    mw = cors_middleware(origins=[GOOD], allow_methods=["GET", "PUT"])
    resp = await mw(make_request("OPTIONS", "/", headers), ok)
    assert resp.status == 403
    assert not any(h.startswith("Access-Control-Allow") for h in resp.headers)


async def test_wildcards_and_200_preflight() -> None:
    mw = cors_middleware(origins="*", allow_methods="*", allow_headers="*", preflight_status=200)
    headers = {**PREFLIGHT, "Access-Control-Request-Headers": "X-Anything"}
    resp = await mw(make_request("OPTIONS", "/", headers), ok)
    assert resp.status == 200
    assert resp.headers["Access-Control-Allow-Origin"] == "*"
    assert resp.headers["Access-Control-Allow-Methods"] == "*"
    assert resp.headers["Access-Control-Allow-Headers"] == "*"


async def test_plain_options_reaches_the_handler() -> None:
    mw = cors_middleware(origins=[GOOD])
    resp = await mw(make_request("OPTIONS", "/", {"Origin": GOOD}), ok)
    assert resp.status == 200
    assert resp.headers["Access-Control-Allow-Origin"] == GOOD


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"origins": "*", "allow_credentials": True}, "allow_credentials"),
        ({"origins": ["*"], "allow_credentials": True}, "allow_credentials"),
        ({"origins": [GOOD], "allow_headers": "*", "allow_credentials": True}, "allow_cred"),
        ({"origins": [GOOD], "allow_methods": "*", "allow_credentials": True}, "allow_cred"),
        ({"origins": []}, "at least one"),
        ({"origins": ["*", GOOD]}, "alone"),
        ({"origins": "https://example.com/"}, "not an origin"),
        ({"origins": "example.com"}, "not an origin"),
        ({"origins": [GOOD], "allow_methods": ["GE T"]}, "invalid method"),
        ({"origins": [GOOD], "allow_headers": ["X:Y"]}, "invalid header"),
        ({"origins": [GOOD], "max_age": -1}, "max_age"),
        ({"origins": [GOOD], "preflight_status": 302}, "preflight_status"),
    ],
)
def test_misconfiguration_fails_at_setup(options: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        cors_middleware(**options)  # type: ignore[arg-type]


@pytest.mark.loopback
async def test_live_cors(aioweb_client: AiowebClient) -> None:
    app = make_app(
        [("GET", "/api", ok), ("PUT", "/api", ok)],
        [cors_middleware(origins=[GOOD], allow_credentials=True, allow_headers=["X-Token"])],
    )
    client = await aioweb_client(app)
    headers = {**PREFLIGHT, "Access-Control-Request-Headers": "X-Token"}
    pre = await asyncio.wait_for(client.options("/api", headers=headers), TIMEOUT)
    assert pre.status == 204
    assert pre.headers["access-control-allow-origin"] == GOOD
    assert pre.headers["access-control-allow-credentials"] == "true"
    assert pre.headers["access-control-allow-headers"] == "x-token"
    resp = await asyncio.wait_for(client.put("/api", headers={"Origin": GOOD}), TIMEOUT)
    assert (resp.status, resp.headers["access-control-allow-origin"]) == (200, GOOD)
    evil = await asyncio.wait_for(
        client.get("/api", headers={"Origin": "https://evil.com"}), TIMEOUT
    )
    assert evil.status == 200
    assert "access-control-allow-origin" not in evil.headers
    assert evil.headers["vary"] == "Origin"
    gone = await asyncio.wait_for(client.get("/nope", headers={"Origin": GOOD}), TIMEOUT)
    assert (gone.status, gone.headers["access-control-allow-origin"]) == (404, GOOD)


async def test_vary_keeps_every_field_the_handler_set() -> None:
    async def varied(request: Request) -> StreamResponse:
        response = Response(text="x")
        response.headers.add("Vary", "Cookie")
        response.headers.add("Vary", "Accept-Language")
        return response

    resp = await cors_middleware(origins=GOOD)(make_request("GET", "/", {"Origin": GOOD}), varied)
    assert resp.headers.getall("Vary") == ["Cookie, Accept-Language, Origin"]
