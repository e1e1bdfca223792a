"""The chunked-read path over TLS, and ranges/conditionals checked with curl."""

from __future__ import annotations

import asyncio
import shutil
import ssl
import subprocess
from pathlib import Path

import pytest
from conftest import BIG
from static_testlib import TIMEOUT, router_of

from aioweb.kernel import Application
from aioweb.testing import AiowebServer

pytestmark = pytest.mark.loopback
CURL = shutil.which("curl")
OPENSSL = shutil.which("openssl")


def _app(root: Path) -> Application:
    app = Application()
    router_of(app).add_static("/static", root, chunk_size=100_000)
    return app


@pytest.fixture
async def plain_port(root: Path, aioweb_server: AiowebServer) -> int:
    return (await aioweb_server(_app(root))).port


@pytest.mark.skipif(OPENSSL is None, reason="needs openssl to make a certificate")
async def test_tls_uses_chunked_reads(
    root: Path, tmp_path: Path, aioweb_server: AiowebServer
) -> None:
    cert, key = tmp_path / "c.pem", tmp_path / "k.pem"
    subprocess.run(
        [str(OPENSSL), "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=30,
    )  # fmt: skip
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_ctx.load_cert_chain(cert, key)
    # shutdown_timeout: on Python 3.10 the cleanup after a TLS connection otherwise
    # waits the whole default timeout (seen with aioweb-http; reported, not fixed here).
    server = await aioweb_server(_app(root), ssl_context=server_ctx, shutdown_timeout=1.0)
    client_ctx = ssl.create_default_context(cafile=str(cert))
    client_ctx.check_hostname = False

    async def fetch(path: str) -> bytes:
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection("127.0.0.1", server.port, ssl=client_ctx), TIMEOUT
        )
        writer.write(f"GET {path} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n".encode())
        data = await asyncio.wait_for(reader.read(), TIMEOUT)
        writer.close()
        head, _, body = data.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 200")
        return body

    assert await fetch("/static/big.bin") == BIG  # chunked reads
    assert await fetch("/static/hello.txt") == b"hello, world\n"  # inline, one write


async def curl(port: int, *args: str) -> str:
    """Run curl; return its ``-i`` output (head and body) as text."""
    assert CURL is not None
    proc = await asyncio.create_subprocess_exec(
        CURL, "-s", "-i", "--max-time", "5", *args, f"http://127.0.0.1:{port}/static/hello.txt",
        stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, _ = await asyncio.wait_for(proc.communicate(), TIMEOUT + 1)
    return out.decode("latin-1")


@pytest.mark.skipif(CURL is None, reason="needs curl")
async def test_curl_range_and_conditionals(plain_port: int) -> None:
    out = await curl(plain_port, "-r", "0-4")
    assert out.startswith("HTTP/1.1 206")
    assert out.endswith("\r\n\r\nhello")
    assert "Content-Range: bytes 0-4/13" in out
    out = await curl(plain_port, "-r", "-6")
    assert out.endswith("world\n")
    out = await curl(plain_port, "-r", "0-1,4-5")
    assert "multipart/byteranges" in out
    assert "Content-Range: bytes 4-5/13" in out
    out = await curl(plain_port, "-r", "50-60")
    assert out.startswith("HTTP/1.1 416")
    assert "Content-Range: bytes */13" in out
    etag = next(line for line in out.split("\r\n") if line.startswith("ETag:"))[6:]
    out = await curl(plain_port, "-H", f"If-None-Match: {etag}")
    assert out.startswith("HTTP/1.1 304")
    out = await curl(plain_port, "-z", "Thu, 01 Jan 2099 00:00:00 GMT")
    assert out.startswith("HTTP/1.1 304")
    out = await curl(plain_port, "-H", 'If-Match: "x"')
    assert out.startswith("HTTP/1.1 412")
    out = await curl(plain_port, "-I")
    assert out.startswith("HTTP/1.1 200")
    assert "Content-Length: 13" in out
