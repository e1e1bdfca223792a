from __future__ import annotations

import pytest
from http_testlib import bytewise, collect, error_status

from aioweb.http.sansio import (
    NEED_DATA,
    PAUSED,
    BodyChunk,
    Limits,
    MessageEnd,
    ParseError,
    ResponseHead,
    ResponseParser,
)


def parser_for(*methods: str) -> ResponseParser:
    parser = ResponseParser()
    for method in methods:
        parser.expect_response(method)
    return parser


OK_CL = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nServer: t\r\n\r\nhello"
OK_CHUNKED = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nT: 1\r\n\r\n"
OK_EOF = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil close"


@pytest.mark.parametrize("cuts", ["whole", "bytewise"])
@pytest.mark.parametrize(
    ("method", "data", "expected", "events"),
    [
        pytest.param(
            "GET", OK_CL, (200, "OK", True, 5, False), [BodyChunk(b"hello"), MessageEnd()], id="cl"
        ),
        pytest.param(
            "GET",
            OK_CHUNKED,
            (200, "OK", True, None, True),
            [BodyChunk(b"hello"), MessageEnd(((b"T", b"1"),))],
            id="chunked",
        ),
        pytest.param(
            "GET",
            OK_EOF,
            (200, "OK", False, None, False),
            [BodyChunk(b"until close"), MessageEnd(), PAUSED],
            id="until-eof",
        ),
        pytest.param(
            "HEAD", OK_CL[:-5], (200, "OK", True, 0, False), [MessageEnd()], id="head-ignores-cl"
        ),
        pytest.param(
            "HEAD",
            OK_CHUNKED[: OK_CHUNKED.index(b"\r\n\r\n") + 4],
            (200, "OK", True, 0, False),
            [MessageEnd()],
            id="head-ignores-te",
        ),
        pytest.param(
            "DELETE",
            b"HTTP/1.1 204 No Content\r\nContent-Length: 10\r\n\r\n",
            (204, "No Content", True, 0, False),
            [MessageEnd()],
            id="204",
        ),
        pytest.param(
            "GET",
            b"HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n",
            (304, "Not Modified", True, 0, False),
            [MessageEnd()],
            id="304",
        ),
        pytest.param(
            "GET",
            b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nok",
            (200, "OK", True, 2, False),
            [BodyChunk(b"ok"), MessageEnd()],
            id="http10-keep-alive",
        ),
        pytest.param(
            "GET",
            b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok",
            (200, "OK", False, 2, False),
            [BodyChunk(b"ok"), MessageEnd(), PAUSED],
            id="close",
        ),
        pytest.param(
            "GET",
            b"HTTP/1.1 200 \r\nContent-Length: 0\r\n\r\n",
            (200, "", True, 0, False),
            [MessageEnd()],
            id="empty-reason",
        ),
        pytest.param(
            "GET",
            b"HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n",
            (200, "", True, 0, False),
            [MessageEnd()],
            id="missing-sp-before-empty-reason",
        ),
        pytest.param(
            "GET",
            b"HTTP/1.1 200 Fine \xe9t\xe9\r\nContent-Length: 0\r\n\r\n",
            (200, "Fine \xe9t\xe9", True, 0, False),
            [MessageEnd()],
            id="obs-text-reason",
        ),
        pytest.param(
            "GET",
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nzzz",
            (200, "OK", False, None, False),
            [BodyChunk(b"zzz"), MessageEnd(), PAUSED],
            id="te-not-chunked-reads-until-close",
        ),
    ],
)
def test_responses(
    method: str, data: bytes, expected: tuple[object, ...], events: list[object], cuts: str
) -> None:
    got = collect(parser_for(method), data, bytewise(data) if cuts == "bytewise" else (), eof=True)
    head = got[0]
    assert isinstance(head, ResponseHead)
    assert (
        head.status,
        head.reason,
        head.keep_alive,
        head.content_length,
        head.chunked,
    ) == expected
    assert got[1:] == events


def test_informational_then_final_response() -> None:
    data = b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n" + OK_CL
    events = collect(parser_for("POST"), data)
    assert [e.status for e in events if isinstance(e, ResponseHead)] == [100, 103, 200]
    assert events[-2:] == [BodyChunk(b"hello"), MessageEnd()]
    assert events.count(MessageEnd()) == 3


def test_switching_protocols_pauses() -> None:
    parser = parser_for("GET")
    data = (
        b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
        b"Connection: Upgrade\r\n\r\n\x81\x00"
    )
    events = collect(parser, data)
    assert isinstance(events[0], ResponseHead)
    assert events[0].status == 101
    assert events[1:] == [MessageEnd(), PAUSED]
    assert parser.trailing_data == b"\x81\x00"


def test_connect_2xx_is_a_tunnel() -> None:
    parser = parser_for("CONNECT")
    events = collect(parser, b"HTTP/1.1 200 Connection Established\r\n\r\nTLS")
    assert events[1:] == [MessageEnd(), PAUSED]
    assert parser.trailing_data == b"TLS"


def test_connect_refused_has_a_body() -> None:
    data = b"HTTP/1.1 407 Proxy Auth\r\nContent-Length: 2\r\n\r\nno"
    events = collect(parser_for("CONNECT"), data)
    assert events[1:] == [BodyChunk(b"no"), MessageEnd()]


def test_pipelined_responses_follow_the_methods_in_order() -> None:
    data = OK_CL[:-5] + OK_CL + OK_CHUNKED
    events = collect(parser_for("HEAD", "GET", "GET"), data)
    assert [e.content_length for e in events if isinstance(e, ResponseHead)] == [0, 5, None]


def test_unsolicited_response_is_an_error() -> None:
    assert error_status(ResponseParser, OK_CL) == 400


def test_eof_before_the_response_is_need_data() -> None:
    parser = parser_for("GET")
    parser.feed(b"")
    assert parser.next_event() is NEED_DATA


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(OK_CL[:-2], id="cl-body"),
        pytest.param(OK_CHUNKED[:-10], id="chunked-body"),
        pytest.param(OK_CL[:20], id="head"),
    ],
)
def test_eof_mid_message(data: bytes) -> None:
    with pytest.raises(ParseError) as info:
        collect(parser_for("GET"), data, eof=True)
    assert info.value.status == 400


@pytest.mark.parametrize(
    ("data", "status"),
    [
        pytest.param(b"HTTP/1.1 20 OK\r\n\r\n", 400, id="two-digit-status"),
        pytest.param(b"HTTP/1.1 2000 OK\r\n\r\n", 400, id="four-digit-status"),
        pytest.param(b"HTTP/1.1 099 X\r\n\r\n", 400, id="status-below-100"),
        pytest.param(b"HTTP/1.1 600 X\r\n\r\n", 400, id="status-above-599"),
        pytest.param(b"HTTP/1.1  200 OK\r\n\r\n", 400, id="double-space"),
        pytest.param(b"http/1.1 200 OK\r\n\r\n", 400, id="lowercase-version"),
        pytest.param(b"HTTP/2.0 200 OK\r\n\r\n", 505, id="http2"),
        pytest.param(b"HTTP/1.1 200 O\x00K\r\n\r\n", 400, id="nul-in-reason"),
        pytest.param(b"HTTP/1.1 200 OK\nContent-Length: 0\r\n\r\n", 400, id="bare-lf"),
        pytest.param(b"HTTP/1.1 200 OK\r\nX : 1\r\n\r\n", 400, id="space-before-colon"),
        pytest.param(b"HTTP/1.1 200 OK\r\nX: 1\r\n 2\r\n\r\n", 400, id="obs-fold"),
        pytest.param(
            b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 400, id="two-cl"
        ),
        pytest.param(
            b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n",
            400,
            id="cl-and-te",
        ),
        pytest.param(
            b"HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", 400, id="te-in-http10"
        ),
        pytest.param(
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
            501,
            id="te-gzip-chunked",
        ),
        pytest.param(
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nz\r\n", 400, id="bad-chunk-size"
        ),
        pytest.param(b"HTTP/1.1 200 OK\r\nX: " + b"a" * 9000, 431, id="field-too-long"),
        pytest.param(b"HTTP/1.1 200 " + b"a" * 9000, 400, id="status-line-too-long"),
    ],
)
def test_hostile_responses(data: bytes, status: int) -> None:
    assert error_status(lambda: parser_for("GET"), data) == status
    assert error_status(lambda: parser_for("GET"), data, bytewise(data)) == status


_SMALL = Limits(max_line_size=40, max_field_size=40, max_headers=3, max_header_block=200)


@pytest.mark.parametrize(
    ("data", "status"),
    [
        # Whole heads, so the limits are applied by the complete-head path.
        pytest.param(b"HTTP/1.1 200 " + b"a" * 60 + b"\r\n\r\n", 400, id="status-line"),
        pytest.param(b"HTTP/1.1 200 OK\r\nX: " + b"a" * 50 + b"\r\n\r\n", 431, id="field-line"),
        pytest.param(
            b"HTTP/1.1 200 OK\r\n" + b"X: 1\r\n" * 4 + b"Content-Length: 0\r\n\r\n",
            431,
            id="too-many-fields",
        ),
        pytest.param(
            b"HTTP/1.1 200 OK\r\n" + b"X: " + b"a" * 30 + b"\r\n" + b"Y: " + b"b" * 30 + b"\r\n"
            b"Z: "
            + b"c" * 30
            + b"\r\n"
            + b"W: "
            + b"d" * 30
            + b"\r\n"
            + b"V: "
            + b"e" * 30
            + b"\r\n"
            + b"U: "
            + b"f" * 30
            + b"\r\n\r\n",
            431,
            id="head-block",
        ),
        # Framing fields are found whatever their case, repeated or not.
        pytest.param(
            b"HTTP/1.1 200 OK\r\ncontent-length: 1\r\nCONTENT-LENGTH: 2\r\n\r\n", 400, id="cl-case"
        ),
        pytest.param(
            b"HTTP/1.1 200 OK\r\nContent-length: 1\r\ntransfer-ENCODING: chunked\r\n\r\n",
            400,
            id="cl-te-case",
        ),
    ],
)
def test_complete_heads_over_the_limits(data: bytes, status: int) -> None:
    def make() -> ResponseParser:
        parser = ResponseParser(_SMALL)
        parser.expect_response("GET")
        return parser

    assert error_status(make, data) == status


def test_framing_fields_in_any_case() -> None:
    parser = parser_for("GET")
    parser.feed(b"HTTP/1.1 200 OK\r\nCONNECTION: Close\r\ncontent-LENGTH:  3 \r\n\r\nabc")
    head = parser.next_event()
    assert isinstance(head, ResponseHead)
    assert (head.content_length, head.keep_alive) == (3, False)
    assert head.headers == ((b"CONNECTION", b"Close"), (b"content-LENGTH", b"3"))
