"""The frame parser: example tables, byte-split invariance, hostile frames."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from ws_testlib import MASK, client_frame, collect

from aioweb.websocket.sansio import (
    BinaryMessage,
    Close,
    FrameReader,
    FrameWriter,
    Opcode,
    Ping,
    Pong,
    TextMessage,
    WebSocketProtocolError,
    apply_mask,
    encode_frame,
    encode_frame_parts,
    is_valid_close_code,
)

T, B, C, CLOSE, PING, PONG = 0x1, 0x2, 0x0, 0x8, 0x9, 0xA

STREAM = (
    client_frame(T, "héllo".encode())
    + client_frame(B, b"\x00" * 300)
    + client_frame(T, b"frag", fin=False)
    + client_frame(PING, b"in-between")
    + client_frame(C, "ment ✓".encode()[:3], fin=False)
    + client_frame(C, "ment ✓".encode()[3:])
    + client_frame(B, b"y" * 70000)
    + client_frame(PONG, b"")
    + client_frame(CLOSE, (1000).to_bytes(2, "big") + b"bye")
)
EXPECTED = [
    TextMessage("héllo"),
    BinaryMessage(b"\x00" * 300),
    Ping(b"in-between"),
    TextMessage("fragment ✓"),
    BinaryMessage(b"y" * 70000),
    Pong(b""),
    Close(1000, "bye"),
]


@pytest.mark.parametrize(
    "cuts",
    [(), (1, 9, 30, 400), tuple(range(500)), tuple(range(0, len(STREAM), 7))],
    ids=["whole", "4-cuts", "bytewise-head", "every-7"],
)
def test_stream_events(cuts: tuple[int, ...]) -> None:
    assert collect(FrameReader(client=False), STREAM, cuts) == EXPECTED


@given(cuts=st.lists(st.integers(min_value=0, max_value=len(STREAM)), max_size=20))
def test_any_split_yields_same_events(cuts: list[int]) -> None:
    assert collect(FrameReader(client=False), STREAM, cuts) == EXPECTED


@pytest.mark.parametrize(
    ("frame", "expected"),
    [
        pytest.param(client_frame(T, b""), TextMessage(""), id="empty-text"),
        pytest.param(client_frame(B, b""), BinaryMessage(b""), id="empty-binary"),
        pytest.param(client_frame(T, b"x" * 125), TextMessage("x" * 125), id="len-125"),
        pytest.param(client_frame(T, b"x" * 126), TextMessage("x" * 126), id="len-126-16bit"),
        pytest.param(client_frame(B, b"x" * 65536), BinaryMessage(b"x" * 65536), id="len-64bit"),
        pytest.param(client_frame(CLOSE, b""), Close(None, ""), id="close-empty"),
        pytest.param(client_frame(CLOSE, b"\x0f\xa0"), Close(4000, ""), id="close-4000"),
        pytest.param(client_frame(PING, b"x" * 125), Ping(b"x" * 125), id="ping-125"),
    ],
)
def test_single_frames(frame: bytes, expected: object) -> None:
    assert collect(FrameReader(client=False), frame) == [expected]


def _err(reader: FrameReader, data: bytes) -> int:
    with pytest.raises(WebSocketProtocolError) as info:
        collect(reader, data)
    return info.value.close_code


@pytest.mark.parametrize(
    ("data", "code"),
    [
        pytest.param(encode_frame(T, b"hi"), 1002, id="unmasked-client-frame"),
        pytest.param(
            bytes((0x82, 0xFF)) + (1 << 63).to_bytes(8, "big") + MASK, 1002, id="length-2**63"
        ),
        pytest.param(client_frame(PING, b"x", fin=False), 1002, id="fragmented-ping"),
        pytest.param(client_frame(CLOSE, b"\x03\xe8", fin=False), 1002, id="fragmented-close"),
        pytest.param(client_frame(PING, b"x" * 126), 1002, id="ping-126"),
        pytest.param(client_frame(C, b"x"), 1002, id="continuation-first"),
        pytest.param(
            client_frame(T, b"a", fin=False) + client_frame(B, b"b"), 1002, id="new-inside"
        ),
        pytest.param(client_frame(3, b""), 1002, id="opcode-3"),
        pytest.param(client_frame(0xB, b""), 1002, id="opcode-b"),
        pytest.param(client_frame(T, b"x", rsv1=True), 1002, id="rsv1-not-negotiated"),
        pytest.param(bytes((0xA1, 0x80)) + MASK, 1002, id="rsv2"),
        pytest.param(bytes((0x91, 0x80)) + MASK, 1002, id="rsv3"),
        pytest.param(client_frame(T, b"\xff"), 1007, id="bad-utf8"),
        pytest.param(client_frame(T, b"\xed\xa0\x80"), 1007, id="surrogate"),
        pytest.param(
            client_frame(T, b"ok\xe2\x82", fin=False) + client_frame(C, b"\x28"),
            1007,
            id="bad-utf8-across-fragments",
        ),
        pytest.param(
            client_frame(T, b"ok\xe2\x82", fin=False) + client_frame(C, b""),
            1007,
            id="truncated-utf8-at-end",
        ),
        pytest.param(client_frame(CLOSE, b"\x03"), 1002, id="close-1-byte"),
        pytest.param(client_frame(CLOSE, b"\x03\xe8\xff"), 1007, id="close-reason-not-utf8"),
    ],
)
def test_hostile_frames(data: bytes, code: int) -> None:
    assert _err(FrameReader(client=False), data) == code


def test_masked_frame_from_server_is_refused() -> None:
    assert _err(FrameReader(client=True), client_frame(T, b"x")) == 1002
    assert collect(FrameReader(client=True), encode_frame(T, b"x")) == [TextMessage("x")]


@pytest.mark.parametrize(
    "code", [0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535]
)
def test_invalid_close_codes(code: int) -> None:
    assert not is_valid_close_code(code)
    assert _err(FrameReader(client=False), client_frame(CLOSE, code.to_bytes(2, "big"))) == 1002


@pytest.mark.parametrize("code", [1000, 1001, 1002, 1003, 1007, 1011, 1012, 1014, 3000, 4999])
def test_valid_close_codes(code: int) -> None:
    frame = client_frame(CLOSE, code.to_bytes(2, "big") + "ok ✓".encode())
    assert collect(FrameReader(client=False), frame) == [Close(code, "ok ✓")]


def test_invalid_utf8_fails_before_the_frame_ends() -> None:
    """Fail fast: the bad byte is enough, the rest of a long frame never needs to come."""
    frame = client_frame(T, b"abc\xc0" + b"x" * 1000)
    reader = FrameReader(client=False)
    with pytest.raises(WebSocketProtocolError) as info:
        collect(reader, frame[:12])
    assert info.value.close_code == 1007


def test_oversize_is_refused_from_the_header() -> None:
    reader = FrameReader(client=False, max_msg_size=1000)
    # Only the header arrives: the limit applies before any payload is buffered.
    head = client_frame(B, b"x" * 1001)[:8]
    assert _err(reader, head) == 1009


def test_oversize_across_fragments() -> None:
    reader = FrameReader(client=False, max_msg_size=1000)
    data = client_frame(B, b"x" * 600, fin=False) + client_frame(C, b"x" * 600)
    assert _err(reader, data) == 1009


def test_max_msg_size_zero_means_unbounded() -> None:
    reader = FrameReader(client=False, max_msg_size=0)
    assert collect(reader, client_frame(B, b"x" * 100_000)) == [BinaryMessage(b"x" * 100_000)]


def test_nothing_is_read_after_close() -> None:
    data = client_frame(CLOSE, b"") + client_frame(T, b"late")
    assert collect(FrameReader(client=False), data) == [Close()]


@given(data=st.binary(max_size=300), mask=st.binary(min_size=4, max_size=4))
def test_mask_is_an_involution(data: bytes, mask: bytes) -> None:
    expected = bytes(b ^ mask[i % 4] for i, b in enumerate(data))
    assert apply_mask(data, mask) == expected
    assert apply_mask(expected, mask) == data
    if len(data) > 5:
        assert apply_mask(data[:5], mask) + apply_mask(data[5:], mask, 5) == expected


@pytest.mark.parametrize(
    ("size", "offset"),
    [(16384, 0), (16385, 1), (3 * 16384 + 7, 2), (100_003, 3)],
    ids=["one-slice", "slice+1", "slices+7", "odd-size"],
)
def test_mask_of_payloads_past_one_slice(size: int, offset: int) -> None:
    data = bytes(range(256)) * (size // 256) + bytes(size % 256)
    mask = b"\x9d\x01\xfe\x42"
    expected = bytes(b ^ mask[(i + offset) % 4] for i, b in enumerate(data))
    assert apply_mask(data, mask, offset) == expected
    assert apply_mask(bytearray(data), mask, offset) == expected


def test_whole_frames_and_split_frames_agree() -> None:
    data = client_frame(T, "ünï".encode()) + client_frame(B, b"x" * 300) + client_frame(T, b"")
    events = [TextMessage("ünï"), BinaryMessage(b"x" * 300), TextMessage("")]
    assert collect(FrameReader(client=False), data) == events
    assert collect(FrameReader(client=False), data, cuts=range(len(data))) == events


MESSAGES = st.lists(
    st.one_of(
        st.text(max_size=200).map(TextMessage),
        st.binary(max_size=200).map(BinaryMessage),
        st.binary(max_size=125).map(Ping),
        st.binary(max_size=125).map(Pong),
    ),
    max_size=8,
)


def _write(writer: FrameWriter, events: list[object]) -> bytes:
    out = b""
    for ev in events:
        if isinstance(ev, TextMessage):
            out += writer.text(ev.data)
        elif isinstance(ev, BinaryMessage):
            out += writer.binary(ev.data)
        elif isinstance(ev, Ping):
            out += writer.ping(ev.data)
        elif isinstance(ev, Pong):
            out += writer.pong(ev.data)
    return out + writer.close(1001, "bye")


@pytest.mark.parametrize("client", [True, False], ids=["client-to-server", "server-to-client"])
@given(events=MESSAGES, cuts=st.lists(st.integers(min_value=0, max_value=3000), max_size=6))
def test_writer_reader_round_trip(client: bool, events: list[object], cuts: list[int]) -> None:
    data = _write(FrameWriter(client=client), events)
    got = collect(FrameReader(client=not client), data, cuts)
    assert got == [*events, Close(1001, "bye")]


def test_fragments_round_trip() -> None:
    writer = FrameWriter(client=True)
    data = writer.fragments([b"ab", b"", "c✓".encode()], text=True)
    assert collect(FrameReader(client=False), data) == [TextMessage("abc✓")]
    assert collect(FrameReader(client=False), writer.fragments([], text=False)) == [
        BinaryMessage(b"")
    ]


def test_writer_refuses_what_may_not_be_sent() -> None:
    writer = FrameWriter(client=False)
    with pytest.raises(ValueError, match="125"):
        writer.ping(b"x" * 126)
    with pytest.raises(ValueError, match="1006"):
        writer.close(1006)
    assert writer.close(None) == bytes((0x88, 0))
    assert Opcode.PONG == PONG


@given(cuts=st.lists(st.integers(min_value=0, max_value=120100), max_size=8))
def test_big_fragmented_binary_any_split(cuts: list[int]) -> None:
    """Big pieces go straight into the message's parts: any split, any mask phase."""
    data = bytes(range(256)) * 469  # 120064 bytes, not a multiple of 4 per fragment
    frames = (
        client_frame(B, data[:40001], fin=False)
        + client_frame(PING, b"p")
        + client_frame(C, data[40001:80003], fin=False)
        + client_frame(C, data[80003:])
    )
    assert collect(FrameReader(client=False), frames, cuts) == [Ping(b"p"), BinaryMessage(data)]


def test_feed_accepts_bytearray_and_memoryview_without_aliasing() -> None:
    reader = FrameReader(client=False)
    frame = bytearray(client_frame(B, b"z" * 20000))
    reader.feed(frame[:100])
    reader.feed(memoryview(frame)[100:20000])
    half = frame[20000:]
    reader.feed(half)
    half[:] = b"\x00" * len(half)  # the reader kept its own copy
    assert reader.next_event() == BinaryMessage(b"z" * 20000)


@pytest.mark.parametrize("client", [False, True])
def test_frame_parts_equal_the_joined_frame(client: bool) -> None:
    payload = b"q" * 70000
    mask = MASK if client else None
    parts = encode_frame_parts(B, payload, mask=mask)
    assert len(parts) == 2
    assert b"".join(parts) == encode_frame(B, payload, mask=mask)
    if not client:
        assert parts[1] is payload  # no copy of the payload
    writer = FrameWriter(client=client, mask_key=lambda: MASK)
    assert b"".join(writer.message_parts(payload, text=False)) == writer.binary(payload)
