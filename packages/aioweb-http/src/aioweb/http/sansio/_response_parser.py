"""The client side: ResponseParser turns a server's bytes into response events."""

from __future__ import annotations

import re
from collections import deque
from typing import Final, Literal

from ._errors import ParseError
from ._events import ResponseEvent, ResponseHead, Signal, make_response_head
from ._framing import FramingParser
from ._headers import (
    FIELD_RE,
    Fields,
    check_chunked_final,
    connection_options,
    content_length,
    parse_fields,
    transfer_codings,
)
from ._limits import DEFAULT_LIMITS, Limits

__all__ = ["ResponseParser"]

# RFC 9112 §4: status-line = HTTP-version SP status-code SP [ reason-phrase ].
# The SP before an empty reason is tolerated when missing: servers omit it and
# the line stays unambiguous. reason-phrase = 1*( HTAB / SP / VCHAR / obs-text ).
_STATUS_LINE_RE: Final = re.compile(
    rb"HTTP/([0-9]\.[0-9]) ([0-9]{3})(?: ([\t\x20-\x7e\x80-\xff]*))?\r\n"
)
_VERSIONS: Final = {b"1.1": (1, 1), b"1.0": (1, 0)}
_LENGTH, _CODING, _CONNECTION = range(3)
_KINDS: Final = {
    b"content-length": _LENGTH,
    b"transfer-encoding": _CODING,
    b"connection": _CONNECTION,
}


class ResponseParser(FramingParser[ResponseHead]):
    """Turn bytes from one server connection into response events. Performs no I/O.

    Call ``expect_response(method)`` once per request sent, in order; the method
    decides the framing (RFC 9112 §6.3). A 1xx response other than 101 yields
    ResponseHead and MessageEnd, then the final response to the same request
    follows. A 101 response, a 2xx answer to CONNECT and a response whose
    ``keep_alive`` is False are followed by PAUSED: ``trailing_data`` then holds
    whatever the server sent after them.

    Args:
        limits: The size limits to enforce.
    """

    __slots__ = ("_final", "_methods", "_pause")

    def __init__(self, limits: Limits = DEFAULT_LIMITS) -> None:
        super().__init__(limits)
        self._methods: deque[str] = deque()
        self._pause = False
        self._final = False

    def expect_response(self, method: str) -> None:
        """Announce the method of the next request whose response will be parsed.

        Args:
            method: The request method; HEAD and CONNECT change the framing.
        """
        self._methods.append(method)

    def next_event(self) -> ResponseEvent | Literal[Signal.NEED_DATA, Signal.PAUSED]:
        """Return the next event, NEED_DATA or PAUSED.

        Raises:
            ParseError: The bytes are not a valid response (``.status`` is
                informative only). Raised again on every later call.
        """
        try:
            return self._step()
        except ParseError as exc:
            self._error = exc
            self._step = self._raise_again
            raise

    def _on_message_end(self) -> None:
        if self._final:
            self._methods.popleft()
        self._step = self._paused if self._pause else self._read_head

    def _parse_head(self, buf: bytes, pos: int, end: int) -> ResponseHead:
        if not self._methods:
            raise ParseError(400, "response received without a pending request")
        limits = self._limits
        match = _STATUS_LINE_RE.match(buf, pos, end)
        if match is None:
            eol = buf.find(b"\r\n", pos, end)
            self._check_start_line(buf, pos, eol, end)
            raise ParseError(400, "malformed status line")
        line_end = match.end()
        if line_end - 2 - pos > limits.max_line_size or end - pos > limits.max_header_block:
            self._check_start_line(buf, pos, line_end - 2, end)
        ver, code, reason = match.groups()
        version = _VERSIONS.get(ver)
        if version is None:
            if ver[0] != 0x31:
                raise ParseError(505, "HTTP version not supported")
            version = (1, 1)
        status = int(code)
        if status < 100 or status > 599:
            # RFC 9110 §15: valid codes are 100-599.
            raise ParseError(400, "invalid status code")
        # One findall validates the whole field section when it yields one match
        # per LF (see _headers.py); parse_fields runs only to explain an error or
        # to apply the limits to a large or crowded section.
        stop = end - 2
        fields: Fields = FIELD_RE.findall(buf, line_end, stop)
        if (
            len(fields) != buf.count(b"\n", line_end, stop)
            or len(fields) > limits.max_headers
            or stop - line_end > limits.max_field_size + 2
        ):
            fields = parse_fields(buf, line_end, stop, limits, limits.max_headers)

        lengths: list[bytes] | None = None
        codings: list[bytes] | None = None
        connection: list[bytes] | None = None
        for name, value in fields:
            kind = _KINDS.get(name.lower())
            if kind is None:
                continue
            if kind == _LENGTH:
                lengths = [value] if lengths is None else [*lengths, value]
            elif kind == _CONNECTION:
                connection = [value] if connection is None else [*connection, value]
            else:
                codings = [value] if codings is None else [*codings, value]

        http11 = version == (1, 1)
        options = None if connection is None else connection_options(connection)
        if http11:
            keep_alive = options is None or b"close" not in options
        else:
            keep_alive = (
                options is not None and b"keep-alive" in options and b"close" not in options
            )
        method = self._methods[0]
        self._final = status >= 200 or status == 101
        length: int | None = 0
        chunked = False
        # RFC 9112 §6.3 item 1: HEAD answers, 1xx, 204 and 304 have no body
        # whatever their framing fields say.
        if method == "HEAD" or status < 200 or status in (204, 304):
            pass
        elif method == "CONNECT" and status < 300:
            # Item 2: a 2xx to CONNECT turns the connection into a tunnel.
            pass
        elif codings is not None:
            # Item 3: TE with CL "ought to be handled as an error"; TE in an
            # HTTP/1.0 message means faulty framing (RFC 9112 §6.1).
            if lengths is not None:
                raise ParseError(400, "both Transfer-Encoding and Content-Length")
            if not http11:
                raise ParseError(400, "Transfer-Encoding in an HTTP/1.0 response")
            names = transfer_codings(codings)
            if names[-1] == b"chunked":
                check_chunked_final(names)
                length = None
                chunked = True
            else:
                # Item 4: chunked not final in a response -> read until close.
                length = None
                keep_alive = False
        elif lengths is not None:
            length = content_length(lengths)
        else:
            # Item 8: no framing at all -> the body ends when the server closes.
            length = None
            keep_alive = False

        self._pause = (
            status == 101 or (method == "CONNECT" and 200 <= status < 300) or not keep_alive
        )
        if self._pause and status < 200 and status != 101:
            # A 1xx on a closing connection still precedes the final response.
            self._pause = False
        self._start_body(length, chunked=chunked)
        return make_response_head(
            status,
            reason.decode("latin-1") if reason else "",
            version,
            tuple(fields),
            keep_alive,
            length,
            chunked,
        )
