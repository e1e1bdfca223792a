"""Opcodes, close codes and the message-level events the reader produces."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Final, TypeAlias

__all__ = [
    "NEED_DATA",
    "BinaryMessage",
    "Close",
    "Event",
    "Opcode",
    "Ping",
    "Pong",
    "Signal",
    "TextMessage",
    "is_valid_close_code",
]


class Opcode(enum.IntEnum):
    """Frame opcodes (RFC 6455 §5.2)."""

    CONTINUATION = 0x0
    TEXT = 0x1
    BINARY = 0x2
    CLOSE = 0x8
    PING = 0x9
    PONG = 0xA


class Signal(enum.Enum):
    """Non-event answers of :meth:`FrameReader.next_event`."""

    NEED_DATA = enum.auto()


#: More bytes are needed before the next event.
NEED_DATA: Final = Signal.NEED_DATA


@dataclass(frozen=True, slots=True)
class TextMessage:
    """A complete text message (all fragments joined, UTF-8 validated)."""

    data: str


@dataclass(frozen=True, slots=True)
class BinaryMessage:
    """A complete binary message (all fragments joined)."""

    data: bytes


@dataclass(frozen=True, slots=True)
class Ping:
    """A ping control frame; the other side answers with a pong of the same payload."""

    data: bytes = b""


@dataclass(frozen=True, slots=True)
class Pong:
    """A pong control frame."""

    data: bytes = b""


@dataclass(frozen=True, slots=True)
class Close:
    """A close frame: ``code`` is ``None`` when the frame had no body (RFC 6455 1005)."""

    code: int | None = None
    reason: str = ""


#: What :meth:`FrameReader.next_event` returns.
Event: TypeAlias = TextMessage | BinaryMessage | Ping | Pong | Close


def is_valid_close_code(code: int) -> bool:
    """Whether ``code`` may appear in a close frame on the wire.

    RFC 6455 §7.4: 1000-1003 and 1007-1011 are defined, 1012-1014 are registered
    with IANA; 1004 is reserved, 1005, 1006 and 1015 must never be sent; the rest of
    0-2999 is reserved; 3000-4999 belong to libraries and applications.
    """
    return 1000 <= code <= 1003 or 1007 <= code <= 1014 or 3000 <= code <= 4999
