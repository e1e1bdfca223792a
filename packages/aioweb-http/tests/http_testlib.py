"""Helpers shared by the aioweb-http tests (kept on pytest's pythonpath)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TypeAlias

import pytest

from aioweb.http.sansio import (
    NEED_DATA,
    PAUSED,
    BodyChunk,
    MessageEnd,
    ParseError,
    RequestHead,
    RequestParser,
    ResponseHead,
    ResponseParser,
    Signal,
)

Event: TypeAlias = RequestHead | ResponseHead | BodyChunk | MessageEnd | Signal
Parser: TypeAlias = RequestParser | ResponseParser


def split(data: bytes, cuts: Iterable[int]) -> list[bytes]:
    """Cut ``data`` at the given offsets (any order, duplicates and out-of-range ignored)."""
    points = sorted({c for c in cuts if 0 < c < len(data)})
    pieces = []
    start = 0
    for point in [*points, len(data)]:
        pieces.append(data[start:point])
        start = point
    return [p for p in pieces if p]


def drain(parser: Parser, out: list[Event]) -> bool:
    """Append events until NEED_DATA or PAUSED; return True when PAUSED was reached."""
    while True:
        event = parser.next_event()
        if event is NEED_DATA:
            return False
        if event is PAUSED:
            out.append(PAUSED)
            return True
        if isinstance(event, BodyChunk) and out and isinstance(out[-1], BodyChunk):
            out[-1] = BodyChunk(out[-1].data + event.data)
        else:
            out.append(event)


def collect(
    parser: Parser, data: bytes, cuts: Iterable[int] = (), *, eof: bool = False
) -> list[Event]:
    """Feed ``data`` cut at ``cuts`` and return the events, adjacent BodyChunks merged.

    Draining stops at the first PAUSED (included in the result); later pieces
    are still fed, so they end up in ``parser.trailing_data``. With ``eof`` the
    peer's close is fed last.
    """
    out: list[Event] = []
    paused = False
    for piece in split(data, cuts):
        parser.feed(piece)
        if not paused:
            paused = drain(parser, out)
    if eof:
        parser.feed(b"")
        if not paused:
            drain(parser, out)
    return out


def bytewise(data: bytes) -> range:
    """Cuts that feed ``data`` one byte at a time."""
    return range(1, len(data))


def error_status(
    make: Callable[[], Parser], data: bytes, cuts: Iterable[int] = (), *, eof: bool = False
) -> int:
    """Return the ParseError status raised while collecting ``data`` (fails if none)."""
    with pytest.raises(ParseError) as info:
        collect(make(), data, cuts, eof=eof)
    return info.value.status


def heads(events: Sequence[Event]) -> list[RequestHead | ResponseHead]:
    """The head events in ``events``."""
    return [e for e in events if isinstance(e, (RequestHead, ResponseHead))]


def request_heads(events: Sequence[Event]) -> list[RequestHead]:
    """The RequestHead events in ``events``."""
    return [e for e in events if isinstance(e, RequestHead)]
