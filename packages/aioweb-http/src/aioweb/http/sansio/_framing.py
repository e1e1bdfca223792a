"""The buffer and body-framing state machine shared by both parsers.

A parser is a chain of step methods; ``_step`` holds the current one and each
step returns one event or a Signal. Bytes live in one immutable ``bytes`` buffer
plus a read offset, so a whole message fed at once is parsed without copying it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Final, Generic, Literal, TypeAlias, TypeVar

from ._errors import LocalProtocolError, ParseError
from ._events import NEED_DATA, PAUSED, BodyChunk, MessageEnd, Signal
from ._headers import BARE_CR_LF_RE, parse_fields
from ._limits import Limits

H = TypeVar("H")

# RFC 9112 §7.1: chunk = chunk-size [ chunk-ext ] CRLF; chunk-ext = *( BWS ";"
# BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] ). BWS is refused here: no
# sender needs it and lenient whitespace is a known smuggling vector. Sixteen
# hex digits bound the size to 64 bits.
_TOKEN: Final = rb"[!#$%&'*+\-.^_`|~0-9A-Za-z]+"
_QUOTED: Final = rb'"(?:[\t \x21\x23-\x5b\x5d-\x7e\x80-\xff]|\\[\t \x21-\x7e\x80-\xff])*"'
CHUNK_LINE_RE: Final = re.compile(
    rb"([0-9A-Fa-f]{1,16})(?:;" + _TOKEN + rb"(?:=(?:" + _TOKEN + rb"|" + _QUOTED + rb"))?)*"
)
# RFC 9112 §2.2: a server SHOULD ignore at least one empty line before the
# request-line; a few are allowed, an endless stream of them is not.
MAX_EMPTY_LINES: Final = 8

Event: TypeAlias = H | BodyChunk | MessageEnd | Literal[Signal.NEED_DATA, Signal.PAUSED]
_END: Final = MessageEnd()


class FramingParser(Generic[H]):
    """Buffering, limits on the head, and the body states (length, chunked, EOF)."""

    __slots__ = (
        "_after_data",
        "_buf",
        "_empty_lines",
        "_eof",
        "_error",
        "_limits",
        "_pos",
        "_remaining",
        "_scanned",
        "_step",
    )
    # The status for a start line that is too long (414 for requests).
    _line_status: int = 400

    def __init__(self, limits: Limits) -> None:
        self._limits = limits
        self._buf = b""
        self._pos = 0
        self._eof = False
        self._scanned = 0  # bytes of the pending head or trailers already checked
        self._empty_lines = 0
        self._remaining = 0
        self._error: ParseError | None = None
        self._step: Callable[[], Event[H]] = self._read_head
        self._after_data: Callable[[], Event[H]] = self._end_message

    def feed(self, data: bytes) -> None:
        """Append bytes from the peer; ``b""`` means the peer closed its side.

        Raises:
            LocalProtocolError: Data was fed after EOF.
        """
        if not data:
            self._eof = True
            return
        if self._eof:
            raise LocalProtocolError("feed() called after EOF")
        if type(data) is not bytes:
            data = bytes(data)
        if self._pos >= len(self._buf):
            self._buf = data
        else:
            self._buf = self._buf[self._pos :] + data
        self._pos = 0

    @property
    def trailing_data(self) -> bytes:
        """Buffered bytes not parsed yet (for an upgrade handler after PAUSED)."""
        return self._buf[self._pos :]

    def _raise_again(self) -> Event[H]:
        if self._error is None:  # pragma: no cover - _step is set with _error
            raise ParseError(400, "parser failed")
        raise self._error

    def _paused(self) -> Event[H]:
        return PAUSED

    def _parse_head(self, buf: bytes, pos: int, end: int) -> H:  # pragma: no cover
        raise NotImplementedError

    def _on_message_end(self) -> None:  # pragma: no cover
        raise NotImplementedError

    def _need(self) -> Literal[Signal.NEED_DATA]:
        if self._eof:
            raise ParseError(400, "connection closed mid-message")
        return NEED_DATA

    # -- head ------------------------------------------------------------------

    def _read_head(self) -> Event[H]:
        buf = self._buf
        pos = self._pos
        while buf.startswith(b"\r\n", pos):
            pos += 2
            self._pos = pos
            self._scanned = 0
            self._empty_lines += 1
            if self._empty_lines > MAX_EMPTY_LINES:
                raise ParseError(400, "too many empty lines before the start line")
        if pos >= len(buf):
            # EOF between messages: the connection is simply done.
            return NEED_DATA
        scanned = self._scanned
        end = buf.find(b"\r\n\r\n", pos + scanned - 3 if scanned > 3 else pos)
        if end < 0:
            if self._eof:
                raise ParseError(400, "connection closed mid-message")
            self._check_partial(buf, pos, first_line=True)
            return NEED_DATA
        end += 4
        if scanned:
            self._scanned = 0
        self._empty_lines = 0
        head = self._parse_head(buf, pos, end)
        self._pos = end
        return head

    def _check_partial(self, buf: bytes, pos: int, *, first_line: bool) -> None:
        """Enforce the head limits on an incomplete head (or trailer section).

        Detecting them before the terminating CRLFCRLF arrives keeps memory
        bounded by the limits whatever the peer sends.
        """
        limits = self._limits
        size = len(buf) - pos
        pending_cr = 1 if buf.endswith(b"\r") else 0
        last_lf = buf.rfind(b"\n", pos)
        if first_line:
            # RFC 9112 §3: a server receiving a request-target longer than it
            # wishes to parse MUST respond with 414.
            first_lf = buf.find(b"\n", pos) if last_lf >= 0 else len(buf) + 1 - pending_cr
            if first_lf - pos - 1 > limits.max_line_size:
                raise ParseError(self._line_status, "start line too long")
        if last_lf >= 0 or not first_line:
            line_start = last_lf + 1 if last_lf >= 0 else pos
            if len(buf) - line_start - pending_cr > limits.max_field_size:
                raise ParseError(431, "header field line too long")
        if size > limits.max_header_block:
            raise ParseError(431, "header section too large")
        if BARE_CR_LF_RE.search(buf, pos + max(0, self._scanned - 1)) is not None:
            raise ParseError(400, "bare CR or LF in header section")
        self._scanned = size

    def _check_start_line(self, buf: bytes, pos: int, eol: int, end: int) -> None:
        """Enforce the start-line and head-size limits on a complete head."""
        if eol - pos > self._limits.max_line_size:
            raise ParseError(self._line_status, "start line too long")
        if end - pos > self._limits.max_header_block:
            raise ParseError(431, "header section too large")

    # -- body ------------------------------------------------------------------

    def _start_body(self, length: int | None, *, chunked: bool) -> None:
        """Choose the body state; ``length`` None and not chunked means until EOF."""
        if chunked:
            self._step = self._read_chunk_size
        elif length is None:
            self._step = self._read_until_eof
        elif length:
            self._remaining = length
            self._after_data = self._end_message
            self._step = self._read_fixed
        else:
            self._step = self._end_message

    def _read_fixed(self) -> Event[H]:
        buf = self._buf
        pos = self._pos
        avail = len(buf) - pos
        if not avail:
            return self._need()
        remaining = self._remaining
        if avail <= remaining:
            data = buf[pos:] if pos else buf
            self._buf = b""
            self._pos = 0
            remaining -= avail
        else:
            data = buf[pos : pos + remaining]
            self._pos = pos + remaining
            remaining = 0
        self._remaining = remaining
        if not remaining:
            self._step = self._after_data
        return BodyChunk(data)

    def _read_until_eof(self) -> Event[H]:
        # RFC 9112 §6.3 item 8: the body of such a response ends at close.
        buf = self._buf
        pos = self._pos
        if pos < len(buf):
            self._buf = b""
            self._pos = 0
            return BodyChunk(buf[pos:] if pos else buf)
        if self._eof:
            return self._end_message()
        return NEED_DATA

    def _read_chunk_size(self) -> Event[H]:
        buf = self._buf
        pos = self._pos
        limit = self._limits.max_chunk_line
        eol = buf.find(b"\r\n", pos)
        if eol < 0:
            if buf.find(b"\n", pos) >= 0 or buf.find(b"\r", pos, len(buf) - 1) >= 0:
                raise ParseError(400, "bare CR or LF in chunk-size line")
            if len(buf) - pos - (1 if buf.endswith(b"\r") else 0) > limit:
                raise ParseError(400, "chunk-size line too long")
            return self._need()
        if eol - pos > limit:
            raise ParseError(400, "chunk-size line too long")
        match = CHUNK_LINE_RE.fullmatch(buf, pos, eol)
        if match is None:
            raise ParseError(400, "invalid chunk-size line")
        size = int(match.group(1), 16)
        self._pos = eol + 2
        if not size:
            self._step = self._read_trailers
            return self._read_trailers()
        self._remaining = size
        self._after_data = self._read_chunk_crlf
        self._step = self._read_fixed
        return self._read_fixed()

    def _read_chunk_crlf(self) -> Event[H]:
        buf = self._buf
        pos = self._pos
        avail = len(buf) - pos
        if avail < 2:
            if avail == 1 and buf[pos] != 0x0D:
                raise ParseError(400, "missing CRLF after chunk data")
            return self._need()
        if buf[pos] != 0x0D or buf[pos + 1] != 0x0A:
            # RFC 9112 §7.1: chunk = chunk-size [ chunk-ext ] CRLF chunk-data CRLF.
            raise ParseError(400, "missing CRLF after chunk data")
        self._pos = pos + 2
        self._step = self._read_chunk_size
        return self._read_chunk_size()

    def _read_trailers(self) -> Event[H]:
        # RFC 9112 §7.1.2: trailer-section = *( field-line CRLF ), then CRLF.
        buf = self._buf
        pos = self._pos
        if buf.startswith(b"\r\n", pos):
            self._pos = pos + 2
            return self._end_message()
        end = buf.find(b"\r\n\r\n", pos + max(0, self._scanned - 3))
        if end < 0:
            if self._eof:
                raise ParseError(400, "connection closed mid-message")
            self._check_partial(buf, pos, first_line=False)
            return NEED_DATA
        limits = self._limits
        if end + 4 - pos > limits.max_header_block:
            raise ParseError(431, "trailer section too large")
        # The LF before pos ends the last-chunk line, so the field regex's ^ holds.
        fields = parse_fields(buf, pos, end + 2, limits, limits.max_trailers)
        self._scanned = 0
        self._pos = end + 4
        return self._end_message(tuple(fields))

    def _end_message(self, trailers: tuple[tuple[bytes, bytes], ...] = ()) -> Event[H]:
        self._on_message_end()
        return MessageEnd(trailers) if trailers else _END
