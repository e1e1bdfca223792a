"""``StreamResponse``: a response whose head is sent by ``prepare`` and body by ``write``."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Final, Literal

from multidict import CIMultiDict

from ._compression import Compressor, ContentCoding, add_vary, make_compressor, negotiate_coding
from ._cookies import format_set_cookie
from ._dates import format_http_date, parse_http_date
from ._interfaces import ResponseWriter
from ._status import reason_phrase
from ._web_exceptions import LooseHeaders

if TYPE_CHECKING:
    from ._request import Request

__all__ = ["StreamResponse"]

_NO_BODY_STATUSES: Final = frozenset({204, 304})


class StreamResponse:
    """A response whose body is written piece by piece after :meth:`prepare`.

    Args:
        status: the status code.
        reason: the reason phrase (default: the standard one).
        headers: initial header fields.
    """

    __slots__ = (
        "_body_length",
        "_chunked",
        "_compression",
        "_compression_force",
        "_compression_strategy",
        "_compressor",
        "_cookies",
        "_eof_sent",
        "_headers",
        "_keep_alive",
        "_reason",
        "_send_body",
        "_status",
        "_writer",
    )

    def __init__(
        self, *, status: int = 200, reason: str | None = None, headers: LooseHeaders | None = None
    ) -> None:
        self._headers: CIMultiDict[str] = CIMultiDict(headers) if headers else CIMultiDict()
        self._writer: ResponseWriter | None = None
        self._eof_sent = False
        self._chunked = False
        self._keep_alive: bool | None = None
        self._cookies: dict[str, str] | None = None
        self._body_length: int | None = None
        self._send_body = True
        self._compression = False
        self._compression_force: ContentCoding | None = None
        self._compression_strategy: int | None = None
        self._compressor: Compressor | None = None
        self.set_status(status, reason)

    @property
    def status(self) -> int:
        """The status code."""
        return self._status

    @property
    def reason(self) -> str:
        """The reason phrase."""
        return self._reason

    def set_status(self, status: int, reason: str | None = None) -> None:
        """Change the status (and reason) before the head is sent.

        Raises:
            RuntimeError: the head was already sent.
            ValueError: the status is not a 3-digit code, or the reason has CR/LF.
        """
        if self._writer is not None:
            raise RuntimeError("cannot change the status: the response head was already sent")
        if not 100 <= status <= 999:
            raise ValueError(f"invalid status code {status!r}")
        if reason is None:
            reason = reason_phrase(status)
        elif "\r" in reason or "\n" in reason:
            raise ValueError("a reason phrase cannot contain CR or LF")
        self._status = status
        self._reason = reason

    @property
    def headers(self) -> CIMultiDict[str]:
        """The header fields (editable until the head is sent)."""
        return self._headers

    @property
    def content_type(self) -> str:
        """The media type of ``Content-Type`` (``application/octet-stream`` if unset)."""
        value = self._headers.get("Content-Type")
        return value.partition(";")[0].strip() if value else "application/octet-stream"

    @content_type.setter
    def content_type(self, value: str) -> None:
        charset = self.charset
        self._headers["Content-Type"] = f"{value}; charset={charset}" if charset else value

    @property
    def charset(self) -> str | None:
        """The ``charset`` parameter of ``Content-Type``."""
        value = self._headers.get("Content-Type", "")
        for part in value.split(";")[1:]:
            key, _, val = part.partition("=")
            if key.strip().lower() == "charset":
                return val.strip().strip('"')
        return None

    @charset.setter
    def charset(self, value: str | None) -> None:
        mtype = self.content_type
        self._headers["Content-Type"] = f"{mtype}; charset={value}" if value else mtype

    @property
    def content_length(self) -> int | None:
        """``Content-Length``, if set."""
        value = self._headers.get("Content-Length")
        return int(value) if value is not None else None

    @content_length.setter
    def content_length(self, value: int | None) -> None:
        if value is None:
            self._headers.popall("Content-Length", None)
        else:
            self._headers["Content-Length"] = str(int(value))

    @property
    def last_modified(self) -> datetime | None:
        """``Last-Modified`` as a datetime."""
        return parse_http_date(self._headers.get("Last-Modified"))

    @last_modified.setter
    def last_modified(self, value: datetime | float | str | None) -> None:
        if value is None:
            self._headers.popall("Last-Modified", None)
        else:
            text = value if isinstance(value, str) else format_http_date(value)
            self._headers["Last-Modified"] = text

    @property
    def etag(self) -> str | None:
        """The ``ETag`` value, without quotes (``W/`` kept for weak tags)."""
        value = self._headers.get("ETag")
        if value is None:
            return None
        weak = value.startswith("W/")
        tag = value[2:] if weak else value
        return ("W/" if weak else "") + tag.strip('"')

    @etag.setter
    def etag(self, value: str | None) -> None:
        if value is None:
            self._headers.popall("ETag", None)
            return
        weak = value.startswith("W/")
        tag = value[2:] if weak else value
        if '"' in tag.strip('"') or any(c < "\x21" or c > "\x7e" for c in tag):
            raise ValueError(f"invalid ETag {value!r}")
        self._headers["ETag"] = ("W/" if weak else "") + '"' + tag.strip('"') + '"'

    @property
    def keep_alive(self) -> bool | None:
        """Whether the connection stays open after this response (``None``: the client decides)."""
        return self._keep_alive

    def force_close(self) -> None:
        """Close the connection after this response."""
        self._keep_alive = False

    @property
    def chunked(self) -> bool:
        """Whether the body is sent with chunked transfer coding."""
        return self._chunked

    def enable_chunked_encoding(self) -> None:
        """Send the body chunked (HTTP/1.1) instead of with a ``Content-Length``.

        Raises:
            RuntimeError: ``Content-Length`` is set.
        """
        if "Content-Length" in self._headers:
            raise RuntimeError("chunked encoding cannot be combined with a Content-Length")
        self._chunked = True

    @property
    def compression(self) -> bool:
        """Whether :meth:`enable_compression` was called."""
        return self._compression

    def enable_compression(
        self, force: ContentCoding | None = None, strategy: int | None = None
    ) -> None:
        """Compress the body with a coding negotiated at :meth:`prepare`.

        The coding comes from the request's ``Accept-Encoding`` (see
        ``negotiate_coding``), and ``Vary: Accept-Encoding`` is added; ``force``
        skips the negotiation (``ContentCoding.identity``: do not compress).  A
        ``StreamResponse`` then drops ``Content-Length`` (the body goes chunked); a
        ``Response`` is compressed whole and gets the compressed length.  Nothing
        is compressed for HEAD, 1xx/204/304, or when ``Content-Encoding`` is set.

        Args:
            force: the coding to use, whatever the request accepts.
            strategy: a ``zlib`` strategy for gzip and deflate.

        Raises:
            RuntimeError: the head was already sent.
            TypeError: ``force`` is not a ``ContentCoding``.
        """
        if self._writer is not None:
            raise RuntimeError("cannot enable compression: the response head was already sent")
        if force is not None and not isinstance(force, ContentCoding):
            raise TypeError(f"force must be a ContentCoding, not {type(force).__name__}")
        self._compression = True
        self._compression_force = force
        self._compression_strategy = strategy

    def _start_compression(self, request: Request) -> ContentCoding | None:
        """Pick the coding and set the headers for it (called by ``_start``)."""
        headers = self._headers
        if "Content-Encoding" in headers:
            return None  # the application encoded the body itself
        coding = self._compression_force
        if coding is None:
            add_vary(headers, "Accept-Encoding")
            coding = negotiate_coding(request.headers.get("Accept-Encoding"))
        if coding is None or coding is ContentCoding.identity or request.method == "HEAD":
            return None
        headers["Content-Encoding"] = coding.value
        return coding

    @property
    def cookies(self) -> dict[str, str]:
        """``Set-Cookie`` values to send, by cookie name."""
        if self._cookies is None:
            self._cookies = {}
        return self._cookies

    def set_cookie(
        self,
        name: str,
        value: str,
        *,
        expires: datetime | str | None = None,
        domain: str | None = None,
        max_age: int | str | None = None,
        path: str = "/",
        secure: bool | None = None,
        httponly: bool | None = None,
        samesite: Literal["Strict", "Lax", "None"] | str | None = None,
        partitioned: bool | None = None,
    ) -> None:
        """Set a cookie (see ``aioweb.kernel.format_set_cookie`` for the checks)."""
        self.cookies[name] = format_set_cookie(
            name,
            value,
            expires=expires,
            domain=domain,
            max_age=max_age,
            path=path,
            secure=secure,
            httponly=httponly,
            samesite=samesite,
            partitioned=partitioned,
        )

    def del_cookie(self, name: str, *, domain: str | None = None, path: str = "/") -> None:
        """Tell the client to delete a cookie."""
        self.cookies[name] = format_set_cookie(
            name, "", max_age=0, expires="Thu, 01 Jan 1970 00:00:00 GMT", domain=domain, path=path
        )

    @property
    def prepared(self) -> bool:
        """Whether the head was sent (or is buffered to be sent)."""
        return self._writer is not None

    async def prepare(self, request: Request) -> ResponseWriter:
        """Run ``on_response_prepare`` and send the head; call before :meth:`write`.

        Raises:
            RuntimeError: the request has no writer (it was not built by a server).
        """
        writer = self._writer
        if writer is not None:
            return writer
        app = request._app
        if app is not None and app.on_response_prepare:
            await app.on_response_prepare.send(request, self)
        # Then the sub-applications the match went through, outermost first (as aiohttp).
        for sub in request._match_info.apps:
            if sub.on_response_prepare:
                await sub.on_response_prepare.send(request, self)
        return self._start(request)

    def _start(self, request: Request) -> ResponseWriter:
        writer = request.writer
        if writer is None:
            raise RuntimeError("the request has no writer to send the response to")
        headers = self._headers
        status = self._status
        version = request.version
        keep_alive = request.keep_alive if self._keep_alive is None else self._keep_alive
        self._send_body = request.method != "HEAD"
        chunked = False
        if self._compression and status >= 200 and status not in _NO_BODY_STATUSES:
            coding = self._start_compression(request)
            if coding is not None:
                self._compress_with(coding)
        if status < 200 or status in _NO_BODY_STATUSES:
            self._send_body = False
            headers.popall("Content-Length", None)
        elif self._body_length is not None:
            headers["Content-Length"] = str(self._body_length)
        elif "Content-Length" not in headers:
            if version >= (1, 1):
                chunked = self._send_body and (self._chunked or "Transfer-Encoding" not in headers)
                if chunked:
                    headers["Transfer-Encoding"] = "chunked"
            else:
                keep_alive = False  # HTTP/1.0: the end of the body is the end of the connection
        if "Content-Type" not in headers and self._send_body and status >= 200:
            headers["Content-Type"] = "application/octet-stream"
        if not keep_alive:
            headers["Connection"] = "close"
        elif version < (1, 1):
            headers["Connection"] = "keep-alive"
        if self._cookies:
            for cookie in self._cookies.values():
                headers.add("Set-Cookie", cookie)
        self._keep_alive = keep_alive
        self._chunked = chunked
        writer.send_head(status, self._reason, headers, chunked=chunked, keep_alive=keep_alive)
        self._writer = writer
        return writer

    def _compress_with(self, coding: ContentCoding) -> None:
        """Compress each written piece; the length is unknown now."""
        self._compressor = make_compressor(coding, strategy=self._compression_strategy)
        self._headers.popall("Content-Length", None)
        self._body_length = None  # a subclass's known length is the uncompressed one

    async def write(self, data: bytes | bytearray | memoryview) -> None:
        """Send a piece of the body and wait for the transport to drain.

        Raises:
            RuntimeError: not prepared yet, or already finished.
        """
        writer = self._writer
        if writer is None:
            raise RuntimeError("call prepare() before write()")
        if self._eof_sent:
            raise RuntimeError("cannot write() after write_eof()")
        if data and self._send_body:
            compressor = self._compressor
            out = bytes(data) if compressor is None else compressor.compress(bytes(data))
            if out:
                writer.write(out)
        await writer.drain()

    async def drain(self) -> None:
        """Wait for the transport's buffer to drain."""
        if self._writer is not None:
            await self._writer.drain()

    async def write_eof(self, data: bytes = b"") -> None:
        """Finish the body (idempotent).

        Raises:
            RuntimeError: not prepared yet.
        """
        if self._eof_sent:
            return
        writer = self._writer
        if writer is None:
            raise RuntimeError("call prepare() before write_eof()")
        self._eof_sent = True
        if not self._send_body:
            data = b""
        elif self._compressor is not None:
            data = self._compressor.compress(data) + self._compressor.flush()
        writer.write_eof(data)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self._status} {self._reason}>"
