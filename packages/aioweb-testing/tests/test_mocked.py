"""make_mocked_request: headers, match_info, app state, bodies, and a handler run against it."""

from __future__ import annotations

import asyncio

import pytest
from multidict import CIMultiDict

from aioweb import web
from aioweb.kernel import HTTPRequestEntityTooLarge, StreamReader
from aioweb.testing import MockedWriter, make_mocked_request

KEY = web.AppKey("db", str)


def writer_of(request: web.Request) -> MockedWriter:
    writer = request.writer
    assert isinstance(writer, MockedWriter)
    return writer


def test_request_line_and_headers() -> None:
    req = make_mocked_request(
        "get", "/a/b?x=1&x=2", [("X-One", "1"), ("x-one", "2"), ("Host", "example.com")]
    )
    assert (req.method, req.path, req.raw_path, req.version) == (
        "GET",
        "/a/b",
        "/a/b?x=1&x=2",
        (1, 1),
    )
    assert req.query.getall("x") == ["1", "2"]
    assert req.headers.getall("X-ONE") == ["1", "2"]
    assert req.host == "example.com"
    assert req.keep_alive
    assert make_mocked_request("GET", "/", {"A": "b"}).headers["a"] == "b"
    assert not make_mocked_request("GET", "/", version=(1, 0)).keep_alive


def test_match_info_and_app_state() -> None:
    app = web.Application()
    app[KEY] = "sqlite://"
    req = make_mocked_request("GET", "/users/42", app=app, match_info={"id": "42"})
    assert req.match_info == {"id": "42"}
    assert req.match_info["id"] == "42"
    assert req.app is app
    assert req.app[KEY] == "sqlite://"
    assert req.config_dict[KEY] == "sqlite://"
    assert make_mocked_request("GET", "/").match_info == {}


def test_without_an_app_request_app_raises() -> None:
    with pytest.raises(RuntimeError, match="not bound to an application"):
        _ = make_mocked_request("GET", "/").app


async def test_post_with_an_urlencoded_payload() -> None:
    req = make_mocked_request(
        "POST",
        "/form",
        {"Content-Type": "application/x-www-form-urlencoded"},
        payload=b"name=bob&tag=a&tag=b%20c",
        app=web.Application(),
    )
    form = await req.post()
    assert form["name"] == "bob"
    assert form.getall("tag") == ["a", "b c"]
    assert req.body_exists


async def test_streamed_payload_fed_by_the_test() -> None:
    stream = StreamReader()
    req = make_mocked_request("PUT", "/", payload=stream)
    reading = asyncio.ensure_future(req.read())
    stream.feed_data(b"part1 ")
    stream.feed_data(b"part2")
    stream.feed_eof()
    assert await asyncio.wait_for(reading, 5) == b"part1 part2"


async def test_empty_payload() -> None:
    req = make_mocked_request("POST", "/")
    assert not req.body_exists
    assert await req.read() == b""


async def test_body_over_client_max_size_is_413() -> None:
    req = make_mocked_request("POST", "/", payload=b"x" * 11, client_max_size=10)
    with pytest.raises(HTTPRequestEntityTooLarge) as info:
        await req.read()
    assert info.value.status == 413


async def test_a_handler_run_against_it() -> None:
    async def handler(request: web.Request) -> web.Response:
        return web.Response(
            text=f"user {request.match_info['id']}", headers={"X-Db": request.app[KEY]}
        )

    app = web.Application()
    app[KEY] = "db"
    req = make_mocked_request("GET", "/users/7", app=app, match_info={"id": "7"})
    resp = await handler(req)
    assert (resp.status, resp.text) == (200, "user 7")
    await resp.prepare(req)
    await resp.write_eof()
    writer = writer_of(req)
    assert (writer.status, writer.reason) == (200, "OK")
    assert writer.headers["X-Db"] == "db"
    assert writer.headers["Content-Type"].startswith("text/plain")
    assert bytes(writer.body) == b"user 7"
    assert writer.eof


async def test_stream_response_writes_are_recorded() -> None:
    req = make_mocked_request("GET", "/stream")
    resp = web.StreamResponse(status=201)
    resp.enable_chunked_encoding()
    await resp.prepare(req)
    await resp.write(b"a")
    await resp.write(b"b")
    await resp.write_eof(b"c")
    writer = writer_of(req)
    assert writer.status == 201
    assert writer.chunked
    assert bytes(writer.body) == b"abc"  # kept without chunk framing
    assert writer.transport is None
    assert writer.taken_over is None


def test_the_writer_refuses_misuse() -> None:
    writer = MockedWriter()
    writer.send_head(200, "OK", CIMultiDict(), chunked=False, keep_alive=True)
    with pytest.raises(RuntimeError, match="already sent"):
        writer.send_head(200, "OK", CIMultiDict(), chunked=False, keep_alive=True)
    writer.write_eof(b"x")
    writer.write_eof()  # a second end is harmless
    with pytest.raises(RuntimeError, match="after write_eof"):
        writer.write(b"y")


async def test_a_custom_writer_is_used() -> None:
    writer = MockedWriter()
    req = make_mocked_request("HEAD", "/", writer=writer)
    assert req.writer is writer
    resp = web.Response(text="body")
    await resp.prepare(req)
    await resp.write_eof()
    assert writer.status == 200
    assert bytes(writer.body) == b""
