"""aioweb's client against servers that are not aioweb: http.server, nginx and aiohttp.

Each server runs in its own process on 127.0.0.1 and is stopped at teardown
(``interop_servers.py`` holds the http.server and aiohttp apps; nginx gets a config in
``tmp_path``). Responses carry the client's source port (``X-Conn``, nginx: its connection
serial number), which is how the tests see keep-alive reuse and reconnects.
"""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import importlib.util
import os
import shutil
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from types import ModuleType

import pytest
from conftest import Served, free_port, serving

from aioweb.client import (
    ClientResponseError,
    ClientSession,
    ClientTimeout,
    CookieJar,
    TCPConnector,
)
from aioweb.websocket import WSMsgType

pytestmark = pytest.mark.loopback

HERE = Path(__file__).resolve().parent
SERVERS = HERE / "interop_servers.py"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
TIMEOUT = ClientTimeout(total=20)


def _load_servers() -> ModuleType:
    # The helper is run as a script by the fixtures; the tests only read its constants.
    spec = importlib.util.spec_from_file_location("interop_servers", SERVERS)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


S = _load_servers()


def session(base: str, *, limit: int = 1, **kw: object) -> ClientSession:
    """A session with a pool of ``limit`` connections: reuse is visible, a leak would block."""
    return ClientSession(base, connector=TCPConnector(limit=limit), timeout=TIMEOUT, **kw)  # type: ignore[arg-type]


def stopped(served: Served) -> None:
    if served.proc.poll() is None:
        served.stop()


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module", params=["1.1", "1.0"], ids=["http11", "http10"])
def stdlib_server(request: pytest.FixtureRequest) -> Iterator[tuple[str, str]]:
    """``http.server.ThreadingHTTPServer`` in a subprocess: (base URL, HTTP version)."""
    argv = [sys.executable, str(SERVERS), "stdlib", "--port", "{port}", "--http", request.param]
    with serving(argv) as served:
        yield served.base, request.param
        stopped(served)


@pytest.fixture(scope="module")
def aiohttp_server() -> Iterator[str]:
    """``aiohttp.web`` in a subprocess: its base URL."""
    pytest.importorskip("aiohttp")
    with serving([sys.executable, str(SERVERS), "aiohttp", "--port", "{port}"]) as served:
        yield served.base
        stopped(served)


NGINX_CONF = """\
worker_processes 1;
daemon off;
master_process off;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 256; }}
http {{
    access_log off;
    types {{ text/plain txt; application/octet-stream bin; }}
    default_type application/octet-stream;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    keepalive_timeout 30s;
    gzip on;
    gzip_types text/plain;
    gzip_min_length 256;
    server {{
        listen 127.0.0.1:{port};
        root {tmp}/www;
        add_header X-Conn $connection always;
        location = /old {{ return 301 /hello.txt; }}
        location = /post {{ return 200 "posted $request_method\\n"; }}
        location /ka/ {{
            keepalive_requests 3;
            add_header X-Conn $connection always;
            return 200 "request $connection_requests";
        }}
        location /short/ {{
            keepalive_timeout 1s;
            add_header X-Conn $connection always;
            return 200 "short";
        }}
    }}
}}
"""
BIG_SIZE = 3 * 2**20 + 12345  # not a multiple of any buffer size


@pytest.fixture(scope="module")
def nginx(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """nginx (one process, config and logs in a temp dir): (base URL, document root)."""
    if not os.path.exists(NGINX):
        pytest.skip("nginx is not installed (apt-get install nginx-light)")
    tmp = tmp_path_factory.mktemp("nginx")
    www = tmp / "www"
    www.mkdir()
    (www / "hello.txt").write_text("Hello from nginx.\n")
    (www / "big.bin").write_bytes(os.urandom(BIG_SIZE))
    (www / "text.txt").write_text(S.GZIP_TEXT)
    port = free_port()
    conf = tmp / "nginx.conf"
    conf.write_text(NGINX_CONF.format(tmp=tmp, port=port))
    argv = [NGINX, "-p", str(tmp), "-e", str(tmp / "error.log"), "-c", str(conf)]
    with serving(argv, port=port) as served:
        yield served.base, www
        stopped(served)


# --------------------------------------------------------------------------- http.server


async def test_stdlib_get_text_and_reuse(stdlib_server: tuple[str, str]) -> None:
    base, version = stdlib_server
    async with session(base) as s:
        conns = []
        for _ in range(3):
            async with s.get("/text") as resp:
                assert resp.status == 200
                assert resp.version == ((1, 1) if version == "1.1" else (1, 0))
                assert await resp.text() == S.TEXT
                conns.append(resp.headers["X-Conn"])
    if version == "1.1":
        assert len(set(conns)) == 1, conns  # one keep-alive connection
    else:
        assert len(set(conns)) == 3, conns  # HTTP/1.0 without keep-alive: a new one each time


async def test_stdlib_post_put_and_head(stdlib_server: tuple[str, str]) -> None:
    base, _ = stdlib_server
    payload = os.urandom(200_000)
    async with session(base) as s:
        async with s.post("/echo", data=payload) as resp:
            assert (resp.status, resp.headers["X-Method"]) == (200, "POST")
            assert await resp.read() == payload
        async with s.put("/echo", data="snowman \u2603") as resp:
            assert await resp.read() == "snowman \u2603".encode()
        async with s.head("/text") as resp:
            assert resp.status == 200
            assert resp.headers["Content-Length"] == str(len(S.TEXT))
            assert await resp.read() == b""
        async with s.get("/text") as resp:  # the HEAD response had no body to skip
            assert await resp.text() == S.TEXT


async def test_stdlib_redirects_and_cookies(stdlib_server: tuple[str, str]) -> None:
    base, _ = stdlib_server
    async with session(base, cookie_jar=CookieJar(unsafe=True)) as s:
        async with s.get("/redirect") as resp:
            assert [r.status for r in resp.history] == [302]
            assert (resp.status, resp.url.path) == (200, "/text")
        async with s.post("/redirect307", data=b"kept") as resp:
            assert (resp.url.path, resp.headers["X-Method"]) == ("/echo", "POST")
            assert await resp.read() == b"kept"  # 307 keeps the method and the body
        async with s.get("/setcookie") as resp:
            assert resp.cookies["sid"].value == "std123"
        async with s.get("/cookies") as resp:
            assert await resp.text() == "sid=std123"


async def test_stdlib_gzip_charset_and_close_delimited_body(stdlib_server: tuple[str, str]) -> None:
    base, _ = stdlib_server
    async with session(base) as s:
        async with s.get("/gzip") as resp:
            assert resp.headers["Content-Encoding"] == "gzip"
            assert await resp.text() == S.GZIP_TEXT
        async with s.get("/latin1") as resp:
            assert resp.charset == "latin-1"
            assert await resp.text() == S.LATIN1_TEXT
        async with s.get("/until-close") as resp:
            assert "Content-Length" not in resp.headers
            assert await resp.read() == S.TEXT.encode() * 100
        async with s.get("/text") as resp:  # a new connection after the close
            assert await resp.text() == S.TEXT
        async with s.get("/missing") as resp:
            assert resp.status == 404
            with pytest.raises(ClientResponseError) as info:
                resp.raise_for_status()
            assert info.value.status == 404


# --------------------------------------------------------------------------- nginx


async def test_nginx_static_file_head_and_redirect(nginx: tuple[str, Path]) -> None:
    base, _ = nginx
    async with session(base) as s:
        async with s.get("/hello.txt") as resp:
            assert resp.status == 200
            assert resp.headers["Server"].startswith("nginx")
            assert resp.content_type == "text/plain"
            assert await resp.text() == "Hello from nginx.\n"
            first = resp.headers["X-Conn"]
        async with s.head("/big.bin") as resp:
            assert resp.status == 200
            assert resp.content_length == BIG_SIZE
            assert await resp.read() == b""
        async with s.get("/old") as resp:
            assert [(r.status, r.url.path) for r in resp.history] == [(301, "/old")]
            assert resp.url.path == "/hello.txt"
            assert await resp.text() == "Hello from nginx.\n"
            assert resp.headers["X-Conn"] == first  # HEAD and the 301 kept the connection
        async with s.post("/old", data=b"x") as resp:  # 301 turns POST into GET
            assert (resp.status, resp.method) == (200, "GET")
        async with s.get("/nope.txt") as resp:
            assert resp.status == 404


async def test_nginx_large_file_streamed(nginx: tuple[str, Path]) -> None:
    base, www = nginx
    digest = hashlib.sha256()
    sizes = []
    async with session(base) as s, s.get("/big.bin") as resp:
        assert resp.content_length == BIG_SIZE
        async for chunk in resp.content.iter_chunked(65536):
            sizes.append(len(chunk))
            digest.update(chunk)
    assert sum(sizes) == BIG_SIZE
    assert max(sizes) <= 65536
    assert len(sizes) >= BIG_SIZE // 65536
    assert digest.hexdigest() == hashlib.sha256((www / "big.bin").read_bytes()).hexdigest()


async def test_nginx_gzip_is_chunked_and_decoded(nginx: tuple[str, Path]) -> None:
    base, _ = nginx
    async with session(base) as s, s.get("/text.txt") as resp:
        # nginx compresses on the fly, so the length is unknown: chunked framing.
        assert resp.headers["Content-Encoding"] == "gzip"
        assert resp.headers["Transfer-Encoding"] == "chunked"
        assert await resp.text() == S.GZIP_TEXT
    # Without automatic decompression no Accept-Encoding is sent, so ask explicitly.
    gz = {"Accept-Encoding": "gzip"}
    async with session(base, auto_decompress=False) as s, s.get("/text.txt", headers=gz) as resp:
        assert resp.headers["Content-Encoding"] == "gzip"
        assert gzip.decompress(await resp.read()).decode() == S.GZIP_TEXT
    async with session(base, auto_decompress=False) as s, s.get("/text.txt") as resp:
        assert "Content-Encoding" not in resp.headers
        assert await resp.text() == S.GZIP_TEXT


async def test_nginx_post_body_then_reuse(nginx: tuple[str, Path]) -> None:
    base, _ = nginx
    async with session(base) as s:
        conns = set()
        for size in (0, 10, 300_000):
            async with s.post("/post", data=b"p" * size) as resp:
                assert await resp.text() == "posted POST\n"
                conns.add(resp.headers["X-Conn"])

        async def chunks() -> AsyncIterator[bytes]:
            for _ in range(5):
                yield b"q" * 1000

        async with s.post("/post", data=chunks()) as resp:  # chunked request body
            assert await resp.text() == "posted POST\n"
            conns.add(resp.headers["X-Conn"])
    assert len(conns) == 1, conns  # nginx read and dropped each body, keeping the connection


async def test_nginx_keepalive_requests_limit_reconnects(nginx: tuple[str, Path]) -> None:
    base, _ = nginx
    seen = []
    async with session(base) as s:
        for i in range(8):
            async with s.get(f"/ka/{i}") as resp:
                assert resp.status == 200
                seen.append((await resp.text(), resp.headers["X-Conn"]))
            assert s.connector.in_use_count() == 0
    # nginx closes after every 3rd request (Connection: close); the pool opens a new one.
    assert [body for body, _ in seen] == [f"request {n}" for n in (1, 2, 3, 1, 2, 3, 1, 2)]
    conns = [c for _, c in seen]
    assert conns[0] == conns[1] == conns[2] != conns[3] == conns[4] == conns[5] != conns[6]


async def test_nginx_idle_close_is_noticed(nginx: tuple[str, Path]) -> None:
    base, _ = nginx
    connector = TCPConnector(limit=1)
    async with ClientSession(base, connector=connector, timeout=TIMEOUT) as s:
        async with s.get("/short/a") as resp:
            assert await resp.text() == "short"
            first = resp.headers["X-Conn"]
        assert connector.idle_count() == 1
        # nginx drops the idle connection after 1 s; the pool notices the close (bounded).
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 10
        while connector.idle_count() and loop.time() < deadline:
            await asyncio.sleep(0.05)
        assert connector.idle_count() == 0
        async with s.get("/short/b") as resp:
            assert await resp.text() == "short"
            assert resp.headers["X-Conn"] != first


async def test_nginx_concurrent_pool(nginx: tuple[str, Path]) -> None:
    base, _ = nginx
    async with session(base, limit=4) as s:

        async def one(i: int) -> str:
            async with s.get("/hello.txt") as resp:
                assert await resp.text() == "Hello from nginx.\n"
                return resp.headers["X-Conn"]

        conns = await asyncio.gather(*(one(i) for i in range(40)))
        assert 1 <= len(set(conns)) <= 4
        assert s.connector.in_use_count() == 0


def test_nginx_on_uvloop(nginx: tuple[str, Path]) -> None:
    # uvloop's transports are not asyncio.Transport subclasses; the client must not care.
    uvloop = pytest.importorskip("uvloop")
    base, www = nginx

    async def main() -> None:
        async with session(base) as s:
            conns = set()
            for _ in range(3):
                async with s.get("/hello.txt") as resp:
                    assert await resp.text() == "Hello from nginx.\n"
                    conns.add(resp.headers["X-Conn"])
            assert len(conns) == 1
            async with s.get("/text.txt") as resp:
                assert resp.headers["Transfer-Encoding"] == "chunked"
                assert await resp.text() == S.GZIP_TEXT
            async with s.get("/big.bin") as resp:
                assert await resp.read() == (www / "big.bin").read_bytes()

    loop = uvloop.new_event_loop()
    try:
        loop.run_until_complete(asyncio.wait_for(main(), 30))
    finally:
        loop.close()


# --------------------------------------------------------------------------- aiohttp


async def test_aiohttp_text_json_and_reuse(aiohttp_server: str) -> None:
    async with session(aiohttp_server) as s:
        async with s.get("/text") as resp:
            assert "aiohttp" in resp.headers["Server"]
            assert await resp.text() == S.TEXT
            first = resp.headers["X-Conn"]
        async with s.get("/json") as resp:
            assert resp.content_type == "application/json"
            assert await resp.json() == {"framework": "aiohttp", "n": [1, 2, 3]}
            assert resp.headers["X-Conn"] == first
        async with s.head("/text") as resp:  # aiohttp answers HEAD on GET routes
            assert (resp.status, resp.content_length) == (200, len(S.TEXT))
            assert await resp.read() == b""
        async with s.get("/missing") as resp:
            assert resp.status == 404
        async with s.get("/text") as resp:  # HEAD and the 404 kept the connection
            assert resp.headers["X-Conn"] == first


async def test_aiohttp_chunked_stream(aiohttp_server: str) -> None:
    async with session(aiohttp_server) as s:
        async with s.get("/stream") as resp:
            assert resp.headers["Transfer-Encoding"] == "chunked"
            got = [chunk async for chunk in resp.content.iter_chunked(300)]
        assert b"".join(got) == b"".join(S.STREAM_PARTS)
        assert max(map(len, got)) <= 300
        async with s.get("/stream") as resp:
            assert await resp.read() == b"".join(S.STREAM_PARTS)


async def test_aiohttp_gzip(aiohttp_server: str) -> None:
    async with session(aiohttp_server) as s, s.get("/gzip") as resp:
        assert resp.headers["Content-Encoding"] in ("gzip", "deflate")
        assert await resp.text() == S.GZIP_TEXT


async def test_aiohttp_cookies(aiohttp_server: str) -> None:
    async with session(aiohttp_server, cookie_jar=CookieJar(unsafe=True)) as s:
        async with s.get("/setcookie") as resp:
            got = {k: m.value for k, m in resp.cookies.items()}
            assert got == {"sid": "aio456", "theme": "dark"}
        async with s.get("/cookies") as resp:
            assert await resp.json() == {"sid": "aio456", "theme": "dark"}
    # The default jar keeps no cookies for an IP address host (like aiohttp's).
    async with session(aiohttp_server) as s:
        async with s.get("/setcookie") as resp:
            assert resp.status == 200
        async with s.get("/cookies") as resp:
            assert await resp.json() == {}


async def test_aiohttp_redirects(aiohttp_server: str) -> None:
    async with session(aiohttp_server) as s:
        async with s.post("/redirect", data=b"dropped") as resp:  # 302: POST becomes GET
            assert (resp.status, resp.method, resp.url.path) == (200, "GET", "/text")
        async with s.post("/redirect307", data=b"kept") as resp:
            assert (resp.headers["X-Method"], await resp.read()) == ("POST", b"kept")
        async with s.get("/redirect", allow_redirects=False) as resp:
            assert (resp.status, resp.headers["Location"]) == (302, "/text")


async def test_aiohttp_websocket_echo(aiohttp_server: str) -> None:
    async with session(aiohttp_server) as s:
        ws = await s.ws_connect("/ws", timeout=10)
        async with ws:
            await ws.send_str("hi")
            msg = await ws.receive(timeout=10)
            assert (msg.type, msg.data) == (WSMsgType.TEXT, "echo:hi")
            await ws.send_bytes(b"\x00\x01\x02")
            msg = await ws.receive(timeout=10)
            assert (msg.type, msg.data) == (WSMsgType.BINARY, b"\x02\x01\x00")
            await ws.send_str("close")  # the server starts the closing handshake
            msg = await ws.receive(timeout=10)
            assert msg.type in (WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.CLOSED)
