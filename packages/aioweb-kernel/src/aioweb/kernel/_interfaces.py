"""The interfaces plugins implement, and the extension points they fill.

Everything here is a ``Protocol`` or a type alias (plus :func:`switch_protocols`, the
one caller of the ``upgrade`` point): the kernel never imports a plugin, it only calls
what the registry hands it.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Final, Protocol, TypeAlias

from multidict import MultiDictProxy, MultiMapping

from ._registry import ExtensionPoint, Registry, default_registry

if TYPE_CHECKING:
    from ._app import Application
    from ._match_info import MatchInfo
    from ._request import FileField, Request
    from ._stream_response import StreamResponse

__all__ = [
    "BODY_DECODER",
    "CLI",
    "MIDDLEWARE",
    "RESOURCE",
    "ROUTER",
    "SERVER",
    "UPGRADE",
    "AbstractRouter",
    "BodyDecoder",
    "CliCommand",
    "Handler",
    "Middleware",
    "MiddlewareFactory",
    "ResourceFactory",
    "ResponseWriter",
    "RouterFactory",
    "ServeApp",
    "UpgradeHandler",
    "switch_protocols",
]

#: A request handler: ``async def handler(request) -> StreamResponse``.
Handler: TypeAlias = "Callable[[Request], Awaitable[StreamResponse]]"
#: A middleware: ``async def mw(request, handler) -> StreamResponse``.
Middleware: TypeAlias = "Callable[[Request, Handler], Awaitable[StreamResponse]]"
#: Builds a middleware from configuration (the ``middleware`` extension point).
MiddlewareFactory: TypeAlias = "Callable[..., Middleware]"


class AbstractRouter(Protocol):
    """What the application needs from a router plugin (``aioweb-routing`` provides one)."""

    def resolve(self, request: Request, /) -> MatchInfo:
        """Match ``request``; a miss returns a match whose handler raises 404/405."""
        ...

    def add_route(
        self, method: str, path: str, handler: Callable[[Request], object], *, name: str | None
    ) -> object:
        """Register ``handler`` for ``method`` on ``path``."""
        ...

    def add_routes(self, routes: Iterable[object], /) -> Sequence[object]:
        """Register route definitions (``web.get(...)`` and friends)."""
        ...

    def add_subapp(self, prefix: str, app: Application, /) -> object:
        """Mount ``app`` under ``prefix``."""
        ...

    def add_domain(self, domain: str, app: Application, /) -> object:
        """Serve ``app`` for requests whose Host matches ``domain``."""
        ...

    def freeze(self) -> None:
        """Forbid further changes; compile what can be compiled."""
        ...


class RouterFactory(Protocol):
    """Makes the application's router when ``Application(router=...)`` is not given."""

    def __call__(self, *, registry: Registry) -> AbstractRouter:
        """A new router; ``registry`` is the application's (for pluggable resources)."""
        ...


#: Makes a router resource of a kind another plugin owns (aioweb-static provides
#: ``"static"``); called as ``factory(prefix, path, **options)``, it returns an object
#: the router that asked for it knows how to register.
ResourceFactory: TypeAlias = "Callable[..., object]"


class ServeApp(Protocol):
    """A server back-end's entry: serve ``app`` until interrupted (like ``run_app``)."""

    def __call__(
        self,
        app: Application,
        /,
        *,
        host: str | None = None,
        port: int | None = None,
        workers: int = 1,
    ) -> None:
        """Serve ``app`` on ``host``:``port`` (in ``workers`` processes) until stopped."""
        ...


#: Decodes a request body of one media type for ``Request.post()``.
BodyDecoder: TypeAlias = "Callable[[Request], Awaitable[MultiDictProxy[str | bytes | FileField]]]"


class UpgradeHandler(Protocol):
    """One protocol an HTTP/1.1 connection can switch to (RFC 9110 §7.8).

    The value of the ``upgrade`` extension point, keyed by the lowercase ``Upgrade``
    token it speaks (aioweb-websocket provides ``"websocket"``). It is reached only
    through :func:`switch_protocols`, which request handlers (and
    ``WebSocketResponse.prepare``) call.
    """

    def negotiate(self, request: Request, response: StreamResponse, /) -> asyncio.BaseProtocol:
        """Check the handshake in ``request`` and make the protocol for the connection.

        Put the headers the ``101`` answer needs into ``response.headers`` (the
        ``Upgrade`` and ``Connection`` fields are already there) and return the
        protocol that owns the connection once the ``101`` head is out. ``response``
        may carry the protocol's options (``WebSocketResponse`` does).

        Raises:
            HTTPException: not a valid handshake: a 4xx saying why; nothing was sent.
        """
        ...


async def switch_protocols(
    request: Request, response: StreamResponse, token: str, /
) -> asyncio.BaseProtocol:
    """Switch ``request``'s connection to ``token`` with the application's upgrade plugin.

    Looks ``token`` up in the ``upgrade`` extension point (resolved once per
    application), lets the handler :meth:`~UpgradeHandler.negotiate`, sends
    ``response`` as ``101 Switching Protocols`` (``on_response_prepare`` runs, as for
    any response) and hands the connection to the returned protocol through
    :meth:`ResponseWriter.take_over`. ``StreamResponse.prepare`` proper is used, so a
    subclass's own ``prepare`` may call this.

    Returns:
        The protocol that owns the connection now.

    Raises:
        MissingPluginError: no installed plugin speaks ``token``.
        HTTPBadRequest: the request did not ask for ``token`` (``Upgrade`` and
            ``Connection: upgrade``); nothing was sent.
        HTTPException: the handler refused the handshake (nothing was sent).
    """
    from ._stream_response import StreamResponse  # here: it imports this module
    from ._web_exceptions import HTTPBadRequest

    token = token.lower()
    missing = _not_asked(request, token)
    if missing is not None:
        raise HTTPBadRequest(reason=missing, text=f"400: {missing}")
    app = request._app
    found = None if app is None else app.extension(UPGRADE).get(token)
    if found is None:  # raises MissingPluginError, with what to install
        found = (default_registry() if app is None else app.registry).get(UPGRADE, token)
    handler = found
    response.set_status(101)
    # RFC 9110 §15.2.2: a 101 names the protocol switched to in Upgrade.
    response.headers["Upgrade"] = token
    response.headers["Connection"] = "Upgrade"
    protocol = handler.negotiate(request, response)
    # The connection is not kept for HTTP, but a "Connection: close" must not
    # replace "Connection: Upgrade" in the 101 head.
    response._keep_alive = True
    writer = await StreamResponse.prepare(response, request)
    writer.take_over(protocol)
    return protocol


def _tokens(values: Iterable[str]) -> set[str]:
    return {t.strip().lower() for value in values for t in value.split(",")}


def _not_asked(request: Request, token: str) -> str | None:
    """What is missing for ``request`` to ask to switch to ``token``, or ``None``.

    RFC 9110 §7.8: a server must not switch to a protocol the client did not list in
    ``Upgrade``, and ``Upgrade`` counts only when ``Connection`` names it.
    """
    headers = request.headers
    if token not in _tokens(headers.getall("Upgrade", ())):
        return f"no 'Upgrade: {token}' header"
    if "upgrade" not in _tokens(headers.getall("Connection", ())):
        return "no 'Connection: upgrade' header"
    return None


class CliCommand(Protocol):
    """A subcommand of the ``aioweb`` console script."""

    @property
    def help(self) -> str:
        """One line for ``aioweb --help``."""
        ...

    def configure(self, parser: argparse.ArgumentParser, /) -> None:
        """Add the subcommand's arguments."""
        ...

    def run(self, args: argparse.Namespace, /) -> int:
        """Run it; the return value is the process exit code."""
        ...


class ResponseWriter(Protocol):
    """The wire under a response: implemented by the server (``aioweb-http``).

    The head is buffered by :meth:`send_head` and leaves with the first body write,
    so a small response costs one ``transport.write``.
    """

    def send_head(
        self,
        status: int,
        reason: str,
        headers: MultiMapping[str],
        *,
        chunked: bool,
        keep_alive: bool,
    ) -> None:
        """Serialize (validating CR/LF/NUL) and buffer the response head.

        The server adds ``Date`` and ``Server`` when ``headers`` lacks them.
        """
        ...

    def write(self, data: bytes, /) -> None:
        """Send body bytes (chunk-framed when the head said chunked)."""
        ...

    def write_eof(self, data: bytes = b"", /) -> None:
        """Send the last body bytes and end the message."""
        ...

    async def drain(self) -> None:
        """Flush anything buffered and wait while the transport is over its high-water mark."""
        ...

    @property
    def transport(self) -> asyncio.Transport | None:
        """The connection's transport, ``None`` once it is closed."""
        ...

    def take_over(self, protocol: asyncio.BaseProtocol, /) -> None:
        """Hand the connection to ``protocol`` (after a ``101 Switching Protocols`` head).

        The buffered head is flushed, the HTTP server stops reading requests on this
        connection, ``protocol.connection_made(transport)`` is called, and bytes the
        client already sent past the request follow through ``protocol.data_received``.
        """
        ...


# Typed through the annotation, not ``ExtensionPoint[K, V](...)``: on Python 3.10,
# calling a subscripted frozen slotted dataclass raises TypeError (typing sets
# ``__orig_class__`` on the instance, and 3.10's frozen ``__setattr__`` breaks on slots).
SERVER: Final[ExtensionPoint[str, ServeApp]] = ExtensionPoint("server")
ROUTER: Final[ExtensionPoint[str, RouterFactory]] = ExtensionPoint("router", single=True)
RESOURCE: Final[ExtensionPoint[str, ResourceFactory]] = ExtensionPoint("resource")
BODY_DECODER: Final[ExtensionPoint[str, BodyDecoder]] = ExtensionPoint("body_decoder")
UPGRADE: Final[ExtensionPoint[str, UpgradeHandler]] = ExtensionPoint("upgrade")
MIDDLEWARE: Final[ExtensionPoint[str, MiddlewareFactory]] = ExtensionPoint("middleware")
CLI: Final[ExtensionPoint[str, CliCommand]] = ExtensionPoint("cli")
