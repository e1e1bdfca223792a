"""``FileResponse``: a file sent with sendfile, ranges and conditional requests."""

from __future__ import annotations

import asyncio
import os
import secrets
import stat
from typing import IO, TYPE_CHECKING, Final

from aioweb.kernel import StreamResponse, format_http_date

from ._conditional import (
    UNSATISFIABLE,
    Validators,
    evaluate_preconditions,
    if_range_allows,
    parse_range,
)
from ._errors import FileChangedError, StaticFileNotFoundError
from ._negotiate import SIBLINGS, content_type_for, pick_coding

if TYPE_CHECKING:
    from aioweb.kernel import Request, ResponseWriter

__all__ = ["DEFAULT_CHUNK_SIZE", "FileResponse"]

#: Bytes read per step when sendfile cannot be used (TLS, non-socket transports).
DEFAULT_CHUNK_SIZE: Final = 256 * 1024

_ENTITY_HEADERS: Final = ("Content-Type", "Content-Encoding", "Content-Length", "Content-Range")


def _stat_regular(path: str) -> os.stat_result | None:
    """``os.stat`` of a readable regular file, else ``None`` (never raises)."""
    try:
        st = os.stat(path)
    except (OSError, ValueError):  # ValueError: NUL in the path
        return None
    if not stat.S_ISREG(st.st_mode):
        return None
    return st


class FileResponse(StreamResponse):
    """Send a file: zero-copy ``sendfile`` on plain TCP, chunked reads otherwise.

    The constructor checks the file (one ``stat`` and one ``access`` call: both are
    fast on a local file system, so they run inline rather than in an executor). A
    missing, unreadable or non-regular file (a directory) raises
    :class:`StaticFileNotFoundError`, which is both a ``FileNotFoundError`` and an
    ``HTTPNotFound``: uncaught, the client gets 404. If the file disappears between
    the constructor and :meth:`prepare`, the response turns into a plain 404.

    :meth:`prepare` evaluates ``If-Match``, ``If-Unmodified-Since``, ``If-None-Match``
    and ``If-Modified-Since`` (RFC 9110 §13.2.2 order: 412 or 304), ``Range`` and
    ``If-Range`` (206, ``multipart/byteranges`` for several ranges, 416 with
    ``Content-Range: bytes */size``), and picks a pre-compressed sibling
    (``file.br``, ``file.zst``, ``file.gz``) by ``Accept-Encoding``, adding
    ``Vary: Accept-Encoding`` whenever one exists.  Conditionals and ranges apply only
    while the status is 200.

    Args:
        path: the file.
        chunk_size: bytes per read on the non-sendfile path.
        status: the status code (ranges and conditionals need 200).
        reason: the reason phrase.
        headers: extra headers; a ``Content-Type`` given here is kept.

    Raises:
        StaticFileNotFoundError: the file is missing, unreadable or not a regular file.
        ValueError: ``chunk_size`` is not positive.
    """

    __slots__ = ("_chunk_size", "_path")

    def __init__(
        self,
        path: str | os.PathLike[str],
        chunk_size: int = DEFAULT_CHUNK_SIZE,
        status: int = 200,
        reason: str | None = None,
        headers: dict[str, str] | list[tuple[str, str]] | None = None,
    ) -> None:
        super().__init__(status=status, reason=reason, headers=headers)
        if chunk_size <= 0:
            raise ValueError(f"chunk_size must be positive, not {chunk_size!r}")
        self._chunk_size = chunk_size
        self._path = os.fspath(path)
        if _stat_regular(self._path) is None or not os.access(self._path, os.R_OK):
            raise StaticFileNotFoundError(text=None)

    @property
    def path(self) -> str:
        """The file's path."""
        return self._path

    async def prepare(self, request: Request) -> ResponseWriter:
        """Answer ``request`` with the file (head and body), then end the message."""
        if self.prepared:
            return await super().prepare(request)
        coding, file = self._open(request)
        if file is None:
            return await self._send_simple(request, 404, b"404: Not Found")
        with file:
            return await self._send_file(request, coding, file)

    def _open(self, request: Request) -> tuple[str | None, IO[bytes] | None]:
        """Open the sibling the client accepts best, else the file itself."""
        path, headers = self._path, self._headers
        chosen: str | None = None
        if "Content-Encoding" not in headers and self.status == 200:
            available = [c for c, suffix in SIBLINGS if _stat_regular(path + suffix)]
            if available:
                headers.add("Vary", "Accept-Encoding")
                chosen = pick_coding(request.headers.get("Accept-Encoding"), available)
        if chosen is not None:
            suffix = dict(SIBLINGS)[chosen]
            try:
                return chosen, open(path + suffix, "rb")
            except OSError:
                pass  # gone or unreadable: fall back to the file itself
        try:
            return None, open(path, "rb")
        except OSError:
            return None, None

    async def _send_simple(
        self, request: Request, status: int, body: bytes, content_range: str | None = None
    ) -> ResponseWriter:
        for name in _ENTITY_HEADERS:
            self._headers.popall(name, None)
        if content_range is not None:
            self._headers["Content-Range"] = content_range
        self.set_status(status)
        if body:
            self._headers["Content-Type"] = "text/plain; charset=utf-8"
        self.content_length = len(body)
        writer = await super().prepare(request)
        await self.write_eof(body)
        return writer

    async def _send_file(
        self, request: Request, coding: str | None, file: IO[bytes]
    ) -> ResponseWriter:
        st = os.fstat(file.fileno())
        if not stat.S_ISREG(st.st_mode):
            return await self._send_simple(request, 404, b"404: Not Found")
        size = st.st_size
        validators = Validators.from_stat(st)
        headers = self._headers
        headers.setdefault("Content-Type", content_type_for(self._path))
        if coding is not None:
            headers["Content-Encoding"] = coding
        if self.status != 200:
            return await self._send_ranges(request, file, [(0, size)], size)
        headers["Last-Modified"] = format_http_date(st.st_mtime)
        headers["ETag"] = validators.etag
        headers["Accept-Ranges"] = "bytes"
        verdict = evaluate_preconditions(request.method, request.headers, validators)
        if verdict is not None:
            return await self._send_simple(request, verdict, b"")
        ranges: list[tuple[int, int]] = [(0, size)]
        value = request.headers.get("Range")
        # RFC 9110 §14.2: Range is defined for GET only (HEAD mirrors GET's head).
        if (
            value is not None
            and request.method in ("GET", "HEAD")
            and if_range_allows(request.headers.get("If-Range"), validators)
        ):
            parsed = parse_range(value, size)
            if parsed is UNSATISFIABLE:
                return await self._send_simple(request, 416, b"", f"bytes */{size}")
            if isinstance(parsed, list):
                ranges = parsed
                self.set_status(206)
        return await self._send_ranges(request, file, ranges, size)

    async def _send_ranges(
        self, request: Request, file: IO[bytes], ranges: list[tuple[int, int]], size: int
    ) -> ResponseWriter:
        headers = self._headers
        parts: list[tuple[bytes, int, int]] = []  # (part head, start, end)
        if self.status == 206 and len(ranges) == 1:
            start, end = ranges[0]
            headers["Content-Range"] = f"bytes {start}-{end - 1}/{size}"
            total = end - start
            parts.append((b"", start, end))
        elif self.status == 206:
            # RFC 9110 §14.6: each part has its own Content-Type and Content-Range.
            boundary = secrets.token_hex(16)
            ctype = headers.get("Content-Type", "application/octet-stream")
            headers["Content-Type"] = f"multipart/byteranges; boundary={boundary}"
            total = 0
            for i, (start, end) in enumerate(ranges):
                head = (
                    f"{'' if i == 0 else chr(13) + chr(10)}--{boundary}\r\n"
                    f"Content-Type: {ctype}\r\n"
                    f"Content-Range: bytes {start}-{end - 1}/{size}\r\n\r\n"
                ).encode("latin-1")
                parts.append((head, start, end))
                total += len(head) + end - start
            tail = f"\r\n--{boundary}--\r\n".encode("latin-1")
            parts.append((tail, 0, 0))
            total += len(tail)
        else:
            total = size
            parts.append((b"", 0, size))
        self.content_length = total
        writer = await super().prepare(request)
        if request.method != "HEAD" and self.status not in (204, 304):
            for head, start, end in parts:
                if head:
                    writer.write(head)
                if end > start:
                    await self._send_range(writer, file, start, end - start)
        await self.write_eof()
        return writer

    async def _send_range(
        self, writer: ResponseWriter, file: IO[bytes], offset: int, count: int
    ) -> None:
        transport = writer.transport
        if (
            transport is not None
            and transport.get_extra_info("sslcontext") is None
            and transport.get_extra_info("socket") is not None
        ):
            await writer.drain()  # the head (and earlier parts) go first
            loop = asyncio.get_running_loop()
            try:
                sent = await loop.sendfile(transport, file, offset, count, fallback=False)
            except (RuntimeError, NotImplementedError):
                pass  # sendfile not available here (SendfileNotAvailableError): read
            else:
                if sent != count:
                    raise FileChangedError(f"{self._path!r} shrank while being sent")
                return
        await self._send_chunks(writer, file, offset, count)

    async def _send_chunks(
        self, writer: ResponseWriter, file: IO[bytes], offset: int, count: int
    ) -> None:
        # Reads run in the default executor: a cold read can block for milliseconds,
        # and this path (TLS) is already per-chunk rather than per-request.
        loop = asyncio.get_running_loop()
        chunk_size = self._chunk_size

        def read(at: int, n: int) -> bytes:
            file.seek(at)
            return file.read(n)

        while count > 0:
            data = await loop.run_in_executor(None, read, offset, min(chunk_size, count))
            if not data:
                raise FileChangedError(f"{self._path!r} shrank while being sent")
            writer.write(data)
            await writer.drain()
            offset += len(data)
            count -= len(data)
