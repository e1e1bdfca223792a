"""Content codings of response bodies (RFC 9110 §8.4.1, §12.5.3): negotiation and compressors.

``negotiate_coding`` picks a coding from ``Accept-Encoding``; ``make_compressor``
returns an incremental compressor for it.  ``zstd`` (the ``zstandard`` package)
and ``br`` (the ``brotli`` package) are offered only when their library imports;
the libraries are imported on first use, never when this module is imported.
"""

from __future__ import annotations

import enum
import importlib
import re
import sys
import zlib
from collections.abc import MutableMapping
from types import ModuleType
from typing import Any, Final, Protocol

from multidict import MultiMapping

__all__ = [
    "Compressor",
    "ContentCoding",
    "add_vary",
    "available_codings",
    "make_compressor",
    "negotiate_coding",
]


class ContentCoding(enum.Enum):
    """A content coding (the ``Content-Encoding`` token is the value)."""

    deflate = "deflate"
    gzip = "gzip"
    br = "br"
    zstd = "zstd"
    identity = "identity"


#: Codings in the server's order of preference (used to break ties in q-values).
_PREFERENCE: Final = (
    ContentCoding.zstd,
    ContentCoding.br,
    ContentCoding.gzip,
    ContentCoding.deflate,
)
_LIBRARY: Final = {ContentCoding.zstd: "zstandard", ContentCoding.br: "brotli"}
_ZSTD_LEVEL: Final = 3
_BROTLI_QUALITY: Final = 4  # fast enough for dynamic responses (11, the default, is not)


#: RFC 9110 §12.4.2: qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] )
_QVALUE: Final = re.compile(r"(?:0(?:\.[0-9]{0,3})?|1(?:\.0{0,3})?)\Z")
#: Libraries whose import failed: not retried on every response.
_MISSING: Final[set[str]] = set()


def _library(name: str) -> ModuleType | None:
    if name in sys.modules:
        # ``sys.modules[name] = None`` blocks an import (how tests and embedders hide one).
        found: ModuleType | None = sys.modules[name]
        return found
    if name in _MISSING:
        return None
    try:
        return importlib.import_module(name)
    except ImportError:
        _MISSING.add(name)
        return None


def available_codings() -> tuple[ContentCoding, ...]:
    """The codings this process can compress with, most preferred first.

    ``zstd`` and ``br`` appear only when ``zstandard`` / ``brotli`` import.
    """
    return tuple(c for c in _PREFERENCE if c not in _LIBRARY or _library(_LIBRARY[c]))


def _parse_q(params: list[str]) -> float | None:
    q = 1.0
    for param in params:
        key, _, value = param.partition("=")
        if key.strip().lower() == "q":
            value = value.strip()
            if not _QVALUE.match(value):
                return None  # a malformed weight: ignore the whole entry, never guess
            q = float(value)
    return q


def _weights(accept_encoding: str) -> dict[str, float]:
    weights: dict[str, float] = {}
    for item in accept_encoding.split(","):
        token, *params = item.split(";")
        token = token.strip().lower()
        if not token:
            continue
        q = _parse_q(params)
        if q is not None:
            weights[token] = max(q, weights.get(token, q))
    if "x-gzip" in weights and "gzip" not in weights:
        weights["gzip"] = weights["x-gzip"]  # RFC 9110 §8.4.1.3: x-gzip is gzip
    return weights


def negotiate_coding(
    accept_encoding: str | None, available: tuple[ContentCoding, ...] | None = None
) -> ContentCoding | None:
    """The coding to compress a response with, from the request's ``Accept-Encoding``.

    RFC 9110 §12.5.3: each listed coding has a weight (``q``, default 1); ``q=0``
    rules a coding out; ``*`` stands for every coding not listed.  The highest
    weight wins, ties go to the server's preference (zstd, br, gzip, deflate).
    No header, or ``identity`` weighted above every coding, means no compression.

    Args:
        accept_encoding: the header value (``None``: the request had none).
        available: the codings to choose from (default: ``available_codings()``).

    Returns:
        The chosen coding, or ``None`` to send the body as it is.
    """
    if not accept_encoding:
        return None
    weights = _weights(accept_encoding)
    star = weights.get("*")
    best: ContentCoding | None = None
    best_q = 0.0
    for coding in available if available is not None else available_codings():
        q = weights.get(coding.value, star if star is not None else 0.0)
        if q > best_q:
            best, best_q = coding, q
    if best is None:
        return None
    identity_q = weights.get("identity")
    if identity_q is not None and identity_q > best_q:
        return None
    return best


class Compressor(Protocol):
    """An incremental compressor: ``compress`` pieces in order, then ``flush`` once."""

    @property
    def coding(self) -> ContentCoding:
        """The coding this compressor produces."""
        ...

    def compress(self, data: bytes, /) -> bytes:
        """Compress the next piece (the output may be empty until more input comes)."""
        ...

    def flush(self) -> bytes:
        """End the stream and return what remains."""
        ...


class _Wrapped:
    """A ``Compressor`` over a library object with ``compress``-like and ``flush``-like calls."""

    __slots__ = ("_compress", "_flush", "coding")

    def __init__(self, coding: ContentCoding, compress: Any, flush: Any) -> None:
        self.coding = coding
        self._compress = compress
        self._flush = flush

    def compress(self, data: bytes, /) -> bytes:
        return bytes(self._compress(data))

    def flush(self) -> bytes:
        return bytes(self._flush())


def make_compressor(
    coding: ContentCoding,
    *,
    level: int | None = None,
    strategy: int | None = None,
    size: int | None = None,
) -> Compressor:
    """A new compressor for ``coding``.

    Args:
        coding: gzip, deflate (zlib-wrapped, RFC 9110 §8.4.1.2), br or zstd.
        level: the compression level (the library's own scale; default: a fast one).
        strategy: a ``zlib`` strategy (gzip and deflate only).
        size: the exact total input length, when known: zstd records it in the frame
            header (RFC 8878 §3.1.1.1.4), which one-shot decoders need; feeding a
            different length then fails at ``flush``. Ignored by the other codings.

    Raises:
        ValueError: ``identity``, or br/zstd without their library installed.
    """
    if coding in (ContentCoding.gzip, ContentCoding.deflate):
        wbits = 16 + zlib.MAX_WBITS if coding is ContentCoding.gzip else zlib.MAX_WBITS
        engine = zlib.compressobj(
            zlib.Z_DEFAULT_COMPRESSION if level is None else level,
            zlib.DEFLATED,
            wbits,
            8,
            zlib.Z_DEFAULT_STRATEGY if strategy is None else strategy,
        )
        return _Wrapped(coding, engine.compress, engine.flush)
    if coding is ContentCoding.identity:
        raise ValueError("identity is not a compression")
    library = _library(_LIBRARY[coding])
    if library is None:
        raise ValueError(f"{coding.value} needs the {_LIBRARY[coding]!r} package")
    if coding is ContentCoding.zstd:
        zstd = library.ZstdCompressor(level=_ZSTD_LEVEL if level is None else level)
        obj = zstd.compressobj(size=-1 if size is None else size)
        return _Wrapped(coding, obj.compress, obj.flush)
    brotli = library.Compressor(quality=_BROTLI_QUALITY if level is None else level)
    return _Wrapped(coding, brotli.process, brotli.finish)


def add_vary(headers: MutableMapping[str, str], name: str) -> None:
    """Add ``name`` to the ``Vary`` header unless it (or ``*``) is listed already.

    Args:
        headers: response headers (a ``CIMultiDict``: the lookup is case-insensitive;
            several ``Vary`` fields are merged into one).
        name: the request header the response depends on.
    """
    if isinstance(headers, MultiMapping):
        fields: list[str] = headers.getall("Vary", [])
    else:
        value = headers.get("Vary")
        fields = [] if value is None else [value]
    present = [token.strip() for field in fields for token in field.split(",") if token.strip()]
    lowered = {token.lower() for token in present}
    if name.lower() not in lowered and "*" not in lowered:
        # Several Vary fields are one list (RFC 9110 §5.3): merge them rather than drop any.
        headers["Vary"] = ", ".join([*present, name])
