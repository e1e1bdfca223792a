"""``Request``: lazy headers, URL parts, cookies, content headers, state, clone and the body."""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone
from typing import Any

import pytest
from kernel_testlib import feed_in_task, make_app, make_request, raw
from multidict import CIMultiDictProxy
from yarl import URL

from aioweb.kernel import (
    BODY_DECODER,
    EMPTY_PAYLOAD,
    HTTPBadRequest,
    HTTPRequestEntityTooLarge,
    MatchInfo,
    Request,
    StreamReader,
)
from aioweb.kernel._plugin import MAX_FORM_FIELDS

FORM = "application/x-www-form-urlencoded"


class FakeTransport(asyncio.Transport):
    def __init__(self, extra: dict[str, Any]) -> None:
        super().__init__(extra)


# -- headers -------------------------------------------------------------------------------


def test_headers_are_lazy() -> None:
    request = make_request(headers=[("Host", "x"), ("X-A", "1")])
    assert request._headers is None
    headers = request.headers
    assert isinstance(headers, CIMultiDictProxy)
    assert request.headers is headers


@pytest.mark.parametrize("name", ["x-token", "X-TOKEN", "X-Token"])
def test_headers_case_insensitive(name: str) -> None:
    request = make_request(headers=[("X-Token", "abc")])
    assert request.headers[name] == "abc"


def test_headers_duplicates_kept_in_order() -> None:
    request = make_request(headers=[("Accept", "a"), ("X-Other", "o"), ("accept", "b")])
    assert request.headers.getall("Accept") == ["a", "b"]
    assert list(request.headers.items()) == [("Accept", "a"), ("X-Other", "o"), ("accept", "b")]


def test_raw_headers_are_kept() -> None:
    pairs = raw(("Host", "x"), ("X-A", "1"))
    request = Request("GET", "/", headers=pairs)
    assert request.raw_headers is pairs


def test_header_value_bytes_decoding() -> None:
    request = Request("GET", "/", headers=((b"X-Utf8", "café".encode()), (b"X-Bad", b"\xff\xfe")))
    assert request.headers["X-Utf8"] == "café"
    assert request.headers["X-Bad"] == "\udcff\udcfe"  # surrogateescape, nothing lost


def test_mapping_headers() -> None:
    request = Request("GET", "/", headers={"Host": "m.example", "X-A": "1"})
    assert request.headers["x-a"] == "1"
    assert request.host == "m.example"
    assert request.raw_headers == ((b"Host", b"m.example"), (b"X-A", b"1"))


# -- request line and URL --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "path"),
    [
        ("/", "/"),
        ("/plain/path", "/plain/path"),
        ("/a%20b", "/a b"),
        ("/caf%C3%A9", "/café"),
        ("/with?q=%20", "/with"),
        ("/%7Euser", "/~user"),
        ("/a+b", "/a+b"),
        ("//double", "//double"),
    ],
    ids=["root", "plain", "space", "utf8", "query-dropped", "tilde", "plus-kept", "double-slash"],
)
def test_path_decoding(target: str, path: str) -> None:
    assert make_request(target=target).path == path


@pytest.mark.parametrize(
    ("target", "raw_path", "query_string", "query"),
    [
        ("/p", "/p", "", {}),
        ("/p?a=1&b=2", "/p?a=1&b=2", "a=1&b=2", {"a": "1", "b": "2"}),
        ("/p%20q?x=%20y", "/p%20q?x=%20y", "x=%20y", {"x": " y"}),
        ("/p?a=1&a=2", "/p?a=1&a=2", "a=1&a=2", {"a": "2"}),
        ("/p?flag", "/p?flag", "flag", {"flag": ""}),
    ],
    ids=["no-query", "two", "encoded", "repeated", "flag"],
)
def test_raw_path_and_query(
    target: str, raw_path: str, query_string: str, query: dict[str, str]
) -> None:
    request = make_request(target=target)
    assert request.raw_path == raw_path
    assert request.query_string == query_string
    for key, value in query.items():
        assert request.query.getall(key)[-1] == value
    assert len(set(request.query)) == len(query)


def test_repeated_query_values() -> None:
    assert make_request(target="/p?a=1&a=2").query.getall("a") == ["1", "2"]


def test_rel_url_and_url() -> None:
    request = make_request(target="/a%20b?x=1", headers=[("Host", "h.example:8080")])
    assert request.rel_url == URL("/a%20b?x=1")
    assert request.rel_url is request.rel_url
    assert str(request.url) == "http://h.example:8080/a%20b?x=1"
    assert request.url.host == "h.example"
    assert request.url.port == 8080


def test_https_url() -> None:
    request = Request("GET", "/s", headers=raw(("Host", "s.example")), scheme="https")
    assert request.secure
    assert request.scheme == "https"
    assert str(request.url) == "https://s.example/s"


@pytest.mark.parametrize(
    "target",
    ["//evil.example/steal?x=1", "//evil.example", "///triple"],
    ids=["authority-like", "authority-only", "triple-slash"],
)
def test_double_slash_path_is_not_an_authority(target: str) -> None:
    """An origin-form target starting with ``//`` is a path (RFC 9112 §3.2.1), not a host."""
    request = make_request(target=target, headers=[("Host", "good.example")])
    path = target.partition("?")[0]
    assert request.rel_url.host is None
    assert request.rel_url.path == path
    assert request.url.host == "good.example"
    assert request.url.path == path
    assert request.path == path


def test_absolute_form_target() -> None:
    request = make_request(target="http://h.example:8080/p%20q/r?z=1", headers=[])
    assert request.raw_path == "/p%20q/r?z=1"
    assert request.path == "/p q/r"
    assert request.query_string == "z=1"
    assert request.query["z"] == "1"
    assert request.rel_url == URL("/p%20q/r?z=1")
    assert request.host == "h.example:8080"
    assert str(request.url) == "http://h.example:8080/p%20q/r?z=1"


def test_absolute_form_overrides_host_header() -> None:
    """RFC 9112 §3.2.2: with absolute-form, the Host header is ignored."""
    request = make_request(target="http://target.example/p", headers=[("Host", "other.example")])
    assert request.host == "target.example"
    assert request.url.host == "target.example"


@pytest.mark.parametrize(
    ("headers", "sockname", "host"),
    [
        ([("Host", "h.example")], ("10.0.0.1", 80), "h.example"),
        ([], ("10.0.0.1", 8080), "10.0.0.1:8080"),
        ([("Host", "")], ("10.0.0.1", 81), "10.0.0.1:81"),
        ([], None, "localhost"),
        ([], "/run/sock", "localhost"),
    ],
    ids=["header", "sockname", "empty-header", "nothing", "unix-socket"],
)
def test_host_fallback(headers: list[tuple[str, str]], sockname: object, host: str) -> None:
    transport = FakeTransport({"sockname": sockname})
    request = Request("GET", "/", headers=raw(*headers), transport=transport)
    assert request.host == host
    assert request.transport is transport


@pytest.mark.parametrize(
    ("peername", "remote"),
    [
        (("192.0.2.1", 5555), "192.0.2.1"),
        (("::1", 1, 0, 0), "::1"),
        ("/sock", "/sock"),
        (None, None),
    ],
    ids=["ipv4", "ipv6", "unix", "none"],
)
def test_remote(peername: object, remote: str | None) -> None:
    request = Request("GET", "/", transport=FakeTransport({"peername": peername}))
    assert request.remote == remote


def test_remote_without_transport() -> None:
    assert make_request().remote is None


def test_request_line_properties() -> None:
    request = make_request("POST", "/x", version=(1, 0), keep_alive=False)
    assert (request.method, request.version, request.keep_alive) == ("POST", (1, 0), False)
    assert repr(request) == "<Request POST /x>"


# -- cookies and content headers ------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "cookies"),
    [
        ("a=1; b=2", {"a": "1", "b": "2"}),
        ('q="quoted value"', {"q": "quoted value"}),
        ("a=1; a=2", {"a": "1"}),
        ("broken; ok=1", {"ok": "1"}),
        ("", {}),
    ],
    ids=["two", "quoted", "first-wins", "skip-broken", "empty"],
)
def test_cookies(header: str, cookies: dict[str, str]) -> None:
    request = make_request(headers=[("Cookie", header)] if header else [])
    assert dict(request.cookies) == cookies
    with pytest.raises(TypeError):
        request.cookies["x"] = "y"  # type: ignore[index]


@pytest.mark.parametrize(
    ("value", "content_type", "charset"),
    [
        (None, "application/octet-stream", None),
        ("text/html", "text/html", None),
        ("Text/HTML; Charset=UTF-8", "text/html", "UTF-8"),
        ('text/plain; charset="latin-1"', "text/plain", "latin-1"),
        ("application/json ; boundary=x", "application/json", None),
    ],
    ids=["unset", "plain", "case", "quoted-charset", "other-param"],
)
def test_content_type_and_charset(
    value: str | None, content_type: str, charset: str | None
) -> None:
    request = make_request(headers=[("Content-Type", value)] if value else [])
    assert request.content_type == content_type
    assert request.charset == charset


@pytest.mark.parametrize("length", [None, 0, 12], ids=["chunked", "zero", "twelve"])
def test_content_length(length: int | None) -> None:
    assert make_request(body_length=length).content_length == length


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Sun, 06 Nov 1994 08:49:37 GMT", datetime(1994, 11, 6, 8, 49, 37, tzinfo=timezone.utc)),
        ("Sunday, 06-Nov-94 08:49:37 GMT", datetime(1994, 11, 6, 8, 49, 37, tzinfo=timezone.utc)),
        ("not a date", None),
        (None, None),
    ],
    ids=["imf-fixdate", "rfc850", "garbage", "absent"],
)
def test_if_modified_since(value: str | None, expected: datetime | None) -> None:
    headers = [("If-Modified-Since", value), ("If-Unmodified-Since", value)] if value else []
    request = make_request(headers=headers)
    assert request.if_modified_since == expected
    assert request.if_unmodified_since == expected


# -- context, state, clone ------------------------------------------------------------------


def test_per_request_state() -> None:
    request = make_request()
    assert "k" not in request
    assert len(request) == 0
    assert request.get("k", "d") == "d"
    with pytest.raises(KeyError):
        request["k"]
    with pytest.raises(KeyError):
        del request["k"]
    request["k"] = 1
    assert request["k"] == 1
    assert "k" in request
    assert list(request) == ["k"]
    del request["k"]
    assert "k" not in request


def test_state_is_per_request() -> None:
    a, b = make_request(), make_request()
    a["k"] = 1
    assert "k" not in b


def test_app_binding() -> None:
    app = make_app()
    assert make_request(app=app).app is app
    with pytest.raises(RuntimeError, match="not bound to an application"):
        make_request().app  # noqa: B018


def test_config_dict_without_app() -> None:
    assert dict(make_request().config_dict) == {}


def test_default_match_info() -> None:
    assert make_request().match_info == {}


def test_clone() -> None:
    app = make_app()
    payload = StreamReader()
    request = make_request("POST", "/a?x=1", headers=[("X-A", "1")], app=app, payload=payload)
    request["k"] = "v"
    request._match_info = MatchInfo({"id": "1"}, lambda _: None)
    clone = request.clone(method="PUT", rel_url="/b?y=2", headers={"X-B": "2"})
    assert (clone.method, clone.path, clone.query_string) == ("PUT", "/b", "y=2")
    assert clone.headers["X-B"] == "2"
    assert "X-A" not in clone.headers
    assert clone.content is payload
    assert clone.app is app
    assert clone.match_info == {"id": "1"}
    assert clone["k"] == "v"
    clone["k"] = "changed"
    assert request["k"] == "v"  # state copied, not shared


def test_clone_defaults_keep_everything() -> None:
    request = make_request("GET", "/a?x=1", headers=[("Host", "h"), ("X-A", "1")])
    clone = request.clone()
    assert (clone.method, clone.raw_path, clone.host) == ("GET", "/a?x=1", "h")
    assert clone.headers["X-A"] == "1"
    assert clone.clone(rel_url=URL("/u")).path == "/u"


# -- body -------------------------------------------------------------------------------


def test_empty_body() -> None:
    request = make_request()
    assert request.content is EMPTY_PAYLOAD
    assert not request.body_exists
    assert not request.can_read_body


async def test_empty_read() -> None:
    assert await make_request().read() == b""


async def test_read_text_json_from_stream() -> None:
    stream = StreamReader()
    request = make_request(
        "POST",
        headers=[("Content-Type", "application/json")],
        payload=stream,
        body_length=None,
    )
    assert request.body_exists
    assert request.can_read_body
    task = feed_in_task(stream, [b'{"a": [1, ', b"2], ", b'"b": "\xc3\xa9"}'])
    assert await request.read() == b'{"a": [1, 2], "b": "\xc3\xa9"}'
    await task
    assert await request.text() == '{"a": [1, 2], "b": "é"}'
    assert await request.json() == {"a": [1, 2], "b": "é"}
    assert not request.can_read_body


async def test_text_uses_charset() -> None:
    stream = StreamReader()
    stream.feed_data("é".encode("latin-1"))
    stream.feed_eof()
    request = make_request(
        "POST", headers=[("Content-Type", "text/plain; charset=latin-1")], payload=stream
    )
    assert await request.text() == "é"


async def test_json_custom_loads() -> None:
    stream = StreamReader()
    stream.feed_data(b"[1]")
    stream.feed_eof()
    request = make_request("POST", payload=stream)
    assert await request.json(loads=lambda s: ("custom", s)) == ("custom", "[1]")


async def test_read_is_cached() -> None:
    stream = StreamReader()
    stream.feed_data(b"once")
    stream.feed_eof()
    request = make_request("POST", payload=stream)
    first = await request.read()
    assert await request.read() is first


@pytest.mark.parametrize(
    ("declared", "chunks", "limit"),
    [
        (11, [], 10),
        (None, [b"12345", b"67890", b"1"], 10),
        (3, [b"x" * 6, b"x" * 6], 10),
    ],
    ids=["declared-over", "chunked-grows-over", "lying-length-grows-over"],
)
@pytest.mark.parametrize("limit_from", ["request", "app"])
async def test_client_max_size(
    declared: int | None, chunks: list[bytes], limit: int, limit_from: str
) -> None:
    stream = StreamReader()
    if limit_from == "request":
        request = make_request("POST", payload=stream, body_length=declared, client_max_size=limit)
    else:
        request = make_request(
            "POST", payload=stream, body_length=declared, app=make_app(client_max_size=limit)
        )
    task = feed_in_task(stream, chunks)
    with pytest.raises(HTTPRequestEntityTooLarge) as info:
        await request.read()
    await task
    assert info.value.status == 413
    assert info.value.max_size == limit
    assert info.value.actual_size > limit


async def test_client_max_size_exact_limit_is_fine() -> None:
    stream = StreamReader()
    request = make_request("POST", payload=stream, body_length=None, client_max_size=10)
    task = feed_in_task(stream, [b"12345", b"67890"])
    assert await request.read() == b"1234567890"
    await task


async def test_default_client_max_size_without_app() -> None:
    request = make_request("POST", body_length=1024**2 + 1)
    with pytest.raises(HTTPRequestEntityTooLarge):
        await request.read()


# -- post() -------------------------------------------------------------------------------


def form_request(
    body: bytes, *, method: str = "POST", content_type: str = FORM, app: bool = True
) -> Request:
    stream = StreamReader()
    stream.feed_data(body)
    stream.feed_eof()
    return make_request(
        method,
        headers=[("Content-Type", content_type)],
        payload=stream,
        body_length=len(body),
        app=make_app() if app else None,
    )


@pytest.mark.parametrize(
    ("body", "content_type", "expected"),
    [
        (b"a=1&b=two", FORM, [("a", "1"), ("b", "two")]),
        (b"a=1&a=2", FORM, [("a", "1"), ("a", "2")]),
        (b"q=a+b%21&empty=", FORM, [("q", "a b!"), ("empty", "")]),
        (b"n=caf%C3%A9", FORM, [("n", "café")]),
        (b"n=caf%E9", FORM + "; charset=latin-1", [("n", "café")]),
        (b"", FORM, []),
    ],
    ids=["simple", "repeated", "plus-and-blank", "utf8", "latin1", "empty"],
)
@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
async def test_post_urlencoded(
    body: bytes, content_type: str, expected: list[tuple[str, str]], method: str
) -> None:
    request = form_request(body, method=method, content_type=content_type)
    form = await request.post()
    assert list(form.items()) == expected
    assert await request.post() is form


async def test_post_uses_the_app_extension() -> None:
    request = form_request(b"a=1")
    assert request._app is not None
    assert FORM in request._app.extension(BODY_DECODER)
    assert (await request.post())["a"] == "1"


async def test_post_without_app_uses_default_registry() -> None:
    form = await form_request(b"a=1", app=False).post()
    assert form["a"] == "1"


@pytest.mark.parametrize(
    "content_type", ["application/json", "text/plain", "multipart/form-data; boundary=x"]
)
async def test_post_non_form_is_empty(content_type: str) -> None:
    assert dict(await form_request(b"a=1", content_type=content_type).post()) == {}


@pytest.mark.parametrize("method", ["GET", "HEAD", "OPTIONS"])
async def test_post_non_post_method_is_empty(method: str) -> None:
    request = form_request(b"a=1", method=method)
    assert dict(await request.post()) == {}
    assert request.can_read_body  # the body was not consumed


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"&".join(b"f%d=1" % i for i in range(MAX_FORM_FIELDS + 1)), FORM),
        (b"a=1", FORM + "; charset=no-such-charset"),
        (b"a=\xff", FORM),
        (b"a=%ff", FORM),
    ],
    ids=["too-many-fields", "unknown-charset", "raw-invalid-utf8", "escaped-invalid-utf8"],
)
async def test_post_bad_form_is_bad_request(body: bytes, content_type: str) -> None:
    with pytest.raises(HTTPBadRequest) as info:
        await form_request(body, content_type=content_type).post()
    assert info.value.status == 400
    assert str(info.value).startswith("invalid form body: ")


async def test_post_too_large_is_413() -> None:
    stream = StreamReader()
    stream.feed_data(b"a=" + b"x" * 20)
    stream.feed_eof()
    request = make_request(
        "POST",
        headers=[("Content-Type", FORM)],
        payload=stream,
        body_length=22,
        client_max_size=10,
    )
    with pytest.raises(HTTPRequestEntityTooLarge):
        await request.post()


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        pytest.param({"Content-Length": "7"}, 7, id="mapping"),
        pytest.param({}, None, id="no-header"),
        pytest.param({"Content-Length": "x"}, None, id="garbage"),
        pytest.param({"Content-Length": "7", "Transfer-Encoding": "chunked"}, None, id="chunked"),
    ],
)
def test_content_length_from_headers_without_a_server(
    headers: dict[str, str], expected: int | None
) -> None:
    assert Request("POST", "/", headers=headers).content_length == expected


def test_content_length_from_raw_headers_without_a_server() -> None:
    request = Request("POST", "/", headers=((b"content-length", b"3"),))
    assert request.content_length == 3


def test_match_info_and_path_qs_at_construction() -> None:
    match = MatchInfo({"name": "bob"}, lambda _: None)
    request = Request("GET", "/hello/bob?x=1", match_info=match)
    assert request.match_info is match
    assert request.match_info["name"] == "bob"
    assert request.path_qs == "/hello/bob?x=1"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("text/HTML; Charset=UTF-8", ("text/html", {"charset": "UTF-8"})),
        ('multipart/form-data; boundary="a b"', ("multipart/form-data", {"boundary": "a b"})),
        ("application/json", ("application/json", {})),
        ("text/plain; junk; q=1", ("text/plain", {"q": "1"})),
    ],
)
def test_parse_media_type(value: str, expected: tuple[str, dict[str, str]]) -> None:
    from aioweb.kernel import parse_media_type

    assert parse_media_type(value) == expected
