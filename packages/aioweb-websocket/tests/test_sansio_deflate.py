"""permessage-deflate: negotiation, round trips, and the inflation bound."""

from __future__ import annotations

import zlib

import pytest
from hypothesis import given
from hypothesis import strategies as st
from ws_testlib import client_frame, collect

from aioweb.websocket.sansio import (
    BinaryMessage,
    DeflateParams,
    FrameReader,
    FrameWriter,
    HandshakeError,
    Inflater,
    TextMessage,
    WebSocketProtocolError,
    accept_deflate_offer,
    deflate_offer,
    deflate_pair,
    parse_deflate_response,
)


@pytest.mark.parametrize(
    ("offer", "expected"),
    [
        ("permessage-deflate", "permessage-deflate"),
        ("permessage-deflate; client_max_window_bits", "permessage-deflate"),
        (
            "permessage-deflate; server_no_context_takeover; client_no_context_takeover",
            "permessage-deflate; server_no_context_takeover; client_no_context_takeover",
        ),
        (
            "permessage-deflate; server_max_window_bits=10",
            "permessage-deflate; server_max_window_bits=10",
        ),
        (
            'permessage-deflate; server_max_window_bits="12"',
            "permessage-deflate; server_max_window_bits=12",
        ),
        # The first offer is invalid (and one asks for a window zlib cannot do): the next wins.
        ("permessage-deflate; server_max_window_bits=8, permessage-deflate", "permessage-deflate"),
        (
            "permessage-deflate; foo=1, permessage-deflate; server_max_window_bits=9",
            "permessage-deflate; server_max_window_bits=9",
        ),
        ("x-webkit-deflate-frame, permessage-deflate", "permessage-deflate"),
        ("permessage-deflate; server_max_window_bits=16", None),
        ("permessage-deflate; server_max_window_bits", None),
        ("permessage-deflate; client_max_window_bits=7", None),
        ("permessage-deflate; server_no_context_takeover; server_no_context_takeover", None),
        ("permessage-deflate; server_no_context_takeover=1", None),
        ("other", None),
    ],
)
def test_server_negotiation(offer: str, expected: str | None) -> None:
    accepted = accept_deflate_offer([offer])
    assert (accepted.header_value() if accepted else None) == expected


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("permessage-deflate", DeflateParams()),
        (
            "permessage-deflate; server_no_context_takeover; client_max_window_bits=10",
            DeflateParams(server_no_context_takeover=True, client_max_window_bits=10),
        ),
    ],
)
def test_client_checks_the_answer(answer: str, expected: DeflateParams) -> None:
    assert deflate_offer().startswith("permessage-deflate")
    assert parse_deflate_response([answer]) == expected
    assert parse_deflate_response([]) is None


@pytest.mark.parametrize(
    "answer",
    [
        "permessage-deflate, permessage-deflate",
        "other-ext",
        "permessage-deflate; unknown",
        "permessage-deflate; client_max_window_bits=8",
        "permessage-deflate; server_max_window_bits=x",
        "permessage-deflate; client_no_context_takeover=1",
        "permessage-deflate; client_no_context_takeover; client_no_context_takeover",
    ],
)
def test_client_refuses_bad_answers(answer: str) -> None:
    with pytest.raises(HandshakeError):
        parse_deflate_response([answer])


PARAMS = [
    DeflateParams(),
    DeflateParams(server_no_context_takeover=True, client_no_context_takeover=True),
    DeflateParams(server_max_window_bits=9, client_max_window_bits=9),
]


@pytest.mark.parametrize("params", PARAMS, ids=["takeover", "no-takeover", "window-9"])
@pytest.mark.parametrize("client", [True, False], ids=["from-client", "from-server"])
@given(texts=st.lists(st.text(max_size=400), max_size=6), cuts=st.lists(st.integers(0, 3000)))
def test_compressed_round_trip(
    params: DeflateParams, client: bool, texts: list[str], cuts: list[int]
) -> None:
    deflater, _ = deflate_pair(params, client=client)
    _, inflater = deflate_pair(params, client=not client)
    writer = FrameWriter(client=client, deflater=deflater)
    data = b"".join(writer.text(t) for t in texts) + writer.binary(b"z" * 5000)
    data += writer.binary(b"raw", compress=False)
    reader = FrameReader(client=not client, inflater=inflater)
    got = collect(reader, data, cuts)
    assert got == [*map(TextMessage, texts), BinaryMessage(b"z" * 5000), BinaryMessage(b"raw")]


def _compressed_frames(data: bytes, pieces: int) -> bytes:
    obj = zlib.compressobj(9, zlib.DEFLATED, -15)
    body = (obj.compress(data) + obj.flush(zlib.Z_SYNC_FLUSH))[:-4]
    step = max(1, len(body) // pieces)
    chunks = [body[i : i + step] for i in range(0, len(body), step)]
    out = b""
    for i, chunk in enumerate(chunks):
        out += client_frame(0x2 if i == 0 else 0x0, chunk, fin=i == len(chunks) - 1, rsv1=i == 0)
    return out


def test_compressed_fragmented_message() -> None:
    reader = FrameReader(client=False, inflater=Inflater())
    assert collect(reader, _compressed_frames(b"abc" * 10000, 5)) == [BinaryMessage(b"abc" * 10000)]


def test_compression_bomb_is_stopped_at_the_limit() -> None:
    """64 MiB of zeros compress to ~64 KiB: inflation stops at max_msg_size + 1 bytes."""
    bomb = _compressed_frames(b"\x00" * (64 * 1024 * 1024), 1)
    assert len(bomb) < 100_000
    reader = FrameReader(client=False, max_msg_size=1024 * 1024, inflater=Inflater())
    with pytest.raises(WebSocketProtocolError) as info:
        collect(reader, bomb)
    assert info.value.close_code == 1009


def test_corrupt_deflate_data_is_1007() -> None:
    reader = FrameReader(client=False, inflater=Inflater())
    with pytest.raises(WebSocketProtocolError) as info:
        collect(reader, client_frame(0x1, b"\xff\xff\xff\xff", rsv1=True))
    assert info.value.close_code == 1007


def test_rsv1_on_continuation_is_refused() -> None:
    reader = FrameReader(client=False, inflater=Inflater())
    data = client_frame(0x1, b"a", fin=False) + client_frame(0x0, b"b", rsv1=True)
    with pytest.raises(WebSocketProtocolError) as info:
        collect(reader, data)
    assert info.value.close_code == 1002
