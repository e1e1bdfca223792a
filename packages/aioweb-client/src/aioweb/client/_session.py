"""``ClientSession``: default headers, cookies, auth, redirects and the request API."""

from __future__ import annotations

import asyncio
import json as _json
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from types import TracebackType
from typing import Any, Final

from multidict import CIMultiDict
from typing_extensions import Self, Unpack
from yarl import URL

from ._auth import BasicAuth
from ._connector import BaseConnector, TCPConnector
from ._cookiejar import AbstractCookieJar, CookieJar, CookiesArg
from ._middleware import ClientMiddlewareType, send_through
from ._options import RequestContextManager, RequestOptions, unpack_options
from ._prepare import PreparedURL
from ._proxy_env import fixed_proxy, normalize_proxy, proxy_for
from ._redirects import REDIRECTS, redirect_target
from ._request import Exchange, ReadOptions, headers_version, host_header, send
from ._response import ClientResponse, RaiseForStatus
from ._timeout import DEFAULT_TIMEOUT, ClientTimeout
from ._tracing import Trace, TraceConfig, make_traces
from ._ws import WebSocketClient

__all__ = ["ClientSession", "RequestOptions"]

DEFAULT_MAX_RESPONSE_SIZE: Final = 256 * 2**20


class ClientSession(WebSocketClient):
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
        proxy: An ``http://`` proxy for every request (credentials in the URL
            become ``proxy_auth``).
        proxy_auth: Basic credentials for the proxy.
        trust_env: Take proxies from ``http_proxy``/``https_proxy``/
            ``all_proxy`` and ``no_proxy`` when no ``proxy`` is given.
        trace_configs: :class:`TraceConfig` s whose hooks run for each request.
        middlewares: Client middlewares run around each request hop.

    Raises:
        InvalidURL: ``proxy`` is not an ``http://`` URL.
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
        proxy: str | URL | None = None,
        proxy_auth: BasicAuth | None = None,
        trust_env: bool = False,
        trace_configs: Iterable[TraceConfig] | None = None,
        middlewares: Sequence[ClientMiddlewareType] = (),
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
        self._proxy = None if proxy is None else normalize_proxy(proxy, proxy_auth)
        self._trust_env = trust_env
        self._trace_configs = tuple(trace_configs or ())
        for config in self._trace_configs:
            config.freeze()
        self._middlewares = tuple(middlewares)
        self._closed = False
        # Caches of the plain request path (see _prepare.py).
        self._urls: dict[str | URL, PreparedURL] = {}
        self._defaults: dict[tuple[str, str], tuple[CIMultiDict[str], bytes, bool]] = {}
        self._defaults_version = -1

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
    def trust_env(self) -> bool:
        """Whether proxies are taken from the environment."""
        return self._trust_env

    @property
    def trace_configs(self) -> tuple[TraceConfig, ...]:
        """The trace configs of this session."""
        return self._trace_configs

    @property
    def middlewares(self) -> tuple[ClientMiddlewareType, ...]:
        """The session's client middlewares."""
        return self._middlewares

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

    # -- the request API -------------------------------------------------------------

    def request(
        self, method: str, url: str | URL, **kwargs: Unpack[RequestOptions]
    ) -> RequestContextManager:
        """Send a request; await the result or use it with ``async with``."""
        if self._trace_configs:
            return RequestContextManager(self._traced_request(method.upper(), url, kwargs))
        # Without tracing, no wrapper coroutine: the request path is the same as before.
        return RequestContextManager(self._send_all(method.upper(), url, kwargs, ()))

    def get(self, url: str | URL, **kwargs: Unpack[RequestOptions]) -> RequestContextManager:
        """Send a GET request."""
        return self.request("GET", url, **kwargs)

    def post(self, url: str | URL, **kwargs: Unpack[RequestOptions]) -> RequestContextManager:
        """Send a POST request."""
        return self.request("POST", url, **kwargs)

    def put(self, url: str | URL, **kwargs: Unpack[RequestOptions]) -> RequestContextManager:
        """Send a PUT request."""
        return self.request("PUT", url, **kwargs)

    def patch(self, url: str | URL, **kwargs: Unpack[RequestOptions]) -> RequestContextManager:
        """Send a PATCH request."""
        return self.request("PATCH", url, **kwargs)

    def delete(self, url: str | URL, **kwargs: Unpack[RequestOptions]) -> RequestContextManager:
        """Send a DELETE request."""
        return self.request("DELETE", url, **kwargs)

    def head(self, url: str | URL, **kwargs: Unpack[RequestOptions]) -> RequestContextManager:
        """Send a HEAD request (redirects are not followed unless asked)."""
        kwargs.setdefault("allow_redirects", False)
        return self.request("HEAD", url, **kwargs)

    def options(self, url: str | URL, **kwargs: Unpack[RequestOptions]) -> RequestContextManager:
        """Send an OPTIONS request."""
        return self.request("OPTIONS", url, **kwargs)

    # -- internals -------------------------------------------------------------------

    async def _traced_request(
        self, method: str, str_or_url: str | URL, kw: RequestOptions
    ) -> ClientResponse:
        traces = make_traces(self, self._trace_configs, kw.get("trace_request_ctx"))
        try:
            return await self._send_all(method, str_or_url, kw, traces)
        except Exception as exc:
            url = URL(str_or_url) if isinstance(str_or_url, str) else str_or_url
            headers: CIMultiDict[str] = CIMultiDict(kw.get("headers") or {})
            for trace in traces:
                await trace.request_exception(method, url, headers, exc)
            raise

    async def _send_all(
        self,
        method: str,
        str_or_url: str | URL,
        kw: RequestOptions,
        traces: tuple[Trace, ...],
    ) -> ClientResponse:
        if self._closed:
            raise RuntimeError("the session is closed")
        (
            params,
            data,
            json_value,
            extra_headers,
            skip_auto_headers,
            cookies,
            auth,
            allow_redirects,
            max_redirects,
            check,
            timeout,
            ssl,
            chunked,
            read_bufsize,
            proxy_arg,
            proxy_auth_arg,
            extra_proxy_headers,
            middlewares,
        ) = unpack_options(kw)
        url, url_auth, host = self._prepare_url(str_or_url, params)
        body = None if data is None and json_value is None else self._body(data, json_value)
        extra: CIMultiDict[str] = CIMultiDict(extra_headers) if extra_headers else CIMultiDict()
        skip = self._skip_auto_headers
        if skip_auto_headers:
            skip = skip | {h.lower() for h in skip_auto_headers}
        auth = auth or url_auth or self._auth
        if auth is not None and "Authorization" in extra:
            raise ValueError("auth= and an Authorization header cannot be used together")
        timeout = timeout or self._timeout
        loop = asyncio.get_running_loop()
        options = ReadOptions(
            timeout,
            None if timeout.total is None else loop.time() + timeout.total,
            self._auto_decompress,
            self._max_response_size,
            read_bufsize or self._read_bufsize,
        )
        if max_redirects is None:
            max_redirects = self._max_redirects
        fixed = fixed_proxy(proxy_arg, proxy_auth_arg, self._proxy)
        proxy_headers = tuple(extra_proxy_headers.items()) if extra_proxy_headers else ()
        if middlewares is None:
            middlewares = self._middlewares
        history: list[ClientResponse] = []
        while True:
            prebuilt = None
            if (
                body is None
                and not extra
                and skip is self._skip_auto_headers
                and self._plain(auth, cookies)
            ):
                headers, lines, chunked_header = self._default_headers(host, method)
                prebuilt = (headers_version(headers), lines)
            else:
                headers = self._headers_for(
                    url, host, extra, skip, body, method, chunked, auth, cookies
                )
                chunked_header = _is_chunked(headers)
            proxy, proxy_auth = proxy_for(url, fixed, self._trust_env)
            hop_proxy_headers = proxy_headers
            if proxy is not None and "Proxy-Authorization" in headers:
                # Meant for the proxy: it goes on the CONNECT, never through the tunnel.
                value = headers.popone("Proxy-Authorization")
                hop_proxy_headers = (*proxy_headers, ("Proxy-Authorization", value))
            for trace in traces:
                await trace.request_start(method, url, headers)
            exchange = Exchange(
                method,
                url.with_fragment(None),
                url,
                headers,
                body,
                chunked_header,
                ssl,
                proxy,
                proxy_auth,
                hop_proxy_headers,
                prebuilt,
            )
            if middlewares:
                hist = tuple(history)

                async def sender(
                    hop: Exchange, hist: tuple[ClientResponse, ...] = hist
                ) -> ClientResponse:
                    return await send(self._connector, hop, options, hist, traces)

                resp = await send_through(self, exchange, middlewares, sender)
            else:
                resp = await send(self._connector, exchange, options, tuple(history), traces)
            set_cookies, location = resp._cookies_and_location()
            if set_cookies:
                self._cookie_jar.update_cookies_from_headers(set_cookies, url)
            if not (allow_redirects and resp.status in REDIRECTS and location):
                break
            for trace in traces:
                await trace.request_redirect(method, url, headers, resp)
            history.append(resp)
            resp.release()
            new_url, method, body, same_origin = redirect_target(
                resp, url, location, method, body, extra, tuple(history), max_redirects
            )
            if not same_origin:
                auth, cookies = None, None
            url = new_url.with_user(None) if new_url.user or new_url.password else new_url
            host = host_header(url)
        resp.history = tuple(history)
        if traces:
            resp._traces = traces
            for trace in traces:
                await trace.request_end(method, url, headers, resp)
        if check is None:
            check = self._raise_for_status
        if check is True:
            resp.raise_for_status()
        elif callable(check):
            try:
                await check(resp)
            except BaseException:
                resp.release()
                raise
        return resp


def _is_chunked(headers: CIMultiDict[str]) -> bool:
    return "chunked" in headers.get("Transfer-Encoding", "").lower()
