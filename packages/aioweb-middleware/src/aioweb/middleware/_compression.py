"""``compression_middleware``: negotiated response compression (RFC 9110 §8.4, §12.5.3).

The negotiation, the compressors and ``Vary`` handling are the kernel's public helpers
(``negotiate_coding``, ``make_compressor``, ``add_vary``): this module only decides
which responses to compress, with which level, and where (in the loop or a thread).
gzip and deflate use the stdlib's zlib; ``br`` needs the ``brotli`` package and
``zstd`` the ``zstandard`` package (extras ``aioweb-middleware[brotli]`` and
``[zstd]``); the kernel imports them on first use, never at import time, and a missing
one is simply not offered.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Final

from aioweb.kernel import (
    ContentCoding,
    Handler,
    Middleware,
    Request,
    Response,
    StreamResponse,
    add_vary,
    make_compressor,
    negotiate_coding,
)
from aioweb.kernel import available_codings as kernel_available_codings

from ._errors import MiddlewareConfigError

__all__ = ["DEFAULT_LEVELS", "available_codings", "compression_middleware", "select_coding"]

#: Defaults chosen for on-the-fly compression (speed over the last few percent); the
#: same levels the kernel's ``make_compressor`` uses when given none.
DEFAULT_LEVELS: Final[Mapping[str, int]] = MappingProxyType(
    {"br": 4, "zstd": 3, "gzip": 6, "deflate": 6}
)
_LEVEL_RANGES: Final = {"br": (0, 11), "zstd": (1, 22), "gzip": (0, 9), "deflate": (0, 9)}
#: Statuses whose body is not a representation of the target (or is absent).
_SKIP_STATUSES: Final = frozenset({204, 206, 304})
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


def available_codings() -> tuple[str, ...]:
    """The content codings this installation can produce, most preferred first.

    The kernel's ``available_codings()`` as ``Content-Encoding`` tokens: ``zstd``,
    ``br``, ``gzip``, ``deflate`` (``zstd`` and ``br`` only when their library imports).
    """
    return tuple(coding.value for coding in kernel_available_codings())


def _codings(names: Sequence[str]) -> tuple[ContentCoding, ...]:
    return tuple(ContentCoding(name) for name in names if name in _LEVEL_RANGES)


def select_coding(accept_encoding: str | None, offered: Sequence[str]) -> str | None:
    """The coding to use for a response, or ``None`` for identity.

    The kernel's ``negotiate_coding`` over ``offered`` (RFC 9110 §12.5.3): each coding
    gets its own weight, else that of ``*``; ``q=0`` excludes it; a weight that is not
    an RFC ``qvalue`` voids its entry. The highest weight wins, ties go to the earlier
    of ``offered``; ``identity`` weighted above the winner means no compression. A
    request without ``Accept-Encoding`` gets identity (the RFC allows any coding, but a
    client that says nothing is safest answered uncompressed).

    Args:
        accept_encoding: the header value, if any.
        offered: the codings the server can produce, in preference order; names other
            than ``gzip``, ``deflate``, ``br`` and ``zstd`` are ignored.

    Returns:
        One of ``offered``, or ``None``.
    """
    coding = negotiate_coding(accept_encoding, _codings(offered))
    return None if coding is None else coding.value


def _compress(coding: ContentCoding, level: int, body: bytes) -> bytes:
    compressor = make_compressor(coding, level=level, size=len(body))
    return compressor.compress(body) + compressor.flush()


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
    codings: Sequence[str] | None = None,
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

    The body is compressed here rather than by ``Response.enable_compression()`` at
    ``prepare``: that keeps ``levels`` and ``thread_min_size`` (the kernel compresses
    at its default level, in the loop) and lets outer middlewares see the final body.
    A handler that called ``enable_compression()`` itself is not compressed twice: the
    kernel leaves a response that has ``Content-Encoding`` alone.

    Args:
        min_size: bodies shorter than this are sent as they are.
        levels: compression level per coding (defaults: :data:`DEFAULT_LEVELS`).
        codings: the codings to offer, in preference order (default: the kernel's,
            ``zstd``, ``br``, ``gzip``, ``deflate``); ``br`` and ``zstd`` are dropped
            when their package is not installed.
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
    installed = kernel_available_codings()
    names = [c.value for c in installed] if codings is None else list(codings)
    for name in names:
        if name not in _LEVEL_RANGES:
            raise MiddlewareConfigError(f"unknown content coding {name!r}")
    offered = tuple(c for c in dict.fromkeys(_codings(names)) if c in installed)

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
        add_vary(response.headers, "Accept-Encoding")
        coding = negotiate_coding(request.headers.get("Accept-Encoding"), offered)
        if coding is None:
            return response
        body, level = response.body, chosen[coding.value]
        if len(body) >= thread_min_size:
            loop = asyncio.get_running_loop()
            data = await loop.run_in_executor(None, _compress, coding, level, body)
        else:
            data = _compress(coding, level, body)
        response.body = data
        response.headers["Content-Encoding"] = coding.value
        etag = response.headers.get("ETag")
        if etag is not None and not etag.startswith("W/"):
            response.headers["ETag"] = "W/" + etag
        return response

    return compression
