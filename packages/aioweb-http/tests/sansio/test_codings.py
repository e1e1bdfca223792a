"""Request content codings: decoded incrementally, never past the limit."""

from __future__ import annotations

import functools
import gzip
import importlib.util
import subprocess
import sys
import time
import tracemalloc
import zlib
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aioweb.http.sansio import (
    SUPPORTED_CODINGS,
    ContentDecoder,
    ParseError,
    make_content_decoder,
    supported_codings,
)

DATA = b"The quick brown fox jumps over the lazy dog. " * 200


def decode_all(decoder: ContentDecoder, body: bytes, step: int) -> bytes:
    out = b"".join(decoder.decode(body[i : i + step]) for i in range(0, len(body), step))
    decoder.finish()
    return out


@given(step=st.integers(min_value=1, max_value=4096))
@settings(max_examples=50, deadline=None)
def test_gzip_any_split(step: int) -> None:
    decoder = make_content_decoder(b"gzip", 1 << 20)
    assert decoder is not None
    assert decode_all(decoder, gzip.compress(DATA), step) == DATA


@pytest.mark.parametrize("step", [1, 7, 1000, 10**6])
def test_a_bomb_never_decodes_past_the_limit(step: int) -> None:
    bomb = gzip.compress(b"\0" * (16 << 20))
    decoder = make_content_decoder(b"gzip", 100_000)
    assert decoder is not None
    produced = 0

    def feed_all() -> None:
        nonlocal produced
        for i in range(0, len(bomb), step):
            produced += len(decoder.decode(bomb[i : i + step]))
            assert produced <= 100_000
        decoder.finish()

    with pytest.raises(ParseError) as info:
        feed_all()
    assert info.value.status == 413


def test_exactly_the_limit_is_fine() -> None:
    decoder = make_content_decoder(b"deflate", len(DATA))
    assert decoder is not None
    assert decode_all(decoder, zlib.compress(DATA), 100) == DATA


@pytest.mark.parametrize(
    ("header", "status"),
    [
        pytest.param(b"sdch", 415, id="sdch"),
        pytest.param(b"compress", 415, id="unknown"),
        pytest.param(b"gzip, gzip", 415, id="stacked"),
    ],
)
def test_refused_codings(header: bytes, status: int) -> None:
    with pytest.raises(ParseError) as info:
        make_content_decoder(header, 100)
    assert info.value.status == status


@pytest.mark.parametrize("header", [b"", b"identity", b" Identity "])
def test_identity_needs_no_decoder(header: bytes) -> None:
    assert make_content_decoder(header, 100) is None


def test_truncated_and_corrupt_are_400() -> None:
    decoder = make_content_decoder(b"GZIP", 1 << 20)
    assert decoder is not None
    decoder.decode(gzip.compress(DATA)[:50])
    with pytest.raises(ParseError) as info:
        decoder.finish()
    assert info.value.status == 400
    decoder = make_content_decoder(b"gzip", 1 << 20)
    assert decoder is not None
    with pytest.raises(ParseError) as info:
        decoder.decode(b"definitely not gzip")
    assert info.value.status == 400


# -- br and zstd (with their libraries) -------------------------------------------------------

HAVE_BROTLI = importlib.util.find_spec("brotli") is not None
HAVE_ZSTD = importlib.util.find_spec("zstandard") is not None
needs_brotli = pytest.mark.skipif(not HAVE_BROTLI, reason="brotli is not installed")
needs_zstd = pytest.mark.skipif(not HAVE_ZSTD, reason="zstandard is not installed")


def brotli_compress(data: bytes) -> bytes:
    import brotli  # type: ignore[import-untyped,import-not-found,unused-ignore]

    return bytes(brotli.compress(data, quality=5))


def zstd_compress(data: bytes) -> bytes:
    import zstandard  # type: ignore[import-not-found,unused-ignore]

    return bytes(zstandard.ZstdCompressor(level=3).compress(data))


CODECS = [
    pytest.param("br", brotli_compress, marks=needs_brotli, id="br"),
    pytest.param("zstd", zstd_compress, marks=needs_zstd, id="zstd"),
]


@functools.cache
def zero_bomb(coding: str, size: int = 1 << 30) -> bytes:
    """``size`` zero bytes compressed, made piece by piece (never ``size`` bytes in memory)."""
    zeros = b"\0" * (1 << 20)
    if coding == "br":
        import brotli  # type: ignore[import-untyped,import-not-found,unused-ignore]

        packer = brotli.Compressor(quality=1)
        return b"".join(packer.process(zeros) for _ in range(size >> 20)) + bytes(packer.finish())
    import zstandard  # type: ignore[import-not-found,unused-ignore]

    zpacker = zstandard.ZstdCompressor(level=1).compressobj()
    return b"".join(zpacker.compress(zeros) for _ in range(size >> 20)) + zpacker.flush()


def test_supported_codings_follow_the_libraries() -> None:
    codings = supported_codings()
    assert codings >= SUPPORTED_CODINGS
    assert ("br" in codings) is HAVE_BROTLI
    assert ("zstd" in codings) is HAVE_ZSTD


@pytest.mark.parametrize(("coding", "compress"), CODECS)
@given(step=st.integers(min_value=1, max_value=3000))
@settings(max_examples=25, deadline=None)
def test_br_zstd_any_split(coding: str, compress: Callable[[bytes], bytes], step: int) -> None:
    decoder = make_content_decoder(coding.encode(), 1 << 20)
    assert decoder is not None
    assert decode_all(decoder, compress(DATA), step) == DATA


@pytest.mark.parametrize(("coding", "compress"), CODECS)
def test_br_zstd_exactly_the_limit_is_fine_one_more_is_413(
    coding: str, compress: Callable[[bytes], bytes]
) -> None:
    decoder = make_content_decoder(coding.encode(), len(DATA))
    assert decoder is not None
    assert decode_all(decoder, compress(DATA), 100) == DATA
    decoder = make_content_decoder(coding.encode(), len(DATA) - 1)
    assert decoder is not None
    with pytest.raises(ParseError) as info:
        decode_all(decoder, compress(DATA), 100)
    assert info.value.status == 413


@needs_zstd
def test_zstd_several_frames_are_one_body() -> None:
    decoder = make_content_decoder(b"zstd", 1 << 20)
    assert decoder is not None
    body = zstd_compress(DATA) + zstd_compress(b"tail")
    assert decode_all(decoder, body, 50) == DATA + b"tail"


@pytest.mark.parametrize(("coding", "compress"), CODECS)
@pytest.mark.parametrize("damage", ["truncated", "corrupt", "garbage-after"])
def test_br_zstd_damaged_bodies_are_400(
    coding: str, compress: Callable[[bytes], bytes], damage: str
) -> None:
    good = compress(DATA)
    body = {
        "truncated": good[: len(good) // 2],
        "corrupt": b"\xff" * 8 + good[8:],
        "garbage-after": good + b"\x01\x02garbage",
    }[damage]
    decoder = make_content_decoder(coding.encode(), 1 << 20)
    assert decoder is not None
    with pytest.raises(ParseError) as info:
        decode_all(decoder, body, 64)
    assert info.value.status == 400


@pytest.mark.parametrize("coding", ["br", "zstd"])
@pytest.mark.parametrize("step", [1 << 20, 4096])
def test_a_1gib_bomb_is_413_quickly_in_bounded_memory(coding: str, step: int) -> None:
    if not (HAVE_BROTLI if coding == "br" else HAVE_ZSTD):
        pytest.skip(f"{coding} library not installed")
    bomb = zero_bomb(coding)
    assert len(bomb) < 300_000  # 1 GiB of zeros
    limit = 1 << 20
    decoder = make_content_decoder(coding.encode(), limit)
    assert decoder is not None
    produced = 0

    def feed_all() -> None:
        nonlocal produced
        for i in range(0, len(bomb), step):
            produced += len(decoder.decode(bomb[i : i + step]))
        decoder.finish()

    started = time.perf_counter()
    tracemalloc.start()
    try:
        with pytest.raises(ParseError) as info:
            feed_all()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert info.value.status == 413
    assert produced <= limit
    # The output of any one call stays near the limit: never the gigabyte.
    assert peak < 4 * limit + len(bomb), peak
    assert time.perf_counter() - started < 5


@pytest.mark.parametrize("coding", ["br", "zstd"])
def test_without_the_library_br_zstd_are_415(coding: str) -> None:
    library = "brotli" if coding == "br" else "zstandard"
    code = (
        f"import sys; sys.modules[{library!r}] = None\n"
        "from aioweb.http.sansio import ParseError, make_content_decoder, supported_codings\n"
        f"assert {coding!r} not in supported_codings()\n"
        "try:\n"
        f"    make_content_decoder({coding.encode()!r}, 100)\n"
        "except ParseError as exc:\n"
        "    assert exc.status == 415, exc.status\n"
        "else:\n"
        "    raise AssertionError('no 415')\n"
    )
    subprocess.run([sys.executable, "-W", "error", "-c", code], check=True, timeout=30)
