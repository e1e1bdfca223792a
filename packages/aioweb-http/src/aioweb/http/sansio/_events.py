"""Events the HTTP/1.1 parsers produce: heads, body chunks, message ends, signals."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Final, TypeAlias

__all__ = [
    "NEED_DATA",
    "PAUSED",
    "BodyChunk",
    "MessageEnd",
    "RequestEvent",
    "RequestHead",
    "ResponseEvent",
    "ResponseHead",
    "Signal",
]


@dataclass(frozen=True, slots=True)
class RequestHead:
    """The request line and header section of one request.

    Attributes:
        method: The method token, case kept (methods are case-sensitive).
        target: The raw request-target (origin, absolute, authority or ``*`` form).
        version: ``(1, 1)`` or ``(1, 0)``; a higher HTTP/1 minor is reported as
            ``(1, 1)`` because it is processed as 1.1 (RFC 9110 §2.5).
        headers: Field lines as received: name case kept, value stripped of OWS,
            order kept, repeated fields not combined.
        keep_alive: Whether the connection may carry another request after this
            one (RFC 9112 §9.3).
        content_length: Number of body bytes that follow (0 without
            Content-Length), or None when the body is chunked.
        chunked: Whether the body uses the chunked transfer coding.
        upgrade: The lowercased Upgrade value when Connection lists ``upgrade``
            in an HTTP/1.1 request, else None (RFC 9110 §7.8).
        expect_continue: Whether the client sent ``Expect: 100-continue`` in an
            HTTP/1.1 request. Any other expectation raises ParseError(417).
    """

    method: str
    target: str
    version: tuple[int, int]
    headers: tuple[tuple[bytes, bytes], ...]
    keep_alive: bool
    content_length: int | None
    chunked: bool
    upgrade: bytes | None
    expect_continue: bool


@dataclass(frozen=True, slots=True)
class ResponseHead:
    """The status line and header section of one response.

    Attributes:
        status: The three-digit status code (100-599).
        reason: The reason phrase decoded as latin-1; may be empty.
        version: ``(1, 1)`` or ``(1, 0)`` (see RequestHead.version).
        headers: Field lines as received (see RequestHead.headers).
        keep_alive: Whether the connection may carry another exchange.
        content_length: Number of body bytes that follow, 0 when the response
            has no body (1xx, 204, 304, answer to HEAD), or None when the body
            is chunked or delimited by the server closing the connection.
        chunked: Whether the body uses the chunked transfer coding.
    """

    status: int
    reason: str
    version: tuple[int, int]
    headers: tuple[tuple[bytes, bytes], ...]
    keep_alive: bool
    content_length: int | None
    chunked: bool


@dataclass(frozen=True, slots=True)
class BodyChunk:
    """A piece of message body, de-chunked, as soon as it arrived.

    Attributes:
        data: The body bytes; never empty.
    """

    data: bytes


@dataclass(frozen=True, slots=True)
class MessageEnd:
    """The end of one message.

    Attributes:
        trailers: Trailer field lines of a chunked body, as received. They are
            never used for framing (RFC 9110 §6.5.1).
    """

    trailers: tuple[tuple[bytes, bytes], ...] = ()


class Signal(enum.Enum):
    """What ``next_event()`` returns when it has no event to give.

    Attributes:
        NEED_DATA: Feed more bytes (or, after EOF between messages, the
            connection is done and nothing more will come).
        PAUSED: The parser stopped after a message: the connection switches
            protocols (Upgrade, CONNECT) or is not persistent.
    """

    NEED_DATA = enum.auto()
    PAUSED = enum.auto()


NEED_DATA: Final = Signal.NEED_DATA
"""Shorthand for ``Signal.NEED_DATA``."""
PAUSED: Final = Signal.PAUSED
"""Shorthand for ``Signal.PAUSED``."""

RequestEvent: TypeAlias = RequestHead | BodyChunk | MessageEnd
"""Any event RequestParser.next_event() returns besides a Signal."""
ResponseEvent: TypeAlias = ResponseHead | BodyChunk | MessageEnd
"""Any event ResponseParser.next_event() returns besides a Signal."""


# -- fast constructors ------------------------------------------------------------
# A frozen dataclass __init__ stores each field through object.__setattr__,
# which costs about as much as parsing the header fields. The parsers build
# heads by writing the slots directly instead: same object, same equality,
# half the cost. tests/sansio/test_events.py checks they match __init__.
_new = object.__new__
_rq = RequestHead.__dict__
_rq_method = _rq["method"].__set__
_rq_target = _rq["target"].__set__
_rq_version = _rq["version"].__set__
_rq_headers = _rq["headers"].__set__
_rq_keep_alive = _rq["keep_alive"].__set__
_rq_content_length = _rq["content_length"].__set__
_rq_chunked = _rq["chunked"].__set__
_rq_upgrade = _rq["upgrade"].__set__
_rq_expect_continue = _rq["expect_continue"].__set__
_rs = ResponseHead.__dict__
_rs_status = _rs["status"].__set__
_rs_reason = _rs["reason"].__set__
_rs_version = _rs["version"].__set__
_rs_headers = _rs["headers"].__set__
_rs_keep_alive = _rs["keep_alive"].__set__
_rs_content_length = _rs["content_length"].__set__
_rs_chunked = _rs["chunked"].__set__


def make_request_head(  # noqa: PLR0917 - positional on purpose: hot path
    method: str,
    target: str,
    version: tuple[int, int],
    headers: tuple[tuple[bytes, bytes], ...],
    keep_alive: bool,
    content_length: int | None,
    chunked: bool,
    upgrade: bytes | None,
    expect_continue: bool,
) -> RequestHead:
    """Build a RequestHead without the frozen-dataclass __init__ overhead."""
    head: RequestHead = _new(RequestHead)
    _rq_method(head, method)
    _rq_target(head, target)
    _rq_version(head, version)
    _rq_headers(head, headers)
    _rq_keep_alive(head, keep_alive)
    _rq_content_length(head, content_length)
    _rq_chunked(head, chunked)
    _rq_upgrade(head, upgrade)
    _rq_expect_continue(head, expect_continue)
    return head


def make_response_head(  # noqa: PLR0917 - positional on purpose: hot path
    status: int,
    reason: str,
    version: tuple[int, int],
    headers: tuple[tuple[bytes, bytes], ...],
    keep_alive: bool,
    content_length: int | None,
    chunked: bool,
) -> ResponseHead:
    """Build a ResponseHead without the frozen-dataclass __init__ overhead."""
    head: ResponseHead = _new(ResponseHead)
    _rs_status(head, status)
    _rs_reason(head, reason)
    _rs_version(head, version)
    _rs_headers(head, headers)
    _rs_keep_alive(head, keep_alive)
    _rs_content_length(head, content_length)
    _rs_chunked(head, chunked)
    return head
