"""``ClientSession``: default headers, cookies, auth, redirects and the request API."""

from __future__ import annotations

import asyncio
import json as _json
import ssl
import sys
import warnings
from collections.abc import Callable, Coroutine, Generator, Iterable, Mapping, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any, Final, TypedDict

from multidict import CIMultiDict
from typing_extensions import Self, Unpack
from yarl import URL

from ._auth import BasicAuth
from ._connector import BaseConnector, TCPConnector
from ._cookiejar import AbstractCookieJar, CookieJar, CookiesArg
from ._decompress import ACCEPT_ENCODING
from ._errors import (
    ClientConnectorError,
    ClientResponseError,
    ConnectionKey,
    InvalidURL,
    TooManyRedirects,
)
from ._formdata import FormData
from ._payload import Body, bytes_body, make_body
from ._request import Exchange, ReadOptions, send
from ._response import ClientResponse, RaiseForStatus
from ._timeout import DEFAULT_TIMEOUT, ClientTimeout

if TYPE_CHECKING:
    from aioweb.websocket import ClientWebSocketResponse

_TO_HTTP: Final = {"ws": "http", "wss": "https"}
_TO_WS: Final = {"http": "ws", "https": "wss"}

__all__ = ["ClientSession", "RequestOptions"]

DEFAULT_MAX_RESPONSE_SIZE: Final = 256 * 2**20
_REDIRECTS: Final = frozenset((301, 302, 303, 307, 308))
_BODY_HEADERS: Final = ("Content-Type", "Content-Length", "Transfer-Encoding", "Content-Encoding")
_USER_AGENT: Final = f"Python/{sys.version_info[0]}.{sys.version_info[1]} aioweb-client"
Params = Mapping[str, str | int | float] | Sequence[tuple[str, str | int | float]] | str


class RequestOptions(TypedDict, total=False):
    """Keyword arguments of :meth:`ClientSession.request` and its shortcuts.

    Attributes:
        params: Query parameters appended to the URL's query.
        data: bytes, str, a file object, an async iterator of bytes, FormData,
            or a dict of form fields.
        json: A value sent as JSON (exclusive with ``data``).
        headers: Extra request headers.
        skip_auto_headers: Default headers not to add (e.g. ``User-Agent``).
        cookies: Cookies for this request only.
        auth: Basic credentials for this request.
        allow_redirects: Follow redirects (default True).
        max_redirects: Redirects followed at most.
        raise_for_status: Overrides the session setting.
        timeout: Overrides the session timeouts.
        ssl: TLS setting: None (verify), False (do not verify) or an SSLContext.
        chunked: Send the body with chunked transfer coding.
        read_bufsize: Body bytes buffered before reading pauses.
    """

    params: Params | None
    data: object
    json: Any
    headers: Mapping[str, str] | None
    skip_auto_headers: Iterable[str] | None
    cookies: CookiesArg | None
    auth: BasicAuth | None
    allow_redirects: bool
    max_redirects: int
    raise_for_status: RaiseForStatus | None
    timeout: ClientTimeout | None
    ssl: object
    chunked: bool
    read_bufsize: int | None


class _RequestContextManager:
    """Returned by the request methods: ``await`` it, or use it with ``async with``."""

    __slots__ = ("_coro", "_resp")

    def __init__(self, coro: Coroutine[Any, Any, ClientResponse]) -> None:
        self._coro = coro
        self._resp: ClientResponse | None = None

    def __await__(self) -> Generator[Any, None, ClientResponse]:
        return self._coro.__await__()

    async def __aenter__(self) -> ClientResponse:
        self._resp = await self._coro
        return self._resp

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._resp is not None:
            self._resp.release()


def _origin(url: URL) -> tuple[str, str | None, int | None]:
    return (url.scheme, url.host, url.port)


class ClientSession:
    """A set of default settings and a connection pool shared by many requests.

    Use it as ``async with ClientSession() as session:`` (or call :meth:`close`).

    Args:
        base_url: Relative request URLs are resolved against it (RFC 3986 §5).
        connector: The connection pool; a :class:`TCPConnector` by default.
        cookies: Cookies sent to every host.
        headers: Default request headers.
        skip_auto_headers: Default headers (User-Agent, Accept...) not to add.
        auth: Default Basic credentials.
        json_serialize: Turns ``json=`` values into text.
        cookie_jar: Where cookies are kept; a :class:`CookieJar` by default.
        connector_owner: Close the connector with the session.
        raise_for_status: Raise for 4xx/5xx, or an async callable run on each response.
        timeout: The default timeouts (``total=300`` seconds).
        auto_decompress: Decode gzip and deflate response bodies.
        read_bufsize: Body bytes buffered before reading from the socket pauses.
        max_redirects: Redirects followed at most (then TooManyRedirects).
        max_response_size: The most (decoded) body bytes accepted per response,
            streamed or read; None for no bound. Default 256 MiB.
    """

    def __init__(
        self,
        base_url: str | URL | None = None,
        *,
        connector: BaseConnector | None = None,
        cookies: CookiesArg | None = None,
        headers: Mapping[str, str] | None = None,
        skip_auto_headers: Iterable[str] | None = None,
        auth: BasicAuth | None = None,
        json_serialize: Callable[[Any], str] = _json.dumps,
        cookie_jar: AbstractCookieJar | None = None,
        connector_owner: bool = True,
        raise_for_status: RaiseForStatus = False,
        timeout: ClientTimeout = DEFAULT_TIMEOUT,
        auto_decompress: bool = True,
        read_bufsize: int = 2**16,
        max_redirects: int = 10,
        max_response_size: int | None = DEFAULT_MAX_RESPONSE_SIZE,
    ) -> None:
        self._base_url = None if base_url is None else URL(base_url)
        if self._base_url is not None and not self._base_url.is_absolute():
            raise ValueError("base_url must be an absolute URL")
        self._connector: BaseConnector = connector if connector is not None else TCPConnector()
        self._connector_owner = connector_owner
        self._cookie_jar = cookie_jar if cookie_jar is not None else CookieJar()
        if cookies:
            self._cookie_jar.update_cookies(cookies)
        self._headers: CIMultiDict[str] = CIMultiDict(headers or {})
        self._skip_auto_headers = frozenset(h.lower() for h in skip_auto_headers or ())
        self._auth = auth
        self._json_serialize = json_serialize
        self._raise_for_status = raise_for_status
        self._timeout = timeout
        self._auto_decompress = auto_decompress
        self._read_bufsize = read_bufsize
        self._max_redirects = max_redirects
        self._max_response_size = max_response_size
        self._closed = False

    # -- properties ------------------------------------------------------------------

    @property
    def closed(self) -> bool:
        """Whether the session is closed."""
        return self._closed

    @property
    def connector(self) -> BaseConnector:
        """The connection pool."""
        return self._connector

    @property
    def cookie_jar(self) -> AbstractCookieJar:
        """The cookie jar."""
        return self._cookie_jar

    @property
    def headers(self) -> CIMultiDict[str]:
        """The default request headers (mutable)."""
        return self._headers

    @property
    def timeout(self) -> ClientTimeout:
        """The default timeouts."""
        return self._timeout

    @property
    def auth(self) -> BasicAuth | None:
        """The default credentials."""
        return self._auth

    # -- lifetime --------------------------------------------------------------------

    async def close(self) -> None:
        """Close the session (and its connector, when it owns it)."""
        if not self._closed:
            self._closed = True
            if self._connector_owner:
                await self._connector.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    def __del__(self, _warn: Callable[..., None] = warnings.warn) -> None:
        if not getattr(self, "_closed", True):
            _warn(f"Unclosed client session {self!r}", ResourceWarning, stacklevel=1)

    # -- WebSockets --------------------------------------------------------------------

    async def ws_connect(
        self,
        url: str | URL,
        *,
        protocols: Iterable[str] = (),
        headers: Mapping[str, str] | None = None,
        compress: bool = True,
        max_msg_size: int = 4 * 1024 * 1024,
        autoclose: bool = True,
        autoping: bool = True,
        heartbeat: float | None = None,
        timeout: float = 10.0,
        receive_timeout: float | None = None,
        ssl_context: ssl.SSLContext | None = None,
    ) -> ClientWebSocketResponse:
        """Open a WebSocket (``http``/``https`` URLs become ``ws``/``wss``).

        Relative URLs resolve against ``base_url``; the session's default headers
        and the cookies its jar holds for the URL are sent with the handshake. The
        connection is the websocket piece's own (it is not taken from the pool).

        Raises:
            aioweb.websocket.WSServerHandshakeError: the server refused the handshake.
            ClientConnectorError: the connection failed.
        """
        from aioweb.websocket import ws_connect

        target = self._build_url(url, None)
        http_url = target.with_scheme(
            {"ws": "http", "wss": "https"}.get(target.scheme, target.scheme)
        )
        sent: dict[str, str] = dict(self._headers)
        cookies = self._cookie_jar.filter_cookies(http_url)
        if cookies:
            sent["Cookie"] = "; ".join(f"{m.key}={m.value}" for m in cookies.values())
        sent.update(headers or {})
        ws_url = target.with_scheme(
            {"http": "ws", "https": "wss"}.get(target.scheme, target.scheme)
        )
        try:
            return await ws_connect(
                ws_url,
                protocols=protocols,
                headers=sent,
                compress=compress,
                max_msg_size=max_msg_size,
                autoclose=autoclose,
                autoping=autoping,
                heartbeat=heartbeat,
                timeout=timeout,
                receive_timeout=receive_timeout,
                ssl_context=ssl_context,
            )
        except OSError as exc:
            key = ConnectionKey(
                http_url.scheme, ws_url.host or "", ws_url.port or 0, ssl_context or None
            )
            raise ClientConnectorError(key, exc) from exc

    # -- the request API -------------------------------------------------------------

    def request(
        self, method: str, url: str | URL, **kwargs: Unpack[RequestOptions]
    ) -> _RequestContextManager:
        """Send a request; await the result or use it with ``async with``."""
        return _RequestContextManager(self._request(method, url, **kwargs))

    def get(self, url: str | URL, **kwargs: Unpack[RequestOptions]) -> _RequestContextManager:
        """Send a GET request."""
        return self.request("GET", url, **kwargs)

    def post(self, url: str | URL, **kwargs: Unpack[RequestOptions]) -> _RequestContextManager:
        """Send a POST request."""
        return self.request("POST", url, **kwargs)

    def put(self, url: str | URL, **kwargs: Unpack[RequestOptions]) -> _RequestContextManager:
        """Send a PUT request."""
        return self.request("PUT", url, **kwargs)

    def patch(self, url: str | URL, **kwargs: Unpack[RequestOptions]) -> _RequestContextManager:
        """Send a PATCH request."""
        return self.request("PATCH", url, **kwargs)

    def delete(self, url: str | URL, **kwargs: Unpack[RequestOptions]) -> _RequestContextManager:
        """Send a DELETE request."""
        return self.request("DELETE", url, **kwargs)

    def head(self, url: str | URL, **kwargs: Unpack[RequestOptions]) -> _RequestContextManager:
        """Send a HEAD request (redirects are not followed unless asked)."""
        kwargs.setdefault("allow_redirects", False)
        return self.request("HEAD", url, **kwargs)

    def options(self, url: str | URL, **kwargs: Unpack[RequestOptions]) -> _RequestContextManager:
        """Send an OPTIONS request."""
        return self.request("OPTIONS", url, **kwargs)

    # -- internals -------------------------------------------------------------------

    def _build_url(self, str_or_url: str | URL, params: Params | None) -> URL:
        try:
            url = URL(str_or_url)
            if self._base_url is not None and not url.is_absolute():
                url = self._base_url.join(url)
            if params:
                url = url.extend_query(params)
        except (ValueError, TypeError) as exc:
            raise InvalidURL(str_or_url, str(exc)) from exc
        if url.scheme not in ("http", "https"):
            raise InvalidURL(url, "only http and https URLs can be requested")
        if not url.raw_host:
            raise InvalidURL(url, "the URL has no host")
        return url

    def _body(self, data: object, json_value: Any) -> Body | None:
        if json_value is not None:
            if data is not None:
                raise ValueError("data= and json= cannot be used together")
            return bytes_body(self._json_serialize(json_value).encode("utf-8"), "application/json")
        if isinstance(data, FormData):
            return data.to_body()
        if isinstance(data, Mapping):
            return FormData(data).to_body()
        return make_body(data)

    def _headers_for(  # noqa: PLR0917
        self,
        url: URL,
        extra: CIMultiDict[str],
        skip: frozenset[str],
        body: Body | None,
        method: str,
        chunked: bool,
        auth: BasicAuth | None,
        cookies: CookiesArg | None,
    ) -> CIMultiDict[str]:
        headers = CIMultiDict(self._headers)
        for name in extra:
            headers.popall(name, None)
        headers.extend(extra)
        if "host" not in skip and "Host" not in headers:
            host = url.raw_host or ""
            if ":" in host:
                host = f"[{host}]"  # RFC 3986 §3.2.2: IPv6 literals in brackets
            headers["Host"] = host if url.is_default_port() else f"{host}:{url.port}"
        for name, value in (("User-Agent", _USER_AGENT), ("Accept", "*/*")):
            if name.lower() not in skip:
                headers.setdefault(name, value)
        if self._auto_decompress and "accept-encoding" not in skip:
            headers.setdefault("Accept-Encoding", ACCEPT_ENCODING)
        if auth is not None:
            headers["Authorization"] = auth.encode()
        jar = self._cookie_jar.filter_cookies(url)
        pairs = [f"{m.key}={m.coded_value}" for m in jar.values()]
        if cookies:
            items = cookies.items() if isinstance(cookies, Mapping) else cookies
            pairs.extend(f"{k}={getattr(v, 'coded_value', v)}" for k, v in items)
        if pairs and "Cookie" not in headers:
            headers["Cookie"] = "; ".join(pairs)
        if body is not None:
            if body.content_type and "Content-Type" not in headers:
                headers["Content-Type"] = body.content_type
            if "Content-Length" not in headers and "Transfer-Encoding" not in headers:
                if chunked or body.length is None:
                    headers["Transfer-Encoding"] = "chunked"
                else:
                    headers["Content-Length"] = str(body.length)
        elif method in ("POST", "PUT", "PATCH") and "Content-Length" not in headers:
            headers["Content-Length"] = "0"
        if self._connector.force_close and "Connection" not in headers:
            headers["Connection"] = "close"
        return headers

    async def _request(
        self, method: str, str_or_url: str | URL, **kw: Unpack[RequestOptions]
    ) -> ClientResponse:
        if self._closed:
            raise RuntimeError("the session is closed")
        method = method.upper()
        url = self._build_url(str_or_url, kw.get("params"))
        body = self._body(kw.get("data"), kw.get("json"))
        extra: CIMultiDict[str] = CIMultiDict(kw.get("headers") or {})
        skip = self._skip_auto_headers | {h.lower() for h in kw.get("skip_auto_headers") or ()}
        auth = kw.get("auth") or BasicAuth.from_url(url) or self._auth
        url = url.with_user(None) if url.user or url.password else url
        if auth is not None and "Authorization" in extra:
            raise ValueError("auth= and an Authorization header cannot be used together")
        cookies = kw.get("cookies")
        timeout = kw.get("timeout") or self._timeout
        loop = asyncio.get_running_loop()
        options = ReadOptions(
            timeout=timeout,
            deadline=None if timeout.total is None else loop.time() + timeout.total,
            auto_decompress=self._auto_decompress,
            max_size=self._max_response_size,
            read_bufsize=kw.get("read_bufsize") or self._read_bufsize,
        )
        chunked = kw.get("chunked", False)
        allow_redirects = kw.get("allow_redirects", True)
        max_redirects = kw.get("max_redirects", self._max_redirects)
        history: list[ClientResponse] = []
        while True:
            headers = self._headers_for(url, extra, skip, body, method, chunked, auth, cookies)
            framing = headers.get("Transfer-Encoding", "").lower()
            exchange = Exchange(
                method,
                url.with_fragment(None),
                url,
                headers,
                body,
                "chunked" in framing,
                kw.get("ssl"),
            )
            resp = await send(self._connector, exchange, options, tuple(history))
            self._cookie_jar.update_cookies_from_headers(resp.headers.getall("Set-Cookie", ()), url)
            location = resp.headers.get("Location")
            if not (allow_redirects and resp.status in _REDIRECTS and location):
                break
            history.append(resp)
            resp.release()
            if len(history) > max_redirects:
                raise TooManyRedirects(
                    resp.request_info,
                    tuple(history),
                    status=resp.status,
                    message=f"more than {max_redirects} redirects",
                )
            try:
                new_url = url.join(URL(location))
            except ValueError as exc:
                raise InvalidURL(location, "invalid redirect Location") from exc
            if new_url.scheme not in ("http", "https") or not new_url.raw_host:
                raise InvalidURL(new_url, "redirect to a URL that is not http(s)")
            # RFC 9110 §15.4.4: 303 means GET; for 301/302 user agents
            # historically change POST to GET (§15.4.2, §15.4.3).
            if (resp.status == 303 and method != "HEAD") or (
                resp.status in (301, 302) and method == "POST"
            ):
                method, body = "GET", None
                for name in _BODY_HEADERS:
                    extra.popall(name, None)
            elif body is not None and not body.replayable:
                raise ClientResponseError(
                    resp.request_info,
                    tuple(history),
                    status=resp.status,
                    message="cannot follow the redirect: the streamed request body "
                    "cannot be sent again",
                    headers=resp.headers,
                )
            if _origin(new_url) != _origin(url):
                # Credentials and explicit cookies are for the origin they were
                # given for: never forwarded (this covers https -> http too).
                auth, cookies = None, None
                extra.popall("Authorization", None)
                extra.popall("Cookie", None)
            url = new_url.with_user(None) if new_url.user or new_url.password else new_url
        resp.history = tuple(history)
        check = kw.get("raise_for_status")
        check = self._raise_for_status if check is None else check
        if check is True:
            resp.raise_for_status()
        elif callable(check):
            try:
                await check(resp)
            except BaseException:
                resp.release()
                raise
        return resp
