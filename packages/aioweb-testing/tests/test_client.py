"""TestClient: requests by path, cookies, lifecycle, ws_connect."""

from __future__ import annotations

import pytest
from testing_testlib import TIMEOUT, assert_refused

from aioweb import web
from aioweb.client import ClientTimeout
from aioweb.kernel import MissingPluginError
from aioweb.testing import RawTestServer, TestClient, TestServer
from aioweb.testing.pytest_plugin import AiowebClient

pytestmark = pytest.mark.loopback

KEY = web.AppKey("greeting", str)


async def echo(request: web.Request) -> web.Response:
    body = await request.read()
    return web.Response(
        text=f"{request.method} {request.raw_path} {body.decode()}",
        headers={"X-Seen": request.headers.get("X-Test", "-")},
    )


async def set_cookie(request: web.Request) -> web.Response:
    resp = web.Response(text="set")
    resp.set_cookie("sid", "abc")
    return resp


async def show_cookie(request: web.Request) -> web.Response:
    return web.Response(text=request.cookies.get("sid", "none"))


async def ws_echo(request: web.Request) -> web.WebSocketResponse:
    ws = web.WebSocketResponse()
    await ws.prepare(request)
    async for msg in ws:
        if msg.type is web.WSMsgType.TEXT:
            await ws.send_str(f"echo {msg.data}")
    return ws


def make_app() -> web.Application:
    app = web.Application()
    app[KEY] = "hello"
    app.router.add_route("*", "/echo", echo)
    app.router.add_get("/set", set_cookie)
    app.router.add_get("/show", show_cookie)
    app.router.add_get("/ws", ws_echo)
    return app


@pytest.mark.parametrize("method", ["get", "post", "put", "patch", "delete", "options"])
async def test_every_method_goes_to_the_path(aioweb_client: AiowebClient, method: str) -> None:
    client = await aioweb_client(make_app())
    resp = await getattr(client, method)("/echo?q=1", data=b"d", headers={"X-Test": "t"})
    assert resp.status == 200
    assert await resp.text() == f"{method.upper()} /echo?q=1 d"
    assert resp.headers["X-Seen"] == "t"


async def test_head_and_request(aioweb_client: AiowebClient) -> None:
    client = await aioweb_client(make_app())
    resp = await client.head("/echo")
    assert resp.status == 200
    assert await resp.read() == b""
    async with client.request("GET", "/echo", params={"a": "b"}) as resp2:
        assert await resp2.text() == "GET /echo?a=b "
    assert resp2.closed


async def test_json_and_app(aioweb_client: AiowebClient) -> None:
    app = make_app()

    async def as_json(request: web.Request) -> web.Response:
        return web.json_response({"greeting": request.app[KEY], "got": await request.json()})

    app.router.add_post("/json", as_json)
    client = await aioweb_client(app)
    assert client.app is app
    assert client.app[KEY] == "hello"
    assert isinstance(client.server, TestServer)
    resp = await client.post("/json", json={"n": 1})
    assert await resp.json() == {"greeting": "hello", "got": {"n": 1}}


async def test_cookies_from_127_0_0_1_are_kept(aioweb_client: AiowebClient) -> None:
    client = await aioweb_client(make_app())
    await (await client.get("/set")).read()
    assert await (await client.get("/show")).text() == "abc"


async def test_session_options_are_passed_on(aioweb_client: AiowebClient) -> None:
    client = await aioweb_client(
        make_app(), headers={"X-Test": "default"}, timeout=ClientTimeout(total=TIMEOUT)
    )
    assert client.session.timeout.total == TIMEOUT
    assert (await client.get("/echo")).headers["X-Seen"] == "default"


async def test_client_for_a_raw_server(aioweb_client: AiowebClient) -> None:
    async def raw(request: web.Request) -> web.StreamResponse:
        return web.Response(text="raw")

    client = await aioweb_client(RawTestServer(raw))
    assert await (await client.get("/")).text() == "raw"
    with pytest.raises(RuntimeError, match="serves no application"):
        _ = client.app


async def test_server_kwargs_only_with_an_application(aioweb_client: AiowebClient) -> None:
    with pytest.raises(TypeError, match="only for an Application"):
        await aioweb_client(TestServer(make_app()), server_kwargs={"shutdown_timeout": 1.0})
    client = await aioweb_client(make_app(), server_kwargs={"shutdown_timeout": 1.0})
    assert (await client.get("/echo")).status == 200


async def test_lifecycle_closes_responses_session_and_server() -> None:
    client = TestClient(TestServer(make_app()))
    with pytest.raises(RuntimeError, match="not started"):
        _ = client.session
    async with client:
        port = client.port
        assert client.host == "127.0.0.1"
        assert repr(client).startswith("<TestClient for <TestServer http://127.0.0.1:")
        unread = await client.get("/echo")  # body never read: released by close()
        session = client.session
    assert client.closed
    assert session.closed
    assert unread.closed
    assert client.server.closed
    await assert_refused(port)
    await client.close()  # idempotent
    with pytest.raises(RuntimeError, match="closed"):
        await client.start_server()


async def test_ws_connect(aioweb_client: AiowebClient) -> None:
    client = await aioweb_client(make_app())
    ws = await client.ws_connect("/ws", receive_timeout=TIMEOUT)
    await ws.send_str("hi")
    assert await ws.receive_str() == "echo hi"
    await ws.close()
    assert ws.closed


async def test_ws_connect_left_open_is_closed_with_the_client() -> None:
    async with TestClient(TestServer(make_app())) as client:
        ws = await client.ws_connect("/ws", receive_timeout=TIMEOUT)
        await ws.send_str("x")
        assert await ws.receive_str() == "echo x"
    assert ws.closed


async def test_ws_connect_without_aioweb_websocket(
    aioweb_client: AiowebClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    client = await aioweb_client(make_app())
    monkeypatch.setitem(sys.modules, "aioweb.websocket", None)  # as if not installed
    with pytest.raises(MissingPluginError, match="pip install aioweb-websocket"):
        await client.ws_connect("/ws")
