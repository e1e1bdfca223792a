from __future__ import annotations

import pytest
from http_testlib import Event, bytewise, collect, drain, request_heads

from aioweb.http.sansio import (
    NEED_DATA,
    PAUSED,
    BodyChunk,
    Limits,
    LocalProtocolError,
    MessageEnd,
    ParseError,
    RequestHead,
    RequestParser,
)

GET = b"GET /index.html?q=1 HTTP/1.1\r\nHost: example.com\r\nUser-Agent: t\r\n\r\n"
POST = b"POST /f HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"
CHUNKED = (
    b"POST /up HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
    b'5;name=value;flag\r\nhello\r\n6;q="a \\"b\\""\r\n world\r\n0\r\n'
    b"Checksum: abc\r\nX-Done:  yes \r\n\r\n"
)


def head_of(data: bytes) -> RequestHead:
    head = collect(RequestParser(), data)[0]
    assert isinstance(head, RequestHead)
    return head


VALID = [
    pytest.param(GET, ("GET", "/index.html?q=1", (1, 1), True, 0, False), b"", id="get"),
    pytest.param(POST, ("POST", "/f", (1, 1), True, 5, False), b"hello", id="post-content-length"),
    pytest.param(CHUNKED, ("POST", "/up", (1, 1), True, None, True), b"hello world", id="chunked"),
    pytest.param(
        b"GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n",
        ("GET", "/", (1, 0), True, 0, False),
        b"",
        id="http10-keep-alive",
    ),
    pytest.param(
        b"GET / HTTP/1.0\r\n\r\n", ("GET", "/", (1, 0), False, 0, False), b"", id="http10-close"
    ),
    pytest.param(
        b"GET http://example.com/a?b HTTP/1.1\r\nHost: example.com\r\n\r\n",
        ("GET", "http://example.com/a?b", (1, 1), True, 0, False),
        b"",
        id="absolute-form",
    ),
    pytest.param(
        b"OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n",
        ("OPTIONS", "*", (1, 1), True, 0, False),
        b"",
        id="options-asterisk",
    ),
    pytest.param(
        b"CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n",
        ("CONNECT", "example.com:443", (1, 1), True, 0, False),
        b"",
        id="connect-authority",
    ),
    pytest.param(
        b"CONNECT [::1]:8443 HTTP/1.1\r\nHost: [::1]:8443\r\n\r\n",
        ("CONNECT", "[::1]:8443", (1, 1), True, 0, False),
        b"",
        id="connect-ipv6",
    ),
    pytest.param(
        b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        ("GET", "/", (1, 1), False, 0, False),
        b"",
        id="http11-close",
    ),
    pytest.param(
        b"GET / HTTP/1.2\r\nHost: x\r\n\r\n",
        ("GET", "/", (1, 1), True, 0, False),
        b"",
        id="http12-as-11",
    ),
    pytest.param(
        b"\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n",
        ("GET", "/", (1, 1), True, 0, False),
        b"",
        id="leading-empty-lines",
    ),
    pytest.param(
        b"PURGE /x HTTP/1.1\r\nHost: x\r\nContent-Length: 2, 2\r\nContent-Length: 2\r\n\r\nab",
        ("PURGE", "/x", (1, 1), True, 2, False),
        b"ab",
        id="custom-method-identical-lengths",
    ),
    pytest.param(
        b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding:  Chunked \r\n\r\n0\r\n\r\n",
        ("POST", "/", (1, 1), True, None, True),
        b"",
        id="te-case-and-ows",
    ),
    pytest.param(
        b"GET / HTTP/1.1\r\nHost:\r\n\r\n",
        ("GET", "/", (1, 1), True, 0, False),
        b"",
        id="empty-host",
    ),
]


@pytest.mark.parametrize("cuts", ["whole", "bytewise"])
@pytest.mark.parametrize(("data", "expected", "body"), VALID)
def test_valid_requests(data: bytes, expected: tuple[object, ...], body: bytes, cuts: str) -> None:
    events = collect(RequestParser(), data, bytewise(data) if cuts == "bytewise" else ())
    head = events[0]
    assert isinstance(head, RequestHead)
    got = (
        head.method,
        head.target,
        head.version,
        head.keep_alive,
        head.content_length,
        head.chunked,
    )
    assert got == expected
    rest = events[1:]
    if rest and rest[-1] is PAUSED:
        rest = rest[:-1]
    assert rest[:-1] == ([BodyChunk(body)] if body else [])
    assert isinstance(rest[-1], MessageEnd)


def test_headers_keep_case_order_and_strip_ows() -> None:
    head = head_of(b"GET / HTTP/1.1\r\nhOsT: a\r\nX-A:\t 1 2 \t\r\nx-a: 3\r\nEmpty:\r\n\r\n")
    assert head.headers == ((b"hOsT", b"a"), (b"X-A", b"1 2"), (b"x-a", b"3"), (b"Empty", b""))


def test_obs_text_in_value_is_kept() -> None:
    head = head_of(b"GET / HTTP/1.1\r\nHost: x\r\nX-Name: caf\xc3\xa9\r\n\r\n")
    assert head.headers[1] == (b"X-Name", b"caf\xc3\xa9")


def test_chunked_trailers_and_extensions() -> None:
    events = collect(RequestParser(), CHUNKED)
    assert events[1:] == [
        BodyChunk(b"hello world"),
        MessageEnd(((b"Checksum", b"abc"), (b"X-Done", b"yes"))),
    ]


def test_body_chunks_arrive_before_the_body_is_complete() -> None:
    parser = RequestParser()
    parser.feed(POST[:-3])
    assert isinstance(parser.next_event(), RequestHead)
    assert parser.next_event() == BodyChunk(b"he")
    assert parser.next_event() is NEED_DATA
    parser.feed(b"llo")
    assert parser.next_event() == BodyChunk(b"llo")
    assert parser.next_event() == MessageEnd()


def test_upgrade_websocket_pauses_and_hands_over_trailing_data() -> None:
    data = (
        b"GET /ws HTTP/1.1\r\nHost: x\r\nConnection: keep-alive, Upgrade\r\n"
        b"Upgrade: WebSocket\r\nSec-WebSocket-Version: 13\r\n\r\n\x81\x85frame"
    )
    parser = RequestParser()
    events = collect(parser, data)
    head = events[0]
    assert isinstance(head, RequestHead)
    assert head.upgrade == b"websocket"
    assert events[1:] == [MessageEnd(), PAUSED]
    assert parser.next_event() is PAUSED
    assert parser.trailing_data == b"\x81\x85frame"


def test_upgrade_declined_resumes_http() -> None:
    data = b"GET / HTTP/1.1\r\nHost: x\r\nConnection: upgrade\r\nUpgrade: h2c\r\n\r\n"
    parser = RequestParser()
    assert collect(parser, data + GET)[-1] is PAUSED
    parser.resume()
    events: list[Event] = []
    drain(parser, events)
    assert request_heads(events)[0].target == "/index.html?q=1"


def test_upgrade_without_connection_option_is_ignored() -> None:
    head = head_of(b"GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n\r\n")
    assert head.upgrade is None


def test_upgrade_is_ignored_in_http10() -> None:
    head = head_of(b"GET / HTTP/1.0\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\n")
    assert head.upgrade is None


def test_connect_pauses_after_message_end() -> None:
    parser = RequestParser()
    events = collect(parser, b"CONNECT a:1 HTTP/1.1\r\nHost: a:1\r\n\r\ntunnel")
    assert events[1:] == [MessageEnd(), PAUSED]
    assert parser.trailing_data == b"tunnel"


def test_not_keep_alive_pauses_and_cannot_resume() -> None:
    parser = RequestParser()
    events = collect(parser, b"GET / HTTP/1.0\r\n\r\n" + GET)
    assert len(request_heads(events)) == 1
    assert events[-1] is PAUSED
    with pytest.raises(LocalProtocolError):
        parser.resume()


def test_resume_when_not_paused_is_an_error() -> None:
    with pytest.raises(LocalProtocolError):
        RequestParser().resume()


def test_expect_continue() -> None:
    head = head_of(
        b"PUT / HTTP/1.1\r\nHost: x\r\nExpect: 100-Continue\r\nContent-Length: 1\r\n\r\n"
    )
    assert head.expect_continue
    head = head_of(b"PUT / HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\n")
    assert not head.expect_continue  # RFC 9110 §10.1.1: ignored in HTTP/1.0


def test_other_expectation_is_417() -> None:
    with pytest.raises(ParseError) as info:
        collect(RequestParser(), b"PUT / HTTP/1.1\r\nHost: x\r\nExpect: something\r\n\r\n")
    assert info.value.status == 417


@pytest.mark.parametrize("cuts", ["whole", "bytewise"])
def test_three_pipelined_requests(cuts: str) -> None:
    data = GET + POST + CHUNKED
    events = collect(RequestParser(), data, bytewise(data) if cuts == "bytewise" else ())
    assert [h.method for h in request_heads(events)] == ["GET", "POST", "POST"]
    assert events.count(MessageEnd()) == 2  # the chunked one has trailers
    assert BodyChunk(b"hello") in events
    assert BodyChunk(b"hello world") in events


def test_request_after_chunked_body_is_parsed() -> None:
    events = collect(RequestParser(), CHUNKED + GET)
    assert [h.target for h in request_heads(events)] == ["/up", "/index.html?q=1"]
    assert isinstance(events[-1], MessageEnd)


def test_eof_between_messages_is_need_data_forever() -> None:
    parser = RequestParser()
    collect(parser, GET, eof=True)
    assert parser.next_event() is NEED_DATA
    assert parser.next_event() is NEED_DATA


def test_eof_before_anything_is_need_data() -> None:
    parser = RequestParser()
    parser.feed(b"")
    assert parser.next_event() is NEED_DATA


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(GET[:10], id="in-request-line"),
        pytest.param(GET[:-2], id="in-headers"),
        pytest.param(POST[:-1], id="in-length-body"),
        pytest.param(CHUNKED[:-30], id="in-chunked-body"),
        pytest.param(CHUNKED[:-3], id="in-trailers"),
    ],
)
def test_eof_mid_message_is_400(data: bytes) -> None:
    parser = RequestParser()
    with pytest.raises(ParseError) as info:
        collect(parser, data, eof=True)
    assert (info.value.status, info.value.reason) == (400, "connection closed mid-message")
    with pytest.raises(ParseError):  # the parser stays failed
        parser.next_event()


def test_feed_after_eof_is_a_local_error() -> None:
    parser = RequestParser()
    parser.feed(b"")
    with pytest.raises(LocalProtocolError):
        parser.feed(b"GET")


def test_limits_exactly_at_the_boundary_are_accepted() -> None:
    line = b"GET /" + b"a" * 6 + b" HTTP/1.1"  # 20 bytes
    data = line + b"\r\nHost: abcdef\r\nX: 123456789\r\n\r\n"  # field lines of 12 bytes
    limits = Limits(max_line_size=20, max_field_size=12, max_headers=2, max_header_block=len(data))
    for cuts in ((), bytewise(data)):
        assert isinstance(collect(RequestParser(limits), data, cuts)[0], RequestHead)
    tighter = [
        Limits(max_line_size=19),
        Limits(max_field_size=11),
        Limits(max_headers=1),
        Limits(max_header_block=len(data) - 1),
    ]
    for limit in tighter:
        with pytest.raises(ParseError):
            collect(RequestParser(limit), data)


def test_limits_must_be_positive_ints() -> None:
    with pytest.raises(ValueError, match="max_headers"):
        Limits(max_headers=0)
    with pytest.raises(ValueError, match="max_line_size"):
        Limits(max_line_size=True)


def test_parse_error_carries_status_and_reason() -> None:
    error = ParseError(431, "too big")
    assert (error.status, error.reason, str(error)) == (431, "too big", "431 too big")


def test_partial_chunk_data_is_delivered_early() -> None:
    parser = RequestParser()
    parser.feed(b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\na\r\nhel")
    assert isinstance(parser.next_event(), RequestHead)
    assert parser.next_event() == BodyChunk(b"hel")
    assert parser.next_event() is NEED_DATA
    parser.feed(b"lo worl")
    assert parser.next_event() == BodyChunk(b"lo worl")
    parser.feed(b"\r\n0\r\n\r\n")
    assert parser.next_event() == MessageEnd()
    assert parser.next_event() is NEED_DATA


def test_trailing_data_keeps_growing_while_paused() -> None:
    parser = RequestParser()
    collect(parser, b"GET / HTTP/1.1\r\nHost: x\r\nConnection: upgrade\r\nUpgrade: x\r\n\r\nab")
    parser.feed(b"cd")
    assert parser.next_event() is PAUSED
    assert parser.trailing_data == b"abcd"


def test_fields_after_a_long_request_line_still_count_against_the_block() -> None:
    limits = Limits(max_header_block=100)
    data = b"GET /" + b"a" * 60 + b" HTTP/1.1\r\nHost: x\r\nX: " + b"b" * 30 + b"\r\n\r\n"
    with pytest.raises(ParseError) as info:
        collect(RequestParser(limits), data)
    assert info.value.status == 431
