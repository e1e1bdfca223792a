"""``StreamReader``: reads, EOF, exceptions, flow control; ``EMPTY_PAYLOAD``."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest
from kernel_testlib import feed_in_task

from aioweb.kernel import EMPTY_PAYLOAD, EofStream, PayloadError, StreamReader

CHUNKS = (b"line one\nli", b"ne two\n", b"", b"tail")


def fed(*chunks: bytes, eof: bool = True) -> StreamReader:
    stream = StreamReader()
    for chunk in chunks:
        stream.feed_data(chunk)
    if eof:
        stream.feed_eof()
    return stream


# -- reads -----------------------------------------------------------------------------


@pytest.mark.parametrize("in_task", [False, True], ids=["prefed", "from-task"])
async def test_read_all(in_task: bool) -> None:
    if in_task:
        stream = StreamReader()
        task = feed_in_task(stream, CHUNKS)
        assert await stream.read() == b"".join(CHUNKS)
        await task
    else:
        assert await fed(*CHUNKS).read() == b"".join(CHUNKS)


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (0, b""),
        (1, b"l"),
        (4, b"line"),
        (11, b"line one\nli"),
        (15, b"line one\nline t"),
        (22, b"line one\nline two\ntail"),
    ],
    ids=["zero", "one", "four", "one-chunk", "across-chunks", "all"],
)
async def test_read_n(n: int, expected: bytes) -> None:
    stream = fed(*CHUNKS)
    assert await stream.read(n) == expected
    assert await stream.read() == b"".join(CHUNKS)[len(expected) :]


async def test_read_n_returns_what_is_buffered() -> None:
    stream = StreamReader()
    stream.feed_data(b"ab")
    assert await stream.read(10) == b"ab"


async def test_read_n_waits_for_data() -> None:
    stream = StreamReader()
    task = feed_in_task(stream, [b"xyz"])
    assert await stream.read(2) == b"xy"
    await task
    assert await stream.read(5) == b"z"
    assert await stream.read(5) == b""


async def test_readany() -> None:
    stream = StreamReader()
    task = feed_in_task(stream, [b"a", b"b"])
    got = [await stream.readany()]
    while chunk := await stream.readany():
        got.append(chunk)
    await task
    assert b"".join(got) == b"ab"
    assert await stream.readany() == b""


@pytest.mark.parametrize("n", [0, 3, 8, 18, 22], ids=lambda n: f"n={n}")
async def test_readexactly(n: int) -> None:
    data = b"".join(CHUNKS)
    stream = StreamReader()
    task = feed_in_task(stream, CHUNKS)
    assert await stream.readexactly(n) == data[:n]
    await task


async def test_readexactly_eof_first() -> None:
    stream = fed(b"abc")
    with pytest.raises(EofStream, match="expected 5 bytes, the body has 3 left"):
        await stream.readexactly(5)


@pytest.mark.parametrize("in_task", [False, True], ids=["prefed", "from-task"])
async def test_readline(in_task: bool) -> None:
    stream = StreamReader() if in_task else fed(*CHUNKS)
    task = feed_in_task(stream, CHUNKS) if in_task else None
    assert await stream.readline() == b"line one\n"
    assert await stream.readline() == b"line two\n"
    assert await stream.readline() == b"tail"
    assert await stream.readline() == b""
    if task is not None:
        await task


async def test_readline_too_long() -> None:
    stream = fed(b"x" * 20)
    with pytest.raises(ValueError, match="line longer than 10 bytes"):
        await stream.readline(max_line_size=10)


async def test_async_for_lines() -> None:
    stream = StreamReader()
    task = feed_in_task(stream, CHUNKS)
    lines = [line async for line in stream]
    await task
    assert lines == [b"line one\n", b"line two\n", b"tail"]


@pytest.mark.parametrize("n", [1, 4, 100], ids=lambda n: f"n={n}")
async def test_iter_chunked(n: int) -> None:
    stream = StreamReader()
    task = feed_in_task(stream, CHUNKS)
    chunks = [c async for c in stream.iter_chunked(n)]
    await task
    assert b"".join(chunks) == b"".join(CHUNKS)
    assert all(0 < len(c) <= n for c in chunks)


async def test_iter_chunked_exact_sizes_when_buffered() -> None:
    chunks = [c async for c in fed(*CHUNKS).iter_chunked(5)]
    assert [len(c) for c in chunks] == [5, 5, 5, 5, 2]


async def test_iter_any() -> None:
    stream = StreamReader()
    task = feed_in_task(stream, CHUNKS)
    chunks = [c async for c in stream.iter_any()]
    await task
    assert b"".join(chunks) == b"".join(CHUNKS)
    assert b"" not in chunks


# -- state, EOF and errors ------------------------------------------------------------------


async def test_eof_state() -> None:
    stream = StreamReader()
    assert not stream.is_eof()
    assert not stream.at_eof()
    stream.feed_data(b"ab")
    stream.feed_eof()
    assert stream.is_eof()
    assert not stream.at_eof()  # data is still buffered
    assert stream.total_bytes == 2
    await stream.read()
    assert stream.at_eof()
    assert stream.total_bytes == 2


def test_feed_empty_is_ignored() -> None:
    stream = StreamReader()
    stream.feed_data(b"")
    assert stream.total_bytes == 0


@pytest.mark.parametrize(
    "read",
    ["read", "read_n", "readany", "readexactly", "readline"],
)
async def test_exception_fails_a_waiting_read(read: str) -> None:
    stream = StreamReader()
    calls: dict[str, Callable[[], Awaitable[bytes]]] = {
        "read": stream.read,
        "read_n": lambda: stream.read(3),
        "readany": stream.readany,
        "readexactly": lambda: stream.readexactly(3),
        "readline": stream.readline,
    }
    waiting = asyncio.ensure_future(calls[read]())
    await asyncio.sleep(0)
    error = PayloadError("peer went away")
    stream.set_exception(error)
    with pytest.raises(PayloadError) as info:
        await waiting
    assert info.value is error
    assert stream.exception() is error


@pytest.mark.parametrize("read", ["read", "readany"])
async def test_exception_fails_later_reads(read: str) -> None:
    stream = StreamReader()
    stream.set_exception(PayloadError("bad chunk"))
    with pytest.raises(PayloadError, match="bad chunk"):
        await getattr(stream, read)()


async def test_readany_returns_buffered_data_before_the_exception() -> None:
    stream = StreamReader()
    stream.feed_data(b"partial")
    stream.set_exception(PayloadError("cut"))
    assert await stream.readany() == b"partial"
    with pytest.raises(PayloadError):
        await stream.readany()


async def test_two_waiters_is_an_error() -> None:
    stream = StreamReader()
    first = asyncio.ensure_future(stream.read())
    await asyncio.sleep(0)
    with pytest.raises(RuntimeError, match="already waiting"):
        await stream.read()
    stream.feed_eof()
    assert await first == b""


async def test_cancelled_read_leaves_the_stream_usable() -> None:
    stream = StreamReader()
    waiting = asyncio.ensure_future(stream.readany())
    await asyncio.sleep(0)
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    stream.feed_data(b"after")
    assert await stream.readany() == b"after"


# -- flow control -------------------------------------------------------------------------


class Flow:
    def __init__(self) -> None:
        self.log: list[str] = []

    def pause(self) -> None:
        self.log.append("pause")

    def resume(self) -> None:
        self.log.append("resume")


def flow_stream(flow: Flow, high_water: int = 10) -> StreamReader:
    return StreamReader(high_water=high_water, pause=flow.pause, resume=flow.resume)


async def test_pause_above_high_water() -> None:
    flow = Flow()
    stream = flow_stream(flow)
    stream.feed_data(b"x" * 10)  # at the mark: not above it
    assert flow.log == []
    stream.feed_data(b"x")
    assert flow.log == ["pause"]
    stream.feed_data(b"x" * 100)
    assert flow.log == ["pause"]  # only once while paused


@pytest.mark.parametrize(
    ("take", "log"),
    [(5, ["pause"]), (6, ["pause"]), (7, ["pause", "resume"]), (12, ["pause", "resume"])],
    ids=["left-7", "left-6", "left-5-half", "drained"],
)
async def test_resume_below_half(take: int, log: list[str]) -> None:
    flow = Flow()
    stream = flow_stream(flow)
    stream.feed_data(b"x" * 12)
    await stream.read(take)
    assert flow.log == log


async def test_pause_resume_cycle() -> None:
    flow = Flow()
    stream = flow_stream(flow, high_water=4)
    for _ in range(3):
        stream.feed_data(b"12345")
        await stream.readany()
    assert flow.log == ["pause", "resume"] * 3


async def test_no_callbacks_is_fine() -> None:
    stream = StreamReader(high_water=1)
    stream.feed_data(b"lots of data")
    assert await stream.read(3) == b"lot"


# -- EMPTY_PAYLOAD -------------------------------------------------------------------------


async def test_empty_payload() -> None:
    assert EMPTY_PAYLOAD.is_eof()
    assert EMPTY_PAYLOAD.at_eof()
    assert await EMPTY_PAYLOAD.read() == b""
    assert await EMPTY_PAYLOAD.readany() == b""
    assert await EMPTY_PAYLOAD.readline() == b""
    assert [c async for c in EMPTY_PAYLOAD.iter_any()] == []
    with pytest.raises(EofStream):
        await EMPTY_PAYLOAD.readexactly(1)


def test_empty_payload_cannot_be_fed_or_failed() -> None:
    with pytest.raises(RuntimeError, match="cannot be fed"):
        EMPTY_PAYLOAD.feed_data(b"x")
    EMPTY_PAYLOAD.feed_data(b"")
    EMPTY_PAYLOAD.set_exception(PayloadError("ignored"))
    assert EMPTY_PAYLOAD.exception() is None


async def test_on_first_wait_is_called_once_when_a_reader_waits() -> None:
    calls: list[str] = []
    reader = StreamReader(on_first_wait=lambda: calls.append("wait"))
    reader.feed_data(b"ab")
    assert await reader.read(2) == b"ab"  # data was there: nobody waited
    assert calls == []

    async def feed() -> None:
        await asyncio.sleep(0)
        reader.feed_data(b"cd")
        await asyncio.sleep(0)
        reader.feed_eof()

    task = asyncio.ensure_future(feed())
    assert await reader.read() == b"cd"
    await task
    assert calls == ["wait"]
