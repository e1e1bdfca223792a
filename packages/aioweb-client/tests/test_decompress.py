"""br and zstd response bodies: decoded when the packages are installed, bounded like gzip."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import Callable

import pytest
from client_testlib import TIMEOUT, RawHandler, raw_server, read_request

from aioweb.client import ClientPayloadError, ClientSession
from aioweb.kernel import Request, Response, StreamResponse
from aioweb.testing import AiowebRawServer

brotli = pytest.importorskip("brotli")
zstandard = pytest.importorskip("zstandard")

pytestmark = pytest.mark.loopback

TEXT = b"The quick brown fox jumps over the lazy dog. " * 2000


def zstd(data: bytes, **options: object) -> bytes:
    return bytes(zstandard.ZstdCompressor(**options).compress(data))


ENCODERS: dict[str, Callable[[bytes], bytes]] = {
    "br": lambda data: bytes(brotli.compress(data, quality=5)),
    "zstd": zstd,
}


async def encoded(request: Request) -> StreamResponse:
    coding = request.path.strip("/")
    return Response(
        body=ENCODERS[coding](TEXT),
        headers={
            "Content-Encoding": coding,
            "X-Accept": request.headers.get("Accept-Encoding", "-"),
        },
    )


@pytest.mark.parametrize("coding", ["br", "zstd"])
async def test_decoded_and_advertised(aioweb_raw_server: AiowebRawServer, coding: str) -> None:
    server = await aioweb_raw_server(encoded)
    async with ClientSession() as session:
        async with session.get(server.make_url(f"/{coding}")) as resp:
            assert await resp.read() == TEXT
            assert resp.headers["X-Accept"] == "gzip, deflate, br, zstd"
        async with session.get(server.make_url(f"/{coding}")) as resp:  # streamed
            assert b"".join([c async for c in resp.content.iter_chunked(1000)]) == TEXT
    async with ClientSession(auto_decompress=False) as session:
        resp = await session.get(server.make_url(f"/{coding}"))
        assert await resp.read() == ENCODERS[coding](TEXT)


def replying(body: bytes, coding: str) -> RawHandler:
    head = f"HTTP/1.1 200 OK\r\nContent-Encoding: {coding}\r\nContent-Length: {len(body)}\r\n\r\n"

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(head.encode() + body)
        await writer.drain()
        await asyncio.wait_for(reader.read(), TIMEOUT)  # keep the connection open

    return handler


BOMBS: dict[str, Callable[[], bytes]] = {
    # 64 MiB of zeros: a few KiB on the wire.
    "br": lambda: bytes(brotli.compress(b"\0" * 2**26, quality=1)),
    "zstd": lambda: zstd(b"\0" * 2**26, level=1),
}


@pytest.mark.parametrize("coding", ["br", "zstd"])
async def test_bomb_is_refused_and_the_connection_discarded(no_fd_leak: None, coding: str) -> None:
    bomb = BOMBS[coding]()
    assert len(bomb) < 2**16
    server = raw_server(replying(bomb, coding))
    async with server as url, ClientSession(max_response_size=2**20) as session:
        resp = await session.get(url)
        with pytest.raises(ClientPayloadError, match="exceeds max_response_size"):
            await resp.read()
        assert resp.closed
        assert session.connector.idle_count() == 0


@pytest.mark.parametrize(
    ("coding", "body"),
    [
        pytest.param("br", brotli.compress(TEXT)[:-5], id="br-truncated"),
        pytest.param("zstd", zstd(TEXT)[:-5], id="zstd-truncated"),
        pytest.param("zstd", zstd(TEXT, write_checksum=True)[:-2], id="zstd-checksum-cut"),
        pytest.param("br", b"\xff" * 40, id="br-garbage"),
        pytest.param("zstd", b"\x28\xb5\x2f\xfd" + b"\xff" * 40, id="zstd-garbage"),
        pytest.param("zstd", b"not zstd at all", id="zstd-no-magic"),
        pytest.param("br", brotli.compress(b"a") + b"trailing", id="br-trailing"),
    ],
)
async def test_bad_bodies_are_payload_errors(no_fd_leak: None, coding: str, body: bytes) -> None:
    async with raw_server(replying(body, coding)) as url, ClientSession() as session:
        resp = await session.get(url)
        with pytest.raises(ClientPayloadError):
            await resp.read()


async def test_zstd_several_frames_and_a_skippable_frame() -> None:
    skippable = (0x184D2A53).to_bytes(4, "little") + (3).to_bytes(4, "little") + b"xyz"
    body = zstd(b"one ") + skippable + zstd(b"two", write_checksum=True)
    async with raw_server(replying(body, "zstd")) as url, ClientSession() as session:
        resp = await session.get(url)
        assert await resp.read() == b"one two"


def test_accept_encoding_without_the_optional_packages() -> None:
    # A fresh interpreter in which importing brotli and zstandard fails.
    code = (
        "import sys; sys.modules['brotli'] = None; sys.modules['zstandard'] = None\n"
        "from aioweb.client._decompress import accept_encoding, make_decoder\n"
        "print(accept_encoding(), make_decoder('br', print, None), make_decoder('zstd', print, 1))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=30, check=True
    )
    assert out.stdout.strip() == "gzip, deflate None None"
