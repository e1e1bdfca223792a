"""``FileResponse`` over a live server: headers, 304/412, ranges, encodings, 404s."""

from __future__ import annotations

import asyncio
import gzip
import os
import shutil
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import BIG, GZ
from static_testlib import Live, router_of

from aioweb.kernel import Application, Request, Response, StreamResponse
from aioweb.static import FileResponse, StaticFileNotFoundError
from aioweb.testing import AiowebClient

pytestmark = pytest.mark.loopback


def file_app(root: Path) -> Application:
    """``/f/{name}`` sends ``root/name`` uncaught; ``/seed/{name}`` is the seed's handler."""
    app = Application()

    async def plain(request: Request) -> StreamResponse:
        return FileResponse(root / request.match_info["name"])

    async def seed(request: Request) -> StreamResponse:
        try:
            return FileResponse(str(root) + "/" + request.match_info["name"])
        except FileNotFoundError:
            return Response(status=404, text="seed 404")

    async def vanishing(request: Request) -> StreamResponse:
        path = root / "gone.txt"
        path.write_text("soon gone")
        resp = FileResponse(path)
        path.unlink()
        return resp

    async def compressed(request: Request) -> StreamResponse:
        resp = FileResponse(root / request.match_info["name"])
        resp.enable_compression()
        return resp

    router = router_of(app)
    router.add_get("/f/{name}", plain)
    router.add_get("/z/{name}", compressed)
    router.add_post("/f/{name}", plain)
    router.add_get("/seed/{name}", seed)
    router.add_get("/vanishing", vanishing)
    return app


@pytest.fixture
async def live(root: Path, aioweb_client: AiowebClient) -> Live:
    client = await aioweb_client(file_app(root))
    return Live(client.port, client)


@dataclass
class Got:
    """A response read whole through the fixture's client."""

    status_code: int
    headers: Mapping[str, str]
    content: bytes

    @property
    def text(self) -> str:
        return self.content.decode()


async def get(live: Live, path: str, method: str = "GET", **headers: str) -> Got:
    assert live.client is not None
    hdrs = {k.replace("_", "-"): v for k, v in headers.items()}
    hdrs.setdefault("Accept-Encoding", "identity")
    async with live.client.request(method, path, headers=hdrs) as resp:
        return Got(resp.status, resp.headers, await resp.read())


def test_constructor_checks_the_file(root: Path) -> None:
    with pytest.raises(FileNotFoundError):
        FileResponse(root / "missing")
    with pytest.raises(StaticFileNotFoundError) as info:
        FileResponse(root / "sub")  # a directory
    assert info.value.status == 404
    with pytest.raises(FileNotFoundError):
        FileResponse(str(root) + "/x\x00y")
    with pytest.raises(ValueError, match="chunk_size"):
        FileResponse(root / "hello.txt", chunk_size=0)


_UNREADABLE_CHECK = """
import sys
from aioweb.static import FileResponse
try:
    FileResponse(sys.argv[1])
except FileNotFoundError:
    sys.exit(0)
sys.exit("an unreadable file was accepted")
"""


def test_unreadable_is_not_found(root: Path) -> None:
    (root / "hello.txt").chmod(0)
    if os.geteuid() != 0:
        with pytest.raises(FileNotFoundError):
            FileResponse(root / "hello.txt")
        return
    # Root reads any file: run the check in a child without the capabilities that let
    # it (util-linux's setpriv drops them from the bounding and inheritable sets).
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root and setpriv (util-linux) is missing")
    caps = "-dac_override,-dac_read_search"
    done = subprocess.run(
        [setpriv, f"--bounding-set={caps}", f"--inh-caps={caps}", sys.executable, "-c",
         _UNREADABLE_CHECK, str(root / "hello.txt")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr


async def test_get_sends_file_and_validators(live: Live) -> None:
    resp = await get(live, "/f/hello.txt")
    assert resp.status_code == 200
    assert resp.content == b"hello, world\n"
    assert resp.headers["content-type"] == "text/plain; charset=utf-8"
    assert resp.headers["content-length"] == "13"
    assert resp.headers["accept-ranges"] == "bytes"
    assert resp.headers["etag"].startswith('"')
    assert "W/" not in resp.headers["etag"]
    assert resp.headers["last-modified"].endswith("GMT")
    assert "vary" not in resp.headers  # no pre-compressed sibling


async def test_big_file_is_sent_whole(live: Live) -> None:
    resp = await get(live, "/f/big.bin")
    assert resp.content == BIG
    assert resp.headers["content-type"] == "application/octet-stream"


async def test_head_has_headers_and_no_body(live: Live) -> None:
    resp = await live.raw("/f/big.bin", method="HEAD")
    assert resp.status == 200
    assert resp.headers["content-length"] == str(len(BIG))
    assert resp.body == b""


async def test_missing_file_is_404_uncaught_and_with_seed_handler(live: Live) -> None:
    resp = await get(live, "/f/missing.txt")
    assert resp.status_code == 404
    resp = await get(live, "/seed/missing.txt")
    assert (resp.status_code, resp.text) == (404, "seed 404")
    resp = await get(live, "/seed/hello.txt")
    assert resp.content == b"hello, world\n"
    resp = await get(live, "/f/sub")
    assert resp.status_code == 404


async def test_file_removed_before_prepare_is_404(live: Live) -> None:
    resp = await get(live, "/vanishing")
    assert resp.status_code == 404


async def test_conditional_requests(live: Live) -> None:
    first = await get(live, "/f/hello.txt")
    etag, lm = first.headers["etag"], first.headers["last-modified"]
    resp = await get(live, "/f/hello.txt", If_None_Match=etag)
    assert resp.status_code == 304
    assert resp.content == b""
    assert resp.headers["etag"] == etag
    resp = await get(live, "/f/hello.txt", If_Modified_Since=lm)
    assert resp.status_code == 304
    resp = await get(live, "/f/hello.txt", If_Match='"nope"')
    assert resp.status_code == 412
    resp = await get(live, "/f/hello.txt", If_Unmodified_Since="Thu, 01 Jan 1970 00:00:00 GMT")
    assert resp.status_code == 412
    resp = await get(live, "/f/hello.txt", "POST", If_None_Match=etag)
    assert resp.status_code == 412
    resp = await get(live, "/f/hello.txt", If_Match=etag)
    assert resp.status_code == 200


async def test_single_and_suffix_ranges(live: Live) -> None:
    resp = await get(live, "/f/big.bin", Range="bytes=10-19")
    assert resp.status_code == 206
    assert resp.content == BIG[10:20]
    assert resp.headers["content-range"] == f"bytes 10-19/{len(BIG)}"
    resp = await get(live, "/f/big.bin", Range="bytes=-5")
    assert resp.content == BIG[-5:]
    resp = await get(live, "/f/big.bin", Range="bytes=1048570-")
    assert resp.content == BIG[1048570:]


async def test_multiple_ranges_are_multipart(live: Live) -> None:
    resp = await get(live, "/f/hello.txt", Range="bytes=0-1,7-11")
    assert resp.status_code == 206
    ctype = resp.headers["content-type"]
    assert ctype.startswith("multipart/byteranges; boundary=")
    boundary = ctype.partition("boundary=")[2].encode()
    assert int(resp.headers["content-length"]) == len(resp.content)
    parts = resp.content.split(b"--" + boundary)
    assert parts[0] == b""
    assert parts[-1] == b"--\r\n"
    assert b"Content-Range: bytes 0-1/13\r\n\r\nhe\r\n" in parts[1]
    assert b"Content-Type: text/plain; charset=utf-8" in parts[1]
    assert parts[2].endswith(b"Content-Range: bytes 7-11/13\r\n\r\nworld\r\n")


async def test_unsatisfiable_range_is_416(live: Live) -> None:
    resp = await get(live, "/f/hello.txt", Range="bytes=100-")
    assert resp.status_code == 416
    assert resp.headers["content-range"] == "bytes */13"


async def test_invalid_range_is_ignored(live: Live) -> None:
    resp = await get(live, "/f/hello.txt", Range="bytes=5-1")
    assert resp.status_code == 200
    assert resp.content == b"hello, world\n"


async def test_if_range(live: Live) -> None:
    etag = (await get(live, "/f/hello.txt")).headers["etag"]
    resp = await get(live, "/f/hello.txt", Range="bytes=0-1", If_Range=etag)
    assert resp.status_code == 206
    assert resp.content == b"he"
    resp = await get(live, "/f/hello.txt", Range="bytes=0-1", If_Range='"stale"')
    assert resp.status_code == 200
    assert resp.content == b"hello, world\n"


async def test_precompressed_siblings(live: Live) -> None:
    resp = await get(live, "/f/app.js", Accept_Encoding="gzip, br")
    assert resp.headers["content-encoding"] == "br"
    assert resp.headers["vary"] == "Accept-Encoding"
    assert resp.headers["content-type"] == "text/javascript; charset=utf-8"
    assert live.client is not None
    headers = {"Accept-Encoding": "gzip;q=1, br;q=0.1"}
    async with live.client.get("/f/app.js", headers=headers) as decoded:  # auto_decompress
        assert decoded.headers["content-encoding"] == "gzip"
        assert await decoded.read() == b"console.log(1)"
    raw = await live.raw("/f/app.js", extra="Accept-Encoding: gzip\r\n")
    assert raw.body == GZ
    resp = await get(live, "/f/app.js")
    assert "content-encoding" not in resp.headers
    assert resp.headers["vary"] == "Accept-Encoding"
    assert resp.content == b"console.log(1)"
    gz_tag = (await live.raw("/f/app.js", extra="Accept-Encoding: gzip\r\n")).headers["etag"]
    assert gz_tag != resp.headers["etag"]


async def test_a_compressed_file_itself_is_not_content_encoded(live: Live) -> None:
    resp = await live.raw("/f/app.js.gz")
    assert resp.headers["content-type"] == "application/gzip"
    assert "content-encoding" not in resp.headers
    assert resp.body == GZ


async def test_empty_file(live: Live) -> None:
    resp = await live.raw("/f/empty.txt", extra="Range: bytes=0-0\r\n")
    assert (resp.status, resp.headers["content-length"], resp.body) == (200, "0", b"")


async def test_keep_alive_after_sendfile(live: Live) -> None:
    for _ in range(3):  # one pooled connection: big (sendfile), ranges, small (inline)
        resp = await get(live, "/f/big.bin")
        assert resp.content == BIG
        resp = await get(live, "/f/big.bin", Range="bytes=0-99,200-299")
        assert resp.status_code == 206
        resp = await get(live, "/f/hello.txt")
        assert resp.content == b"hello, world\n"


@pytest.mark.parametrize("name", ["hello.txt", "big.bin"])
async def test_enable_compression_compresses_and_skips_sendfile(
    live: Live, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def no_sendfile(*args: object, **kwargs: object) -> int:
        raise AssertionError("sendfile would bypass the compressor")

    monkeypatch.setattr(asyncio.BaseEventLoop, "sendfile", no_sendfile)
    resp = await live.raw(f"/z/{name}", extra="Accept-Encoding: gzip\r\nRange: bytes=0-3\r\n")
    assert resp.status == 200  # no byte ranges of an on-the-fly coding
    assert resp.headers["content-encoding"] == "gzip"
    assert "accept-ranges" not in resp.headers
    assert "content-length" not in resp.headers
    assert resp.headers["transfer-encoding"] == "chunked"
    body = dechunk(resp.body)
    expected = BIG if name == "big.bin" else b"hello, world\n"
    assert gzip.decompress(body) == expected
    resp = await live.raw(f"/z/{name}", extra="Accept-Encoding: identity\r\n")
    assert "content-encoding" not in resp.headers
    assert dechunk(resp.body) == expected


def dechunk(data: bytes) -> bytes:
    out = b""
    while True:
        size_line, _, data = data.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            return out
        out += data[:size]
        data = data[size + 2 :]


async def test_big_multipart_ranges_go_through_sendfile(live: Live) -> None:
    resp = await get(live, "/f/big.bin", Range="bytes=0-99999,500000-599999")
    assert resp.status_code == 206
    assert int(resp.headers["content-length"]) == len(resp.content)
    assert BIG[:100000] in resp.content
    assert BIG[500000:600000] in resp.content
    assert resp.content.count(b"Content-Range: bytes ") == 2
