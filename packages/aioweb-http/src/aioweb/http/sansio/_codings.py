"""Content codings of request bodies (RFC 9110 §8.4.1): gzip, deflate, br and zstd.

Decoders are incremental and bounded: ``decode`` never produces much more than it
is allowed to, so a small compressed body cannot become a large allocation.
``br`` needs ``brotli`` >= 1.2 (``process(output_buffer_limit=)``); ``zstd`` needs
``zstandard``, whose ``decompressobj`` has no output bound, so it is fed a few
bytes at a time: RFC 8878 §3.1.1.2 caps a block's output at 128 KiB and every
block costs at least 3 input bytes, which bounds the output of each call.
Without the library a coding gets 415.  The libraries are imported on first use.
"""

from __future__ import annotations

import functools
import importlib
import zlib
from types import ModuleType
from typing import Any, Final

from ._errors import ParseError

__all__ = ["SUPPORTED_CODINGS", "ContentDecoder", "make_content_decoder", "supported_codings"]

#: RFC 8878 §3.1.1.2: Block_Maximum_Size; and a block header is 3 bytes.
_ZSTD_BLOCK: Final = 128 * 1024
_ZSTD_BLOCK_HEADER: Final = 3
#: RFC 9659 §3: a decoder need not accept windows over 8 MiB (memory for the window).
_ZSTD_MAX_WINDOW: Final = 8 * 1024 * 1024
_ZSTD_MAX_STEP: Final = 4096


@functools.cache
def _library(name: str) -> ModuleType | None:
    try:
        module = importlib.import_module(name)
    except ImportError:
        return None
    if name == "brotli" and not hasattr(module.Decompressor(), "can_accept_more_data"):
        return None  # brotli < 1.2 cannot bound the output of one call
    return module


class _Zlib:
    """gzip and deflate (zlib-wrapped, or raw as some clients send it)."""

    __slots__ = ("_engine", "_raw_retry", "pending")

    def __init__(self, coding: str) -> None:
        self._raw_retry = coding == "deflate"
        wbits = zlib.MAX_WBITS if coding == "deflate" else 16 + zlib.MAX_WBITS
        self._engine = zlib.decompressobj(wbits)
        self.pending = b""

    def decompress(self, data: bytes, room: int) -> bytes:
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
        self.pending = engine.unconsumed_tail
        return out

    @property
    def eof(self) -> bool:
        return self._engine.eof


class _Brotli:
    """br (RFC 7932), with the output bound brotli 1.2 added."""

    __slots__ = ("_engine", "pending")

    def __init__(self, library: Any) -> None:
        self._engine = library.Decompressor()
        self.pending = b""

    def decompress(self, data: bytes, room: int) -> bytes:
        engine = self._engine
        out = engine.process(data, output_buffer_limit=room)
        while len(out) < room and not engine.can_accept_more_data():
            out += engine.process(b"", output_buffer_limit=room - len(out))
        return bytes(out)

    @property
    def eof(self) -> bool:
        return bool(self._engine.is_finished())


class _Zstd:
    """zstd (RFC 8878), fed in steps small enough to bound each call's output."""

    __slots__ = ("_engine", "_library", "pending")

    def __init__(self, library: Any) -> None:
        self._library = library
        self._engine = self._new()
        self.pending = b""

    def _new(self) -> Any:
        return self._library.ZstdDecompressor(max_window_size=_ZSTD_MAX_WINDOW).decompressobj()

    def decompress(self, data: bytes, room: int) -> bytes:
        # Each step completes at most step/3 + 1 blocks of at most 128 KiB each.
        step = min(_ZSTD_MAX_STEP, _ZSTD_BLOCK_HEADER * max(1, room // _ZSTD_BLOCK))
        view = memoryview(data)
        parts: list[bytes] = []
        produced = 0
        pos = 0
        while pos < len(view) and produced < room:
            if self._engine.eof:
                # RFC 8878 §3: the data may be several frames; a new one starts here.
                rest = self._engine.unused_data
                self._engine = self._new()
                if rest:
                    parts.append(self._engine.decompress(rest))
                    produced += len(parts[-1])
                    continue
            piece = self._engine.decompress(view[pos : pos + step])
            pos += step
            produced += len(piece)
            parts.append(piece)
        self.pending = bytes(view[pos:])
        return b"".join(parts)

    @property
    def eof(self) -> bool:
        return bool(self._engine.eof) and not self._engine.unused_data


_LIBRARIES: Final = {"br": "brotli", "zstd": "zstandard"}
_ERRORS: tuple[type[BaseException], ...] = (zlib.error, OSError, ValueError)


class ContentDecoder:
    """Decodes one request body; feed it the body bytes in order.

    Args:
        coding: ``gzip``, ``x-gzip``, ``deflate``, ``br`` or ``zstd``.
        limit: the most decoded bytes it will produce (more raises ParseError 413).

    Raises:
        ValueError: br or zstd without its library.
    """

    __slots__ = ("_coding", "_engine", "_errors", "_limit", "_produced")

    def __init__(self, coding: str, limit: int) -> None:
        self._coding = coding
        self._limit = limit
        self._produced = 0
        self._errors = _ERRORS
        self._engine: _Zlib | _Brotli | _Zstd
        if coding in _LIBRARIES:
            library = _library(_LIBRARIES[coding])
            if library is None:
                raise ValueError(f"{coding} needs the {_LIBRARIES[coding]!r} package")
            self._errors = (*_ERRORS, library.error if coding == "br" else library.ZstdError)
            self._engine = _Brotli(library) if coding == "br" else _Zstd(library)
        else:
            self._engine = _Zlib(coding)

    def decode(self, data: bytes) -> bytes:
        """Decode the next piece of the body.

        Raises:
            ParseError: 400 for corrupt data, 413 when the decoded body would pass
                ``limit``.
        """
        room = self._limit - self._produced + 1  # one byte more tells us it is too big
        engine = self._engine
        pending = engine.pending
        try:
            out = engine.decompress(pending + data if pending else data, room)
        except self._errors as exc:
            raise ParseError(400, f"invalid {self._coding} request body") from exc
        self._produced += len(out)
        if self._produced > self._limit:
            raise ParseError(413, f"decoded request body over {self._limit} bytes")
        return out

    def finish(self) -> None:
        """The body ended: check that the compressed stream was complete.

        Raises:
            ParseError: 400 when the stream is truncated.
        """
        if self._engine.pending:
            # A piece held back by the size bound: decoding it decides between
            # "too large" and "complete".
            self.decode(b"")
        if not self._engine.eof:
            raise ParseError(400, f"truncated {self._coding} request body")


#: The request content codings the server decodes without optional libraries.
SUPPORTED_CODINGS: Final = frozenset({"gzip", "x-gzip", "deflate"})


def supported_codings() -> frozenset[str]:
    """The request content codings this process decodes (br, zstd with their libraries)."""
    extra = {coding for coding, name in _LIBRARIES.items() if _library(name) is not None}
    return SUPPORTED_CODINGS | extra


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
    if coding not in SUPPORTED_CODINGS and (
        coding not in _LIBRARIES or _library(_LIBRARIES[coding]) is None
    ):
        raise ParseError(415, f"unsupported content coding {coding!r}")
    return ContentDecoder(coding, limit)
