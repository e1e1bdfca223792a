"""Byte-split invariance, serializer round trips and fuzzing (hypothesis)."""

from __future__ import annotations

import pytest
from http_testlib import bytewise, collect
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aioweb.http.sansio import (
    LAST_CHUNK,
    BodyChunk,
    MessageEnd,
    ParseError,
    RequestHead,
    RequestParser,
    ResponseHead,
    ResponseParser,
    encode_chunk,
    request_head,
    response_head,
)

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

STREAM = (
    b"GET /a HTTP/1.1\r\nHost: x\r\n\r\n"
    b"POST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\nhello world"
    b"\r\nPUT /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
    b"3;x=1\r\nabc\r\n10\r\n0123456789abcdef\r\n0\r\nT: v\r\n\r\n"
    b"GET /d HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"
)
RESPONSES = (
    b"HTTP/1.1 100 Continue\r\n\r\n"
    b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc"
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n"
    b"HTTP/1.1 200 OK\r\n\r\ntail until eof"
)


def response_parser() -> ResponseParser:
    parser = ResponseParser()
    parser.expect_response("POST")
    parser.expect_response("GET")
    parser.expect_response("GET")
    return parser


@pytest.mark.parametrize("cuts", ["whole", "bytewise"])
def test_stream_events(cuts: str) -> None:
    events = collect(RequestParser(), STREAM, bytewise(STREAM) if cuts == "bytewise" else ())
    assert [e.target for e in events if isinstance(e, RequestHead)] == ["/a", "/b", "/c", "/d"]
    assert BodyChunk(b"hello world") in events
    assert BodyChunk(b"abc0123456789abcdef") in events
    assert MessageEnd(((b"T", b"v"),)) in events


@FAST
@given(cuts=st.lists(st.integers(min_value=0, max_value=len(STREAM)), max_size=20))
def test_any_split_of_requests_yields_the_same_events(cuts: list[int]) -> None:
    assert collect(RequestParser(), STREAM, cuts) == collect(RequestParser(), STREAM)


@FAST
@given(cuts=st.lists(st.integers(min_value=0, max_value=len(RESPONSES)), max_size=20))
def test_any_split_of_responses_yields_the_same_events(cuts: list[int]) -> None:
    whole = collect(response_parser(), RESPONSES, eof=True)
    assert collect(response_parser(), RESPONSES, cuts, eof=True) == whole


_TOKEN = st.text(
    alphabet="!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
    min_size=1,
    max_size=12,
)
_VALUE = st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=30).map(
    str.strip
)
_TARGET = st.text(
    alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E, exclude_characters="#"),
    max_size=30,
).map(lambda s: "/" + s)


@FAST
@given(
    method=_TOKEN.filter(lambda m: m != "CONNECT"),
    target=_TARGET,
    extra=st.lists(st.tuples(_TOKEN, _VALUE), max_size=8),
)
def test_request_head_round_trip(method: str, target: str, extra: list[tuple[str, str]]) -> None:
    skip = {"host", "content-length", "transfer-encoding", "connection", "upgrade", "expect"}
    fields = [("Host", "example.com"), *[(n, v) for n, v in extra if n.lower() not in skip]]
    events = collect(RequestParser(), request_head(method, target, fields))
    head = events[0]
    assert isinstance(head, RequestHead)
    assert (head.method, head.target) == (method, target)
    assert head.headers == tuple((n.encode(), v.encode()) for n, v in fields)


@FAST
@given(
    status=st.integers(min_value=200, max_value=599).filter(lambda s: s not in (204, 304)),
    extra=st.lists(st.tuples(_TOKEN, _VALUE), max_size=8),
    body=st.binary(max_size=50),
)
def test_response_head_round_trip(status: int, extra: list[tuple[str, str]], body: bytes) -> None:
    skip = {"content-length", "transfer-encoding", "connection"}
    fields = [
        *[(n, v) for n, v in extra if n.lower() not in skip],
        ("Content-Length", str(len(body))),
    ]
    parser = ResponseParser()
    parser.expect_response("GET")
    events = collect(parser, response_head(status, None, fields) + body)
    head = events[0]
    assert isinstance(head, ResponseHead)
    assert head.status == status
    assert head.headers == tuple((n.encode(), v.encode()) for n, v in fields)
    assert events[1:] == ([BodyChunk(body)] if body else []) + [MessageEnd()]


@FAST
@given(chunks=st.lists(st.binary(max_size=300), max_size=10), cuts=st.lists(st.integers(0, 4000)))
def test_encode_chunk_round_trip(chunks: list[bytes], cuts: list[int]) -> None:
    data = (
        request_head("POST", "/", [("Host", "x"), ("Transfer-Encoding", "chunked")])
        + b"".join(encode_chunk(c) for c in chunks)
        + LAST_CHUNK
    )
    events = collect(RequestParser(), data, cuts)
    body = b"".join(chunks)
    assert events[1:] == ([BodyChunk(body)] if body else []) + [MessageEnd()]


def _drain_everything(parser: RequestParser | ResponseParser, data: bytes, cuts: list[int]) -> None:
    status = 0
    try:
        collect(parser, data, cuts, eof=True)
    except ParseError as exc:
        status = exc.status
    assert status in (0, 400, 414, 417, 431, 501, 505)


@settings(max_examples=300, deadline=None)
@given(data=st.binary(max_size=300), cuts=st.lists(st.integers(0, 300), max_size=5))
def test_random_bytes_only_raise_parse_error(data: bytes, cuts: list[int]) -> None:
    _drain_everything(RequestParser(), data, cuts)
    _drain_everything(response_parser(), data, cuts)


@settings(max_examples=300, deadline=None)
@given(
    base=st.sampled_from([STREAM, RESPONSES]),
    edits=st.lists(
        st.tuples(st.integers(0, 400), st.binary(min_size=0, max_size=3), st.integers(0, 3)),
        min_size=1,
        max_size=4,
    ),
)
def test_mutated_messages_only_raise_parse_error(
    base: bytes, edits: list[tuple[int, bytes, int]]
) -> None:
    data = bytearray(base)
    for offset, insert, delete in edits:
        at = offset % (len(data) + 1)
        data[at : at + delete] = insert
    _drain_everything(RequestParser(), bytes(data), [])
    _drain_everything(response_parser(), bytes(data), [])
    _drain_everything(RequestParser(), bytes(data), list(range(0, len(data), 7)))
