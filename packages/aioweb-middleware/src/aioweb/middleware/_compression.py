"""``compression_middleware``: negotiated response compression (RFC 9110 §8.4, §12.5.3).

gzip and deflate use the stdlib's zlib. ``br`` needs the ``brotli`` package and
``zstd`` the ``zstandard`` package (extras ``aioweb-middleware[brotli]`` and
``[zstd]``); they are imported when the middleware is built, never at import time, and
a missing one is simply not offered.
"""

from __future__ import annotations

import asyncio
import importlib
import zlib
from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType
from typing import Final, Protocol, cast

from aioweb.kernel import Handler, Middleware, Request, Response, StreamResponse

from ._errors import MiddlewareConfigError
from ._negotiate import add_vary, parse_qlist

__all__ = ["DEFAULT_LEVELS", "available_codings", "compression_middleware", "select_coding"]

Compressor = Callable[[bytes], bytes]

#: Server preference, best first, for codings the client weighs equally.
PREFERENCE: Final = ("br", "zstd", "gzip", "deflate")
#: Defaults chosen for on-the-fly compression (speed over the last few percent).
DEFAULT_LEVELS: Final[Mapping[str, int]] = MappingProxyType(
    {"br": 4, "zstd": 3, "gzip": 6, "deflate": 6}
)
_LEVEL_RANGES: Final = {"br": (0, 11), "zstd": (1, 22), "gzip": (0, 9), "deflate": (0, 9)}
#: Statuses whose body is not a representation of the target (or is absent).
_SKIP_STATUSES: Final = frozenset({204, 206, 304})
_ALIASES: Final = {"x-gzip": "gzip"}
#: Media types that are compressed already: another pass costs CPU and saves nothing.
_COMPRESSED_TYPES: Final = ("image/", "video/", "audio/", "font/woff")
_COMPRESSED_EXACT: Final = frozenset(
    {"application/zip", "application/gzip", "application/zstd", "application/x-7z-compressed"}
)


def _precompressed(content_type: str) -> bool:
    media = content_type.lower()
    if media in _COMPRESSED_EXACT:
        return True
    return media.startswith(_COMPRESSED_TYPES) and media != "image/svg+xml"


class _Brotli(Protocol):
    def compress(self, data: bytes, *, quality: int) -> bytes: ...


class _ZstdCompressor(Protocol):
    def compress(self, data: bytes) -> bytes: ...


class _Zstandard(Protocol):
    def ZstdCompressor(self, *, level: int) -> _ZstdCompressor: ...  # noqa: N802


def _optional(module: str) -> object | None:
    try:
        return importlib.import_module(module)
    except ImportError:
        return None


def _zlib(level: int, wbits: int) -> Compressor:
    def compress(data: bytes) -> bytes:
        c = zlib.compressobj(level, zlib.DEFLATED, wbits)
        return c.compress(data) + c.flush()

    return compress


def _compressor(coding: str, level: int) -> Compressor | None:
    if coding == "gzip":
        return _zlib(level, 16 + zlib.MAX_WBITS)
    if coding == "deflate":  # RFC 9110 §8.4.1.2: "deflate" is the zlib format (RFC 1950)
        return _zlib(level, zlib.MAX_WBITS)
    if coding == "br":
        brotli = cast("_Brotli | None", _optional("brotli"))
        if brotli is None:
            return None
        return lambda data: brotli.compress(data, quality=level)
    zstd = cast("_Zstandard | None", _optional("zstandard"))
    if zstd is None:
        return None
    return zstd.ZstdCompressor(level=level).compress


def available_codings() -> tuple[str, ...]:
    """The content codings this installation can produce, in server preference order."""
    return tuple(c for c in PREFERENCE if c in ("gzip", "deflate") or _compressor(c, 1) is not None)


def select_coding(accept_encoding: str | None, offered: Sequence[str]) -> str | None:
    """The coding to use for a response, or ``None`` for identity.

    Follows RFC 9110 §12.5.3: each coding gets its own weight, else that of ``*``;
    ``q=0`` excludes it. The highest weight wins, ties go to the earlier of ``offered``.
    A request without ``Accept-Encoding`` gets identity (the RFC allows any coding,
    but a client that says nothing is safest answered uncompressed).

    Args:
        accept_encoding: the header value, if any.
        offered: the codings the server can produce, in preference order.

    Returns:
        One of ``offered``, or ``None``.
    """
    if not accept_encoding:
        return None
    weights: dict[str, float] = {}
    for name, weight in parse_qlist(accept_encoding):
        coding = _ALIASES.get(name, name)
        weights[coding] = max(weight, weights.get(coding, 0.0))
    star = weights.get("*", 0.0)
    best, best_weight = None, 0.0
    for coding in offered:
        weight = weights.get(coding, star)
        if weight > best_weight:
            best, best_weight = coding, weight
    return best


def _check_levels(levels: Mapping[str, int]) -> dict[str, int]:
    merged = dict(DEFAULT_LEVELS)
    for coding, level in levels.items():
        bounds = _LEVEL_RANGES.get(coding)
        if bounds is None:
            raise MiddlewareConfigError(f"unknown content coding {coding!r} in levels")
        given: object = level  # checked at runtime: configuration may come from a file
        if not isinstance(given, int) or not bounds[0] <= given <= bounds[1]:
            raise MiddlewareConfigError(
                f"the {coding} level must be an int in {bounds[0]}..{bounds[1]}, not {level!r}"
            )
        merged[coding] = level
    return merged


def compression_middleware(
    *,
    min_size: int = 1024,
    levels: Mapping[str, int] = DEFAULT_LEVELS,
    codings: Sequence[str] = PREFERENCE,
    thread_min_size: int = 1024 * 1024,
) -> Middleware:
    """Compress ``Response`` bodies with the best coding the client accepts.

    A response is compressed when it is a ``Response`` (a ``StreamResponse`` streams
    its body and is left alone) that is not prepared yet, has a body of at least
    ``min_size`` bytes, no ``Content-Encoding`` and no ``Content-Range``, a media type
    that is not compressed already (images other than SVG, audio, video, WOFF fonts,
    zip/gzip/zstd/7z archives), a status
    other than 1xx/204/206/304, does not carry ``Cache-Control: no-transform``, and
    the request is not ``HEAD``. Every such response gets ``Vary: Accept-Encoding``,
    compressed or not, so caches keep the variants apart. A strong ``ETag`` of a
    compressed body is made weak (the bytes differ from the uncompressed ones).

    Args:
        min_size: bodies shorter than this are sent as they are.
        levels: compression level per coding (defaults: :data:`DEFAULT_LEVELS`).
        codings: the codings to offer, in preference order; ``br`` and ``zstd`` are
            dropped when their package is not installed.
        thread_min_size: bodies at least this long are compressed in the loop's
            default executor, so a big body does not stall other requests.

    Returns:
        The middleware.

    Raises:
        MiddlewareConfigError: an unknown coding, a level out of range, or a negative size.
    """
    if min_size < 0 or thread_min_size < 0:
        raise MiddlewareConfigError("min_size and thread_min_size must not be negative")
    chosen = _check_levels(levels)
    compressors: dict[str, Compressor] = {}
    for coding in codings:
        if coding not in _LEVEL_RANGES:
            raise MiddlewareConfigError(f"unknown content coding {coding!r}")
        found = _compressor(coding, chosen[coding])
        if found is not None:
            compressors[coding] = found
    offered = tuple(compressors)

    def eligible(request: Request, response: Response) -> bool:
        return not (
            response.prepared
            or response.status < 200
            or response.status in _SKIP_STATUSES
            or request.method == "HEAD"
            or len(response.body) < min_size
            or "Content-Encoding" in response.headers
            or "Content-Range" in response.headers
            or "no-transform" in response.headers.get("Cache-Control", "").lower()
            or _precompressed(response.content_type)
        )

    async def compression(request: Request, handler: Handler) -> StreamResponse:
        response = await handler(request)
        if not offered or not isinstance(response, Response) or not eligible(request, response):
            return response
        add_vary(response.headers, ("Accept-Encoding",))
        coding = select_coding(request.headers.get("Accept-Encoding"), offered)
        if coding is None:
            return response
        body = response.body
        compress = compressors[coding]
        if len(body) >= thread_min_size:
            data = await asyncio.get_running_loop().run_in_executor(None, compress, body)
        else:
            data = compress(body)
        response.body = data
        response.headers["Content-Encoding"] = coding
        etag = response.headers.get("ETag")
        if etag is not None and not etag.startswith("W/"):
            response.headers["ETag"] = "W/" + etag
        return response

    return compression
