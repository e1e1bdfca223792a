"""Content codings of request bodies (RFC 9110 §8.4.1): gzip and deflate.

Decoders are incremental and bounded: ``decode`` never produces more than it is
allowed to, so a small compressed body cannot become a large allocation. br and
zstd are not decoded yet: their Python bindings cannot bound the output of one
call, which is exactly what a decompression bomb exploits; they get 415.
"""

from __future__ import annotations

import zlib
from typing import Final

from ._errors import ParseError

__all__ = ["SUPPORTED_CODINGS", "ContentDecoder", "make_content_decoder"]


class ContentDecoder:
    """Decodes one request body; feed it the body bytes in order.

    Args:
        coding: ``gzip``, ``x-gzip`` or ``deflate``.
        limit: the most decoded bytes it will produce (more raises ParseError 413).
    """

    __slots__ = ("_coding", "_engine", "_limit", "_pending", "_produced", "_raw_retry")

    def __init__(self, coding: str, limit: int) -> None:
        self._coding = coding
        self._limit = limit
        self._produced = 0
        self._pending = b""
        self._raw_retry = coding == "deflate"
        self._engine = _new_engine(coding)

    def decode(self, data: bytes) -> bytes:
        """Decode the next piece of the body.

        Raises:
            ParseError: 400 for corrupt data, 413 when the decoded body would pass
                ``limit``.
        """
        room = self._limit - self._produced + 1  # one byte more tells us it is too big
        try:
            out = self._decompress(self._pending + data, room)
        except (zlib.error, OSError, ValueError) as exc:
            raise ParseError(400, f"invalid {self._coding} request body") from exc
        self._produced += len(out)
        if self._produced > self._limit:
            raise ParseError(413, f"decoded request body over {self._limit} bytes")
        return out

    def _decompress(self, data: bytes, room: int) -> bytes:
        engine = self._engine
        try:
            out = engine.decompress(data, room)
        except zlib.error:
            if not self._raw_retry:
                raise
            # RFC 9110 says "deflate" is zlib-wrapped; some clients send raw deflate.
            self._raw_retry = False
            self._engine = engine = zlib.decompressobj(-zlib.MAX_WBITS)
            out = engine.decompress(data, room)
        self._raw_retry = False
        # Input zlib did not get to because of max_length: decoded with the next piece.
        self._pending = engine.unconsumed_tail
        return out

    def finish(self) -> None:
        """The body ended: check that the compressed stream was complete.

        Raises:
            ParseError: 400 when the stream is truncated.
        """
        if self._pending:
            # A piece held back by the size bound: decoding it decides between
            # "too large" and "complete".
            self.decode(b"")
        if not self._engine.eof:
            raise ParseError(400, f"truncated {self._coding} request body")


#: The request content codings the server decodes.
SUPPORTED_CODINGS: Final = frozenset({"gzip", "x-gzip", "deflate"})


def _new_engine(coding: str) -> zlib._Decompress:
    wbits = zlib.MAX_WBITS if coding == "deflate" else 16 + zlib.MAX_WBITS
    return zlib.decompressobj(wbits)


def make_content_decoder(header: bytes, limit: int) -> ContentDecoder | None:
    """A decoder for a ``Content-Encoding`` value, or None for ``identity``.

    Raises:
        ParseError: 415 for a coding this process cannot decode, or several codings.
    """
    coding = header.strip().lower().decode("latin-1")
    if coding in ("", "identity"):
        return None
    if "," in coding:
        raise ParseError(415, "more than one content coding in a request")
    if coding not in SUPPORTED_CODINGS:
        raise ParseError(415, f"unsupported content coding {coding!r}")
    return ContentDecoder(coding, limit)
