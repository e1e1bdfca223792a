"""Client middlewares: ``async def mw(request, handler) -> ClientResponse`` around each send.

Decision: a middleware sees one :class:`ClientRequest` per hop (every redirect
hop goes through the chain again), after the session built the final headers
(defaults, Host, cookies, auth, framing) and before anything meant for a proxy
is added (``Proxy-Authorization`` never shows up here). ``handler(request)``
sends the request as it is then and returns the response head; a middleware
may change ``method``, ``url`` (``Host`` follows unless it was set to
something else) and ``headers``, call ``handler`` several times
(retry; release the responses it drops), or return a response without calling
it. The body cannot be replaced; a streamed body can be sent only once.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING

from multidict import CIMultiDict
from yarl import URL

from ._auth import BasicAuth
from ._payload import Body
from ._request import Exchange, host_header

if TYPE_CHECKING:
    from ._response import ClientResponse
    from ._session import ClientSession

__all__ = [
    "ClientHandlerType",
    "ClientMiddlewareType",
    "ClientRequest",
    "build_chain",
    "send_through",
]


class ClientRequest:
    """One request hop as a middleware sees it.

    Attributes:
        method: The method (upper-case).
        url: The URL, without credentials or fragment.
        headers: Every header that will be sent (mutable).
        session: The session sending it.
        ssl: The TLS setting.
        proxy: The ``http://`` proxy it goes through, or None.
        proxy_auth: Credentials for that proxy.
        proxy_headers: Extra headers for that proxy.
    """

    __slots__ = (
        "_body",
        "_chunked",
        "_sends",
        "headers",
        "method",
        "proxy",
        "proxy_auth",
        "proxy_headers",
        "real_url",
        "session",
        "ssl",
        "url",
    )

    def __init__(  # noqa: PLR0917
        self,
        session: ClientSession,
        method: str,
        url: URL,
        real_url: URL,
        headers: CIMultiDict[str],
        body: Body | None,
        chunked: bool,
        ssl: object,
        proxy: URL | None,
        proxy_auth: BasicAuth | None,
        proxy_headers: tuple[tuple[str, str], ...],
    ) -> None:
        self.session = session
        self.method = method
        self.url = url
        self.real_url = real_url
        self.headers = headers
        self._body = body
        self._chunked = chunked
        self.ssl = ssl
        self.proxy = proxy
        self.proxy_auth = proxy_auth
        self.proxy_headers = proxy_headers
        self._sends = 0

    @property
    def body(self) -> bytes | None:
        """The body when it is held in memory; None without a body or for a streamed one."""
        return None if self._body is None else self._body.data

    @property
    def has_body(self) -> bool:
        """Whether the request has a body (in memory or streamed)."""
        return self._body is not None

    def __repr__(self) -> str:
        return f"<ClientRequest({self.method} {self.url})>"


#: ``handler(request)``: sends the request and returns the response head.
ClientHandlerType = Callable[[ClientRequest], Awaitable["ClientResponse"]]
#: ``async def middleware(request, handler) -> ClientResponse``.
ClientMiddlewareType = Callable[[ClientRequest, ClientHandlerType], Awaitable["ClientResponse"]]


def _wrap(middleware: ClientMiddlewareType, handler: ClientHandlerType) -> ClientHandlerType:
    def call(request: ClientRequest) -> Awaitable[ClientResponse]:
        return middleware(request, handler)

    return call


def build_chain(
    final: ClientHandlerType, middlewares: Sequence[ClientMiddlewareType]
) -> ClientHandlerType:
    """``final`` wrapped by ``middlewares``; the first one is the outermost."""
    handler = final
    for middleware in reversed(middlewares):
        handler = _wrap(middleware, handler)
    return handler


async def send_through(
    session: ClientSession,
    exchange: Exchange,
    middlewares: Sequence[ClientMiddlewareType],
    sender: Callable[[Exchange], Awaitable[ClientResponse]],
) -> ClientResponse:
    """Run ``exchange`` through ``middlewares``; the innermost handler calls ``sender``."""

    original_host = host_header(exchange.url)

    async def final(request: ClientRequest) -> ClientResponse:
        body, _ = take_body(request)
        if request.headers.get("Host") == original_host:
            # The middleware may have pointed the request elsewhere: keep Host in step.
            request.headers["Host"] = host_header(request.url)
        hop = Exchange(
            request.method.upper(),
            request.url.with_fragment(None),
            request.url,
            request.headers,
            body,
            "chunked" in request.headers.get("Transfer-Encoding", "").lower(),
            request.ssl,
            request.proxy,
            request.proxy_auth,
            request.proxy_headers,
        )
        return await sender(hop)

    request = ClientRequest(
        session,
        exchange.method,
        exchange.url,
        exchange.real_url,
        exchange.headers,
        exchange.body,
        exchange.chunked,
        exchange.ssl,
        exchange.proxy,
        exchange.proxy_auth,
        exchange.proxy_headers,
    )
    return await build_chain(final, middlewares)(request)


def take_body(request: ClientRequest) -> tuple[Body | None, bool]:
    """The body and chunked flag for one more send of ``request``.

    Raises:
        RuntimeError: A streamed body that was already sent would be sent again.
    """
    body = request._body
    if body is not None and not body.replayable and request._sends:
        raise RuntimeError(
            "the streamed request body was already sent once; a middleware cannot resend it"
        )
    request._sends += 1
    return body, request._chunked
