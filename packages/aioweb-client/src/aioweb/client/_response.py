"""``ClientResponse``: status, headers, and the body as bytes, text, JSON or a stream."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from http.cookies import SimpleCookie
from types import TracebackType
from typing import TYPE_CHECKING, Any, Final, cast

from multidict import CIMultiDict, CIMultiDictProxy
from typing_extensions import Self
from yarl import URL

from aioweb.http.sansio import ResponseHead
from aioweb.kernel import StreamReader, parse_media_type

from ._connector import Connection
from ._cookiejar import parse_set_cookie
from ._errors import ClientPayloadError, ClientResponseError, ContentTypeError, RequestInfo

if TYPE_CHECKING:
    from ._tracing import Trace

__all__ = ["ClientResponse", "JSONDecoder", "RequestParts"]

JSONDecoder = Callable[[str], Any]
#: What a RequestInfo is made of: (url, method, headers, real_url).
RequestParts = tuple[URL, str, CIMultiDict[str], URL]
_JSON: Final = "application/json"


class ClientResponse:
    """The response to one request.

    The body is read from :attr:`content`; :meth:`read` collects it. The
    connection goes back to the pool as soon as the whole body has arrived;
    :meth:`release` (or leaving ``async with``) gives it back earlier, closing it
    when the body was not read to the end.

    Args:
        method: The request method.
        url: The URL requested.
        head: The parsed response head.
        content: The body stream, or the whole body when it came with the head
            (the stream is then made only if :attr:`content` is used).
        connection: The connection the body arrives on.
        request_info: The request as sent, or its ``(url, method, headers,
            real_url)``, from which :attr:`request_info` is built when used.
        history: The redirect responses before this one.
        max_size: The most body bytes :meth:`read` accepts, or None.
    """

    _traces: tuple[Trace, ...] = ()  # a class default: no per-response cost without tracing

    def __init__(  # noqa: PLR0917
        self,
        method: str,
        url: URL,
        head: ResponseHead,
        content: StreamReader | bytes,
        connection: Connection | None,
        request_info: RequestInfo | RequestParts,
        history: tuple[ClientResponse, ...] = (),
        max_size: int | None = None,
    ) -> None:
        self.method = method
        self.url = url
        if type(request_info) is tuple:
            self._request_info: RequestInfo | None = None
            self._request_parts: RequestParts | None = request_info
            self.real_url = request_info[3]
        else:
            self._request_info = cast("RequestInfo", request_info)
            self._request_parts = None
            self.real_url = self._request_info.real_url
        self.status = head.status
        self.reason = head.reason
        self.version = head.version
        self.raw_headers = head.headers
        self._headers: CIMultiDictProxy[str] | None = None
        if type(content) is bytes:
            self._content: StreamReader | None = None
            self._ready: bytes | None = content
        else:
            self._content = cast("StreamReader", content)
            self._ready = None
        self.history = history
        self._connection = connection
        self._max_size = max_size
        self._body: bytes | None = None
        self._closed = False
        self._cookies: SimpleCookie | None = None

    @property
    def request_info(self) -> RequestInfo:
        """The request this response answers, as sent."""
        info = self._request_info
        if info is None:
            url, method, headers, real_url = cast("RequestParts", self._request_parts)
            info = self._request_info = RequestInfo(
                url, method, CIMultiDictProxy(headers), real_url
            )
        return info

    @property
    def content(self) -> StreamReader:
        """The body stream (``iter_chunked``, ``iter_any``, ``readline``...)."""
        content = self._content
        if content is None:
            content = self._content = StreamReader()
            if self._ready:
                content.feed_data(self._ready)
            content.feed_eof()
            self._ready = None
        return content

    def __repr__(self) -> str:
        return f"<ClientResponse({self.url}) [{self.status} {self.reason}]>"

    # -- head ------------------------------------------------------------------------

    @property
    def headers(self) -> CIMultiDictProxy[str]:
        """The response headers (built from :attr:`raw_headers` on first access)."""
        headers = self._headers
        if headers is None:
            headers = self._headers = CIMultiDictProxy(
                CIMultiDict(
                    [(n.decode("latin-1"), v.decode("latin-1")) for n, v in self.raw_headers]
                )
            )
        return headers

    def _cookies_and_location(self) -> tuple[list[str], str | None]:
        """The Set-Cookie values and the first Location, for the session's redirect loop.

        One pass over :attr:`raw_headers`: the session needs only these two, and
        building :attr:`headers` would cost more than the rest of a small response.
        """
        if self._headers is not None:
            return self._headers.getall("Set-Cookie", []), self._headers.get("Location")
        cookies: list[str] = []
        location: str | None = None
        for name, value in self.raw_headers:
            if len(name) == 10 and name.lower() == b"set-cookie":
                cookies.append(value.decode("latin-1"))
            elif location is None and len(name) == 8 and name.lower() == b"location":
                location = value.decode("latin-1")
        return cookies, location

    @property
    def ok(self) -> bool:
        """Whether the status is below 400."""
        return self.status < 400

    @property
    def content_type(self) -> str:
        """The media type of Content-Type, lowercased (``application/octet-stream`` if absent)."""
        value = self.headers.get("Content-Type")
        return parse_media_type(value)[0] if value else "application/octet-stream"

    @property
    def charset(self) -> str | None:
        """The ``charset`` parameter of Content-Type, if any."""
        value = self.headers.get("Content-Type")
        return parse_media_type(value)[1].get("charset") if value else None

    @property
    def content_length(self) -> int | None:
        """The Content-Length header as an int, if present and valid."""
        value = self.headers.get("Content-Length")
        return int(value) if value is not None and value.isdigit() else None

    @property
    def cookies(self) -> SimpleCookie:
        """The cookies this response set (its Set-Cookie headers)."""
        if self._cookies is None:
            jar = SimpleCookie()
            for value in self.headers.getall("Set-Cookie", ()):
                cookie = parse_set_cookie(value)
                if cookie is not None:
                    jar[cookie.name] = cookie.value
                    morsel = jar[cookie.name]
                    for attr, val in cookie.attributes().items():
                        morsel[attr] = val
            self._cookies = jar
        return self._cookies

    @property
    def connection(self) -> Connection | None:
        """The connection, until it is released."""
        conn = self._connection
        return None if conn is None or conn.released else conn

    @property
    def closed(self) -> bool:
        """Whether the response was released or closed."""
        return self._closed

    def raise_for_status(self) -> None:
        """Raise :class:`ClientResponseError` for a status of 400 or more.

        The connection is released first.
        """
        if self.status >= 400:
            self.release()
            raise ClientResponseError(
                self.request_info,
                self.history,
                status=self.status,
                message=self.reason,
                headers=self.headers,
            )

    # -- body ------------------------------------------------------------------------

    async def read(self) -> bytes:
        """The whole body (cached after the first call).

        Raises:
            ClientPayloadError: The body is incomplete, malformed or too large.
            ServerTimeoutError: A timeout expired while reading.
        """
        if self._body is None:
            ready = self._ready
            if ready is not None:
                # The whole body came with the head (already bounded by max_size).
                self._body = ready
                self._ready = None
                self.release()
                for trace in self._traces:
                    await trace.response_chunk_received(self.method, self.url, ready)
                return ready
            content = self.content
            if content.is_eof() and content.exception() is None:
                # The whole body is buffered already (the usual case for small
                # bodies): take it at once, without an async iterator.
                body = await content.read()
                if self._max_size is not None and len(body) > self._max_size:
                    self.close()
                    raise self._too_large()
            else:
                body = await self._read_stream(content)
            self._body = body
            self.release()
            for trace in self._traces:  # tracing: set by the session only when configured
                await trace.response_chunk_received(self.method, self.url, self._body)
        return self._body

    async def _read_stream(self, content: StreamReader) -> bytes:
        try:
            chunks: list[bytes] = []
            size = 0
            async for chunk in content.iter_any():
                size += len(chunk)
                if self._max_size is not None and size > self._max_size:
                    raise self._too_large()
                chunks.append(chunk)
        except BaseException:
            self.close()
            raise
        return b"".join(chunks)

    def _too_large(self) -> ClientPayloadError:
        return ClientPayloadError(
            f"response body exceeds max_response_size ({self._max_size} bytes)"
        )

    def get_encoding(self) -> str:
        """The charset of Content-Type, or ``utf-8`` (JSON is always UTF-8, RFC 8259 §8.1)."""
        charset = self.charset
        if charset:
            try:
                "".encode(charset)
            except LookupError:
                return "utf-8"
            return charset
        return "utf-8"

    async def text(self, encoding: str | None = None, errors: str = "strict") -> str:
        """The body decoded with ``encoding``, the Content-Type charset, or UTF-8.

        Raises:
            UnicodeDecodeError: The body is not valid in that encoding (with
                ``errors="strict"``).
        """
        body = await self.read()
        return body.decode(encoding or self.get_encoding(), errors)

    async def json(
        self,
        *,
        encoding: str | None = None,
        loads: JSONDecoder = json.loads,
        content_type: str | None = _JSON,
    ) -> Any:
        """The body parsed as JSON; None for an empty body.

        Args:
            encoding: Overrides the charset of Content-Type.
            loads: The JSON decoder.
            content_type: The expected media type (``application/json`` also
                accepts ``application/*+json``); None skips the check.

        Raises:
            ContentTypeError: The Content-Type is not the expected one.
        """
        body = await self.read()
        if content_type is not None and not self._expected(content_type):
            raise ContentTypeError(
                self.request_info,
                self.history,
                status=self.status,
                message=f"Attempt to decode JSON with unexpected mimetype: {self.content_type}",
                headers=self.headers,
            )
        if not body.strip():
            return None
        return loads(body.decode(encoding or self.get_encoding()))

    def _expected(self, content_type: str) -> bool:
        actual = self.content_type
        expected = content_type.lower()
        if expected == _JSON:
            return actual == _JSON or (
                actual.startswith("application/") and actual.endswith("+json")
            )
        return actual == expected

    # -- lifetime --------------------------------------------------------------------

    def release(self) -> None:
        """Give the connection back (closed if the body was not read to the end)."""
        self._closed = True
        conn = self._connection
        if conn is not None:
            conn.release()

    def close(self) -> None:
        """Close the connection unless it was already released."""
        self._closed = True
        conn = self._connection
        if conn is not None:
            conn.close()

    async def wait_for_close(self) -> None:
        """Release the connection (aiohttp compatibility)."""
        self.release()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()


RaiseForStatus = bool | Callable[[ClientResponse], Awaitable[None]]
"""``raise_for_status=``: True, False, or an async callable that may raise."""
