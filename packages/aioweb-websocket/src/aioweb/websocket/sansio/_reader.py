"""The frame parser: bytes from the peer in, complete messages and control frames out."""

from __future__ import annotations

import codecs
from typing import Final, Literal

from ._deflate import Inflater
from ._errors import WebSocketProtocolError
from ._events import (
    NEED_DATA,
    BinaryMessage,
    Event,
    Ping,
    Pong,
    Signal,
    TextMessage,
)
from ._fastpath import BIG, parse_close, whole_frame
from ._mask import Masker, get_masker

__all__ = ["DEFAULT_MAX_MSG_SIZE", "FrameReader"]

#: Default bound on one message (after inflation), DESIGN's 4 MiB.
DEFAULT_MAX_MSG_SIZE: Final = 4 * 1024 * 1024

_PROTOCOL_ERROR: Final = 1002
_INVALID_DATA: Final = 1007
_TOO_BIG: Final = 1009
_CONTROL: Final = frozenset((0x8, 0x9, 0xA))
_DATA: Final = frozenset((0x1, 0x2))
_Utf8Decoder = codecs.getincrementaldecoder("utf-8")


def _fail(code: int, reason: str) -> WebSocketProtocolError:
    return WebSocketProtocolError(code, reason)


class FrameReader:
    """Turn the bytes of one WebSocket connection into events. Performs no I/O.

    Args:
        client: ``True`` when we are the client (frames from the server must be
            unmasked); ``False`` on the server (frames must be masked).
        max_msg_size: the largest message, in bytes after inflation; ``0``: no bound.
        inflater: the permessage-deflate decompressor when it was negotiated
            (RSV1 is a protocol error otherwise).
        masker: how masked payloads are unmasked (default ``get_masker("auto")``).
    """

    __slots__ = (
        "_apply",
        "_buf",
        "_closed",
        "_ctrl",
        "_decoder",
        "_fin",
        "_inflater",
        "_into",
        "_mask",
        "_max",
        "_msg_compressed",
        "_msg_opcode",
        "_msg_parts",
        "_msg_size",
        "_msg_text",
        "_msg_total",
        "_offset",
        "_opcode",
        "_pos",
        "_remaining",
        "_want_mask",
    )

    def __init__(
        self,
        *,
        client: bool,
        max_msg_size: int = DEFAULT_MAX_MSG_SIZE,
        inflater: Inflater | None = None,
        masker: Masker | None = None,
    ) -> None:
        if max_msg_size < 0:
            raise ValueError("max_msg_size must be >= 0 (0: no bound)")
        self._want_mask = not client
        self._max = max_msg_size
        self._inflater = inflater
        if masker is None:
            masker = get_masker("auto")
        self._apply = masker.apply
        self._into = masker.into
        # What was fed and not parsed yet starts at ``_pos``. When everything fed
        # was parsed, the next ``bytes`` fed becomes the buffer as it is (no copy);
        # it turns into a bytearray only when more is appended to a remainder.
        self._buf: bytes | bytearray = b""
        self._pos = 0
        self._closed = False
        # The frame being read: -1 while waiting for a header.
        self._remaining = -1
        self._opcode = 0
        self._fin = True
        self._mask: bytes | None = None
        self._offset = 0
        self._ctrl: list[bytes] = []
        # The data message being assembled: opcode 0 means none.
        self._msg_opcode = 0
        self._msg_compressed = False
        self._msg_parts: list[bytes] = []
        self._msg_size = 0  # wire bytes, checked against max_msg_size from each header
        self._msg_total = 0  # bytes after inflation, checked as they come out
        self._msg_text: list[str] = []
        self._decoder: codecs.IncrementalDecoder | None = None

    def feed(self, data: bytes | bytearray | memoryview) -> None:
        """Buffer bytes from the peer (ignored after a close frame was read).

        A ``bytes`` object fed when nothing is pending becomes the buffer as it is
        (no copy); anything else is copied, so the caller may reuse its buffer.
        """
        if self._closed:
            return
        buf = self._buf
        pos = self._pos
        if pos >= len(buf):
            self._buf = data if isinstance(data, bytes) else bytes(data)
            self._pos = 0
            return
        if isinstance(buf, bytearray):
            if pos:
                del buf[:pos]
        else:
            buf = self._buf = bytearray(memoryview(buf)[pos:])
        self._pos = 0
        buf += data

    def next_event(self) -> Event | Literal[Signal.NEED_DATA]:
        """Return the next event, or ``NEED_DATA``.

        Raises:
            WebSocketProtocolError: the peer broke the protocol or a limit;
                ``close_code`` says how to close.
        """
        while not self._closed:
            if self._remaining < 0:
                if len(self._buf) - self._pos < 2:
                    return NEED_DATA
                if not self._msg_opcode:
                    whole = whole_frame(
                        self._buf, self._pos, self._want_mask, self._max, self._apply
                    )
                    if whole is not None:
                        self._pos = whole[1]
                        return whole[0]
                if not self._read_header():
                    return NEED_DATA
            event = self._read_payload()
            if event is NEED_DATA:
                return NEED_DATA
            if event is not None:
                return event
        return NEED_DATA

    # -- header ----------------------------------------------------------------------

    def _read_header(self) -> bool:
        buf = self._buf
        pos = self._pos
        avail = len(buf) - pos
        if avail < 2:
            return False
        b0 = buf[pos]
        b1 = buf[pos + 1]
        opcode = b0 & 0x0F
        fin = bool(b0 & 0x80)
        if b0 & 0x30:
            raise _fail(_PROTOCOL_ERROR, "RSV2/RSV3 set without an extension")
        rsv1 = bool(b0 & 0x40)
        masked = bool(b1 & 0x80)
        if masked is not self._want_mask:
            # RFC 6455 §5.1: a server closes on an unmasked frame, a client on a masked one.
            raise _fail(_PROTOCOL_ERROR, "masked frame" if masked else "unmasked client frame")
        length = b1 & 0x7F
        if opcode in _CONTROL:
            # §5.5: control frames are never fragmented and carry at most 125 bytes.
            if not fin:
                raise _fail(_PROTOCOL_ERROR, "fragmented control frame")
            if length > 125:
                raise _fail(_PROTOCOL_ERROR, "control frame payload over 125 bytes")
            if rsv1:
                raise _fail(_PROTOCOL_ERROR, "RSV1 set on a control frame")
        elif opcode in _DATA:
            if self._msg_opcode:
                raise _fail(_PROTOCOL_ERROR, "new message inside a fragmented message")
            if rsv1 and self._inflater is None:
                raise _fail(_PROTOCOL_ERROR, "RSV1 set without permessage-deflate")
        elif opcode == 0:
            if not self._msg_opcode:
                raise _fail(_PROTOCOL_ERROR, "continuation frame without a message")
            if rsv1:
                raise _fail(_PROTOCOL_ERROR, "RSV1 set on a continuation frame")
        else:
            raise _fail(_PROTOCOL_ERROR, f"reserved opcode {opcode:#x}")
        need = 2 + (4 if masked else 0) + (2 if length == 126 else 8 if length == 127 else 0)
        if avail < need:
            return False
        i = pos + 2
        if length == 126:
            length = int.from_bytes(buf[i : i + 2], "big")
            i += 2
        elif length == 127:
            length = int.from_bytes(buf[i : i + 8], "big")
            i += 8
            if length >> 63:
                raise _fail(_PROTOCOL_ERROR, "64-bit payload length with the top bit set")
        if opcode not in _CONTROL:
            # Refuse from the header, before a byte of the payload is kept (§10.4).
            if self._max and self._msg_size + length > self._max:
                raise _fail(_TOO_BIG, f"message over {self._max} bytes")
            if opcode:
                self._msg_opcode = opcode
                self._msg_compressed = rsv1
                self._msg_size = 0
                if opcode == 0x1 and not (fin and not rsv1 and avail - need >= length):
                    self._decoder = _Utf8Decoder()
            self._msg_size += length
        if masked:
            self._mask = bytes(buf[i : i + 4])
            i += 4
        self._pos = i
        self._opcode = opcode
        self._fin = fin
        self._remaining = length
        self._offset = 0
        return True

    # -- payload ---------------------------------------------------------------------

    def _take(self) -> bytes | None:
        """Up to the rest of the current frame's payload, unmasked; None: wait."""
        remaining = self._remaining
        buf = self._buf
        pos = self._pos
        n = min(remaining, len(buf) - pos)
        if n <= 0 and remaining:
            return None
        self._pos = pos + n
        self._remaining = remaining - n
        mask = self._mask
        if mask is None:
            return bytes(buf[pos : pos + n])
        chunk = self._apply(buf[pos : pos + n], mask, self._offset)
        self._offset += n
        return chunk

    def _take_parts(self) -> bool:
        """Unmask what is here of a big frame of an uncompressed binary message
        straight into the message's parts; ``False``: nothing here, wait."""
        remaining = self._remaining
        buf = self._buf
        pos = self._pos
        n = min(remaining, len(buf) - pos)
        if n <= 0:
            return False
        mask = self._mask
        assert mask is not None  # only called for masked frames
        offset = self._offset & 3
        if offset:
            mask = mask[offset:] + mask[:offset]
        with memoryview(buf) as view:
            self._into(self._msg_parts, view[pos : pos + n], mask)
        self._pos = pos + n
        self._remaining = remaining - n
        self._offset += n
        self._msg_total += n
        return True

    def _read_payload(self) -> Event | Literal[Signal.NEED_DATA] | None:
        opcode = self._opcode
        if opcode in _CONTROL:
            return self._read_control()
        if (
            self._mask is not None
            and self._remaining > BIG
            and self._decoder is None
            and not self._msg_compressed
            and self._msg_opcode == 0x2
        ):
            # A big frame of an uncompressed binary message (text has a decoder unless
            # it came whole): piece by piece into the message's parts.
            if not self._take_parts():
                return NEED_DATA
            if self._remaining:
                return NEED_DATA
            self._remaining = -1
            return self._finish_message() if self._fin else None
        chunk = self._take()
        if chunk is None:
            return NEED_DATA
        done = self._remaining == 0
        final = done and self._fin
        if done:
            self._remaining = -1
        if (
            final
            and opcode
            and not self._msg_parts
            and self._decoder is None
            and not self._msg_compressed
        ):
            # The common case: a whole, uncompressed, unfragmented message.
            self._msg_opcode = 0
            self._msg_size = 0
            if opcode == 0x2:
                return BinaryMessage(chunk)
            try:
                return TextMessage(chunk.decode("utf-8"))
            except UnicodeDecodeError as exc:
                raise _fail(_INVALID_DATA, "invalid UTF-8 in a text message") from exc
        inflater = self._inflater
        if self._msg_compressed and inflater is not None:
            room = self._max - self._msg_total if self._max else -1
            chunk = inflater.inflate(chunk, room, final=final)
        self._add_data(chunk, final)
        if not final:
            return None if done or chunk else NEED_DATA
        return self._finish_message()

    def _add_data(self, chunk: bytes, final: bool) -> None:
        self._msg_total += len(chunk)
        decoder = self._decoder
        if decoder is None:
            if chunk:
                self._msg_parts.append(chunk)
            return
        try:
            # Incremental: invalid UTF-8 fails as soon as the bad byte is seen.
            text = decoder.decode(chunk, final)
        except UnicodeDecodeError as exc:
            raise _fail(_INVALID_DATA, "invalid UTF-8 in a text message") from exc
        if text:
            self._msg_text.append(text)

    def _finish_message(self) -> Event:
        opcode = self._msg_opcode
        self._msg_opcode = 0
        self._msg_size = 0
        self._msg_total = 0
        self._msg_compressed = False
        if self._decoder is not None:
            self._decoder = None
            text = "".join(self._msg_text)
            self._msg_text = []
            return TextMessage(text)
        parts = self._msg_parts
        self._msg_parts = []
        data = parts[0] if len(parts) == 1 else b"".join(parts)
        if opcode == 0x2:
            return BinaryMessage(data)
        try:
            return TextMessage(data.decode("utf-8"))
        except UnicodeDecodeError as exc:  # pragma: no cover - text always has a decoder
            raise _fail(_INVALID_DATA, "invalid UTF-8 in a text message") from exc

    def _read_control(self) -> Event | Literal[Signal.NEED_DATA] | None:
        chunk = self._take()
        if chunk is None:
            return NEED_DATA
        if self._remaining:
            self._ctrl.append(chunk)
            return NEED_DATA
        self._remaining = -1
        if self._ctrl:
            self._ctrl.append(chunk)
            chunk = b"".join(self._ctrl)
            self._ctrl = []
        opcode = self._opcode
        if opcode == 0x9:
            return Ping(chunk)
        if opcode == 0xA:
            return Pong(chunk)
        self._closed = True
        self._buf = b""
        self._pos = 0
        return parse_close(chunk)
