"""Choosing a request-parser back-end: the protocol both satisfy and the selector."""

from __future__ import annotations

from typing import Final, Literal, Protocol, runtime_checkable

from ._events import RequestEvent, Signal
from ._httptools_parser import HttptoolsRequestParser, httptools_available
from ._limits import DEFAULT_LIMITS, Limits
from ._parser import RequestParser

__all__ = ["ParserBackend", "RequestParserProtocol", "make_request_parser"]

ParserBackend = Literal["auto", "pure", "httptools"]
"""The names ``make_request_parser`` accepts."""
_BACKENDS: Final = frozenset(("auto", "pure", "httptools"))


@runtime_checkable
class RequestParserProtocol(Protocol):
    """What the I/O layer needs from a request parser; both back-ends satisfy it.

    See RequestParser for the meaning of each member.
    """

    def feed(self, data: bytes) -> None:
        """Append bytes from the peer; ``b""`` means the peer closed its side."""

    def next_event(self) -> RequestEvent | Literal[Signal.NEED_DATA, Signal.PAUSED]:
        """Return the next event, NEED_DATA or PAUSED; raise ParseError on bad input."""

    def resume(self) -> None:
        """Leave PAUSED and parse the next request (an upgrade was declined)."""

    @property
    def trailing_data(self) -> bytes:
        """Buffered bytes not parsed yet (for an upgrade handler after PAUSED)."""


def make_request_parser(
    limits: Limits = DEFAULT_LIMITS, backend: ParserBackend = "auto"
) -> RequestParserProtocol:
    """Build a request parser with the chosen back-end.

    Both back-ends produce the same events and raise the same ParseError
    statuses for the same bytes; they differ only in speed.

    Args:
        limits: The size limits to enforce.
        backend: ``"pure"`` for RequestParser, ``"httptools"`` for
            HttptoolsRequestParser, ``"auto"`` for httptools when it can be
            imported and the pure parser otherwise.

    Returns:
        A new parser for one connection.

    Raises:
        SpeedupsUnavailableError: ``backend="httptools"`` without httptools
            installed (``pip install aioweb-http[speedups]``).
        ValueError: An unknown back-end name.
    """
    if backend not in _BACKENDS:
        msg = f"unknown request parser backend {backend!r}: use 'auto', 'pure' or 'httptools'"
        raise ValueError(msg)
    if backend == "pure" or (backend == "auto" and not httptools_available()):
        return RequestParser(limits)
    return HttptoolsRequestParser(limits)
