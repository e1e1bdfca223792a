"""Request bodies: bytes, text, files and async iterators, with their framing.

A body whose length is known is sent with Content-Length; one whose length is
not (an async iterator, a pipe) is sent with ``Transfer-Encoding: chunked``.
"""

from __future__ import annotations

import asyncio
import io
import os
import stat
from collections.abc import AsyncIterable, AsyncIterator, Callable
from dataclasses import dataclass
from typing import IO, Any, Final

__all__ = ["Body", "make_body"]

CHUNK_SIZE: Final = 64 * 1024
BodySource = Callable[[], AsyncIterator[bytes]]


@dataclass(frozen=True, slots=True)
class Body:
    """A request body ready to be sent.

    Attributes:
        data: The whole body, when it is in memory.
        source: Opens a fresh iterator over the body, when it is streamed.
        length: Its size in bytes, or None (sent chunked).
        content_type: The default Content-Type for it, if any.
        replayable: Whether it can be sent again (retry, 307/308 redirect).
    """

    data: bytes | None = None
    source: BodySource | None = None
    length: int | None = None
    content_type: str | None = None
    replayable: bool = True


def bytes_body(data: bytes, content_type: str | None) -> Body:
    """A body held in memory."""
    return Body(data=data, length=len(data), content_type=content_type)


def _file_length(file: IO[Any]) -> int | None:
    try:
        info = os.fstat(file.fileno())
        if stat.S_ISREG(info.st_mode):
            return max(info.st_size - file.tell(), 0)
    except (OSError, AttributeError, io.UnsupportedOperation):
        pass
    return None


def file_body(file: IO[Any], content_type: str | None = "application/octet-stream") -> Body:
    """A body read from a file object in a thread, 64 KiB at a time."""
    seekable = False
    start = 0
    try:
        seekable = file.seekable()
        start = file.tell() if seekable else 0
    except (OSError, ValueError):  # pragma: no cover - odd file objects
        seekable = False
    length = _file_length(file)
    text = isinstance(file, io.TextIOBase)
    if text:
        length = None  # characters are not bytes

    async def source() -> AsyncIterator[bytes]:
        loop = asyncio.get_running_loop()
        if seekable:
            await loop.run_in_executor(None, file.seek, start)
        while True:
            chunk = await loop.run_in_executor(None, file.read, CHUNK_SIZE)
            if not chunk:
                return
            yield chunk.encode("utf-8") if isinstance(chunk, str) else chunk

    return Body(source=source, length=length, content_type=content_type, replayable=seekable)


def iterator_body(stream: AsyncIterable[bytes]) -> Body:
    """A body pulled from an async iterator once; it cannot be sent again."""
    used = False

    async def source() -> AsyncIterator[bytes]:
        nonlocal used
        if used:
            raise RuntimeError("an async iterator body cannot be sent twice")
        used = True
        async for chunk in stream:
            if not isinstance(chunk, (bytes, bytearray, memoryview)):
                raise TypeError(f"a body iterator must yield bytes, got {type(chunk).__name__}")
            yield bytes(chunk)

    return Body(source=source, content_type="application/octet-stream", replayable=False)


def make_body(data: object) -> Body | None:
    """Turn ``data=`` into a Body (FormData is handled by the caller).

    Raises:
        TypeError: ``data`` is of a type that cannot be sent.
    """
    if data is None:
        return None
    if isinstance(data, (bytes, bytearray, memoryview)):
        return bytes_body(bytes(data), "application/octet-stream")
    if isinstance(data, str):
        return bytes_body(data.encode("utf-8"), "text/plain; charset=utf-8")
    if isinstance(data, io.IOBase) or hasattr(data, "read"):
        return file_body(data)  # type: ignore[arg-type]
    if isinstance(data, AsyncIterable):
        return iterator_body(data)
    raise TypeError(
        f"cannot send a body of type {type(data).__name__}: use bytes, str, a file "
        "object, an async iterator of bytes, FormData, a dict (form fields) or json="
    )
