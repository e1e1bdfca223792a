"""``router.add_static`` over a live server: safe resolution, index pages, url_for."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest
from conftest import BIG
from static_testlib import TIMEOUT, Live, router_of, serve

from aioweb.kernel import (
    ROUTER,
    Application,
    MissingPluginError,
    PluginSpec,
    Registry,
    Request,
    Response,
)
from aioweb.routing import RouteTableDef, UrlDispatcher, static
from aioweb.static import FollowSymlinks, StaticResource
from aioweb.testing import AiowebServer

pytestmark = pytest.mark.loopback


def static_app(root: Path, **options: object) -> Application:
    app = Application()
    router_of(app).add_static("/static", root, name="static", **options)
    return app


@pytest.fixture
async def live(root: Path, aioweb_server: AiowebServer) -> Live:
    return await serve(aioweb_server, static_app(root))


# Each target must never reveal the secret outside the root, nor a dot file.
HOSTILE = [
    "/static/../secret.txt",
    "/static/%2e%2e/secret.txt",
    "/static/%2E%2E/secret.txt",
    "/static/.%2e/secret.txt",
    "/static/%2e./secret.txt",
    "/static/..%2fsecret.txt",
    "/static/..%2Fsecret.txt",
    "/static/%2e%2e%2fsecret.txt",
    "/static/sub/../../secret.txt",
    "/static/sub/%2e%2e/%2e%2e/secret.txt",
    "/static/sub%2f..%2f..%2fsecret.txt",
    "/static/..\\secret.txt",
    "/static/..%5csecret.txt",
    "/static/..%5Csecret.txt",
    "/static/sub%5c..%5c..%5csecret.txt",
    "/static/%5c..%5csecret.txt",
    "/static/hello.txt%00.png",
    "/static/%00",
    "/static/hello.txt%00",
    "/static//etc/passwd",
    "/static/%2fetc%2fpasswd",
    "/static/%2Fetc/passwd",
    "/static///secret.txt",
    "/static/C:/Windows/win.ini",
    "/static/C:%5cWindows%5cwin.ini",
    "/static/c%3a/secret.txt",
    "/static/hello.txt::$DATA",
    "/static/out-link",
    "/static/out-dir/secret.txt",
    "/static/out-dir/www/hello.txt",
    "/static/.env",
    "/static/%2eenv",
    "/static/sub/../.env",
    "/static/./hello.txt",
    "/static/%2e/hello.txt",
    "/static/sub/./inner.txt",
    "/static/%c0%ae%c0%ae/secret.txt",
    "/static/%252e%252e/secret.txt",
    "/static/..%252fsecret.txt",
    "/static/....//secret.txt",
    "/static/.../secret.txt",
    "/static/hello.txt/..",
    "/static/sub/inner.txt/../../secret.txt",
    "/static/%0d%0aX-Injected:%201",
    "/static/%01hello.txt",
    "/static/in-link",  # inside, but follow_symlinks=False
    "/static/../www/hello.txt",
    "/static/sub/..",
    "/static/hello.txt/",
    "/static/leak.txt.gz",
]


@pytest.mark.parametrize("target", HOSTILE)
async def test_hostile_paths_are_refused(live: Live, target: str) -> None:
    resp = await live.raw(target)
    assert resp.status in (400, 403, 404), (target, resp.status)
    assert b"SECRET" not in resp.body
    assert "x-injected" not in resp.headers


@pytest.mark.parametrize(
    "options",
    [{"follow_symlinks": "inside"}, {"hidden": True}, {"show_index": True}],
    ids=["inside", "hidden", "index"],
)
async def test_hostile_paths_never_leave_the_root(
    root: Path, aioweb_server: AiowebServer, options: dict[str, object]
) -> None:
    # Looser options may serve more *inside* the root, never the secret outside it.
    live = await serve(aioweb_server, static_app(root, **options))
    for target in HOSTILE:
        resp = await live.raw(target)
        assert b"TOP SECRET" not in resp.body, (target, resp.status)
        assert b"secret.txt" not in resp.body, target  # no listing of the parent either
        assert "x-injected" not in resp.headers


def test_battery_is_big_enough() -> None:
    assert len(HOSTILE) >= 40


@pytest.mark.parametrize(
    ("target", "body"),
    [
        ("/static/hello.txt", b"hello, world\n"),
        ("/static/sub/inner.txt", b"inner"),
        ("/static/%68ello.txt", b"hello, world\n"),
        ("/static/sub/%3Cb%3E%26amp%3B.txt", b"x"),
    ],
)
async def test_good_paths_are_served(live: Live, target: str, body: bytes) -> None:
    resp = await live.raw(target)
    assert (resp.status, resp.body) == (200, body)


async def test_big_file_and_range_through_static(live: Live) -> None:
    resp = await live.raw("/static/big.bin")
    assert resp.body == BIG
    resp = await live.raw("/static/big.bin", extra="Range: bytes=-3\r\n")
    assert (resp.status, resp.body) == (206, BIG[-3:])


async def test_directory_without_index_is_403(live: Live) -> None:
    assert (await live.raw("/static/sub/")).status == 403
    assert (await live.raw("/static")).status == 403
    assert (await live.raw("/staticx/hello.txt")).status == 404


async def test_other_methods_are_405(live: Live) -> None:
    resp = await live.raw("/static/hello.txt", method="POST")
    assert resp.status == 405
    assert set(resp.headers["allow"].replace(" ", "").split(",")) == {"GET", "HEAD"}


async def test_follow_symlinks_modes(root: Path, aioweb_server: AiowebServer) -> None:
    live = await serve(aioweb_server, static_app(root, follow_symlinks="inside"))
    assert (await live.raw("/static/in-link")).body == b"hello, world\n"
    assert (await live.raw("/static/out-link")).status == 404
    assert (await live.raw("/static/out-dir/secret.txt")).status == 404
    live = await serve(aioweb_server, static_app(root, follow_symlinks=True))
    assert (await live.raw("/static/out-link")).body == b"TOP SECRET"
    assert (await live.raw("/static/../secret.txt")).status == 404


async def test_hidden_files_when_allowed(root: Path, aioweb_server: AiowebServer) -> None:
    live = await serve(aioweb_server, static_app(root, hidden=True))
    assert (await live.raw("/static/.env")).body == b"SECRET=1"
    assert (await live.raw("/static/../secret.txt")).status == 404


async def test_index_is_escaped(root: Path, aioweb_server: AiowebServer) -> None:
    live = await serve(aioweb_server, static_app(root, show_index=True))
    resp = await live.raw("/static/sub/")
    assert resp.status == 200
    assert resp.headers["content-type"] == "text/html; charset=utf-8"
    page = resp.body.decode()
    assert "<b>" not in page
    assert "&lt;b&gt;&amp;amp;.txt" in page
    assert 'href="/static/sub/%3Cb%3E%26amp%3B.txt"' in page
    top = (await live.raw("/static")).body.decode()
    assert "hello.txt" in top
    assert ".env" not in top
    assert 'href="/static/sub/"' in top


async def test_cache_control(root: Path, aioweb_server: AiowebServer) -> None:
    live = await serve(aioweb_server, static_app(root, cache_control="public, max-age=60"))
    resp = await live.raw("/static/hello.txt")
    assert resp.headers["cache-control"] == "public, max-age=60"


def test_url_for_and_versions(root: Path) -> None:
    app = static_app(root)
    res = router_of(app)["static"]
    assert str(res.url_for(filename="sub/inner.txt")) == "/static/sub/inner.txt"
    assert str(res.url_for(filename="a b.txt")) == "/static/a%20b.txt"
    v1 = res.url_for(filename="hello.txt", append_version=True)
    assert v1.path == "/static/hello.txt"
    assert len(v1.query["v"]) == 16
    assert res.url_for(filename="hello.txt", append_version=True) == v1  # cached
    (root / "hello.txt").write_text("changed, and longer\n")
    assert res.url_for(filename="hello.txt", append_version=True) != v1
    assert "v" not in res.url_for(filename="missing.txt", append_version=True).query
    assert "v" not in res.url_for(filename="../secret.txt", append_version=True).query
    with pytest.raises(KeyError):
        res.url_for()
    with pytest.raises(ValueError, match="unknown"):
        res.url_for(filename="x", other=1)


def test_append_version_default_and_subapp(root: Path) -> None:
    app, sub = Application(), Application()
    router_of(sub).add_static("/s", root, name="s", append_version=True)
    router_of(app).add_subapp("/sub", sub)
    url = router_of(sub)["s"].url_for(filename="hello.txt")
    assert url.path == "/sub/s/hello.txt"
    assert "v" in url.query


def test_registration_rules(root: Path) -> None:
    router = router_of(static_app(root))
    res = router["static"]
    assert isinstance(res, StaticResource)
    assert res in router.resources()
    assert router.named_resources()["static"] is res
    assert {r.method for r in router.routes()} == {"GET", "HEAD"}
    assert res.get_info() == {"directory": str(root.resolve()), "prefix": "/static"}
    with pytest.raises(ValueError, match="duplicate route name"):
        router.add_static("/other", root, name="static")
    with pytest.raises(ValueError, match="no such directory"):
        router.add_static("/x", root / "missing")
    with pytest.raises(ValueError, match="not a directory"):
        router.add_static("/x", root / "hello.txt")
    with pytest.raises(ValueError, match="follow_symlinks"):
        router.add_static("/x", root, follow_symlinks="yes")
    with pytest.raises(ValueError, match="prefix"):
        router.add_static("static", root)
    with pytest.raises(ValueError, match="prefix"):
        router.add_static("/a/{x}", root)
    with pytest.raises(TypeError):
        router.add_static("/x", root, bogus=True)
    with pytest.raises(ValueError, match="already registered"):
        router.register_resource(res)
    router.freeze()
    with pytest.raises(RuntimeError, match="frozen"):
        router.add_static("/late", root)


def test_missing_plugin_message(root: Path) -> None:
    registry = Registry(discover=False)
    registry.add(
        PluginSpec(
            name="r", api_version=(1, 0), setup=lambda r: r.provide(ROUTER, "d", UrlDispatcher)
        )
    )
    app = Application(registry=registry)
    with pytest.raises(MissingPluginError, match="pip install aioweb-static"):
        router_of(app).add_static("/static", root)


async def test_route_defs_and_exact_routes_first(root: Path, aioweb_server: AiowebServer) -> None:
    routes = RouteTableDef()
    routes.static("/assets", root, name="assets")

    @routes.get("/assets/hello.txt")
    async def shadow(request: Request) -> Response:
        return Response(text="exact route")

    app = Application()
    app.add_routes([static("/", root / "sub"), *routes])
    live = await serve(aioweb_server, app)
    assert (await live.raw("/assets/hello.txt")).body == b"exact route"
    assert (await live.raw("/assets/sub/inner.txt")).body == b"inner"
    assert (await live.raw("/inner.txt")).body == b"inner"
    assert (await live.raw("/nothing")).status == 404


async def test_sendfile_is_used_on_plain_tcp(live: Live, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    original = asyncio.BaseEventLoop.sendfile

    async def spy(self: asyncio.BaseEventLoop, *args: object, **kwargs: object) -> int:
        calls.append(1)
        return await original(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(asyncio.BaseEventLoop, "sendfile", spy)
    assert (await live.raw("/static/big.bin")).body == BIG
    assert calls == [1]


async def test_small_files_are_read_inline_without_sendfile(
    live: Live, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []

    async def spy(self: asyncio.BaseEventLoop, *args: object, **kwargs: object) -> int:
        calls.append(1)
        raise AssertionError("sendfile for a small file")

    monkeypatch.setattr(asyncio.BaseEventLoop, "sendfile", spy)
    resp = await live.raw("/static/hello.txt")
    assert (resp.status, resp.body) == (200, b"hello, world\n")
    assert calls == []


@pytest.mark.parametrize("follow", [False, "inside"])
async def test_sibling_symlink_out_of_the_root_is_not_sent(
    root: Path, aioweb_server: AiowebServer, follow: FollowSymlinks
) -> None:
    live = await serve(aioweb_server, static_app(root, follow_symlinks=follow))
    resp = await live.raw("/static/leak.txt", extra="Accept-Encoding: gzip\r\n")
    assert (resp.status, resp.body) == (200, b"public")
    assert "content-encoding" not in resp.headers
    assert b"SECRET" not in resp.body


async def test_zstd_sibling(live: Live) -> None:
    resp = await live.raw("/static/style.css", extra="Accept-Encoding: zstd, gzip\r\n")
    assert resp.headers["content-encoding"] == "zstd"
    assert resp.headers["vary"] == "Accept-Encoding"
    assert resp.headers["content-type"] == "text/css; charset=utf-8"
    assert resp.body == b"ZSTD-DATA"
    resp = await live.raw("/static/style.css", extra="Accept-Encoding: gzip\r\n")
    assert "content-encoding" not in resp.headers
    assert resp.body == b"b{}"


async def test_swaps_between_requests_are_seen(root: Path, live: Live) -> None:
    # Served once (validation cached), then swapped for a symlink out of the root.
    assert (await live.raw("/static/sub/inner.txt")).body == b"inner"
    (root / "sub" / "inner.txt").unlink()
    os.symlink(root.parent / "secret.txt", root / "sub" / "inner.txt")
    resp = await live.raw("/static/sub/inner.txt")
    assert resp.status == 404
    assert b"SECRET" not in resp.body
    (root / "hello.txt").write_text("new!")
    assert (await live.raw("/static/hello.txt")).body == b"new!"
    (root / "hello.txt").unlink()
    assert (await live.raw("/static/hello.txt")).status == 404


async def test_fifo_is_404_without_hanging(root: Path, live: Live) -> None:
    os.mkfifo(root / "pipe")
    assert (await live.raw("/static/pipe")).status == 404


async def test_head_and_conditionals_through_static(live: Live) -> None:
    head = await live.raw("/static/big.bin", method="HEAD")
    assert (head.status, head.body) == (200, b"")
    assert head.headers["content-length"] == str(len(BIG))
    etag = head.headers["etag"]
    resp = await live.raw("/static/big.bin", method="HEAD", extra=f"If-None-Match: {etag}\r\n")
    assert (resp.status, resp.body) == (304, b"")
    resp = await live.raw("/static/big.bin", extra='If-Match: "other"\r\n')
    assert resp.status == 412
    resp = await live.raw("/static/big.bin", extra="Range: bytes=0-1,-2\r\n")
    assert resp.status == 206
    assert resp.headers["content-type"].startswith("multipart/byteranges; boundary=")
    assert BIG[:2] in resp.body
    assert BIG[-2:] in resp.body


async def test_cache_control_on_304(root: Path, aioweb_server: AiowebServer) -> None:
    live = await serve(aioweb_server, static_app(root, cache_control="no-cache"))
    etag = (await live.raw("/static/hello.txt")).headers["etag"]
    resp = await live.raw("/static/hello.txt", extra=f"If-None-Match: {etag}\r\n")
    assert resp.status == 304
    assert resp.headers["cache-control"] == "no-cache"


async def test_pipelined_small_big_small_keep_order(live: Live) -> None:
    # One packet, three requests: inline, sendfile, inline on one connection.
    reader, writer = await asyncio.wait_for(
        asyncio.open_connection("127.0.0.1", live.port), TIMEOUT
    )
    get = "GET /static/{} HTTP/1.1\r\nHost: t\r\n{}\r\n"
    writer.write(
        (get.format("hello.txt", "") + get.format("big.bin", "")).encode()
        + get.format("sub/inner.txt", "Connection: close\r\n").encode()
    )
    data = await asyncio.wait_for(reader.read(), TIMEOUT)
    writer.close()
    bodies = []
    for _ in range(3):
        head, _, data = data.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 200")
        length = int(head.lower().split(b"content-length:")[1].split(b"\r\n")[0])
        bodies.append(data[:length])
        data = data[length:]
    assert bodies == [b"hello, world\n", BIG, b"inner"]
    assert data == b""
