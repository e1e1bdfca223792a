"""The frame reader's common cases: a whole small frame in one slice, a close body."""

from __future__ import annotations

from typing import Final

from ._errors import WebSocketProtocolError
from ._events import BinaryMessage, Close, TextMessage, is_valid_close_code
from ._mask import MaskFunc, apply_mask

__all__ = ["BIG", "parse_close", "whole_frame"]

#: Payload pieces past this size are unmasked from a view of the buffer, in slices
#: that go straight into the message (no copy of the piece first).
BIG: Final = 16384
_WHOLE: Final = frozenset((0x81, 0x82))  # FIN, no RSV bit, TEXT or BINARY


def whole_frame(
    buf: bytes | bytearray,
    pos: int,
    want_mask: bool,
    max_size: int,
    unmask: MaskFunc = apply_mask,
) -> tuple[TextMessage | BinaryMessage, int] | None:
    """A complete, final, uncompressed text or binary frame at ``buf[pos:]``, and its end.

    The hot path of small messages: one header check and one slice. Anything
    else (fragments, control frames, RSV bits, 64-bit lengths, a frame not all
    here, anything invalid) returns ``None`` and goes the general way, which
    also produces the errors.

    Raises:
        WebSocketProtocolError: a whole text frame that is not UTF-8 (1007).
    """
    avail = len(buf) - pos
    if avail < 2:
        return None
    b0 = buf[pos]
    b1 = buf[pos + 1]
    if b0 not in _WHOLE or bool(b1 & 0x80) is not want_mask:
        return None
    length = b1 & 0x7F
    start = pos + 2
    if length == 126:
        if avail < 4:
            return None
        length = (buf[start] << 8) | buf[start + 1]
        start += 2
    elif length == 127:
        return None
    if max_size and length > max_size:
        return None
    if want_mask:
        end = start + 4 + length
        if end > len(buf):
            return None
        mask = bytes(buf[start : start + 4])
        if length > BIG:
            with memoryview(buf) as view:
                payload = unmask(view[start + 4 : end], mask)
        else:
            payload = unmask(buf[start + 4 : end], mask)
    else:
        end = start + length
        if end > len(buf):
            return None
        payload = bytes(buf[start:end])
    if b0 == 0x82:
        return BinaryMessage(payload), end
    try:
        return TextMessage(payload.decode("utf-8")), end
    except UnicodeDecodeError as exc:
        raise WebSocketProtocolError(1007, "invalid UTF-8 in a text message") from exc


def parse_close(payload: bytes) -> Close:
    """The body of a close frame (RFC 6455 §5.5.1): empty, or a code and UTF-8 reason.

    Raises:
        WebSocketProtocolError: a 1-byte body or an invalid code (1002), a reason
            that is not UTF-8 (1007).
    """
    if not payload:
        return Close()
    if len(payload) == 1:
        raise WebSocketProtocolError(1002, "close frame with a 1-byte body")
    code = int.from_bytes(payload[:2], "big")
    if not is_valid_close_code(code):
        raise WebSocketProtocolError(1002, f"invalid close code {code}")
    try:
        reason = payload[2:].decode("utf-8")
    except UnicodeDecodeError as exc:
        raise WebSocketProtocolError(1007, "close reason is not UTF-8") from exc
    return Close(code, reason)
