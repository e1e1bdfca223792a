"""Response compression: Accept-Encoding negotiation, compressors, ``enable_compression``."""

from __future__ import annotations

import gzip
import importlib.util
import subprocess
import sys
import zlib

import pytest
from kernel_testlib import FakeWriter, make_request

from aioweb.kernel import (
    ContentCoding,
    Response,
    StreamResponse,
    add_vary,
    available_codings,
    make_compressor,
    negotiate_coding,
)

GZ, DF, BR, ZS = (ContentCoding.gzip, ContentCoding.deflate, ContentCoding.br, ContentCoding.zstd)
ALL = (ZS, BR, GZ, DF)
HAVE_BROTLI = importlib.util.find_spec("brotli") is not None
HAVE_ZSTD = importlib.util.find_spec("zstandard") is not None
BODY = b"compress me, please " * 200


def decode(coding: str, data: bytes) -> bytes:
    if coding == "gzip":
        return gzip.decompress(data)
    if coding == "deflate":
        return zlib.decompress(data)
    if coding == "br":
        import brotli  # type: ignore[import-untyped,import-not-found,unused-ignore]

        return bytes(brotli.decompress(data))
    import zstandard  # type: ignore[import-not-found,unused-ignore]

    return bytes(zstandard.ZstdDecompressor().decompressobj().decompress(data))


# -- negotiation ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, None),
        ("", None),
        ("gzip", GZ),
        ("GZIP", GZ),
        ("x-gzip", GZ),
        ("deflate", DF),
        ("gzip, deflate", GZ),
        ("deflate;q=1, gzip;q=0.5", DF),
        ("gzip;q=0", None),
        ("gzip;q=0, deflate", DF),
        ("*", ZS),
        ("*;q=0", None),
        ("*, zstd;q=0, br;q=0", GZ),
        ("gzip;q=0.5, identity;q=1", None),
        ("identity", None),
        ("identity;q=0, gzip", GZ),
        ("compress, sdch", None),
        ("gzip;q=abc", None),
        ("gzip;q=2", None),
        ("gzip;q=-1, deflate;q=0.1", DF),
        (" gzip ; q=0.8 , br ; q=0.9 ", BR),
        (",,,", None),
        ("gzip;q=0.5, gzip;q=0", GZ),
        # RFC 9110 §12.4.2 qvalue grammar: anything else voids the entry, never guessed at.
        ("gzip;q=0.0001", None),
        ("gzip;q=0.5000, deflate;q=0.1", DF),
        ("gzip;q=.5", None),
        ("gzip;q=1e-1", None),
        ("gzip;q=nan", None),
        ("gzip;q=1.001", None),
        ("gzip;q=1.000, deflate;q=0.999", GZ),
        ("gzip;q=0.001", GZ),
    ],
    ids=repr,
)
def test_negotiate(header: str | None, expected: ContentCoding | None) -> None:
    assert negotiate_coding(header, ALL) is expected


def test_negotiate_only_offers_what_is_available() -> None:
    assert negotiate_coding("br, gzip;q=0.1", (GZ, DF)) is GZ
    assert negotiate_coding("br", (GZ, DF)) is None


def test_available_codings_follow_the_installed_libraries() -> None:
    codings = available_codings()
    assert codings[-2:] == (GZ, DF)
    assert (ZS in codings) is HAVE_ZSTD
    assert (BR in codings) is HAVE_BROTLI


def test_no_compression_library_is_imported_with_the_kernel() -> None:
    code = (
        "import sys, aioweb.kernel, aioweb.kernel._compression\n"
        "assert 'brotli' not in sys.modules and 'zstandard' not in sys.modules, sys.modules\n"
    )
    subprocess.run([sys.executable, "-W", "error", "-c", code], check=True, timeout=30)


def test_a_huge_header_is_parsed_in_linear_time() -> None:
    # The server bounds header size; here a 600 KB value must still be cheap and exact.
    assert negotiate_coding("x;q=0.5, " * 60_000 + "gzip", ALL) is GZ
    assert negotiate_coding(";;;=," * 100_000, ALL) is None


def test_a_blocked_library_is_not_offered(monkeypatch: pytest.MonkeyPatch) -> None:
    before = available_codings()
    monkeypatch.setitem(sys.modules, "brotli", None)
    monkeypatch.setitem(sys.modules, "zstandard", None)
    assert available_codings() == (GZ, DF)
    assert negotiate_coding("br, zstd, gzip;q=0.1") is GZ
    with pytest.raises(ValueError, match="brotli"):
        make_compressor(BR)
    monkeypatch.undo()
    assert available_codings() == before  # not cached as missing


# -- compressors ---------------------------------------------------------------------------


def _codings() -> list[ContentCoding]:
    return list(available_codings())


@pytest.mark.parametrize("coding", _codings(), ids=lambda c: c.value)
def test_compressor_round_trip_in_pieces(coding: ContentCoding) -> None:
    compressor = make_compressor(coding)
    assert compressor.coding is coding
    out = b"".join(compressor.compress(BODY[i : i + 100]) for i in range(0, len(BODY), 100))
    out += compressor.flush()
    assert len(out) < len(BODY) // 4
    assert decode(coding.value, out) == BODY


def test_compressor_refuses_identity() -> None:
    with pytest.raises(ValueError, match="identity"):
        make_compressor(ContentCoding.identity)


@pytest.mark.skipif(not HAVE_ZSTD, reason="zstandard is not installed")
def test_zstd_records_a_known_size_for_one_shot_decoders() -> None:
    import zstandard

    compressor = make_compressor(ZS, size=len(BODY))
    frame = compressor.compress(BODY) + compressor.flush()
    assert zstandard.frame_content_size(frame) == len(BODY)
    assert zstandard.ZstdDecompressor().decompress(frame) == BODY
    unknown = make_compressor(ZS)
    assert zstandard.frame_content_size(unknown.compress(BODY) + unknown.flush()) == -1
    wrong = make_compressor(ZS, size=len(BODY) + 1)
    wrong.compress(BODY)
    with pytest.raises(zstandard.ZstdError):
        wrong.flush()


def test_size_is_ignored_by_the_zlib_codings() -> None:
    compressor = make_compressor(GZ, size=1)
    assert gzip.decompress(compressor.compress(BODY) + compressor.flush()) == BODY


def test_gzip_strategy_is_used() -> None:
    compressor = make_compressor(GZ, strategy=zlib.Z_HUFFMAN_ONLY)
    huffman = compressor.compress(BODY) + compressor.flush()
    default = make_compressor(GZ)
    assert len(huffman) > len(default.compress(BODY) + default.flush())
    assert gzip.decompress(huffman) == BODY


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (None, "Accept-Encoding"),
        ("Origin", "Origin, Accept-Encoding"),
        ("origin, accept-encoding", "origin, accept-encoding"),
        ("*", "*"),
    ],
)
def test_add_vary(before: str | None, after: str) -> None:
    from multidict import CIMultiDict

    headers: CIMultiDict[str] = CIMultiDict({"Vary": before} if before else {})
    add_vary(headers, "Accept-Encoding")
    assert headers["Vary"] == after


@pytest.mark.parametrize(
    ("fields", "after"),
    [
        (["Origin", "Cookie"], ["Origin, Cookie, Accept-Encoding"]),
        (["Origin", "accept-encoding"], ["Origin", "accept-encoding"]),
        (["Origin", "*"], ["Origin", "*"]),
        (["", " , "], ["Accept-Encoding"]),
        (["A ,B"], ["A, B, Accept-Encoding"]),
    ],
)
def test_add_vary_merges_several_fields_without_losing_any(
    fields: list[str], after: list[str]
) -> None:
    from multidict import CIMultiDict

    headers: CIMultiDict[str] = CIMultiDict([("Vary", field) for field in fields])
    add_vary(headers, "Accept-Encoding")
    assert headers.getall("Vary") == after


def test_add_vary_on_a_plain_mapping() -> None:
    headers = {"Vary": "Origin"}
    add_vary(headers, "Accept-Encoding")
    add_vary(headers, "origin")
    assert headers == {"Vary": "Origin, Accept-Encoding"}


# -- enable_compression through prepare() ----------------------------------------------------


async def _send(
    response: StreamResponse,
    accept: str | None,
    *,
    method: str = "GET",
    parts: tuple[bytes, ...] = (),
    version: tuple[int, int] = (1, 1),
) -> FakeWriter:
    writer = FakeWriter()
    headers = [("Host", "x")] + ([("Accept-Encoding", accept)] if accept is not None else [])
    request = make_request(method, headers=headers, writer=writer, version=version)
    await response.prepare(request)
    for part in parts:
        await response.write(part)
    await response.write_eof()
    return writer


@pytest.mark.parametrize("coding", _codings(), ids=lambda c: c.value)
async def test_response_body_is_compressed_whole(coding: ContentCoding) -> None:
    response = Response(body=BODY)
    response.enable_compression()
    writer = await _send(response, coding.value)
    assert writer.head is not None
    headers = writer.head.headers
    assert headers["Content-Encoding"] == coding.value
    assert headers["Vary"] == "Accept-Encoding"
    assert int(headers["Content-Length"]) == len(writer.body) < len(BODY)
    assert not writer.head.chunked
    assert decode(coding.value, bytes(writer.body)) == BODY
    assert response.body == BODY  # the application still sees its own bytes


@pytest.mark.skipif(not HAVE_ZSTD, reason="zstandard is not installed")
async def test_response_zstd_frame_carries_the_body_size() -> None:
    import zstandard

    response = Response(body=BODY)
    response.enable_compression(force=ZS)
    writer = await _send(response, None)
    assert zstandard.frame_content_size(bytes(writer.body)) == len(BODY)
    assert zstandard.ZstdDecompressor().decompress(bytes(writer.body)) == BODY


@pytest.mark.parametrize("coding", _codings(), ids=lambda c: c.value)
async def test_stream_response_drops_the_length_and_goes_chunked(coding: ContentCoding) -> None:
    response = StreamResponse(headers={"Content-Length": str(len(BODY))})
    response.enable_compression()
    half = len(BODY) // 2
    writer = await _send(
        response, f"{coding.value}, identity;q=0.1", parts=(BODY[:half], BODY[half:])
    )
    assert writer.head is not None
    assert writer.head.headers["Content-Encoding"] == coding.value
    assert "Content-Length" not in writer.head.headers
    assert writer.head.chunked
    assert decode(coding.value, bytes(writer.body)) == BODY


async def test_http10_stream_is_close_delimited() -> None:
    response = StreamResponse()
    response.enable_compression()
    writer = await _send(response, "gzip", parts=(BODY,), version=(1, 0))
    assert writer.head is not None
    assert not writer.head.keep_alive
    assert not writer.head.chunked
    assert gzip.decompress(bytes(writer.body)) == BODY


async def test_force_skips_negotiation() -> None:
    response = Response(body=BODY)
    response.enable_compression(force=ContentCoding.deflate)
    writer = await _send(response, None)
    assert writer.head is not None
    assert writer.head.headers["Content-Encoding"] == "deflate"
    assert "Vary" not in writer.head.headers
    assert zlib.decompress(bytes(writer.body)) == BODY


async def test_force_identity_sends_the_body_as_is() -> None:
    response = Response(body=BODY)
    response.enable_compression(force=ContentCoding.identity)
    writer = await _send(response, "gzip")
    assert writer.head is not None
    assert "Content-Encoding" not in writer.head.headers
    assert bytes(writer.body) == BODY


@pytest.mark.parametrize(
    ("accept", "status", "method", "headers"),
    [
        pytest.param(None, 200, "GET", {}, id="no-accept-encoding"),
        pytest.param("gzip;q=0", 200, "GET", {}, id="q0"),
        pytest.param("compress", 200, "GET", {}, id="unknown-coding"),
        pytest.param("gzip", 200, "HEAD", {}, id="head"),
        pytest.param("gzip", 204, "GET", {}, id="204"),
        pytest.param("gzip", 304, "GET", {}, id="304"),
        pytest.param("gzip", 200, "GET", {"Content-Encoding": "br"}, id="already-encoded"),
    ],
)
async def test_not_compressed(
    accept: str | None, status: int, method: str, headers: dict[str, str]
) -> None:
    response = Response(body=BODY if status == 200 else None, status=status, headers=headers)
    response.enable_compression()
    writer = await _send(response, accept, method=method)
    assert writer.head is not None
    assert writer.head.headers.get("Content-Encoding") == headers.get("Content-Encoding")
    expected = BODY if status == 200 and method == "GET" else b""
    assert bytes(writer.body) == expected
    if status == 200:
        assert writer.head.headers["Content-Length"] == str(len(BODY))


async def test_vary_is_merged_with_the_applications() -> None:
    response = Response(body=BODY, headers={"Vary": "Origin"})
    response.enable_compression()
    writer = await _send(response, "gzip")
    assert writer.head is not None
    assert writer.head.headers["Vary"] == "Origin, Accept-Encoding"


async def test_enable_compression_after_prepare_raises() -> None:
    response = StreamResponse()
    await _send(response, None)
    with pytest.raises(RuntimeError, match="already sent"):
        response.enable_compression()


def test_force_must_be_a_coding() -> None:
    response = StreamResponse()
    assert not response.compression
    with pytest.raises(TypeError, match="ContentCoding"):
        response.enable_compression(force=True)  # type: ignore[arg-type]
    response.enable_compression()
    assert response.compression


async def test_empty_writes_produce_no_empty_chunks() -> None:
    response = StreamResponse()
    response.enable_compression(force=ContentCoding.gzip)
    writer = await _send(response, None, parts=(b"a", b"", b"b"))
    assert gzip.decompress(bytes(writer.body)) == b"ab"
