"""Responses: construction, headers, cookies, and ``prepare``/``write`` against a fake writer."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest
from kernel_testlib import FakeWriter, TinyRouter, make_app, make_request

from aioweb.kernel import (
    HTTPFound,
    HTTPNotFound,
    Request,
    Response,
    StreamResponse,
    exception_response,
    json_response,
)

WHEN = datetime(2024, 5, 6, 7, 8, 9, tzinfo=timezone.utc)
WHEN_TEXT = "Mon, 06 May 2024 07:08:09 GMT"


# -- construction -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "content_type", "body"),
    [
        ({"text": "héllo"}, "text/plain; charset=utf-8", "héllo".encode()),
        ({"text": "<b/>", "content_type": "text/html"}, "text/html; charset=utf-8", b"<b/>"),
        ({"text": "é", "charset": "latin-1"}, "text/plain; charset=latin-1", b"\xe9"),
        ({"body": b"\x00\x01"}, "application/octet-stream", b"\x00\x01"),
        ({"body": bytearray(b"ba")}, "application/octet-stream", b"ba"),
        ({"body": memoryview(b"mv")}, "application/octet-stream", b"mv"),
        ({"body": b"{}", "content_type": "application/json"}, "application/json", b"{}"),
        (
            {"body": b"x", "content_type": "text/csv", "charset": "ascii"},
            "text/csv; charset=ascii",
            b"x",
        ),
        ({"text": "t", "headers": {"Content-Type": "text/x"}}, "text/x", b"t"),
    ],
    ids=[
        "text",
        "text-html",
        "text-latin1",
        "bytes",
        "bytearray",
        "memoryview",
        "bytes-json",
        "bytes-charset",
        "header-kept",
    ],
)
def test_response_body_and_type(kwargs: dict[str, object], content_type: str, body: bytes) -> None:
    response = Response(**kwargs)  # type: ignore[arg-type]
    assert response.headers["Content-Type"] == content_type
    assert response.body == body
    assert response.status == 200
    assert response.reason == "OK"


def test_text_properties() -> None:
    response = Response(text="héllo")
    assert response.content_type == "text/plain"
    assert response.charset == "utf-8"
    assert response.text == "héllo"
    response.text = "other"
    assert response.body == b"other"


def test_empty_response() -> None:
    response = Response()
    assert response.body == b""
    assert "Content-Type" not in response.headers


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"body": "str body"}, TypeError),
        ({"body": 5}, TypeError),
        ({"text": b"bytes text"}, TypeError),
        ({"text": "a", "body": b"b"}, ValueError),
        ({"status": 99}, ValueError),
        ({"status": 1000}, ValueError),
        ({"reason": "bad\r\nX-Injected: 1"}, ValueError),
    ],
    ids=["str-body", "int-body", "bytes-text", "both", "status-low", "status-high", "reason-crlf"],
)
def test_response_refuses(kwargs: dict[str, object], error: type[Exception]) -> None:
    with pytest.raises(error):
        Response(**kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("status", "reason"),
    [(200, "OK"), (404, "Not Found"), (418, "I'm a Teapot"), (599, "")],
    ids=["200", "404", "418", "unknown"],
)
def test_default_reason(status: int, reason: str) -> None:
    assert StreamResponse(status=status).reason == reason


def test_custom_reason_and_set_status() -> None:
    response = StreamResponse(status=200, reason="Fine")
    assert response.reason == "Fine"
    response.set_status(201)
    assert (response.status, response.reason) == (201, "Created")


def test_repr() -> None:
    assert repr(Response(status=404)) == "<Response 404 Not Found>"


def test_body_setter() -> None:
    response = Response(body=b"a")
    response.body = b"longer"
    assert response.body == b"longer"


@pytest.mark.parametrize(
    ("kwargs", "body", "content_type"),
    [
        ({"data": {"a": [1, "é"]}}, json.dumps({"a": [1, "é"]}).encode(), "application/json"),
        ({"data": None}, b"null", "application/json"),
        ({"text": '{"t": 1}'}, b'{"t": 1}', "application/json"),
        ({"body": b"[]"}, b"[]", "application/json"),
        ({"data": 1, "content_type": "application/problem+json"}, b"1", "application/problem+json"),
        ({"data": [1], "dumps": lambda d: "custom"}, b"custom", "application/json"),
    ],
    ids=["data", "null", "text", "body", "content-type", "dumps"],
)
def test_json_response(kwargs: dict[str, object], body: bytes, content_type: str) -> None:
    response = json_response(**kwargs)  # type: ignore[arg-type]
    assert response.body == body
    assert response.content_type == content_type


@pytest.mark.parametrize(
    "kwargs",
    [
        {"data": {"a": 1}, "text": "{}"},
        {"data": {"a": 1}, "body": b"{}"},
        {"text": "{}", "body": b"{}"},
    ],
    ids=["data-and-text", "data-and-body", "text-and-body"],
)
def test_json_response_refuses_two_payloads(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="only one of"):
        json_response(**kwargs)  # type: ignore[arg-type]


def test_json_response_status_and_headers() -> None:
    response = json_response({"x": 1}, status=201, headers={"X-A": "1"})
    assert (response.status, response.headers["X-A"]) == (201, "1")


def test_exception_response() -> None:
    response = exception_response(HTTPFound("/to"))
    assert (response.status, response.headers["Location"]) == (302, "/to")
    assert response.body == b"302: Found"
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert exception_response(HTTPNotFound(reason="Gone Fishing")).reason == "Gone Fishing"


# -- header helpers --------------------------------------------------------------------------


def test_content_type_and_charset_setters() -> None:
    response = StreamResponse()
    assert response.content_type == "application/octet-stream"
    assert response.charset is None
    response.content_type = "text/html"
    response.charset = "utf-8"
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    response.content_type = "text/plain"
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    response.charset = None
    assert response.headers["Content-Type"] == "text/plain"


def test_content_length_setter() -> None:
    response = StreamResponse()
    assert response.content_length is None
    response.content_length = 12
    assert response.headers["Content-Length"] == "12"
    assert response.content_length == 12
    response.content_length = None
    assert "Content-Length" not in response.headers


@pytest.mark.parametrize(
    "value",
    [WHEN, WHEN.timestamp(), WHEN_TEXT, WHEN.replace(tzinfo=None)],
    ids=["datetime", "timestamp", "str", "naive-utc"],
)
def test_last_modified(value: datetime | float | str) -> None:
    response = StreamResponse()
    response.last_modified = value
    assert response.headers["Last-Modified"] == WHEN_TEXT
    assert response.last_modified == WHEN
    response.last_modified = None
    assert "Last-Modified" not in response.headers
    assert response.last_modified is None


@pytest.mark.parametrize(
    ("value", "header", "read_back"),
    [
        ("abc", '"abc"', "abc"),
        ('"abc"', '"abc"', "abc"),
        ("W/abc", 'W/"abc"', "W/abc"),
        ('W/"abc"', 'W/"abc"', "W/abc"),
        ("*", '"*"', "*"),
    ],
    ids=["bare", "quoted", "weak", "weak-quoted", "star"],
)
def test_etag(value: str, header: str, read_back: str) -> None:
    response = StreamResponse()
    response.etag = value
    assert response.headers["ETag"] == header
    assert response.etag == read_back
    response.etag = None
    assert response.etag is None


@pytest.mark.parametrize(
    "value", ['a"b', "a b", "a\r\nb", "é"], ids=["inner-quote", "space", "crlf", "non-ascii"]
)
def test_etag_invalid(value: str) -> None:
    with pytest.raises(ValueError, match="invalid ETag"):
        StreamResponse().etag = value


def test_enable_chunked() -> None:
    response = StreamResponse()
    response.enable_chunked_encoding()
    assert response.chunked
    response = StreamResponse(headers={"Content-Length": "3"})
    with pytest.raises(RuntimeError, match="Content-Length"):
        response.enable_chunked_encoding()
    with pytest.raises(RuntimeError, match="known length"):
        Response().enable_chunked_encoding()


# -- cookies ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({}, "sid=abc; Path=/"),
        ({"path": "/app"}, "sid=abc; Path=/app"),
        (
            {"domain": "x.example", "max_age": 60, "secure": True, "httponly": True},
            "sid=abc; Max-Age=60; Domain=x.example; Path=/; Secure; HttpOnly",
        ),
        ({"samesite": "Lax"}, "sid=abc; Path=/; SameSite=Lax"),
        ({"expires": WHEN}, f"sid=abc; Expires={WHEN_TEXT}; Path=/"),
        ({"partitioned": True, "secure": True}, "sid=abc; Path=/; Secure; Partitioned"),
    ],
    ids=["default", "path", "attrs", "samesite", "expires", "partitioned"],
)
def test_set_cookie(kwargs: dict[str, object], expected: str) -> None:
    response = StreamResponse()
    response.set_cookie("sid", "abc", **kwargs)  # type: ignore[arg-type]
    assert response.cookies == {"sid": expected}


def test_del_cookie() -> None:
    response = StreamResponse()
    response.del_cookie("sid", domain="x.example", path="/p")
    assert response.cookies["sid"] == (
        "sid=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Domain=x.example; Path=/p"
    )


@pytest.mark.parametrize(
    ("name", "value", "kwargs"),
    [
        ("sid", "a;b", {}),
        ("sid", "a\r\nSet-Cookie: x=1", {}),
        ("sid", "a\nb", {}),
        ("s id", "v", {}),
        ("sid", "v", {"path": "/a;b"}),
        ("sid", "v", {"domain": "x\r\n.example"}),
        ("sid", "v", {"samesite": "Lax; Secure"}),
    ],
    ids=["semicolon", "crlf", "lf", "bad-name", "path-semicolon", "domain-crlf", "samesite"],
)
def test_set_cookie_refuses(name: str, value: str, kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="invalid"):
        StreamResponse().set_cookie(name, value, **kwargs)  # type: ignore[arg-type]


# -- prepare / write with the fake writer ---------------------------------------------------


async def send(
    response: StreamResponse,
    *,
    method: str = "GET",
    version: tuple[int, int] = (1, 1),
    keep_alive: bool = True,
    chunks: tuple[bytes, ...] = (),
) -> FakeWriter:
    writer = FakeWriter()
    request = make_request(method, writer=writer, version=version, keep_alive=keep_alive)
    await response.prepare(request)
    for chunk in chunks:
        await response.write(chunk)
    await response.write_eof()
    return writer


async def test_response_head_and_body() -> None:
    writer = await send(Response(text="hi"))
    assert writer.head is not None
    assert (writer.head.status, writer.head.reason) == (200, "OK")
    assert writer.head.headers["Content-Length"] == "2"
    assert writer.head.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert "Transfer-Encoding" not in writer.head.headers
    assert (writer.head.chunked, writer.head.keep_alive) == (False, True)
    assert writer.calls == ["send_head", "write_eof"]  # head + whole body: one write
    assert bytes(writer.body) == b"hi"


async def test_stream_response_chunked_on_http11() -> None:
    response = StreamResponse()
    writer = await send(response, chunks=(b"a", b"", b"bc"))
    assert writer.head is not None
    assert writer.head.headers["Transfer-Encoding"] == "chunked"
    assert "Content-Length" not in writer.head.headers
    assert writer.head.headers["Content-Type"] == "application/octet-stream"
    assert writer.head.chunked
    assert response.chunked
    assert writer.calls == ["send_head", "write", "write", "write_eof"]
    assert bytes(writer.body) == b"abc"
    assert writer.drains == 3


async def test_stream_response_with_content_length() -> None:
    response = StreamResponse()
    response.content_length = 3
    writer = await send(response, chunks=(b"abc",))
    assert writer.head is not None
    assert writer.head.headers["Content-Length"] == "3"
    assert "Transfer-Encoding" not in writer.head.headers
    assert not writer.head.chunked


@pytest.mark.parametrize(
    ("response", "keep_alive", "connection"),
    [
        (StreamResponse(), False, "close"),
        (Response(text="x"), True, "keep-alive"),
    ],
    ids=["no-length-closes", "length-keeps-alive"],
)
async def test_http10(response: StreamResponse, keep_alive: bool, connection: str) -> None:
    writer = await send(response, version=(1, 0), chunks=(b"x",) if keep_alive is False else ())
    assert writer.head is not None
    assert writer.head.headers["Connection"] == connection
    assert writer.head.keep_alive is keep_alive
    assert not writer.head.chunked
    assert "Transfer-Encoding" not in writer.head.headers
    assert response.keep_alive is keep_alive


@pytest.mark.parametrize("version", [(1, 0), (1, 1)], ids=["http10", "http11"])
async def test_force_close(version: tuple[int, int]) -> None:
    response = Response(text="x")
    response.force_close()
    writer = await send(response, version=version)
    assert writer.head is not None
    assert writer.head.headers["Connection"] == "close"
    assert writer.head.keep_alive is False


async def test_client_does_not_keep_alive() -> None:
    writer = await send(Response(text="x"), keep_alive=False)
    assert writer.head is not None
    assert writer.head.headers["Connection"] == "close"


async def test_http11_keep_alive_has_no_connection_header() -> None:
    writer = await send(Response(text="x"))
    assert writer.head is not None
    assert "Connection" not in writer.head.headers


@pytest.mark.parametrize(
    "response",
    [Response(text="body"), StreamResponse()],
    ids=["response", "stream"],
)
async def test_head_sends_no_body(response: StreamResponse) -> None:
    writer = await send(response, method="HEAD", chunks=(b"ignored",))
    assert writer.head is not None
    assert bytes(writer.body) == b""
    assert not writer.head.chunked
    assert "Transfer-Encoding" not in writer.head.headers
    if isinstance(response, Response):
        assert writer.head.headers["Content-Length"] == "4"  # what GET would send


@pytest.mark.parametrize("status", [204, 304, 101, 100])
@pytest.mark.parametrize("kind", ["response", "stream"])
async def test_no_body_statuses(status: int, kind: str) -> None:
    response: StreamResponse = (
        Response(body=b"x", status=status)
        if kind == "response"
        else (StreamResponse(status=status))
    )
    writer = await send(response, chunks=(b"y",))
    assert writer.head is not None
    assert "Content-Length" not in writer.head.headers
    assert "Transfer-Encoding" not in writer.head.headers
    assert not writer.head.chunked
    assert bytes(writer.body) == b""


async def test_cookies_are_sent() -> None:
    response = Response(text="x")
    response.set_cookie("a", "1")
    response.set_cookie("b", "2", httponly=True)
    writer = await send(response)
    assert writer.head is not None
    assert writer.head.headers.getall("Set-Cookie") == ["a=1; Path=/", "b=2; Path=/; HttpOnly"]


async def test_write_before_prepare() -> None:
    response = StreamResponse()
    with pytest.raises(RuntimeError, match=r"prepare\(\) before write\(\)"):
        await response.write(b"x")
    with pytest.raises(RuntimeError, match=r"prepare\(\) before write_eof\(\)"):
        await response.write_eof()
    with pytest.raises(RuntimeError, match=r"prepare\(\) before write_eof\(\)"):
        await Response(text="x").write_eof()


async def test_write_after_eof() -> None:
    response = StreamResponse()
    writer = await send(response)
    with pytest.raises(RuntimeError, match=r"after write_eof\(\)"):
        await response.write(b"late")
    assert writer.calls == ["send_head", "write_eof"]


@pytest.mark.parametrize("kind", ["response", "stream"])
async def test_write_eof_is_idempotent(kind: str) -> None:
    response = Response(text="x") if kind == "response" else StreamResponse()
    writer = await send(response)
    await response.write_eof()
    await response.write_eof(b"more")
    assert writer.calls.count("write_eof") == 1


async def test_stream_write_eof_with_data() -> None:
    response = StreamResponse()
    writer = FakeWriter()
    await response.prepare(make_request(writer=writer))
    await response.write_eof(b"tail")
    assert bytes(writer.body) == b"tail"


async def test_prepare_is_idempotent() -> None:
    writer = FakeWriter()
    request = make_request(writer=writer)
    response = Response(text="x")
    prepared_before = response.prepared
    assert await response.prepare(request) is writer
    assert await response.prepare(request) is writer
    assert (prepared_before, response.prepared) == (False, True)
    assert writer.calls == ["send_head"]


async def test_prepare_without_writer() -> None:
    with pytest.raises(RuntimeError, match="no writer"):
        await Response().prepare(make_request())


async def test_no_changes_after_prepare() -> None:
    response = Response(text="x")
    await response.prepare(make_request(writer=FakeWriter()))
    with pytest.raises(RuntimeError, match="already sent"):
        response.set_status(500)
    with pytest.raises(RuntimeError, match="already sent"):
        response.body = b"new"


async def test_drain() -> None:
    response = StreamResponse()
    await response.drain()  # not prepared: nothing to drain
    writer = FakeWriter()
    await response.prepare(make_request(writer=writer))
    await response.drain()
    assert writer.drains == 1


# -- on_response_prepare -------------------------------------------------------------------


async def test_on_response_prepare_runs_before_head_and_can_change_headers() -> None:
    app = make_app()
    writer = FakeWriter()
    seen: list[tuple[Request, StreamResponse, list[str]]] = []

    async def hook(request: Request, response: StreamResponse) -> None:
        seen.append((request, response, list(writer.calls)))
        response.headers["X-Hook"] = "yes"
        response.headers.popall("X-Drop", None)

    app.on_response_prepare.append(hook)
    app.freeze()
    request = make_request(app=app, writer=writer)
    response = Response(text="x", headers={"X-Drop": "1"})
    await response.prepare(request)
    assert seen == [(request, response, [])]
    assert writer.head is not None
    assert writer.head.headers["X-Hook"] == "yes"
    assert "X-Drop" not in writer.head.headers


async def test_on_response_prepare_can_change_status() -> None:
    app = make_app()

    async def hook(request: Request, response: StreamResponse) -> None:
        response.set_status(202)

    app.on_response_prepare.append(hook)
    writer = FakeWriter()
    await Response(text="x").prepare(make_request(app=app, writer=writer))
    assert writer.head is not None
    assert writer.head.status == 202


async def test_on_response_prepare_of_subapp_runs_too() -> None:
    log: list[str] = []
    sub_router = TinyRouter()
    sub = make_app(sub_router)

    async def handler(_: Request) -> Response:
        return Response(text="x")

    sub_router.add_route("GET", "/x", handler, name=None)
    root = make_app()
    root.add_subapp("/sub", sub)

    def hook(name: str):  # type: ignore[no-untyped-def]
        async def on_prepare(request: Request, response: StreamResponse) -> None:
            log.append(name)

        return on_prepare

    root.on_response_prepare.append(hook("root"))
    sub.on_response_prepare.append(hook("sub"))
    root.freeze()
    writer = FakeWriter()
    request = make_request("GET", "/sub/x", app=root, writer=writer)
    response = await root.handler(request)
    await response.prepare(request)
    assert log == ["root", "sub"]


def test_text_with_a_charset_in_content_type_is_refused() -> None:
    with pytest.raises(ValueError, match="charset="):
        Response(text="x", content_type="text/plain; charset=utf-8")


def test_the_split_modules_agree() -> None:
    # StreamResponse lives in _stream_response; _response builds on that same class.
    from aioweb.kernel import _response, _stream_response

    assert _stream_response.StreamResponse is StreamResponse
    assert issubclass(_response.Response, StreamResponse)
    assert _response.Response is Response
