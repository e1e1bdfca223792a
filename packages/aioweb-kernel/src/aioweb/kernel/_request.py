"""``Request``: one HTTP request, parsed lazily (headers, URL, query and cookies on first use)."""

from __future__ import annotations

import asyncio
import json
from collections import ChainMap
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType
from typing import IO, TYPE_CHECKING, Any, Final
from urllib.parse import unquote

from multidict import CIMultiDict, CIMultiDictProxy, MultiDict, MultiDictProxy
from yarl import URL

from ._cookies import parse_cookie_header
from ._dates import parse_http_date
from ._interfaces import BODY_DECODER, ResponseWriter
from ._match_info import MatchInfo
from ._media import parse_media_type
from ._registry import default_registry
from ._streams import EMPTY_PAYLOAD, StreamReader
from ._web_exceptions import HTTPRequestEntityTooLarge

if TYPE_CHECKING:
    from ._app import Application

__all__ = ["FileField", "RawHeaders", "Request"]

#: Header fields as the wire carried them: ``((name, value), ...)`` in bytes.
RawHeaders = tuple[tuple[bytes, bytes], ...]

_POST_METHODS: Final = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_EMPTY_MATCH: Final = MatchInfo({}, lambda _: None)
_EMPTY_POST: Final[MultiDictProxy[str | bytes | FileField]] = MultiDictProxy(MultiDict())


@dataclass(frozen=True, slots=True)
class FileField:
    """An uploaded file from a ``multipart/form-data`` body (``request.post()``).

    Attributes:
        name: the form field's name.
        filename: the client-side file name.
        file: the content, positioned at the start.
        content_type: the part's media type.
        headers: the part's headers.
    """

    name: str
    filename: str
    file: IO[bytes]
    content_type: str
    headers: CIMultiDictProxy[str]


def _decode_headers(raw: RawHeaders) -> CIMultiDictProxy[str]:
    md: CIMultiDict[str] = CIMultiDict()
    add = md.add
    for name, value in raw:
        add(name.decode("latin-1"), value.decode("utf-8", "surrogateescape"))
    return CIMultiDictProxy(md)


def _declared_length(raw: RawHeaders | None, headers: CIMultiDictProxy[str] | None) -> int | None:
    """``Content-Length`` of a request built without a server (tests, ``clone``)."""
    if headers is not None:
        value = headers.get("Content-Length")
    else:
        value = next(
            (v.decode("latin-1") for k, v in raw or () if k.lower() == b"content-length"), None
        )
    return int(value) if value is not None and value.isdigit() else None


class Request:
    """An HTTP request as the application sees it.

    Servers build it from the parsed request head; tests build it with
    ``aioweb.testing.make_mocked_request``.  Everything derived (headers as a
    multidict, URL, query, cookies) is computed on first access.

    Args:
        method: the request method, upper case.
        target: the raw request-target (``/path?query``, or absolute-form).
        version: the HTTP version as ``(major, minor)``.
        headers: the header fields: raw byte pairs as parsed, or a mapping.
        payload: the body stream (``EMPTY_PAYLOAD`` when there is none).
        writer: the wire the response goes to.
        app: the application serving the request.
        transport: the connection's transport.
        keep_alive: whether the client allows reusing the connection.
        client_max_size: the body size limit (default: the app's).
        scheme: ``"http"`` or ``"https"``.
        body_length: the framed body length as the server parsed it (``None``:
            chunked, or not given -- then ``Content-Length`` is read from ``headers``).
        match_info: a router's match to start with (tests; the application sets it).
    """

    __slots__ = (
        "_app",
        "_body_length",
        "_client_max_size",
        "_cookies",
        "_headers",
        "_keep_alive",
        "_match_info",
        "_method",
        "_path",
        "_payload",
        "_post",
        "_query",
        "_raw_headers",
        "_read_bytes",
        "_rel_url",
        "_scheme",
        "_state",
        "_target",
        "_transport",
        "_version",
        "_writer",
    )

    def __init__(
        self,
        method: str,
        target: str,
        *,
        version: tuple[int, int] = (1, 1),
        headers: RawHeaders | Mapping[str, str] = (),
        payload: StreamReader = EMPTY_PAYLOAD,
        writer: ResponseWriter | None = None,
        app: Application | None = None,
        transport: asyncio.Transport | None = None,
        keep_alive: bool = True,
        client_max_size: int | None = None,
        scheme: str = "http",
        body_length: int | None = None,
        match_info: MatchInfo | None = None,
    ) -> None:
        self._method = method
        self._target = target
        self._version = version
        if isinstance(headers, tuple):
            self._raw_headers: RawHeaders | None = headers
            self._headers: CIMultiDictProxy[str] | None = None
        else:
            self._raw_headers = None
            self._headers = CIMultiDictProxy(CIMultiDict(headers))
        self._payload = payload
        self._writer = writer
        self._app = app
        self._transport = transport
        self._keep_alive = keep_alive
        self._client_max_size = client_max_size
        self._scheme = scheme
        if body_length is None and (
            self._headers is None or "Transfer-Encoding" not in self._headers
        ):
            body_length = _declared_length(self._raw_headers, self._headers)
        self._body_length = body_length
        self._match_info: MatchInfo = _EMPTY_MATCH if match_info is None else match_info
        self._state: dict[str, Any] | None = None
        self._path: str | None = None
        self._rel_url: URL | None = None
        self._query: MultiDictProxy[str] | None = None
        self._cookies: Mapping[str, str] | None = None
        self._read_bytes: bytes | None = None
        self._post: MultiDictProxy[str | bytes | FileField] | None = None

    # -- request line ----------------------------------------------------------------

    @property
    def method(self) -> str:
        """The method, e.g. ``"GET"``."""
        return self._method

    @property
    def version(self) -> tuple[int, int]:
        """The HTTP version, e.g. ``(1, 1)``."""
        return self._version

    @property
    def raw_path(self) -> str:
        """The request-target as received: path and query, still percent-encoded."""
        target = self._target
        if target[:1] != "/" and "://" in target:
            return self.rel_url.raw_path_qs
        return target

    @property
    def path_qs(self) -> str:
        """The path with the query string, as received (``/a%20b?x=1``)."""
        return self.raw_path

    @property
    def path(self) -> str:
        """The percent-decoded path, without the query."""
        path = self._path
        if path is None:
            raw = self.raw_path.partition("?")[0]
            path = self._path = unquote(raw) if "%" in raw else raw
        return path

    @property
    def rel_url(self) -> URL:
        """The relative URL (path and query) as a ``yarl.URL``."""
        url = self._rel_url
        if url is None:
            target = self._target
            if target[:1] != "/" and "://" in target:
                url = URL(target).relative()
            elif target[:2] == "//":
                # RFC 9112 §3.2.1: origin-form is an absolute-path, so "//x/y" is a path;
                # URL() would read "x" as a host, and ``url`` would then point at it.
                path, _, query = target.partition("?")
                url = URL.build(path=path, query_string=query, encoded=True)
            else:
                url = URL(target, encoded=True)
            self._rel_url = url
        return url

    @property
    def url(self) -> URL:
        """The absolute URL, built from the scheme, ``host`` and the target."""
        rel = self.rel_url
        # Built, not joined: a join would read a "//x" path as a network-path reference.
        return URL.build(
            scheme=self.scheme,
            authority=self.host,
            path=rel.raw_path,
            query_string=rel.raw_query_string,
            encoded=True,
        )

    @property
    def query(self) -> MultiDictProxy[str]:
        """The decoded query parameters."""
        query = self._query
        if query is None:
            query = self._query = self.rel_url.query
        return query

    @property
    def query_string(self) -> str:
        """The raw query string (without ``?``)."""
        return self.raw_path.partition("?")[2]

    @property
    def scheme(self) -> str:
        """``"http"`` or ``"https"``."""
        return self._scheme

    @property
    def secure(self) -> bool:
        """Whether the request came over TLS."""
        return self._scheme == "https"

    # -- headers ---------------------------------------------------------------------

    @property
    def headers(self) -> CIMultiDictProxy[str]:
        """The header fields, case-insensitive, in received order."""
        headers = self._headers
        if headers is None:
            headers = self._headers = _decode_headers(self._raw_headers or ())
        return headers

    @property
    def raw_headers(self) -> RawHeaders:
        """The header fields as received, as byte pairs."""
        if self._raw_headers is None:
            self._raw_headers = tuple(
                (k.encode("latin-1"), v.encode("utf-8")) for k, v in self.headers.items()
            )
        return self._raw_headers

    @property
    def host(self) -> str:
        """The request's authority: the ``Host`` header, else the local socket address.

        For an absolute-form target (``GET http://h/p``) it is the target's authority:
        RFC 9112 §3.2.2 says the server MUST then ignore ``Host``.
        """
        target = self._target
        if target[:1] != "/" and "://" in target:
            authority = target.partition("://")[2].partition("/")[0].partition("?")[0]
            if authority:
                return authority
        host = self.headers.get("Host")
        if host:
            return host
        if self._transport is not None:
            sock = self._transport.get_extra_info("sockname")
            if isinstance(sock, tuple) and len(sock) >= 2:
                return f"{sock[0]}:{sock[1]}"
        return "localhost"

    @property
    def remote(self) -> str | None:
        """The peer's IP address (``None`` when unknown)."""
        if self._transport is None:
            return None
        peer = self._transport.get_extra_info("peername")
        if isinstance(peer, tuple | list) and peer:
            return str(peer[0])
        return str(peer) if peer else None

    @property
    def keep_alive(self) -> bool:
        """Whether the client allows keeping the connection open afterwards."""
        return self._keep_alive

    @property
    def cookies(self) -> Mapping[str, str]:
        """The request cookies, ``{name: value}``."""
        cookies = self._cookies
        if cookies is None:
            header = self.headers.get("Cookie", "")
            cookies = self._cookies = MappingProxyType(parse_cookie_header(header))
        return cookies

    @property
    def content_type(self) -> str:
        """The body's media type, lower case (``application/octet-stream`` if unset)."""
        value = self.headers.get("Content-Type")
        return parse_media_type(value)[0] if value else "application/octet-stream"

    @property
    def charset(self) -> str | None:
        """The ``charset`` parameter of ``Content-Type``, if any."""
        value = self.headers.get("Content-Type")
        return parse_media_type(value)[1].get("charset") if value else None

    @property
    def content_length(self) -> int | None:
        """The declared body length (``None`` for a chunked or unframed body)."""
        return self._body_length

    @property
    def if_modified_since(self) -> datetime | None:
        """``If-Modified-Since`` as an aware datetime, if present and valid."""
        return parse_http_date(self.headers.get("If-Modified-Since"))

    @property
    def if_unmodified_since(self) -> datetime | None:
        """``If-Unmodified-Since`` as an aware datetime, if present and valid."""
        return parse_http_date(self.headers.get("If-Unmodified-Since"))

    # -- context ---------------------------------------------------------------------

    @property
    def match_info(self) -> MatchInfo:
        """What the router matched (dynamic path parts by name)."""
        return self._match_info

    @property
    def app(self) -> Application:
        """The application handling the request (a sub-application for its routes)."""
        app = self._match_info.current_app or self._app
        if app is None:
            raise RuntimeError("this request is not bound to an application")
        return app

    @property
    def config_dict(self) -> ChainMap[Any, Any]:
        """The state of the application and of its parents, innermost first."""
        maps: list[Mapping[Any, Any]] = [*reversed(self._match_info.apps)]
        if self._app is not None:
            maps.append(self._app)
        return ChainMap(*maps)  # type: ignore[arg-type]

    @property
    def transport(self) -> asyncio.Transport | None:
        """The connection's transport (``None`` once closed)."""
        return self._transport

    @property
    def writer(self) -> ResponseWriter | None:
        """The wire the response is written to (used by responses, not applications)."""
        return self._writer

    def __getitem__(self, key: str) -> Any:
        if self._state is None:
            raise KeyError(key)
        return self._state[key]

    def __setitem__(self, key: str, value: Any) -> None:
        if self._state is None:
            self._state = {}
        self._state[key] = value

    def __delitem__(self, key: str) -> None:
        if self._state is None:
            raise KeyError(key)
        del self._state[key]

    def __contains__(self, key: object) -> bool:
        return self._state is not None and key in self._state

    def get(self, key: str, default: Any = None) -> Any:
        """Per-request state ``request[key]``, or ``default``."""
        return default if self._state is None else self._state.get(key, default)

    def __iter__(self) -> Iterator[str]:
        return iter(self._state or ())

    def __len__(self) -> int:
        return len(self._state or ())

    def __repr__(self) -> str:
        return f"<Request {self._method} {self._target}>"

    def clone(
        self,
        *,
        method: str | None = None,
        rel_url: URL | str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Request:
        """A copy with some parts replaced; body, transport and app are shared."""
        new = Request(
            method or self._method,
            str(rel_url) if rel_url is not None else self._target,
            version=self._version,
            headers=headers if headers is not None else self.raw_headers,
            payload=self._payload,
            writer=self._writer,
            app=self._app,
            transport=self._transport,
            keep_alive=self._keep_alive,
            client_max_size=self._client_max_size,
            scheme=self._scheme,
            body_length=self._body_length,
        )
        new._match_info = self._match_info
        new._state = dict(self._state) if self._state else None
        return new

    # -- body ------------------------------------------------------------------------

    @property
    def content(self) -> StreamReader:
        """The body as a stream (read it incrementally)."""
        return self._payload

    @property
    def can_read_body(self) -> bool:
        """Whether unread body bytes remain."""
        return not self._payload.at_eof()

    @property
    def body_exists(self) -> bool:
        """Whether the request has a body at all."""
        return self._payload is not EMPTY_PAYLOAD

    def _max_size(self) -> int:
        if self._client_max_size is not None:
            return self._client_max_size
        return self._app.client_max_size if self._app is not None else 1024**2

    async def read(self) -> bytes:
        """The whole body (cached).

        Raises:
            HTTPRequestEntityTooLarge: it is over ``client_max_size``.
        """
        body = self._read_bytes
        if body is not None:
            return body
        limit = self._max_size()
        declared = self._body_length
        if declared is not None and declared > limit:
            raise HTTPRequestEntityTooLarge(limit, declared)
        if self._payload is EMPTY_PAYLOAD:
            body = b""
        else:
            parts = bytearray()
            while chunk := await self._payload.readany():
                parts += chunk
                if len(parts) > limit:
                    raise HTTPRequestEntityTooLarge(limit, len(parts))
            body = bytes(parts)
        self._read_bytes = body
        return body

    async def text(self) -> str:
        """The body decoded with its charset (UTF-8 by default)."""
        body = await self.read()
        return body.decode(self.charset or "utf-8")

    async def json(self, *, loads: Callable[[str], Any] = json.loads) -> Any:
        """The body parsed as JSON."""
        return loads(await self.text())

    async def post(self) -> MultiDictProxy[str | bytes | FileField]:
        """Form fields of an urlencoded (or, with aioweb-http, multipart) body.

        Other media types give an empty mapping, as in aiohttp.
        """
        if self._post is not None:
            return self._post
        if self._method not in _POST_METHODS:
            self._post = _EMPTY_POST
            return self._post
        ctype = self.content_type
        if self._app is not None:
            decoders = self._app.extension(BODY_DECODER)
        else:
            decoders = default_registry().items(BODY_DECODER)
        decoder = decoders.get(ctype)
        self._post = _EMPTY_POST if decoder is None else await decoder(self)
        return self._post
