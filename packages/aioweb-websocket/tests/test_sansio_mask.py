"""Masking back-ends: the pure and the compiled XOR give the same bytes, sans-IO and on sockets."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st
from websockets.asyncio.client import connect
from ws_testlib import TIMEOUT, ServeWs, client_frame, collect

from aioweb.kernel import Request, StreamResponse
from aioweb.websocket import WebSocketResponse, WSMsgType, ws_connect
from aioweb.websocket.sansio import (
    PURE_MASKER,
    BinaryMessage,
    FrameReader,
    FrameWriter,
    MaskBackend,
    Masker,
    TextMessage,
    apply_mask,
    get_masker,
)

B, T = 0x2, 0x1
SPEEDUPS = get_masker("speedups")  # the test group installs the extra
BACKENDS = [PURE_MASKER, SPEEDUPS]
IDS = ["pure", "speedups"]


def _xor(data: bytes, mask: bytes, offset: int = 0) -> bytes:
    return bytes(b ^ mask[(i + offset) % 4] for i, b in enumerate(data))


def test_the_back_ends_are_named_and_auto_prefers_speedups() -> None:
    assert get_masker("pure") is PURE_MASKER
    assert PURE_MASKER.name == "pure"
    assert SPEEDUPS.name == "speedups"
    assert get_masker("speedups") is SPEEDUPS  # built once
    assert get_masker("auto") is SPEEDUPS
    assert get_masker() is SPEEDUPS
    assert repr(SPEEDUPS) == "<Masker speedups>"


def test_an_unknown_back_end_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown mask backend 'c'"):
        get_masker("c")  # type: ignore[arg-type]


def test_without_the_extra_auto_is_pure_and_speedups_says_how_to_install() -> None:
    # A fresh interpreter where importing pycryptodome fails, as it does without it.
    code = (
        "import sys; sys.modules['Crypto'] = None\n"
        "from aioweb.websocket.sansio import get_masker\n"
        "assert get_masker('auto').name == 'pure', get_masker('auto')\n"
        "try:\n"
        "    get_masker('speedups')\n"
        "except ImportError as exc:\n"
        "    print(exc)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert "pip install 'aioweb-websocket[speedups]'" in out.stdout


@pytest.mark.parametrize("masker", BACKENDS, ids=IDS)
@pytest.mark.parametrize(
    ("size", "offset"),
    [(0, 0), (3, 1), (4095, 2), (4096, 0), (4097, 3), (16385, 1), (1 << 20, 2), (100_003, 3)],
)
def test_each_back_end_xors_every_size_and_phase(masker: Masker, size: int, offset: int) -> None:
    data = os.urandom(size)
    mask = b"\x9d\x01\xfe\x42"
    expected = _xor(data, mask, offset)
    assert masker.apply(data, mask, offset) == expected
    assert masker.apply(bytearray(data), mask, offset) == expected
    with memoryview(data) as view:
        assert masker.apply(view, mask, offset) == expected
    if not offset:
        parts: list[bytes] = []
        masker.into(parts, data, mask)
        assert b"".join(parts) == expected


@given(
    seed=st.binary(min_size=1, max_size=64),
    extra=st.integers(min_value=0, max_value=5000),
    mask=st.binary(min_size=4, max_size=4),
)
def test_the_compiled_xor_equals_the_pure_one(seed: bytes, extra: int, mask: bytes) -> None:
    data = (seed * (9096 // len(seed) + 1))[: 4096 + extra]  # past the compiled threshold
    for offset in range(4):
        assert SPEEDUPS.apply(data, mask, offset) == apply_mask(data, mask, offset)


@pytest.mark.parametrize("masker", BACKENDS, ids=IDS)
def test_a_reader_unmasks_big_and_split_frames_with_its_back_end(masker: Masker) -> None:
    big = os.urandom(300_001)
    data = client_frame(B, big) + client_frame(T, "é".encode() * 5000) + client_frame(B, b"x")
    expected = [BinaryMessage(big), TextMessage("é" * 5000), BinaryMessage(b"x")]
    assert collect(FrameReader(client=False, masker=masker), data) == expected
    cuts = [1, 7, 4096, 65_537, 200_000, 300_010, 300_020]
    assert collect(FrameReader(client=False, masker=masker), data, cuts) == expected


@pytest.mark.parametrize("masker", BACKENDS, ids=IDS)
def test_a_client_writer_masks_with_its_back_end(masker: Masker) -> None:
    payload = os.urandom(70_000)
    key = b"\x01\x02\x03\x04"
    writer = FrameWriter(client=True, masker=masker, mask_key=lambda: key)
    head, body = writer.message_parts(payload, text=False)
    assert head == bytes((0x82, 0x80 | 127)) + (70_000).to_bytes(8, "big") + key
    assert body == _xor(payload, key)
    reader = FrameReader(client=False, masker=PURE_MASKER)
    assert collect(reader, writer.binary(payload)) == [BinaryMessage(payload)]


# -- over real sockets -------------------------------------------------------------------


@pytest.mark.loopback
@pytest.mark.parametrize("server_mask", ["pure", "speedups"])
@pytest.mark.parametrize("client_mask", ["pure", "speedups"])
async def test_every_pairing_of_back_ends_echoes_big_messages(
    serve_ws: ServeWs, server_mask: MaskBackend, client_mask: MaskBackend
) -> None:
    async def echo(request: Request) -> StreamResponse:
        ws = WebSocketResponse(compress=False, mask_backend=server_mask)
        await ws.prepare(request)
        async for msg in ws:
            if msg.type is WSMsgType.BINARY:
                await ws.send_bytes(msg.data)
            elif msg.type is WSMsgType.TEXT:
                await ws.send_str(msg.data)
        return ws

    live = await serve_ws(echo)
    ws = await ws_connect(
        live.url, compress=False, mask_backend=client_mask, receive_timeout=TIMEOUT
    )
    try:
        for size in (5, 4095, 4096, 70_001, 1 << 20):
            payload = os.urandom(size)
            await ws.send_bytes(payload)
            assert await ws.receive_bytes() == payload
        await ws.send_str("ü" * 40_000)
        assert await ws.receive_str() == "ü" * 40_000
    finally:
        await ws.close()
    assert ws.close_code == 1000


@pytest.mark.loopback
async def test_the_websockets_client_is_unmasked_by_the_compiled_xor(serve_ws: ServeWs) -> None:
    async def echo(request: Request) -> StreamResponse:
        ws = WebSocketResponse(mask_backend="speedups")
        await ws.prepare(request)
        async for msg in ws:
            await ws.send_bytes(msg.data)
        return ws

    live = await serve_ws(echo)
    async with connect(live.url, compression=None, open_timeout=TIMEOUT, max_size=None) as ws:
        for size in (4097, 300_003):
            payload = os.urandom(size)
            await ws.send(payload)
            assert await asyncio.wait_for(ws.recv(), TIMEOUT) == payload


async def test_an_unknown_back_end_fails_before_anything_is_sent() -> None:
    with pytest.raises(ValueError, match="unknown mask backend"):
        WebSocketResponse(mask_backend="fast")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="unknown mask backend"):
        await ws_connect("ws://127.0.0.1:9/", mask_backend="fast")  # type: ignore[arg-type]


def test_the_extra_is_imported_when_the_plugin_is_set_up_not_at_import() -> None:
    code = (
        "import sys\n"
        "from aioweb.kernel import Registry\n"
        "from aioweb.websocket import WebSocketResponse\n"
        "from aioweb.websocket._plugin import plugin\n"
        "assert 'Crypto.Util.strxor' not in sys.modules\n"
        "registry = Registry(discover=False)\n"
        "registry.add(plugin)\n"
        "registry.load()\n"
        "assert 'Crypto.Util.strxor' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], timeout=60, check=True)
