"""Compression over a live server: responses a real client decodes, br/zstd request bodies."""

from __future__ import annotations

import importlib.util

import httpx
import pytest
from server_testlib import TIMEOUT, Live, serve

from aioweb.kernel import ContentCoding, Request, Response, StreamResponse

pytestmark = pytest.mark.loopback

HAVE_BROTLI = importlib.util.find_spec("brotli") is not None
HAVE_ZSTD = importlib.util.find_spec("zstandard") is not None
TEXT = "a response worth compressing. " * 500


async def handler(request: Request) -> StreamResponse:
    if request.path == "/echo":
        return Response(body=await request.read())
    if request.path == "/stream":
        stream = StreamResponse(headers={"Content-Type": "text/plain"})
        stream.enable_compression()
        await stream.prepare(request)
        for i in range(0, len(TEXT), 1000):
            await stream.write(TEXT[i : i + 1000].encode())
        await stream.write_eof()
        return stream
    response = Response(text=TEXT)
    if request.path == "/forced":
        response.enable_compression(force=ContentCoding.gzip)
    else:
        response.enable_compression()
    return response


CODINGS = [
    pytest.param("gzip", id="gzip"),
    pytest.param("deflate", id="deflate"),
    pytest.param("br", id="br", marks=pytest.mark.skipif(not HAVE_BROTLI, reason="no brotli")),
    pytest.param("zstd", id="zstd", marks=pytest.mark.skipif(not HAVE_ZSTD, reason="no zstd")),
]


@pytest.fixture
async def live() -> Live:  # type: ignore[misc]
    async with serve(handler) as server:
        yield server


def client(live: Live) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        base_url=f"http://127.0.0.1:{live.port}", trust_env=False, timeout=TIMEOUT
    )


@pytest.mark.parametrize("coding", CODINGS)
@pytest.mark.parametrize("path", ["/", "/stream"])
async def test_httpx_decodes_the_negotiated_coding(live: Live, coding: str, path: str) -> None:
    async with client(live) as http:
        resp = await http.get(path, headers={"Accept-Encoding": f"{coding}, gzip;q=0.1"})
    assert resp.status_code == 200
    assert resp.headers["content-encoding"] == coding
    assert resp.headers["vary"] == "Accept-Encoding"
    assert resp.text == TEXT
    raw_length = resp.num_bytes_downloaded
    assert raw_length < len(TEXT) // 4
    if path == "/":
        assert int(resp.headers["content-length"]) == raw_length
    else:
        assert resp.headers["transfer-encoding"] == "chunked"


async def test_no_accept_encoding_means_identity(live: Live) -> None:
    async with client(live) as http:
        resp = await http.get("/", headers={"Accept-Encoding": "identity"})
        forced = await http.get("/forced", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in resp.headers
    assert resp.text == TEXT
    assert forced.headers["content-encoding"] == "gzip"  # force= does not negotiate
    assert forced.text == TEXT


# -- br and zstd request bodies ----------------------------------------------------------------


def _compress(coding: str, data: bytes) -> bytes:
    if coding == "br":
        import brotli  # type: ignore[import-untyped,import-not-found,unused-ignore]

        return bytes(brotli.compress(data))
    import zstandard  # type: ignore[import-not-found,unused-ignore]

    return bytes(zstandard.ZstdCompressor().compress(data))


def _bomb(coding: str) -> bytes:
    zeros = b"\0" * (1 << 20)
    if coding == "br":
        import brotli  # type: ignore[import-untyped,import-not-found,unused-ignore]

        packer = brotli.Compressor(quality=1)
        return b"".join(packer.process(zeros) for _ in range(1024)) + bytes(packer.finish())
    import zstandard  # type: ignore[import-not-found,unused-ignore]

    zpacker = zstandard.ZstdCompressor(level=1).compressobj()
    return b"".join(zpacker.compress(zeros) for _ in range(1024)) + zpacker.flush()


def _post(body: bytes, coding: str) -> bytes:
    return (
        b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Encoding: %s\r\nContent-Length: %d\r\n\r\n"
        % (coding.encode(), len(body))
    ) + body


@pytest.mark.parametrize("coding", CODINGS[2:])
async def test_br_zstd_request_bodies_are_decoded(live: Live, coding: str) -> None:
    payload = b"hello compressed world " * 1000
    async with live.connect() as conn:
        await conn.send(_post(_compress(coding, payload), coding))
        status, _, body = await conn.response()
    assert (status, body) == (b"HTTP/1.1 200 OK", payload)


@pytest.mark.parametrize("coding", CODINGS[2:])
async def test_a_1gib_br_zstd_bomb_is_413_and_the_server_goes_on(live: Live, coding: str) -> None:
    bomb = _bomb(coding)
    assert len(bomb) < 300_000
    async with live.connect() as conn:
        await conn.send(_post(bomb, coding))
        status, _, _ = await conn.response()
    assert status == b"HTTP/1.1 413 Content Too Large"
    async with client(live) as http:
        assert (await http.get("/", headers={"Accept-Encoding": "identity"})).text == TEXT
