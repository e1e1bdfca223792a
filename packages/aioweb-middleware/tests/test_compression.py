"""compression_middleware: negotiation, eligibility, codings, and a live client."""

from __future__ import annotations

import gzip
import importlib
import sys
import zlib
from collections.abc import Awaitable, Callable

import pytest
from middleware_testlib import make_app, make_request, serve, text_handler

from aioweb.kernel import ContentCoding, Request, Response, StreamResponse, negotiate_coding
from aioweb.kernel import available_codings as kernel_available_codings
from aioweb.middleware import (
    available_codings,
    compression_middleware,
    select_coding,
)

BODY = ("hello compression " * 200).encode()
ALL = ("br", "zstd", "gzip", "deflate")


def big(**options: object) -> Response:
    return Response(body=BODY, content_type="text/plain", **options)  # type: ignore[arg-type]


async def big_handler(request: Request) -> StreamResponse:
    return big()


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, None),
        ("", None),
        ("identity", None),
        ("gzip", "gzip"),
        ("x-gzip", "gzip"),
        ("GZIP", "gzip"),
        ("deflate, gzip", "gzip"),
        ("gzip;q=0.5, deflate", "deflate"),
        ("gzip;q=0, deflate;q=0", None),
        ("*", "br"),
        ("*;q=0.5, gzip;q=0.6", "gzip"),
        ("*, br;q=0", "zstd"),
        ("*, br;q=0, zstd;q=0", "gzip"),
        ("br;q=0.9, zstd;q=0.9, gzip", "gzip"),
        ("br, zstd", "br"),
        ("gzip;q=2", None),
        ("gzip;q=0.0001", None),
        ("gzip;q=0.001", "gzip"),
        (" , ;q=1, gzip ; q=1.000", "gzip"),
    ],
)
def test_select_coding(header: str | None, expected: str | None) -> None:
    assert select_coding(header, ALL) == expected


def test_select_coding_respects_what_is_offered() -> None:
    assert select_coding("br, gzip;q=0.5", ("gzip", "deflate")) == "gzip"
    assert select_coding("br", ("gzip",)) is None


def test_select_coding_is_the_kernels_negotiation() -> None:
    # Since the switch to the kernel: identity weighted above every coding wins, and
    # names the kernel has no compressor for are never picked.
    assert select_coding("gzip;q=0.5, identity", ALL) is None
    assert select_coding("identity;q=0, gzip", ALL) == "gzip"
    assert select_coding("compress, gzip;q=0.1", ("compress", "gzip")) == "gzip"
    assert select_coding("identity", ("identity",)) is None
    for header in ("gzip;q=0.5, deflate;q=0.1", "*, br;q=0", "x-gzip;q=0.7, br;q=0.6"):
        kernel = negotiate_coding(header, tuple(ContentCoding(c) for c in ALL))
        assert select_coding(header, ALL) == (None if kernel is None else kernel.value)


def test_available_codings_use_the_kernels_order() -> None:
    assert available_codings() == tuple(c.value for c in kernel_available_codings())
    assert available_codings()[-2:] == ("gzip", "deflate")
    if len(available_codings()) == 4:
        assert available_codings() == ("zstd", "br", "gzip", "deflate")


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("*", "zstd"),
        ("br, zstd", "zstd"),
        ("br, zstd;q=0.9", "br"),
        ("gzip, br, zstd, deflate", "zstd"),
        ("gzip, deflate", "gzip"),
    ],
)
async def test_default_preference_is_the_kernels(header: str, expected: str) -> None:
    if not {"br", "zstd"} <= set(available_codings()):
        pytest.skip("brotli and zstandard are not both installed")
    resp = await compression_middleware()(
        make_request(headers={"Accept-Encoding": header}), big_handler
    )
    assert resp.headers["Content-Encoding"] == expected


async def test_codings_option_order_breaks_ties() -> None:
    mw = compression_middleware(codings=("deflate", "gzip", "gzip"))
    resp = await mw(make_request(headers={"Accept-Encoding": "gzip, deflate"}), big_handler)
    assert resp.headers["Content-Encoding"] == "deflate"
    none = compression_middleware(codings=())
    resp = await none(make_request(headers={"Accept-Encoding": "gzip"}), big_handler)
    assert "Content-Encoding" not in resp.headers
    assert "Vary" not in resp.headers


def decode(coding: str, data: bytes) -> bytes:
    if coding == "gzip":
        return gzip.decompress(data)
    if coding == "deflate":
        return zlib.decompress(data)
    if coding == "br":
        return bytes(importlib.import_module("brotli").decompress(data))
    return bytes(importlib.import_module("zstandard").ZstdDecompressor().decompress(data))


@pytest.mark.parametrize("coding", ALL)
async def test_each_coding_round_trips(coding: str) -> None:
    if coding not in available_codings():
        pytest.skip(f"{coding} support is not installed")
    mw = compression_middleware()
    resp = await mw(make_request(headers={"Accept-Encoding": coding}), big_handler)
    assert isinstance(resp, Response)
    assert resp.headers["Content-Encoding"] == coding
    assert resp.headers["Vary"] == "Accept-Encoding"
    assert len(resp.body) < len(BODY)
    assert decode(coding, resp.body) == BODY


@pytest.mark.parametrize(
    ("make", "method", "accept"),
    [
        (lambda: Response(body=b"x" * 100), "GET", "gzip"),
        (lambda: big(headers={"Content-Encoding": "br"}), "GET", "gzip"),
        (lambda: big(headers={"Cache-Control": "public, no-transform"}), "GET", "gzip"),
        (lambda: big(headers={"Content-Range": "bytes 0-9/100"}), "GET", "gzip"),
        (lambda: big(status=206), "GET", "gzip"),
        (lambda: big(status=304), "GET", "gzip"),
        (lambda: big(status=204), "GET", "gzip"),
        (big, "HEAD", "gzip"),
        (StreamResponse, "GET", "gzip"),
        (lambda: Response(body=BODY, content_type="image/png"), "GET", "gzip"),
        (lambda: Response(body=BODY, content_type="application/zip"), "GET", "gzip"),
    ],
    ids=[
        "small",
        "encoded",
        "no-transform",
        "range",
        "206",
        "304",
        "204",
        "head",
        "stream",
        "png",
        "zip",
    ],
)
async def test_responses_left_alone(
    make: Callable[[], StreamResponse], method: str, accept: str
) -> None:
    async def handler(request: Request) -> StreamResponse:
        return make()

    mw = compression_middleware()
    resp = await mw(make_request(method, "/", {"Accept-Encoding": accept}), handler)
    assert resp.headers.get("Content-Encoding") in (None, "br")
    if isinstance(resp, Response) and "Content-Encoding" not in resp.headers:
        assert not resp.body.startswith(b"\x1f\x8b")


async def test_svg_is_compressed() -> None:
    async def svg(request: Request) -> StreamResponse:
        return Response(body=BODY, content_type="image/svg+xml")

    resp = await compression_middleware()(make_request(headers={"Accept-Encoding": "gzip"}), svg)
    assert resp.headers["Content-Encoding"] == "gzip"


async def test_vary_even_when_the_client_wants_identity_and_etag_weakened() -> None:
    mw = compression_middleware()
    resp = await mw(make_request(), big_handler)
    assert resp.headers["Vary"] == "Accept-Encoding"
    assert "Content-Encoding" not in resp.headers

    async def tagged(request: Request) -> StreamResponse:
        r = big(headers={"Vary": "Cookie"})
        r.etag = "abc"
        return r

    resp = await mw(make_request(headers={"Accept-Encoding": "gzip"}), tagged)
    assert resp.headers["ETag"] == 'W/"abc"'
    assert resp.headers["Vary"] == "Cookie, Accept-Encoding"


async def test_big_bodies_compress_in_a_thread() -> None:
    mw = compression_middleware(thread_min_size=1024)
    resp = await mw(make_request(headers={"Accept-Encoding": "gzip"}), big_handler)
    assert isinstance(resp, Response)
    assert gzip.decompress(resp.body) == BODY


async def test_levels_and_codings_options() -> None:
    fast = compression_middleware(levels={"gzip": 1}, codings=("gzip",))
    best = compression_middleware(levels={"gzip": 9}, codings=("gzip",))
    req = make_request(headers={"Accept-Encoding": "br, gzip"})
    a = await fast(req, big_handler)
    b = await best(req, big_handler)
    assert isinstance(a, Response)
    assert isinstance(b, Response)
    assert a.headers["Content-Encoding"] == b.headers["Content-Encoding"] == "gzip"
    assert len(b.body) <= len(a.body)


@pytest.mark.parametrize(
    "options",
    [
        {"levels": {"gzip": 10}},
        {"levels": {"br": 12}},
        {"levels": {"zstd": 0}},
        {"levels": {"lzma": 1}},
        {"levels": {"gzip": "6"}},
        {"codings": ("compress",)},
        {"min_size": -1},
    ],
)
def test_bad_options_fail_at_setup(options: dict[str, object]) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - the message is checked elsewhere
        compression_middleware(**options)  # type: ignore[arg-type]


async def test_optional_codings_missing_are_not_offered(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "brotli", None)
    monkeypatch.setitem(sys.modules, "zstandard", None)
    assert available_codings() == ("gzip", "deflate")
    mw = compression_middleware()
    resp = await mw(make_request(headers={"Accept-Encoding": "br, zstd, gzip;q=0.1"}), big_handler)
    assert resp.headers["Content-Encoding"] == "gzip"


def kernel_compressed(body: bytes) -> Callable[[Request], Awaitable[StreamResponse]]:
    async def handler(request: Request) -> StreamResponse:
        response = Response(body=body, content_type="text/plain")
        response.enable_compression()
        return response

    return handler


@pytest.mark.loopback
async def test_live_compression() -> None:
    app = make_app(
        [
            ("GET", "/big", big_handler),
            ("HEAD", "/big", big_handler),
            ("GET", "/small", text_handler("tiny")),
            ("GET", "/kernel", kernel_compressed(BODY)),
            ("GET", "/kernel-small", kernel_compressed(b"tiny")),
        ],
        [compression_middleware()],
    )
    async with serve(app) as live:
        resp = await live.client.get("/big", headers={"Accept-Encoding": "gzip"})
        assert resp.headers["content-encoding"] == "gzip"
        assert int(resp.headers["content-length"]) < len(BODY)
        assert resp.content == BODY  # httpx decoded it
        async with live.client.stream(
            "GET", "/big", headers={"Accept-Encoding": "deflate"}
        ) as streamed:
            raw = b"".join([chunk async for chunk in streamed.aiter_raw()])
        assert zlib.decompress(raw) == BODY
        plain = await live.client.get("/big", headers={"Accept-Encoding": "identity"})
        assert "content-encoding" not in plain.headers
        assert plain.content == BODY
        small = await live.client.get("/small", headers={"Accept-Encoding": "gzip"})
        assert "content-encoding" not in small.headers
        head = await live.client.head("/big", headers={"Accept-Encoding": "gzip"})
        assert head.status_code == 200
        assert "content-encoding" not in head.headers
        async with live.client.stream(
            "GET", "/kernel", headers={"Accept-Encoding": "gzip"}
        ) as streamed:
            raw = b"".join([chunk async for chunk in streamed.aiter_raw()])
            assert streamed.headers["content-encoding"] == "gzip"
            assert streamed.headers["vary"] == "Accept-Encoding"
        assert gzip.decompress(raw) == BODY  # compressed once, not twice
        small = await live.client.get("/kernel-small", headers={"Accept-Encoding": "gzip"})
        assert small.headers["content-encoding"] == "gzip"  # the handler asked the kernel
        assert small.content == b"tiny"
