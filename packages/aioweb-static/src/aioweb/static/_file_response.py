"""``FileResponse``: a file sent with sendfile, ranges and conditional requests."""

from __future__ import annotations

import asyncio
import os
import secrets
import stat
from typing import IO, TYPE_CHECKING, Final

from aioweb.kernel import StreamResponse

from ._conditional import UNSATISFIABLE, evaluate_preconditions, if_range_allows, parse_range
from ._errors import FileChangedError, StaticFileNotFoundError
from ._lookup import FileLookup, Meta, OpenFile, meta_for
from ._negotiate import SIBLINGS, content_type_for, pick_coding

if TYPE_CHECKING:
    from aioweb.kernel import Request, ResponseWriter

__all__ = ["DEFAULT_CHUNK_SIZE", "INLINE_MAX", "FileResponse"]

#: Bytes read per step when sendfile cannot be used (TLS, non-socket transports).
DEFAULT_CHUNK_SIZE: Final = 256 * 1024
#: Bodies up to this size are read in the loop and leave with the head in one write:
#: from the page cache that is a few microseconds, less than a sendfile round or an
#: executor hop costs (nginx reads small files synchronously too).
INLINE_MAX: Final = 64 * 1024

_ENTITY_HEADERS: Final = ("Content-Type", "Content-Encoding", "Content-Length", "Content-Range")
_OPEN_FLAGS: Final = os.O_RDONLY | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NONBLOCK", 0)
_SUFFIX: Final = dict(SIBLINGS)


def _stat_regular(path: str) -> os.stat_result | None:
    """``os.stat`` of a regular file, else ``None`` (never raises)."""
    try:
        st = os.stat(path)
    except (OSError, ValueError):  # ValueError: NUL in the path
        return None
    return st if stat.S_ISREG(st.st_mode) else None


def _open_regular(path: str) -> OpenFile | None:
    """Open ``path`` (no root to check: the application chose it); regular files only."""
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except (OSError, ValueError):
        return None
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):
        os.close(fd)
        return None
    return OpenFile(path, fd, st, meta_for(st))


def _pread(fd: int, count: int, offset: int) -> bytes:
    """Exactly ``count`` bytes at ``offset`` (``FileChangedError`` if the file shrank)."""
    if hasattr(os, "pread"):
        data = os.pread(fd, count, offset)
    else:  # pragma: no cover - Windows
        os.lseek(fd, offset, os.SEEK_SET)
        data = os.read(fd, count)
    if len(data) != count:
        raise FileChangedError("the file shrank while being sent")
    return data


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
    while the status is 200. Bodies up to :data:`INLINE_MAX` bytes are read in the
    event loop and sent with the head in one write.

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

    __slots__ = ("_chunk_size", "_lookup", "_opened", "_path")

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
        self._lookup: FileLookup | None = None
        self._opened: OpenFile | None = None
        if _stat_regular(self._path) is None or not os.access(self._path, os.R_OK):
            raise StaticFileNotFoundError(text=None)

    @classmethod
    def _open_static(
        cls,
        opened: OpenFile,
        lookup: FileLookup,
        chunk_size: int,
        headers: dict[str, str] | None,
    ) -> FileResponse:
        """A response for a file a static resource has opened and checked already."""
        self = cls.__new__(cls)
        StreamResponse.__init__(self, headers=headers)
        self._chunk_size = chunk_size
        self._path = opened.path
        self._lookup = lookup
        self._opened = opened
        return self

    def __del__(self) -> None:
        opened = getattr(self, "_opened", None)  # unset if __init__ raised
        if opened is not None:  # never prepared (a middleware replaced it, say)
            self._opened = None
            os.close(opened.fd)

    @property
    def path(self) -> str:
        """The file's path."""
        return self._path

    async def prepare(self, request: Request) -> ResponseWriter:
        """Answer ``request`` with the file (head and body), then end the message."""
        if self.prepared:
            return await super().prepare(request)
        opened = self._choose(request)
        if opened is None:
            return await self._send_simple(request, 404, b"404: Not Found")
        try:
            return await self._send_file(request, opened)
        finally:
            os.close(opened.fd)

    def _choose(self, request: Request) -> OpenFile | None:
        """Open the sibling the client accepts best, else the file itself."""
        path, headers, lookup = self._path, self.headers, self._lookup
        opened, self._opened = self._opened, None
        if "Content-Encoding" in headers or self.status != 200:
            return opened if opened is not None else _open_regular(path)
        if lookup is not None:
            available = lookup.siblings(path)
        else:
            available = tuple(c for c, suffix in SIBLINGS if _stat_regular(path + suffix))
        chosen = None
        if available:
            headers.add("Vary", "Accept-Encoding")
            chosen = pick_coding(request.headers.get("Accept-Encoding"), available)
        if chosen is not None:
            sibling_path = path + _SUFFIX[chosen]
            if lookup is not None:
                found = lookup.open_path(sibling_path)
                sibling = found if isinstance(found, OpenFile) else None
            else:
                sibling = _open_regular(sibling_path)
            if sibling is not None:  # else gone or refused: send the file itself
                headers["Content-Encoding"] = chosen
                if opened is not None:
                    os.close(opened.fd)
                return sibling
        return opened if opened is not None else _open_regular(path)

    async def _send_simple(
        self, request: Request, status: int, body: bytes, content_range: str | None = None
    ) -> ResponseWriter:
        for name in _ENTITY_HEADERS:
            self.headers.popall(name, None)
        if content_range is not None:
            self.headers["Content-Range"] = content_range
        self.set_status(status)
        if body:
            self.headers["Content-Type"] = "text/plain; charset=utf-8"
        self.content_length = len(body)
        writer = await super().prepare(request)
        await self.write_eof(body)
        return writer

    async def _send_file(self, request: Request, opened: OpenFile) -> ResponseWriter:
        size = opened.st.st_size
        meta: Meta = opened.meta
        headers = self.headers
        if "Content-Type" not in headers:
            headers["Content-Type"] = content_type_for(self._path)
        if self.status != 200:
            return await self._send_ranges(request, opened.fd, [(0, size)], size)
        headers["Last-Modified"] = meta.last_modified
        headers["ETag"] = meta.validators.etag
        # On-the-fly compression (enable_compression) makes another representation, of
        # unknown length: preconditions still apply, byte ranges do not.
        compressing = self.compression and "Content-Encoding" not in headers
        if not compressing:
            headers["Accept-Ranges"] = "bytes"
        req_headers = request.headers
        verdict = evaluate_preconditions(request.method, req_headers, meta.validators)
        if verdict is not None:
            return await self._send_simple(request, verdict, b"")
        ranges: list[tuple[int, int]] = [(0, size)]
        value = req_headers.get("Range")
        # RFC 9110 §14.2: Range is defined for GET only (HEAD mirrors GET's head).
        if (
            value is not None
            and not compressing
            and request.method in ("GET", "HEAD")
            and if_range_allows(req_headers.get("If-Range"), meta.validators)
        ):
            parsed = parse_range(value, size)
            if parsed is UNSATISFIABLE:
                return await self._send_simple(request, 416, b"", f"bytes */{size}")
            if isinstance(parsed, list):
                ranges = parsed
                self.set_status(206)
        return await self._send_ranges(request, opened.fd, ranges, size)

    def _plan(self, ranges: list[tuple[int, int]], size: int) -> list[tuple[bytes, int, int]]:
        """The body as ``(bytes before, start, end)`` parts; sets the range headers."""
        headers = self.headers
        if self.status != 206:
            return [(b"", 0, size)]
        if len(ranges) == 1:
            start, end = ranges[0]
            headers["Content-Range"] = f"bytes {start}-{end - 1}/{size}"
            return [(b"", start, end)]
        # RFC 9110 §14.6: each part has its own Content-Type and Content-Range.
        boundary = secrets.token_hex(16)
        ctype = headers.get("Content-Type", "application/octet-stream")
        headers["Content-Type"] = f"multipart/byteranges; boundary={boundary}"
        parts = []
        for i, (start, end) in enumerate(ranges):
            head = (
                f"{'' if i == 0 else chr(13) + chr(10)}--{boundary}\r\n"
                f"Content-Type: {ctype}\r\n"
                f"Content-Range: bytes {start}-{end - 1}/{size}\r\n\r\n"
            ).encode("latin-1")
            parts.append((head, start, end))
        parts.append((f"\r\n--{boundary}--\r\n".encode("latin-1"), 0, 0))
        return parts

    async def _send_ranges(
        self, request: Request, fd: int, ranges: list[tuple[int, int]], size: int
    ) -> ResponseWriter:
        if self.compression and "Content-Encoding" not in self.headers:
            return await self._send_compressed(request, fd, size)
        parts = self._plan(ranges, size)
        payload = sum(end - start for _, start, end in parts)
        self.content_length = payload + sum(len(head) for head, _, _ in parts)
        if request.method == "HEAD" or self.status in (204, 304):
            writer = await super().prepare(request)
            await self.write_eof()
            return writer
        if payload <= INLINE_MAX:
            body = b"".join(
                head + (_pread(fd, end - start, start) if end > start else b"")
                for head, start, end in parts
            )
            writer = await super().prepare(request)
            await self.write_eof(body)
            return writer
        writer = await super().prepare(request)
        with open(fd, "rb", buffering=0, closefd=False) as file:
            for head, start, end in parts:
                if head:
                    writer.write(head)
                if end > start:
                    await self._send_range(writer, file, start, end - start)
        await self.write_eof()
        return writer

    async def _send_compressed(self, request: Request, fd: int, size: int) -> ResponseWriter:
        """The whole file through :meth:`write`, which compresses (no Content-Length)."""
        writer = await super().prepare(request)
        if request.method != "HEAD":
            loop = asyncio.get_running_loop()
            offset = 0
            while offset < size:
                n = min(self._chunk_size, size - offset)
                data = (
                    _pread(fd, n, offset)
                    if n <= INLINE_MAX
                    else (await loop.run_in_executor(None, _pread, fd, n, offset))
                )
                await self.write(data)
                offset += n
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
        await self._send_chunks(writer, file.fileno(), offset, count)

    async def _send_chunks(self, writer: ResponseWriter, fd: int, offset: int, count: int) -> None:
        # Reads run in the default executor: a cold read of a big chunk can block for
        # milliseconds, and this path (TLS, uvloop) is per chunk rather than per request.
        loop = asyncio.get_running_loop()
        chunk_size = self._chunk_size
        while count > 0:
            n = min(chunk_size, count)
            data = await loop.run_in_executor(None, _pread, fd, n, offset)
            writer.write(data)
            await writer.drain()
            offset += n
            count -= n
