"""The keyword arguments of the request methods, and the object they return."""

from __future__ import annotations

import operator
from collections.abc import Coroutine, Generator, Iterable, Mapping, Sequence
from types import TracebackType
from typing import Any, Final, TypedDict, cast

from yarl import URL

from ._auth import BasicAuth
from ._cookiejar import CookiesArg
from ._middleware import ClientMiddlewareType
from ._response import ClientResponse, RaiseForStatus
from ._timeout import ClientTimeout

__all__ = ["Params", "RequestContextManager", "RequestOptions", "unpack_options"]

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
        proxy: An ``http://`` proxy URL for this request (overrides the
            session's and the environment's).
        proxy_auth: Basic credentials for the proxy.
        proxy_headers: Extra headers sent to the proxy only.
        trace_request_ctx: Handed to the trace hooks as
            ``trace_config_ctx.trace_request_ctx``.
        middlewares: Client middlewares for this request (replace the
            session's; ``()`` runs none).
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
    proxy: str | URL | None
    proxy_auth: BasicAuth | None
    proxy_headers: Mapping[str, str] | None
    trace_request_ctx: Any
    middlewares: Sequence[ClientMiddlewareType] | None


#: ``unpack_options`` result, in this order: params, data, json, headers,
#: skip_auto_headers, cookies, auth, allow_redirects, max_redirects (None: the
#: session's), raise_for_status, timeout, ssl, chunked, read_bufsize, proxy,
#: proxy_auth, proxy_headers, middlewares.
Unpacked = tuple[
    Params | None,
    object,
    Any,
    Mapping[str, str] | None,
    Iterable[str] | None,
    CookiesArg | None,
    BasicAuth | None,
    bool,
    int | None,
    RaiseForStatus | None,
    ClientTimeout | None,
    object,
    bool,
    int | None,
    str | URL | None,
    BasicAuth | None,
    Mapping[str, str] | None,
    Sequence[ClientMiddlewareType] | None,
]

_DEFAULTS: Final[dict[str, object]] = {
    "params": None,
    "data": None,
    "json": None,
    "headers": None,
    "skip_auto_headers": None,
    "cookies": None,
    "auth": None,
    "allow_redirects": True,
    "max_redirects": None,
    "raise_for_status": None,
    "timeout": None,
    "ssl": None,
    "chunked": False,
    "read_bufsize": None,
    "proxy": None,
    "proxy_auth": None,
    "proxy_headers": None,
    "middlewares": None,
}
_PICK: Final = operator.itemgetter(*_DEFAULTS)
_NO_OPTIONS: Final = cast("Unpacked", _PICK(_DEFAULTS))


def unpack_options(kw: RequestOptions) -> Unpacked:
    """Every option of a request call, defaults filled in (see :data:`Unpacked`).

    Two C-level steps instead of a ``kw.get`` per option; a call without
    keyword arguments costs nothing here.
    """
    if not kw:
        return _NO_OPTIONS
    return cast("Unpacked", _PICK({**_DEFAULTS, **kw}))


class RequestContextManager:
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
