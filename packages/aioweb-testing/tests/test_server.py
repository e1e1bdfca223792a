"""TestServer, RawTestServer and unused_port: start, serve, close."""

from __future__ import annotations

import socket

import pytest
from testing_testlib import assert_listening, assert_refused

from aioweb import web
from aioweb.client import ClientSession
from aioweb.kernel import Application, Request, Response, StreamResponse
from aioweb.testing import RawTestServer, TestServer, unused_port
from aioweb.testing.pytest_plugin import AiowebRawServer, AiowebServer, AiowebUnusedPort

pytestmark = pytest.mark.loopback


async def raw_hello(request: Request) -> StreamResponse:
    return Response(text=f"raw {request.method} {request.raw_path}")


def hello_app() -> web.Application:
    app = web.Application()
    app.router.add_get("/hi", lambda _: web.Response(text="hi"))
    return app


async def test_test_server_lifecycle() -> None:
    events: list[str] = []

    async def startup(app: Application) -> None:
        events.append("startup")

    async def cleanup(app: Application) -> None:
        events.append("cleanup")

    app = hello_app()
    app.on_startup.append(startup)
    app.on_cleanup.append(cleanup)
    server = TestServer(app)
    assert [server.started] == [False]  # a list: keep mypy from narrowing the property
    with pytest.raises(RuntimeError, match="not started"):
        _ = server.port
    with pytest.raises(RuntimeError, match="not started"):
        server.make_url("/")
    async with server:
        assert server.started
        assert events == ["startup"]
        assert server.app is app
        assert server.host == "127.0.0.1"
        assert server.scheme == "http"
        await server.start_server()  # idempotent
        port = server.port
        assert str(server.make_url("/hi?x=1")) == f"http://127.0.0.1:{port}/hi?x=1"
        await assert_listening(port)
        async with ClientSession() as session, session.get(server.make_url("/hi")) as resp:
            assert await resp.text() == "hi"
    assert server.closed
    assert events == ["startup", "cleanup"]
    await assert_refused(port)
    await server.close()  # idempotent
    with pytest.raises(RuntimeError, match="closed"):
        await server.start_server()


async def test_raw_test_server_serves_a_bare_handler() -> None:
    async with RawTestServer(raw_hello) as server, ClientSession() as session:
        assert server.handler is raw_hello
        async with session.post(server.make_url("/a?b=1")) as resp:
            assert await resp.text() == "raw POST /a?b=1"
        port = server.port
    await assert_refused(port)


async def test_explicit_port() -> None:
    port = unused_port()
    async with TestServer(hello_app(), port=port) as server:
        assert server.port == port
        await assert_listening(port)
    await assert_refused(port)


async def test_make_url_refuses_absolute_urls() -> None:
    async with RawTestServer(raw_hello) as server:
        with pytest.raises(ValueError, match="takes a path"):
            server.make_url("http://example.com/")
        assert server.make_url("rel").path == "/rel"
        assert repr(server).startswith("<RawTestServer http://127.0.0.1:")


@pytest.mark.parametrize(
    ("scheme", "message"),
    [("ftp", "scheme must be"), ("https", "needs an ssl_context")],
    ids=["unknown-scheme", "https-without-context"],
)
def test_bad_scheme(scheme: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        RawTestServer(raw_hello, scheme=scheme)


async def test_port_in_use_fails_cleanly() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        server = RawTestServer(raw_hello, port=port)
        with pytest.raises(OSError, match="in use"):
            await server.start_server()
        assert [server.started] == [False]  # a list: keep mypy from narrowing the property


def test_unused_port_is_bindable() -> None:
    port = unused_port()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", port))


async def test_aioweb_server_fixture(aioweb_server: AiowebServer) -> None:
    server = await aioweb_server(hello_app())
    assert server.started
    async with ClientSession() as session, session.get(server.make_url("/hi")) as resp:
        assert await resp.text() == "hi"


async def test_aioweb_server_fixture_takes_options(
    aioweb_server: AiowebServer, aioweb_unused_port: AiowebUnusedPort
) -> None:
    port = aioweb_unused_port()
    server = await aioweb_server(hello_app(), port=port, shutdown_timeout=1.0)
    assert server.port == port


async def test_aioweb_raw_server_fixture(aioweb_raw_server: AiowebRawServer) -> None:
    server = await aioweb_raw_server(raw_hello)
    async with ClientSession() as session, session.get(server.make_url("/x")) as resp:
        assert await resp.text() == "raw GET /x"


def test_aioweb_unused_port_fixture(aioweb_unused_port: AiowebUnusedPort) -> None:
    assert aioweb_unused_port is unused_port
    assert 0 < aioweb_unused_port() < 65536
