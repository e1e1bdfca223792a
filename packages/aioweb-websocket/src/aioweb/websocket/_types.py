"""The aiohttp-compatible message types: ``WSMsgType``, ``WSMessage``, ``WSCloseCode``."""

from __future__ import annotations

import enum
import json
from collections.abc import Callable
from typing import Any, NamedTuple

__all__ = ["WSCloseCode", "WSMessage", "WSMsgType"]


class WSMsgType(enum.IntEnum):
    """The kind of a :class:`WSMessage` (aiohttp's values)."""

    CONTINUATION = 0x0
    TEXT = 0x1
    BINARY = 0x2
    PING = 0x9
    PONG = 0xA
    CLOSE = 0x8
    CLOSING = 0x100
    CLOSED = 0x101
    ERROR = 0x102


class WSCloseCode(enum.IntEnum):
    """Close codes (RFC 6455 §7.4.1 and the IANA registry)."""

    OK = 1000
    GOING_AWAY = 1001
    PROTOCOL_ERROR = 1002
    UNSUPPORTED_DATA = 1003
    NO_STATUS_RECEIVED = 1005
    ABNORMAL_CLOSURE = 1006
    INVALID_TEXT = 1007
    POLICY_VIOLATION = 1008
    MESSAGE_TOO_BIG = 1009
    MANDATORY_EXTENSION = 1010
    INTERNAL_ERROR = 1011
    SERVICE_RESTART = 1012
    TRY_AGAIN_LATER = 1013
    BAD_GATEWAY = 1014


class WSMessage(NamedTuple):
    """One received message: ``data`` is str (TEXT), bytes (BINARY/PING/PONG), the close
    code (CLOSE), the exception (ERROR) or ``None``; ``extra`` is the close reason."""

    type: WSMsgType
    data: Any
    extra: Any

    def json(self, *, loads: Callable[[Any], Any] = json.loads) -> Any:
        """The data of a TEXT or BINARY message parsed as JSON."""
        return loads(self.data)
