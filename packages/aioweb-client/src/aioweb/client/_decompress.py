"""Content-coding decoders for response bodies, bounded in output size.

gzip and deflate are decoded with zlib (standard library); ``br`` when the
``brotli`` package (>= 1.2) is installed, ``zstd`` when ``zstandard`` is. Output
is produced in bounded steps (zlib's ``max_length``, brotli's
``output_buffer_limit``, zstandard's ``write_size`` with a sink that raises), so
one small input chunk of a "zip bomb" cannot expand into unbounded memory
before the size limit is checked. The optional modules are imported at the
first request, never at import time.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from typing import Final, Protocol

from ._codecs_extra import BrotliDecoder, ZstdDecoder, optional_codecs
from ._errors import ClientPayloadError

__all__ = ["BodyDecoder", "accept_encoding", "make_decoder"]

_STEP: Final = 64 * 1024
# RFC 1950 §2.2: CMF (method 8 = deflate) and FLG make a multiple of 31.
_ZLIB_METHOD: Final = 8


class BodyDecoder(Protocol):
    """What the protocol feeds a compressed body into."""

    def feed(self, data: bytes) -> None:
        """Decode ``data``; raise ClientPayloadError on bad data or too much output."""

    def finish(self) -> None:
        """The body ended; raise ClientPayloadError if the compressed stream did not."""


class ZlibDecoder:
    """Decode one gzip or deflate body, calling ``sink`` with the decoded bytes.

    Args:
        coding: ``gzip`` (or ``x-gzip``) or ``deflate``.
        sink: Receives decoded data, in pieces of at most 64 KiB.
        max_size: The most decoded bytes accepted, or None for no bound.
    """

    __slots__ = ("_coding", "_max_size", "_obj", "_sink", "_started", "_total")

    def __init__(self, coding: str, sink: Callable[[bytes], None], max_size: int | None) -> None:
        self._coding = coding
        self._sink = sink
        self._max_size = max_size
        self._total = 0
        self._started = False
        self._obj: zlib._Decompress | None = None

    def _new_obj(self, first: bytes) -> zlib._Decompress:
        if self._coding != "deflate":
            return zlib.decompressobj(16 + zlib.MAX_WBITS)
        # "deflate" is the zlib format (RFC 9110 §8.4.1.2), but some servers
        # send raw deflate data; the zlib header tells the two apart.
        if (
            len(first) >= 2
            and first[0] & 0x0F == _ZLIB_METHOD
            and ((first[0] << 8) | first[1]) % 31 == 0
        ):
            return zlib.decompressobj(zlib.MAX_WBITS)
        return zlib.decompressobj(-zlib.MAX_WBITS)

    def feed(self, data: bytes) -> None:
        """Decode ``data``.

        Raises:
            ClientPayloadError: The data is not valid for the coding, or the
                decoded size passed ``max_size``.
        """
        self._started = True
        while data:
            obj = self._obj
            if obj is None:
                obj = self._obj = self._new_obj(data)
            elif obj.eof:
                # RFC 1952 §2.2: a gzip file is a series of members.
                if self._coding == "deflate":
                    raise ClientPayloadError("data after the end of the deflate stream")
                obj = self._obj = self._new_obj(data)
            try:
                out = obj.decompress(data, _STEP)
            except zlib.error as exc:
                raise ClientPayloadError(f"cannot decode {self._coding} body: {exc}") from exc
            data = obj.unconsumed_tail or (obj.unused_data if obj.eof else b"")
            if out:
                self._emit(out)

    def _emit(self, out: bytes) -> None:
        self._total += len(out)
        if self._max_size is not None and self._total > self._max_size:
            raise ClientPayloadError(
                f"decoded {self._coding} body exceeds max_response_size ({self._max_size} bytes)"
            )
        self._sink(out)

    def finish(self) -> None:
        """Check that the compressed stream ended with the body.

        Raises:
            ClientPayloadError: The compressed data is truncated.
        """
        obj = self._obj
        if not self._started or obj is None:
            return
        if not obj.eof:
            try:
                out = obj.flush()
            except zlib.error as exc:  # pragma: no cover - flush rarely fails
                raise ClientPayloadError(f"cannot decode {self._coding} body: {exc}") from exc
            if out:
                self._emit(out)
            if not obj.eof:
                raise ClientPayloadError(f"truncated {self._coding} body")


def make_decoder(
    content_encoding: str | None, sink: Callable[[bytes], None], max_size: int | None
) -> BodyDecoder | None:
    """A decoder for ``content_encoding``, or None when the body is passed as is.

    A coding this client does not decode (``br`` or ``zstd`` without their
    package, a list of several codings) leaves the body encoded, as aiohttp
    does for unknown codings.
    """
    if not content_encoding:
        return None
    coding = content_encoding.strip().lower()
    if coding in ("gzip", "x-gzip", "deflate"):
        return ZlibDecoder("deflate" if coding == "deflate" else "gzip", sink, max_size)
    if coding == "br" and optional_codecs().brotli is not None:
        return BrotliDecoder(sink, max_size)
    if coding == "zstd" and optional_codecs().zstandard is not None:
        return ZstdDecoder(sink, max_size)
    return None


def accept_encoding() -> str:
    """The ``Accept-Encoding`` sent with automatic decompression: only what can be decoded."""
    codecs = optional_codecs()
    return codecs.accept_encoding
