"""The optional content codings: ``br`` (brotli >= 1.2) and ``zstd`` (zstandard).

Both packages are imported lazily, once, at the first request that builds an
``Accept-Encoding`` header or meets such a body; a package that is missing (or
a brotli too old to bound its output) is simply not advertised.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any, Final

from ._errors import ClientPayloadError

__all__ = ["BrotliDecoder", "OptionalCodecs", "ZstdDecoder", "optional_codecs"]

_STEP: Final = 64 * 1024
# RFC 9659 §3: a "zstd" content coding uses a window of at most 8 MB, so a
# decoder need not allocate more (zstandard refuses larger frames with an error).
_ZSTD_WINDOW: Final = 8 * 2**20
_ZSTD_MAGIC: Final = 0xFD2FB528
_SKIPPABLE_LOW: Final = 0x184D2A50
_SKIPPABLE_HIGH: Final = 0x184D2A5F


@dataclass(frozen=True, slots=True)
class OptionalCodecs:
    """Which optional decoders are usable, and the ``Accept-Encoding`` that follows."""

    brotli: ModuleType | None
    zstandard: ModuleType | None
    accept_encoding: str


def _load(name: str, needed: str) -> ModuleType | None:
    try:
        module = importlib.import_module(name)
    except ImportError:
        return None
    return module if needed == "" or hasattr(module, needed) else None


@functools.cache
def optional_codecs() -> OptionalCodecs:
    """Import brotli and zstandard once; say which are usable."""
    brotli = _load("brotli", "Decompressor")
    if brotli is not None and not hasattr(brotli.Decompressor, "can_accept_more_data"):
        brotli = None  # before 1.2 the output of one call cannot be bounded
    zstandard = _load("zstandard", "ZstdDecompressor")
    codings = ["gzip", "deflate"]
    if brotli is not None:
        codings.append("br")
    if zstandard is not None:
        codings.append("zstd")
    return OptionalCodecs(brotli, zstandard, ", ".join(codings))


class _Bounded:
    """Counts decoded bytes against ``max_size`` and hands them on."""

    __slots__ = ("_coding", "_max_size", "_sink", "_total")

    def __init__(self, coding: str, sink: Callable[[bytes], None], max_size: int | None) -> None:
        self._coding = coding
        self._sink = sink
        self._max_size = max_size
        self._total = 0

    def write(self, out: bytes) -> int:
        self._total += len(out)
        if self._max_size is not None and self._total > self._max_size:
            raise ClientPayloadError(
                f"decoded {self._coding} body exceeds max_response_size ({self._max_size} bytes)"
            )
        self._sink(bytes(out))
        return len(out)


class BrotliDecoder:
    """Decode one ``br`` body (RFC 7932), at most 64 KiB of output per step."""

    __slots__ = ("_error", "_obj", "_out")

    def __init__(self, sink: Callable[[bytes], None], max_size: int | None) -> None:
        brotli = optional_codecs().brotli
        if brotli is None:  # pragma: no cover - make_decoder checks first
            raise RuntimeError("brotli >= 1.2 is not installed")
        self._obj: Any = brotli.Decompressor()
        self._error: type[Exception] = brotli.error
        self._out = _Bounded("br", sink, max_size)

    def feed(self, data: bytes) -> None:
        """Decode ``data``.

        Raises:
            ClientPayloadError: Invalid data, or too much output.
        """
        obj = self._obj
        try:
            if obj.is_finished():
                raise ClientPayloadError("data after the end of the br stream")
            out = obj.process(data, output_buffer_limit=_STEP)
            while True:
                if out:
                    self._out.write(out)
                if obj.can_accept_more_data():
                    return
                out = obj.process(b"", output_buffer_limit=_STEP)
                if not out:  # pragma: no cover - brotli always makes progress here
                    return
        except self._error as exc:
            raise ClientPayloadError(f"cannot decode br body: {exc}") from exc

    def finish(self) -> None:
        """Raise ClientPayloadError if the br stream is truncated."""
        if not self._obj.is_finished():
            raise ClientPayloadError("truncated br body")


class _ZstdFrames:
    """Follows the frame and block headers of RFC 8878 to know where frames end.

    zstandard's streaming writer does not say whether its input ended on a
    frame boundary; this scanner reads only the headers (no decoding), so a
    truncated body is reported instead of being returned short.
    """

    __slots__ = ("_buf", "_checksum", "_last", "_skip", "_then", "_want", "at_boundary")

    def __init__(self) -> None:
        self._buf = b""
        self._want = 4
        self._then: Callable[[bytes], None] = self._magic
        self._skip = 0
        self._last = False
        self._checksum = False
        self.at_boundary = True

    def scan(self, data: bytes) -> None:
        pos, size = 0, len(data)
        while pos < size:
            if self._skip:
                take = min(self._skip, size - pos)
                self._skip -= take
                pos += take
                if not self._skip:
                    self._after_block()
                continue
            piece = data[pos : pos + self._want - len(self._buf)]
            pos += len(piece)
            self._buf += piece
            if len(self._buf) == self._want:
                field, self._buf = self._buf, b""
                self._then(field)

    def _expect(self, want: int, then: Callable[[bytes], None]) -> None:
        self._want, self._then = want, then

    def _magic(self, field: bytes) -> None:
        self.at_boundary = False
        magic = int.from_bytes(field, "little")
        if magic == _ZSTD_MAGIC:
            self._expect(1, self._descriptor)
        elif _SKIPPABLE_LOW <= magic <= _SKIPPABLE_HIGH:
            self._expect(4, self._skippable)
        else:
            raise ClientPayloadError("cannot decode zstd body: not a zstd frame")

    def _descriptor(self, field: bytes) -> None:
        d = field[0]
        single = (d >> 5) & 1
        self._checksum = bool((d >> 2) & 1)
        fcs = (1 if single else 0, 2, 4, 8)[d >> 6]
        rest = (0 if single else 1) + (0, 1, 2, 4)[d & 3] + fcs
        if rest:
            self._expect(rest, lambda _: self._expect(3, self._block))
        else:
            self._expect(3, self._block)

    def _block(self, field: bytes) -> None:
        header = int.from_bytes(field, "little")
        kind = (header >> 1) & 3
        if kind == 3:
            raise ClientPayloadError("cannot decode zstd body: reserved block type")
        self._last = bool(header & 1)
        self._skip = 1 if kind == 1 else header >> 3
        if not self._skip:
            self._after_block()

    def _after_block(self) -> None:
        if not self._last:
            self._expect(3, self._block)
        elif self._checksum:
            self._expect(4, lambda _: self._frame_end())
        else:
            self._frame_end()

    def _skippable(self, field: bytes) -> None:
        self._last, self._checksum = True, False
        self._skip = int.from_bytes(field, "little")
        if not self._skip:
            self._frame_end()

    def _frame_end(self) -> None:
        self.at_boundary = True
        self._expect(4, self._magic)


class ZstdDecoder:
    """Decode one ``zstd`` body (RFC 8878), at most 64 KiB of output per step."""

    __slots__ = ("_error", "_frames", "_started", "_writer")

    def __init__(self, sink: Callable[[bytes], None], max_size: int | None) -> None:
        zstandard = optional_codecs().zstandard
        if zstandard is None:  # pragma: no cover - make_decoder checks first
            raise RuntimeError("zstandard is not installed")
        dctx = zstandard.ZstdDecompressor(max_window_size=_ZSTD_WINDOW)
        # The writer hands each piece of at most write_size bytes to the bound
        # at once; the bound raising stops decoding in the middle of the input.
        self._writer: Any = dctx.stream_writer(_Bounded("zstd", sink, max_size), write_size=_STEP)
        self._error: type[Exception] = zstandard.ZstdError
        self._frames = _ZstdFrames()
        self._started = False

    def feed(self, data: bytes) -> None:
        """Decode ``data``.

        Raises:
            ClientPayloadError: Invalid data, or too much output.
        """
        if data:
            self._started = True
        self._frames.scan(data)
        try:
            self._writer.write(data)
        except self._error as exc:
            raise ClientPayloadError(f"cannot decode zstd body: {exc}") from exc

    def finish(self) -> None:
        """Raise ClientPayloadError if the zstd stream is truncated."""
        if self._started and not self._frames.at_boundary:
            raise ClientPayloadError("truncated zstd body")
