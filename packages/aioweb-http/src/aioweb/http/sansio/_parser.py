"""The server side: RequestParser turns a client's bytes into request events."""

from __future__ import annotations

import re
from typing import Final, Literal

from ._errors import LocalProtocolError, ParseError
from ._events import RequestEvent, RequestHead, Signal, make_request_head
from ._framing import FramingParser
from ._headers import (
    FIELD_RE,
    HOST_RE,
    TOKEN_RE,
    Fields,
    check_chunked_final,
    connection_options,
    content_length,
    parse_fields,
    transfer_codings,
)
from ._limits import DEFAULT_LIMITS, Limits

__all__ = ["BaseRequestParser", "RequestParser"]

# RFC 9112 §3: request-line = method SP request-target SP HTTP-version, with
# exactly one SP between the parts; the target is visible ASCII only (§3.2).
_REQUEST_LINE_RE: Final = re.compile(
    rb"([!#$%&'*+\-.^_`|~0-9A-Za-z]+) ([\x21-\x7e]+) HTTP/([0-9]\.[0-9])\r\n"
)
_VERSIONS: Final = {b"1.1": (1, 1), b"1.0": (1, 0)}
# RFC 9112 §3.2.2: absolute-form; RFC 9110 §4.2.1 requires a non-empty host and
# §4.2.4 asks recipients to treat userinfo as an error.
_ABSOLUTE_RE: Final = re.compile(rb"[Hh][Tt][Tt][Pp][Ss]?://[^/?#@]+(?:[/?].*)?")
# RFC 9112 §3.2.3: authority-form = uri-host ":" port (CONNECT only).
_AUTHORITY_RE: Final = re.compile(
    rb"(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9\-._~!$&'()*+,;=%]+):[0-9]{1,5}"
)
_METHODS: Final = {m.encode(): m for m in ("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH")}
_HOST, _LENGTH, _CODING, _CONNECTION, _UPGRADE, _EXPECT = range(6)
_KINDS: Final = {
    b"host": _HOST,
    b"content-length": _LENGTH,
    b"transfer-encoding": _CODING,
    b"connection": _CONNECTION,
    b"upgrade": _UPGRADE,
    b"expect": _EXPECT,
}


class BaseRequestParser(FramingParser[RequestHead]):
    """Everything of a request parser except how the field lines are tokenised.

    Both back-ends (RequestParser here, HttptoolsRequestParser) share the
    buffering, the limits, the request-line grammar, every framing and
    semantic rule and the body states; only ``_fields`` differs, so the two
    cannot drift apart on anything but field-line tokenising, which the
    conformance corpus and a differential test pin down.
    """

    __slots__ = ("_keep_alive", "_pause")
    _line_status = 414

    def __init__(self, limits: Limits = DEFAULT_LIMITS) -> None:
        super().__init__(limits)
        self._pause = False
        self._keep_alive = True

    def _fields(self, buf: bytes, pos: int, line_end: int, end: int) -> Fields:
        """Return the field lines of the head ``buf[pos:end]`` (checked, limits applied).

        ``line_end`` is where the field lines start (just past the request
        line's CRLF) and ``end`` is just past the CRLF that ends the head.
        """
        raise NotImplementedError  # pragma: no cover

    def next_event(self) -> RequestEvent | Literal[Signal.NEED_DATA, Signal.PAUSED]:
        """Return the next event, NEED_DATA or PAUSED.

        NEED_DATA after EOF between two requests means the connection is done.

        Raises:
            ParseError: The bytes are not a valid request; ``.status`` is the
                answer to send before closing. Raised again on every later call.
        """
        try:
            return self._step()
        except ParseError as exc:
            self._error = exc
            self._step = self._raise_again
            raise

    def resume(self) -> None:
        """Leave PAUSED and parse the next request (the server declined an upgrade).

        Raises:
            LocalProtocolError: The parser is not PAUSED, or paused because the
                connection is not persistent.
        """
        if self._step != self._paused:
            raise LocalProtocolError("resume() called while the parser is not PAUSED")
        if not self._keep_alive:
            raise LocalProtocolError("resume() on a connection that is not persistent")
        self._pause = False
        self._step = self._read_head

    def _on_message_end(self) -> None:
        self._step = self._paused if self._pause else self._read_head

    def _parse_head(self, buf: bytes, pos: int, end: int) -> RequestHead:
        limits = self._limits
        match = _REQUEST_LINE_RE.match(buf, pos, end)
        if match is None:
            eol = buf.find(b"\r\n", pos, end)
            self._check_start_line(buf, pos, eol, end)
            raise _request_line_error(buf[pos:eol])
        line_end = match.end()
        if line_end - 2 - pos > limits.max_line_size or end - pos > limits.max_header_block:
            self._check_start_line(buf, pos, line_end - 2, end)
        method, target, ver = match.groups()
        version = _VERSIONS.get(ver)
        if version is None:
            # RFC 9110 §2.5: a higher minor version of HTTP/1 is processed as
            # the highest one we implement; other majors get 505 (§15.6.6).
            if ver[0] != 0x31:
                raise ParseError(505, "HTTP version not supported")
            version = (1, 1)
        # ``0x23 in target`` (an int) is a memchr; ``b"#" in target`` costs 10x more.
        if target[0] != 0x2F or method == b"CONNECT" or 0x23 in target:
            _check_target(method, target)
        fields = self._fields(buf, pos, line_end, end)

        hosts: list[bytes] | None = None
        lengths: list[bytes] | None = None
        codings: list[bytes] | None = None
        connection: list[bytes] | None = None
        upgrade: list[bytes] | None = None
        expect: list[bytes] | None = None
        for name, value in fields:
            kind = _KINDS.get(name.lower())
            if kind is None:
                continue
            if kind == _HOST:
                hosts = [value] if hosts is None else [*hosts, value]
            elif kind == _LENGTH:
                lengths = [value] if lengths is None else [*lengths, value]
            elif kind == _CODING:
                codings = [value] if codings is None else [*codings, value]
            elif kind == _CONNECTION:
                connection = [value] if connection is None else [*connection, value]
            elif kind == _UPGRADE:
                upgrade = [value] if upgrade is None else [*upgrade, value]
            else:
                expect = [value] if expect is None else [*expect, value]

        http11 = version == (1, 1)
        # RFC 9112 §3.2: 400 for an HTTP/1.1 request without Host, for any
        # request with more than one Host line or with an invalid Host value.
        if hosts is None:
            if http11:
                raise ParseError(400, "missing Host header")
        elif len(hosts) > 1:
            raise ParseError(400, "more than one Host header")
        elif HOST_RE.fullmatch(hosts[0]) is None:
            raise ParseError(400, "invalid Host header")

        length: int | None = 0
        chunked = False
        if codings is not None:
            # RFC 9112 §6.1: Transfer-Encoding in HTTP/1.0 means faulty framing;
            # with Content-Length it may be smuggling: reject both outright.
            if not http11:
                raise ParseError(400, "Transfer-Encoding in an HTTP/1.0 request")
            if lengths is not None:
                raise ParseError(400, "both Transfer-Encoding and Content-Length")
            names = transfer_codings(codings)
            # RFC 9112 §6.3 item 4: chunked not final in a request -> MUST 400.
            if names[-1] != b"chunked":
                raise ParseError(400, "chunked is not the final transfer coding")
            check_chunked_final(names)
            length = None
            chunked = True
        elif lengths is not None:
            length = content_length(lengths)

        options = None if connection is None else connection_options(connection)
        if http11:
            # RFC 9112 §9.3: HTTP/1.1 is persistent unless "close" is sent.
            keep_alive = options is None or b"close" not in options
        else:
            keep_alive = (
                options is not None and b"keep-alive" in options and b"close" not in options
            )
        upgrade_to = None
        if upgrade is not None and http11 and options is not None and b"upgrade" in options:
            # RFC 9110 §7.8: Upgrade counts only when listed in Connection, and
            # MUST be ignored in an HTTP/1.0 request.
            upgrade_to = b", ".join(upgrade).lower()
        expect_continue = False
        if expect is not None and http11:
            # RFC 9110 §10.1.1: 100-continue is the only expectation defined;
            # others MAY get 417. It is ignored in an HTTP/1.0 request.
            if len(expect) != 1 or expect[0].lower() != b"100-continue":
                raise ParseError(417, "unsupported expectation")
            expect_continue = True

        self._keep_alive = keep_alive
        self._pause = upgrade_to is not None or method == b"CONNECT" or not keep_alive
        self._start_body(length, chunked=chunked)
        return make_request_head(
            _METHODS.get(method) or method.decode("ascii"),
            target.decode("ascii"),
            version,
            tuple(fields),
            keep_alive,
            length,
            chunked,
            upgrade_to,
            expect_continue,
        )


class RequestParser(BaseRequestParser):
    """Turn bytes from one client connection into request events. Performs no I/O.

    Feed bytes with ``feed()`` and drain ``next_event()`` until it returns a
    Signal. Each request yields one RequestHead, zero or more BodyChunk and one
    MessageEnd; pipelined requests follow in order.

    ``next_event()`` returns PAUSED after the MessageEnd of a request that asks
    for an upgrade or uses CONNECT (``trailing_data`` then holds the first bytes
    of the new protocol; ``resume()`` goes on with HTTP if the upgrade is
    declined), and after the MessageEnd of a request whose ``keep_alive`` is
    False (nothing more is parsed on that connection).

    This is the pure-Python back-end; ``make_request_parser`` chooses between
    it and HttptoolsRequestParser, which behaves identically.

    Args:
        limits: The size limits to enforce.
    """

    __slots__ = ()

    def _fields(self, buf: bytes, pos: int, line_end: int, end: int) -> Fields:
        limits = self._limits
        stop = end - 2
        fields: Fields = FIELD_RE.findall(buf, line_end, stop)
        if (
            len(fields) != buf.count(b"\n", line_end, stop)
            or len(fields) > limits.max_headers
            or stop - line_end > limits.max_field_size + 2
        ):
            fields = parse_fields(buf, line_end, stop, limits, limits.max_headers)
        return fields


def _check_target(method: bytes, target: bytes) -> None:
    """Accept the request-target forms of RFC 9112 §3.2 that suit the method."""
    if target[0] == 0x2F:  # origin-form
        if method == b"CONNECT":
            raise ParseError(400, "CONNECT requires an authority-form target")
    elif target == b"*":
        if method != b"OPTIONS":
            raise ParseError(400, "asterisk-form target is only allowed with OPTIONS")
    elif method == b"CONNECT":
        if _AUTHORITY_RE.fullmatch(target) is None:
            raise ParseError(400, "invalid authority-form target")
    elif _ABSOLUTE_RE.fullmatch(target) is None:
        raise ParseError(400, "invalid request-target")
    if 0x23 in target:
        # A fragment is never part of a request-target (RFC 9112 §3.2).
        raise ParseError(400, "fragment in request-target")


def _request_line_error(line: bytes) -> ParseError:
    """Explain why a request line failed the fast regex."""
    parts = line.split(b" ")
    if len(parts) != 3 or not all(parts):
        return ParseError(400, "malformed request line")
    method, target, _version = parts
    if TOKEN_RE.fullmatch(method) is None:
        return ParseError(400, "invalid method")
    if re.fullmatch(rb"[\x21-\x7e]+", target) is None:
        return ParseError(400, "invalid character in request-target")
    return ParseError(400, "malformed HTTP version")
