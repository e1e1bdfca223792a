"""Hostile requests: every case names the exact status the parser must answer.

Each case is parsed whole and byte by byte; both must fail with the same status.
"""

from __future__ import annotations

import pytest
from http_testlib import bytewise, error_status

from aioweb.http.sansio import NEED_DATA, Limits, ParseError, RequestParser

H = b"Host: x\r\n"


def req(*lines: bytes, line: bytes = b"POST / HTTP/1.1", body: bytes = b"") -> bytes:
    return line + b"\r\n" + b"".join(field + b"\r\n" for field in lines) + b"\r\n" + body


def chunked(body: bytes) -> bytes:
    return req(b"Host: x", b"Transfer-Encoding: chunked", body=body)


HOSTILE = [
    # -- request line (RFC 9112 §3) ---------------------------------------------
    ("lowercase-version", req(H[:-2], line=b"GET / http/1.1"), 400),
    ("two-spaces-after-method", req(H[:-2], line=b"GET  / HTTP/1.1"), 400),
    ("tab-separator", req(H[:-2], line=b"GET\t/ HTTP/1.1"), 400),
    ("trailing-space", req(H[:-2], line=b"GET / HTTP/1.1 "), 400),
    ("missing-version", req(H[:-2], line=b"GET /"), 400),
    ("http09-style", req(line=b"GET /index.html"), 400),
    ("method-not-token", req(H[:-2], line=b"G(T / HTTP/1.1"), 400),
    ("method-with-nul", req(H[:-2], line=b"GE\x00T / HTTP/1.1"), 400),
    ("empty-method", req(H[:-2], line=b" / HTTP/1.1"), 400),
    ("target-with-space", req(H[:-2], line=b"GET /a b HTTP/1.1"), 400),
    ("target-with-del", req(H[:-2], line=b"GET /a\x7f HTTP/1.1"), 400),
    ("target-with-utf8", req(H[:-2], line=b"GET /caf\xc3\xa9 HTTP/1.1"), 400),
    ("target-with-fragment", req(H[:-2], line=b"GET /a#frag HTTP/1.1"), 400),
    ("target-relative", req(H[:-2], line=b"GET index.html HTTP/1.1"), 400),
    ("asterisk-without-options", req(H[:-2], line=b"GET * HTTP/1.1"), 400),
    ("authority-without-connect", req(H[:-2], line=b"GET example.com:80 HTTP/1.1"), 400),
    ("connect-origin-form", req(H[:-2], line=b"CONNECT / HTTP/1.1"), 400),
    ("connect-without-port", req(H[:-2], line=b"CONNECT example.com HTTP/1.1"), 400),
    ("absolute-ftp-scheme", req(H[:-2], line=b"GET ftp://x/ HTTP/1.1"), 400),
    ("absolute-empty-host", req(H[:-2], line=b"GET http:///a HTTP/1.1"), 400),
    ("absolute-userinfo", req(H[:-2], line=b"GET http://u@x/ HTTP/1.1"), 400),
    ("version-two-digits", req(H[:-2], line=b"GET / HTTP/1.10"), 400),
    ("version-no-minor", req(H[:-2], line=b"GET / HTTP/2"), 400),
    ("version-letters", req(H[:-2], line=b"GET / HTTP/x.y"), 400),
    ("version-20-unsupported", req(H[:-2], line=b"GET / HTTP/2.0"), 505),
    ("version-09-unsupported", req(H[:-2], line=b"GET / HTTP/0.9"), 505),
    ("version-30-unsupported", req(H[:-2], line=b"GET / HTTP/3.0"), 505),
    ("bare-lf-after-request-line", b"GET / HTTP/1.1\nHost: x\r\n\r\n", 400),
    ("bare-cr-in-request-line", b"GET /\r HTTP/1.1\r\nHost: x\r\n\r\n", 400),
    ("only-bare-lfs", b"GET / HTTP/1.1\nHost: x\n\n", 400),
    ("too-many-empty-lines", b"\r\n" * 9 + req(H[:-2], line=b"GET / HTTP/1.1"), 400),
    ("leading-bare-lf", b"\nGET / HTTP/1.1\r\nHost: x\r\n\r\n", 400),
    # -- field lines (RFC 9112 §5, RFC 9110 §5.5) ----------------------------------
    ("space-before-colon", req(b"Host : x"), 400),
    ("tab-before-colon", req(b"Host\t: x"), 400),
    ("obs-fold-space", req(b"Host: x", b"X-A: 1", b" folded"), 400),
    ("obs-fold-tab", req(b"Host: x", b"X-A: 1", b"\tfolded"), 400),
    ("first-line-folded", req(b" Host: x"), 400),
    ("empty-name", req(b"Host: x", b": value"), 400),
    ("no-colon", req(b"Host: x", b"NoColonHere"), 400),
    ("name-with-space", req(b"Host: x", b"X A: 1"), 400),
    ("name-with-slash", req(b"Host: x", b"X/A: 1"), 400),
    ("name-with-utf8", req(b"Host: x", b"X-\xc3\xa9: 1"), 400),
    ("nul-in-value", req(b"Host: x", b"X-A: a\x00b"), 400),
    ("vtab-in-value", req(b"Host: x", b"X-A: a\x0bb"), 400),
    ("esc-in-value", req(b"Host: x", b"X-A: \x1b[31m"), 400),
    ("del-in-value", req(b"Host: x", b"X-A: a\x7f"), 400),
    ("bare-cr-in-value", req(b"Host: x", b"X-A: a\rb"), 400),
    ("bare-lf-in-value", req(b"Host: x", b"X-A: a\nb"), 400),
    ("bare-lf-line-end", b"GET / HTTP/1.1\r\nHost: x\nX: y\r\n\r\n", 400),
    ("cr-cr-lf", b"GET / HTTP/1.1\r\nHost: x\r\r\n\r\n", 400),
    ("lf-cr-lf-terminator", b"GET / HTTP/1.1\r\nHost: x\r\n\n\r\n\r\n", 400),
    # -- Host (RFC 9112 §3.2) -------------------------------------------------------
    ("http11-no-host", req(b"Content-Length: 0"), 400),
    ("two-hosts", req(b"Host: a", b"Host: a"), 400),
    ("host-with-slash", req(b"Host: a/b"), 400),
    ("host-with-userinfo", req(b"Host: u@a"), 400),
    ("host-with-space", req(b"Host: a b"), 400),
    ("http10-two-hosts", req(b"Host: a", b"Host: b", line=b"GET / HTTP/1.0"), 400),
    # -- Content-Length (RFC 9110 §8.6, RFC 9112 §6.3) --------------------------------
    ("cl-negative", req(H[:-2], b"Content-Length: -1"), 400),
    ("cl-plus-sign", req(H[:-2], b"Content-Length: +5"), 400),
    ("cl-hex", req(H[:-2], b"Content-Length: 0x5"), 400),
    ("cl-inner-space", req(H[:-2], b"Content-Length: 1 0"), 400),
    ("cl-empty", req(H[:-2], b"Content-Length:"), 400),
    ("cl-decimal-point", req(H[:-2], b"Content-Length: 5.0"), 400),
    ("cl-unicode-digit", req(H[:-2], b"Content-Length: \xd9\xa3"), 400),
    ("cl-19-digits", req(H[:-2], b"Content-Length: " + b"1" * 19), 400),
    ("cl-conflicting-repeat", req(H[:-2], b"Content-Length: 3", b"Content-Length: 4"), 400),
    ("cl-conflicting-list", req(H[:-2], b"Content-Length: 3, 4"), 400),
    ("cl-list-empty-member", req(H[:-2], b"Content-Length: 3,,3"), 400),
    ("cl-leading-zero-mismatch", req(H[:-2], b"Content-Length: 3, 03"), 400),
    # -- Transfer-Encoding (RFC 9112 §6.1, §6.3, §7) --------------------------------
    ("te-and-cl", req(H[:-2], b"Content-Length: 3", b"Transfer-Encoding: chunked"), 400),
    ("cl-and-te-order", req(H[:-2], b"Transfer-Encoding: chunked", b"Content-Length: 3"), 400),
    ("te-in-http10", req(b"Transfer-Encoding: chunked", line=b"POST / HTTP/1.0"), 400),
    ("te-xchunked", req(H[:-2], b"Transfer-Encoding: xchunked"), 400),
    ("te-chunked-then-identity", req(H[:-2], b"Transfer-Encoding: chunked, identity"), 400),
    ("te-identity-alone", req(H[:-2], b"Transfer-Encoding: identity"), 400),
    ("te-gzip-alone-not-final", req(H[:-2], b"Transfer-Encoding: gzip"), 400),
    ("te-gzip-then-chunked", req(H[:-2], b"Transfer-Encoding: gzip, chunked"), 501),
    (
        "te-repeated-gzip-chunked",
        req(H[:-2], b"Transfer-Encoding: gzip", b"Transfer-Encoding: chunked"),
        501,
    ),
    ("te-chunked-twice", req(H[:-2], b"Transfer-Encoding: chunked, chunked"), 400),
    (
        "te-chunked-twice-lines",
        req(H[:-2], b"Transfer-Encoding: chunked", b"Transfer-Encoding: chunked"),
        400,
    ),
    ("te-vtab-chunked", req(H[:-2], b"Transfer-Encoding: \x0bchunked"), 400),
    ("te-empty-member", req(H[:-2], b"Transfer-Encoding: , chunked"), 400),
    ("te-empty", req(H[:-2], b"Transfer-Encoding:"), 400),
    ("te-with-parameter", req(H[:-2], b"Transfer-Encoding: chunked;q=1"), 400),
    ("te-quoted", req(H[:-2], b'Transfer-Encoding: "chunked"'), 400),
    ("te-space-in-name", req(H[:-2], b"Transfer-Encoding : chunked"), 400),
    # -- chunked framing (RFC 9112 §7.1) ----------------------------------------------
    ("chunk-size-not-hex", chunked(b"g\r\nx\r\n0\r\n\r\n"), 400),
    ("chunk-size-0x-prefix", chunked(b"0x5\r\nhello\r\n0\r\n\r\n"), 400),
    ("chunk-size-negative", chunked(b"-5\r\nhello\r\n0\r\n\r\n"), 400),
    ("chunk-size-plus", chunked(b"+5\r\nhello\r\n0\r\n\r\n"), 400),
    ("chunk-size-leading-space", chunked(b" 5\r\nhello\r\n0\r\n\r\n"), 400),
    ("chunk-size-trailing-space", chunked(b"5 \r\nhello\r\n0\r\n\r\n"), 400),
    ("chunk-size-bws-before-ext", chunked(b"5 ;a=b\r\nhello\r\n0\r\n\r\n"), 400),
    ("chunk-size-empty", chunked(b"\r\nhello\r\n0\r\n\r\n"), 400),
    ("chunk-size-17-digits", chunked(b"0" * 16 + b"5\r\nhello\r\n0\r\n\r\n"), 400),
    ("chunk-size-huge", chunked(b"ffffffffffffffffff\r\n"), 400),
    ("chunk-ext-no-name", chunked(b"5;\r\nhello\r\n0\r\n\r\n"), 400),
    ("chunk-ext-bad-value", chunked(b"5;a=b c\r\nhello\r\n0\r\n\r\n"), 400),
    ("chunk-ext-unterminated-quote", chunked(b'5;a="b\r\nhello\r\n0\r\n\r\n'), 400),
    ("chunk-line-bare-lf", chunked(b"5\nhello\r\n0\r\n\r\n"), 400),
    ("chunk-line-bare-cr", chunked(b"5\rhello\r\n0\r\n\r\n"), 400),
    ("chunk-data-too-long", chunked(b"5\r\nhello!\r\n0\r\n\r\n"), 400),
    ("chunk-data-bare-lf-end", chunked(b"5\r\nhello\n0\r\n\r\n"), 400),
    ("chunk-data-no-crlf", chunked(b"5\r\nhelloXY0\r\n\r\n"), 400),
    ("last-chunk-bare-lf", chunked(b"0\n\r\n"), 400),
    ("trailer-obs-fold", chunked(b"0\r\nX: a\r\n b\r\n\r\n"), 400),
    ("trailer-bad-name", chunked(b"0\r\nX Y: a\r\n\r\n"), 400),
    ("trailer-bare-lf", chunked(b"0\r\nX: a\n\r\n"), 400),
    ("trailer-nul", chunked(b"0\r\nX: a\x00\r\n\r\n"), 400),
    ("chunk-line-too-long", chunked(b"5;" + b"a" * 5000 + b"\r\nhello\r\n0\r\n\r\n"), 400),
    # -- limits (RFC 9112 §3 -> 414, RFC 6585 §5 -> 431) -------------------------------
    ("request-line-too-long", req(H[:-2], line=b"GET /" + b"a" * 8200 + b" HTTP/1.1"), 414),
    ("request-line-too-long-no-crlf", b"GET /" + b"a" * 9000, 414),
    ("field-line-too-long", req(H[:-2], b"X-Big: " + b"a" * 8200), 431),
    ("field-line-too-long-no-crlf", b"GET / HTTP/1.1\r\nX-Big: " + b"a" * 9000, 431),
    ("too-many-headers", req(H[:-2], *[b"X-%d: 1" % i for i in range(100)]), 431),
    (
        "header-block-too-large",
        req(H[:-2], *[b"X-%d: %s" % (i, b"a" * 8000) for i in range(9)]),
        431,
    ),
    ("header-block-no-terminator", b"GET / HTTP/1.1\r\n" + b"Y: a\r\n" * 12000, 431),
    (
        "trailers-too-many",
        chunked(b"0\r\n" + b"".join(b"T%d: 1\r\n" % i for i in range(33)) + b"\r\n"),
        431,
    ),
    ("trailer-line-too-long", chunked(b"0\r\nT: " + b"a" * 8200 + b"\r\n\r\n"), 431),
    # -- expectations (RFC 9110 §10.1.1) ----------------------------------------------
    ("expect-unknown", req(H[:-2], b"Expect: 200-ok"), 417),
    ("expect-list", req(H[:-2], b"Expect: 100-continue, foo"), 417),
]
assert len(HOSTILE) >= 60


@pytest.mark.parametrize(("data", "status"), [pytest.param(d, s, id=i) for i, d, s in HOSTILE])
def test_hostile_request_whole(data: bytes, status: int) -> None:
    assert error_status(RequestParser, data) == status


@pytest.mark.parametrize(("data", "status"), [pytest.param(d, s, id=i) for i, d, s in HOSTILE])
def test_hostile_request_bytewise(data: bytes, status: int) -> None:
    cuts = bytewise(data) if len(data) < 3000 else range(0, len(data), 97)
    assert error_status(RequestParser, data, cuts) == status


def test_hostile_ids_are_unique() -> None:
    ids = [case[0] for case in HOSTILE]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize(
    ("data", "status"),
    [
        pytest.param(b"GET /" + b"a" * 200, 414, id="request-line"),
        pytest.param(b"GET / HTTP/1.1\r\nX: " + b"a" * 200, 431, id="field-line"),
        pytest.param(b"GET / HTTP/1.1\r\n" + b"X: a\r\n" * 60, 431, id="block"),
        pytest.param(b"GET / HTTP/1.1\r\nX: a\nY", 400, id="bare-lf"),
    ],
)
def test_limits_are_detected_before_the_head_ends(data: bytes, status: int) -> None:
    limits = Limits(max_line_size=100, max_field_size=100, max_header_block=300)
    parser = RequestParser(limits)
    parser.feed(data)
    with pytest.raises(ParseError) as info:
        parser.next_event()
    assert info.value.status == status


def test_incomplete_head_within_limits_waits() -> None:
    parser = RequestParser()
    parser.feed(b"GET / HTTP/1.1\r\nHost: x\r\nX: " + b"a" * 100 + b"\r")
    assert parser.next_event() is NEED_DATA


def test_error_is_sticky() -> None:
    parser = RequestParser()
    parser.feed(req(b"Host : x"))
    with pytest.raises(ParseError) as first:
        parser.next_event()
    with pytest.raises(ParseError) as second:
        parser.next_event()
    assert second.value is first.value
