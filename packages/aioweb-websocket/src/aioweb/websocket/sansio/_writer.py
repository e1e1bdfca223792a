"""The frame writer: messages and control frames out as bytes for one role."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable

from ._deflate import Deflater
from ._errors import WebSocketProtocolError
from ._events import Opcode, is_valid_close_code
from ._mask import PURE_MASKER, Masker, get_masker

__all__ = ["FrameWriter", "encode_frame", "encode_frame_parts"]


def encode_frame(
    opcode: int,
    payload: bytes,
    *,
    fin: bool = True,
    rsv1: bool = False,
    mask: bytes | None = None,
    masker: Masker = PURE_MASKER,
) -> bytes:
    """Serialize one frame (RFC 6455 §5.2); ``mask`` is the 4-byte key of a client frame.

    ``masker`` is the back-end that applies it (see :func:`get_masker`).
    """
    head = _head(opcode, len(payload), fin, rsv1, mask)
    if mask is None:
        return head + payload
    return head + masker.apply(payload, mask)


def encode_frame_parts(
    opcode: int,
    payload: bytes,
    *,
    fin: bool = True,
    rsv1: bool = False,
    mask: bytes | None = None,
    masker: Masker = PURE_MASKER,
) -> list[bytes]:
    """:func:`encode_frame` as ``[header, payload]``, to be written one after the other.

    A big payload is not copied behind its header: unmasked, the second piece is
    the payload object itself.
    """
    head = _head(opcode, len(payload), fin, rsv1, mask)
    return [head, payload if mask is None else masker.apply(payload, mask)]


def _head(opcode: int, n: int, fin: bool, rsv1: bool, mask: bytes | None) -> bytes:
    """The frame header, the masking key included (RFC 6455 §5.2)."""
    b0 = (0x80 if fin else 0) | (0x40 if rsv1 else 0) | opcode
    bit = 0x80 if mask is not None else 0
    if n < 126:
        head = bytes((b0, bit | n))
    elif n < 0x10000:
        head = bytes((b0, bit | 126)) + n.to_bytes(2, "big")
    else:
        head = bytes((b0, bit | 127)) + n.to_bytes(8, "big")
    return head if mask is None else head + mask


class FrameWriter:
    """Builds the frames one side of a connection sends. Performs no I/O.

    Args:
        client: ``True`` for the client role: every frame is masked.
        deflater: the permessage-deflate compressor when it was negotiated.
        mask_key: returns a fresh 4-byte masking key (default: ``os.urandom``;
            RFC 6455 §5.3 wants it unpredictable).
        masker: how a client's frames are masked (default ``get_masker("auto")``).
    """

    __slots__ = ("_client", "_deflater", "_mask_key", "_masker")

    def __init__(
        self,
        *,
        client: bool,
        deflater: Deflater | None = None,
        mask_key: Callable[[], bytes] | None = None,
        masker: Masker | None = None,
    ) -> None:
        self._client = client
        self._deflater = deflater
        self._mask_key = mask_key or (lambda: os.urandom(4))
        self._masker = masker or (get_masker("auto") if client else PURE_MASKER)

    @property
    def compressing(self) -> bool:
        """Whether permessage-deflate was negotiated for what we send."""
        return self._deflater is not None

    def _frame(self, opcode: int, payload: bytes, fin: bool = True, rsv1: bool = False) -> bytes:
        mask = self._mask_key() if self._client else None
        return encode_frame(opcode, payload, fin=fin, rsv1=rsv1, mask=mask, masker=self._masker)

    def message(self, data: bytes, *, text: bool, compress: bool = True) -> bytes:
        """One data message in one frame (compressed when negotiated and ``compress``)."""
        deflater = self._deflater
        if deflater is None or not compress:
            n = len(data)
            if n < 126 and not self._client:
                # The hot path of small server messages: FIN + opcode, the length, the data.
                return bytes((0x81 if text else 0x82, n)) + data
            return self._frame(Opcode.TEXT if text else Opcode.BINARY, data)
        return self._frame(
            Opcode.TEXT if text else Opcode.BINARY, deflater.compress(data), rsv1=True
        )

    def message_parts(self, data: bytes, *, text: bool, compress: bool = True) -> list[bytes]:
        """:meth:`message` as pieces to write in order: a big payload is not copied."""
        deflater = self._deflater
        rsv1 = deflater is not None and compress
        if deflater is not None and compress:
            data = deflater.compress(data)
        mask = self._mask_key() if self._client else None
        opcode = Opcode.TEXT if text else Opcode.BINARY
        return encode_frame_parts(opcode, data, rsv1=rsv1, mask=mask, masker=self._masker)

    def text(self, data: str, *, compress: bool = True) -> bytes:
        """A text message."""
        return self.message(data.encode("utf-8"), text=True, compress=compress)

    def binary(self, data: bytes, *, compress: bool = True) -> bytes:
        """A binary message."""
        return self.message(data, text=False, compress=compress)

    def fragments(self, parts: Iterable[bytes], *, text: bool) -> bytes:
        """One uncompressed message sent as one frame per part (at least one frame)."""
        chunks = list(parts) or [b""]
        out = []
        last = len(chunks) - 1
        for i, part in enumerate(chunks):
            opcode = (Opcode.TEXT if text else Opcode.BINARY) if i == 0 else Opcode.CONTINUATION
            out.append(self._frame(opcode, part, fin=i == last))
        return b"".join(out)

    def _control(self, opcode: int, payload: bytes) -> bytes:
        if len(payload) > 125:
            raise ValueError("a control frame carries at most 125 bytes (RFC 6455 §5.5)")
        return self._frame(opcode, payload)

    def ping(self, data: bytes = b"") -> bytes:
        """A ping frame (payload at most 125 bytes)."""
        return self._control(Opcode.PING, data)

    def pong(self, data: bytes = b"") -> bytes:
        """A pong frame (payload at most 125 bytes)."""
        return self._control(Opcode.PONG, data)

    def close(self, code: int | None = 1000, reason: str | bytes = b"") -> bytes:
        """A close frame; ``code=None`` sends an empty body.

        Raises:
            ValueError: a code that may not be sent, or a reason over 123 bytes.
        """
        if code is None:
            return self._control(Opcode.CLOSE, b"")
        if not is_valid_close_code(code):
            raise ValueError(f"close code {code} may not be sent (RFC 6455 §7.4)")
        raw = reason.encode("utf-8") if isinstance(reason, str) else reason
        return self._control(Opcode.CLOSE, code.to_bytes(2, "big") + raw)

    def close_for(self, error: WebSocketProtocolError) -> bytes:
        """The close frame that answers a protocol error (the reason cut to fit)."""
        reason = error.reason.encode("utf-8")[:120].decode("utf-8", "ignore")
        return self.close(error.close_code, reason)
