"""ClientSession and ClientResponse against aioweb's own server on 127.0.0.1."""

from __future__ import annotations

import email
import email.policy
import gzip
import json
import zlib
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from client_testlib import Serve

from aioweb import kernel
from aioweb.client import (
    BasicAuth,
    ClientResponseError,
    ClientSession,
    ContentTypeError,
    FormData,
    InvalidURL,
    request,
)
from aioweb.kernel import Request, Response, StreamResponse
from aioweb.testing import AiowebRawServer

pytestmark = pytest.mark.loopback


async def handler(request: Request) -> StreamResponse:
    path = request.path
    if path == "/":
        return Response(text="Hello, World")
    if path == "/echo":
        body = await request.read()
        return Response(
            body=body,
            headers={
                "X-Method": request.method,
                "X-Query": request.query_string,
                "X-Type": request.headers.get("Content-Type", ""),
                "X-TE": request.headers.get("Transfer-Encoding", ""),
                "X-Auth": request.headers.get("Authorization", ""),
                "X-Cookie": request.headers.get("Cookie", ""),
                "X-UA": request.headers.get("User-Agent", ""),
            },
        )
    if path == "/json":
        return Response(text=json.dumps({"a": 1}), content_type="application/json")
    if path == "/latin":
        return Response(
            body="café".encode("latin-1"), headers={"Content-Type": "text/plain; charset=latin-1"}
        )
    if path == "/lines":
        return Response(body=b"one\ntwo\nthree")
    if path == "/gzip":
        return Response(body=gzip.compress(b"x" * 1000), headers={"Content-Encoding": "gzip"})
    if path == "/deflate":
        return Response(body=zlib.compress(b"y" * 1000), headers={"Content-Encoding": "deflate"})
    if path == "/status/404":
        return Response(status=404, text="nope")
    if path == "/setcookie":
        resp = Response(text="ok")
        resp.set_cookie("sid", "abc")
        return resp
    return Response(status=404)


@pytest.fixture
async def base(serve: Serve) -> str:
    return await serve(handler)


async def test_get_text_await_and_context_manager(base: str, no_fd_leak: None) -> None:
    async with ClientSession() as session:
        async with session.get(base + "/") as resp:
            assert resp.status == 200
            assert resp.reason == "OK"
            assert resp.headers["Content-Type"] == "text/plain; charset=utf-8"
            assert await resp.text() == "Hello, World"
        resp = await session.get(base + "/")
        assert await resp.read() == b"Hello, World"
        assert resp.url.path == "/"


async def test_keep_alive_reuses_one_connection(base: str) -> None:
    async with ClientSession() as session:
        for _ in range(5):
            async with session.get(base + "/") as resp:
                await resp.read()
        assert session.connector.idle_count() == 1
        assert session.connector.in_use_count() == 0


async def test_base_url_params_and_methods(base: str) -> None:
    async with ClientSession(base + "/") as session:
        for method in ("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"):
            async with session.request(method, "echo", params={"q": "a b", "n": 1}) as resp:
                assert resp.headers["X-Method"] == method
                assert resp.headers["X-Query"] == "q=a+b&n=1"
        async with session.head("echo") as resp:
            assert resp.status == 200
            assert await resp.read() == b""


async def test_json_roundtrip_and_content_type_check(base: str) -> None:
    async with ClientSession() as session:
        async with session.post(base + "/echo", json={"x": [1, 2]}) as resp:
            assert resp.headers["X-Type"] == "application/json"
            assert await resp.json(content_type=None) == {"x": [1, 2]}
        async with session.get(base + "/json") as resp:
            assert await resp.json() == {"a": 1}
        async with session.get(base + "/") as resp:
            with pytest.raises(ContentTypeError, match="unexpected mimetype: text/plain"):
                await resp.json()
            with pytest.raises(json.JSONDecodeError):
                await resp.json(content_type=None)


async def test_text_uses_charset_and_streaming_api(base: str) -> None:
    async with ClientSession() as session:
        async with session.get(base + "/latin") as resp:
            assert resp.charset == "latin-1"
            assert await resp.text() == "café"
        async with session.get(base + "/lines") as resp:
            assert await resp.content.readline() == b"one\n"
            assert [c async for c in resp.content.iter_chunked(3)] == [b"two", b"\nth", b"ree"]
        async with session.get(base + "/lines") as resp:
            assert b"".join([c async for c in resp.content.iter_any()]) == b"one\ntwo\nthree"


async def test_bodies_bytes_str_file_iterator(base: str, tmp_path: Path) -> None:
    async def gen() -> AsyncIterator[bytes]:
        for part in (b"a", b"bc", b"def"):
            yield part

    path = tmp_path / "f.bin"
    path.write_bytes(b"file-content" * 1000)
    async with ClientSession() as session:
        async with session.post(base + "/echo", data=b"raw") as resp:
            assert await resp.read() == b"raw"
        async with session.post(base + "/echo", data="text") as resp:
            assert resp.headers["X-Type"] == "text/plain; charset=utf-8"
            assert await resp.read() == b"text"
        async with session.post(base + "/echo", data=gen()) as resp:
            assert resp.headers["X-TE"] == "chunked"
            assert await resp.read() == b"abcdef"
        with path.open("rb") as f:
            async with session.put(base + "/echo", data=f) as resp:
                assert resp.headers["X-TE"] == ""
                assert await resp.read() == path.read_bytes()
        async with session.post(base + "/echo", data=b"xyz", chunked=True) as resp:
            assert resp.headers["X-TE"] == "chunked"
            assert await resp.read() == b"xyz"


async def test_formdata_urlencoded_and_multipart(base: str, tmp_path: Path) -> None:
    path = tmp_path / "up.txt"
    path.write_bytes(b"uploaded\r\n--not-a-boundary")
    async with ClientSession() as session:
        async with session.post(base + "/echo", data={"a": "1", "b": "x y"}) as resp:
            assert resp.headers["X-Type"] == "application/x-www-form-urlencoded"
            assert await resp.read() == b"a=1&b=x+y"
        form = FormData({"name": "v"})
        with path.open("rb") as f:
            form.add_field("file", f, content_type="text/plain")
            async with session.post(base + "/echo", data=form) as resp:
                ctype = resp.headers["X-Type"]
                body = await resp.read()
        assert ctype.startswith("multipart/form-data; boundary=")
        boundary = ctype.split("=", 1)[1].encode()
        assert body.startswith(b"--" + boundary + b"\r\n")
        assert b'Content-Disposition: form-data; name="file"; filename="up.txt"' in body
        assert b"uploaded\r\n--not-a-boundary\r\n--" + boundary + b"--\r\n" in body
        assert b'name="name"\r\n\r\nv\r\n' in body


async def test_multipart_parses_with_the_stdlib_mime_parser(base: str, tmp_path: Path) -> None:
    # aioweb's server has no multipart decoder yet: the stdlib email parser checks it.
    path = tmp_path / "doc.bin"
    path.write_bytes(bytes(range(256)) * 40)
    async with ClientSession() as session:
        with path.open("rb") as f:
            form = FormData()
            form.add_field("name", "n1")
            form.add_field("file", f)
            async with session.post(base + "/echo", data=form) as resp:
                ctype = resp.headers["X-Type"]
                body = await resp.read()
    message = email.message_from_bytes(
        f"Content-Type: {ctype}\r\n\r\n".encode() + body, policy=email.policy.HTTP
    )
    parts = list(message.iter_parts())
    assert [p.get_param("name", header="content-disposition") for p in parts] == ["name", "file"]
    assert parts[0].get_payload(decode=True) == b"n1"
    assert parts[1].get_filename() == "doc.bin"
    assert parts[1].get_payload(decode=True) == path.read_bytes()


async def test_decompression(base: str) -> None:
    async with ClientSession() as session:
        async with session.get(base + "/gzip") as resp:
            assert await resp.read() == b"x" * 1000
        async with session.get(base + "/deflate") as resp:
            assert await resp.read() == b"y" * 1000
    async with ClientSession(auto_decompress=False) as session:  # noqa: SIM117 - the inner block reads better nested
        async with session.get(base + "/gzip") as resp:
            assert gzip.decompress(await resp.read()) == b"x" * 1000


async def test_raise_for_status(base: str) -> None:
    async with ClientSession() as session:
        async with session.get(base + "/status/404") as resp:
            assert not resp.ok
            with pytest.raises(ClientResponseError) as info:
                resp.raise_for_status()
        assert info.value.status == 404
        assert "404" in str(info.value)
        assert "/status/404" in str(info.value)
    async with ClientSession(raise_for_status=True) as session:
        with pytest.raises(ClientResponseError):
            await session.get(base + "/status/404")
        async with session.get(base + "/status/404", raise_for_status=False) as resp:
            assert resp.status == 404


async def test_auth_headers_and_user_agent(base: str) -> None:
    host = base.split("//")[1]
    async with ClientSession(auth=BasicAuth("u", "p")) as session:
        async with session.get(base + "/echo") as resp:
            assert BasicAuth.decode(resp.headers["X-Auth"]) == BasicAuth("u", "p")
            assert resp.headers["X-UA"].startswith("Python/")
        async with session.get(f"http://me:secret@{host}/echo") as resp:
            assert BasicAuth.decode(resp.headers["X-Auth"]) == BasicAuth("me", "secret")


async def test_cookies_are_stored_and_sent_back(base: str) -> None:
    async with ClientSession(cookie_jar=None) as session:
        async with session.get(base + "/setcookie") as resp:
            assert resp.cookies["sid"].value == "abc"
        # 127.0.0.1 is an IP host: the default jar refuses it (unsafe=False).
        async with session.get(base + "/echo") as resp:
            assert resp.headers["X-Cookie"] == ""
    from aioweb.client import CookieJar

    async with ClientSession(cookie_jar=CookieJar(unsafe=True), cookies={"k": "v"}) as session:
        await (await session.get(base + "/setcookie")).read()
        async with session.get(base + "/echo") as resp:
            assert sorted(resp.headers["X-Cookie"].split("; ")) == ["k=v", "sid=abc"]


async def test_module_level_request(base: str, no_fd_leak: None) -> None:
    async with request("GET", base + "/") as resp:
        assert await resp.text() == "Hello, World"


@pytest.mark.parametrize(
    "url", ["ftp://x/", "/relative", "http://", "http://[bad"], ids=["ftp", "rel", "nohost", "bad"]
)
async def test_invalid_url(url: str) -> None:
    async with ClientSession() as session:
        with pytest.raises(InvalidURL):
            await session.get(url)


async def test_ws_connect_through_the_session(aioweb_raw_server: AiowebRawServer) -> None:
    from aioweb.websocket import WebSocketResponse, WSMsgType

    async def echo(request: kernel.Request) -> kernel.StreamResponse:
        ws = WebSocketResponse()
        await ws.prepare(request)
        async for msg in ws:
            if msg.type == WSMsgType.TEXT:
                await ws.send_str(f"{msg.data} {request.headers.get('X-Default')}")
        return ws

    server = await aioweb_raw_server(echo, shutdown_timeout=1.0)
    async with ClientSession(
        server.make_url("/"), headers={"X-Default": "from-session"}
    ) as session:
        ws = await session.ws_connect("/ws")
        await ws.send_str("hi")
        msg = await ws.receive()
        assert (msg.type, msg.data) == (WSMsgType.TEXT, "hi from-session")
        await ws.close()


async def test_ws_connect_takes_a_mask_backend(aioweb_raw_server: AiowebRawServer) -> None:
    from aioweb.websocket import WebSocketResponse

    async def echo(request: kernel.Request) -> kernel.StreamResponse:
        ws = WebSocketResponse(compress=False)
        await ws.prepare(request)
        async for msg in ws:
            await ws.send_bytes(msg.data)
        return ws

    server = await aioweb_raw_server(echo, shutdown_timeout=1.0)
    async with ClientSession(server.make_url("/")) as session:
        ws = await session.ws_connect("/ws", compress=False, mask_backend="pure")
        payload = bytes(range(256)) * 400  # past the size where a compiled XOR would be used
        await ws.send_bytes(payload)
        assert await ws.receive_bytes(timeout=10) == payload
        await ws.close()
        with pytest.raises(ValueError, match="unknown mask backend"):
            await session.ws_connect("/ws", mask_backend="fast")  # type: ignore[arg-type]
