"""Redirects: method rewriting, limits, and credentials that never cross origins."""

from __future__ import annotations

import pytest
from client_testlib import Serve

from aioweb.client import BasicAuth, ClientSession, InvalidURL, TooManyRedirects
from aioweb.kernel import Request, Response, StreamResponse

pytestmark = pytest.mark.loopback

OTHER: dict[str, str] = {}


async def handler(request: Request) -> StreamResponse:
    path = request.path
    if path.startswith("/to/"):
        status = int(path.split("/")[2])
        return Response(status=status, headers={"Location": "/echo"})
    if path == "/loop":
        return Response(status=302, headers={"Location": "/loop"})
    if path == "/away":
        return Response(status=302, headers={"Location": OTHER["url"] + "/echo"})
    if path == "/ftp":
        return Response(status=302, headers={"Location": "ftp://x/"})
    body = await request.read()
    return Response(
        text=f"{request.method} {body.decode()} auth={request.headers.get('Authorization', '')}"
        f" cookie={request.headers.get('Cookie', '')}"
    )


@pytest.fixture
async def base(serve: Serve) -> str:
    url, other = await serve(handler), await serve(handler)
    OTHER["url"] = other.replace("127.0.0.1", "localhost")
    return url


@pytest.mark.parametrize(
    ("status", "expected"),
    [(301, "GET "), (302, "GET "), (303, "GET "), (307, "POST data"), (308, "POST data")],
)
async def test_method_and_body_after_redirect(base: str, status: int, expected: str) -> None:
    async with ClientSession() as session:  # noqa: SIM117 - the inner block reads better nested
        async with session.post(f"{base}/to/{status}", data=b"data") as resp:
            assert (await resp.text()).startswith(expected)
            assert [r.status for r in resp.history] == [status]
            assert resp.url.path == "/echo"


async def test_redirect_not_followed_when_disallowed(base: str) -> None:
    async with ClientSession() as session:  # noqa: SIM117 - the inner block reads better nested
        async with session.get(f"{base}/to/302", allow_redirects=False) as resp:
            assert resp.status == 302
            assert resp.history == ()


async def test_too_many_redirects(base: str) -> None:
    async with ClientSession(max_redirects=3) as session:
        with pytest.raises(TooManyRedirects) as info:
            await session.get(base + "/loop")
    assert len(info.value.history) == 4
    assert session.connector.in_use_count() == 0


async def test_credentials_are_not_forwarded_to_another_origin(base: str) -> None:
    async with ClientSession() as session:
        async with session.get(
            base + "/away", auth=BasicAuth("u", "p"), headers={"Cookie": "a=b"}
        ) as resp:
            assert await resp.text() == "GET  auth= cookie="
        async with session.get(base + "/to/302", auth=BasicAuth("u", "p")) as resp:
            assert "auth=Basic " in await resp.text()


async def test_redirect_to_non_http_scheme_is_refused(base: str) -> None:
    async with ClientSession() as session:
        with pytest.raises(InvalidURL, match="not http"):
            await session.get(base + "/ftp")
