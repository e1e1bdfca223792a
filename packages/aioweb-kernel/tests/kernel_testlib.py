"""Test helpers for the kernel: a tiny router, a recording writer, request builders."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from multidict import CIMultiDict, MultiMapping

from aioweb.kernel import (
    EMPTY_PAYLOAD,
    Application,
    HTTPMethodNotAllowed,
    HTTPNotFound,
    MatchInfo,
    Middleware,
    PluginSpec,
    RawHeaders,
    Registry,
    Request,
    StreamReader,
    StreamResponse,
)

__all__ = [
    "FakeWriter",
    "Head",
    "TinyRouter",
    "feed_in_task",
    "make_app",
    "make_request",
    "raw",
    "serve",
    "spec",
]


class TinyRouter:
    """The smallest ``AbstractRouter``: exact ``(method, path)`` matches and prefix sub-apps."""

    def __init__(self, *, registry: Registry | None = None) -> None:
        self.registry = registry
        self.routes: dict[tuple[str, str], Callable[[Request], object]] = {}
        self.subapps: list[tuple[str, Application]] = []
        self.domains: list[tuple[str, Application]] = []
        self.frozen = False

    def resolve(self, request: Request, /) -> MatchInfo:
        """Find the handler; sub-apps first, by path prefix."""
        return self._resolve(request, request.path)

    def _resolve(self, request: Request, path: str) -> MatchInfo:
        for prefix, app in self.subapps:
            if path.startswith(prefix):
                sub = app.router
                if not isinstance(sub, TinyRouter):  # pragma: no cover - tests only nest these
                    raise TypeError("TinyRouter only nests TinyRouters")
                inner = sub._resolve(request, path[len(prefix) :] or "/")
                return MatchInfo(
                    dict(inner),
                    inner.handler,
                    route=inner.route,
                    http_exception=inner.http_exception,
                    apps=(app, *inner.apps),
                )
        handler = self.routes.get((request.method, path))
        if handler is not None:
            return MatchInfo({}, handler, route=(request.method, path))
        allowed = [m for (m, p) in self.routes if p == path]
        exc = HTTPMethodNotAllowed(request.method, allowed) if allowed else HTTPNotFound()

        def miss(_: Request) -> StreamResponse:
            raise exc

        return MatchInfo({}, miss, http_exception=exc)

    def add_route(
        self, method: str, path: str, handler: Callable[[Request], object], *, name: str | None
    ) -> object:
        """Register ``handler``."""
        self._check()
        self.routes[(method, path)] = handler
        return (method, path)

    def add_routes(self, routes: Iterable[object], /) -> Sequence[object]:
        """Register ``(method, path, handler)`` triples."""
        out: list[object] = []
        for route in routes:
            if not isinstance(route, tuple):
                raise TypeError(route)
            method, path, handler = route
            out.append(self.add_route(method, path, handler, name=None))
        return out

    def add_subapp(self, prefix: str, app: Application, /) -> object:
        """Mount ``app`` under ``prefix``."""
        self._check()
        self.subapps.append((prefix, app))
        return prefix

    def add_domain(self, domain: str, app: Application, /) -> object:
        """Record a domain sub-app (not used by ``resolve``)."""
        self._check()
        self.domains.append((domain, app))
        return domain

    def freeze(self) -> None:
        """Refuse changes from now on."""
        self.frozen = True

    def _check(self) -> None:
        if self.frozen:
            raise RuntimeError("router is frozen")


@dataclass
class Head:
    """One recorded ``send_head`` call."""

    status: int
    reason: str
    headers: CIMultiDict[str]
    chunked: bool
    keep_alive: bool


@dataclass
class FakeWriter:
    """A ``ResponseWriter`` that records what a response sends."""

    calls: list[str] = field(default_factory=list)
    head: Head | None = None
    body: bytearray = field(default_factory=bytearray)
    eof: bool = False
    drains: int = 0

    def send_head(
        self,
        status: int,
        reason: str,
        headers: MultiMapping[str],
        *,
        chunked: bool,
        keep_alive: bool,
    ) -> None:
        """Record the head (a copy of the headers)."""
        if self.head is not None:
            raise AssertionError("send_head called twice")
        self.calls.append("send_head")
        self.head = Head(status, reason, CIMultiDict(headers), chunked, keep_alive)

    def write(self, data: bytes, /) -> None:
        """Record body bytes."""
        if self.eof:
            raise AssertionError("write after write_eof")
        self.calls.append("write")
        self.body += data

    def write_eof(self, data: bytes = b"", /) -> None:
        """Record the end of the body."""
        if self.eof:
            raise AssertionError("write_eof called twice")
        self.calls.append("write_eof")
        self.body += data
        self.eof = True

    async def drain(self) -> None:
        """Count drains."""
        self.drains += 1

    @property
    def transport(self) -> asyncio.Transport | None:
        """No transport."""
        return None

    def take_over(self, protocol: asyncio.BaseProtocol, /) -> None:
        """Record the hand-over."""
        self.calls.append("take_over")
        self.taken_by = protocol


def raw(*pairs: tuple[str, str]) -> RawHeaders:
    """Header pairs as the wire carries them (bytes)."""
    return tuple((k.encode("latin-1"), v.encode("utf-8")) for k, v in pairs)


def make_app(
    router: TinyRouter | None = None,
    *,
    middlewares: Iterable[Middleware] = (),
    client_max_size: int = 1024**2,
    registry: Registry | None = None,
) -> Application:
    """An application on a ``TinyRouter`` and a registry with only the kernel plugin."""
    return Application(
        router=router if router is not None else TinyRouter(),
        registry=registry if registry is not None else Registry(discover=False),
        middlewares=middlewares,
        client_max_size=client_max_size,
    )


def make_request(
    method: str = "GET",
    target: str = "/",
    *,
    headers: Sequence[tuple[str, str]] = (("Host", "example.com"),),
    app: Application | None = None,
    writer: FakeWriter | None = None,
    payload: StreamReader | None = None,
    version: tuple[int, int] = (1, 1),
    keep_alive: bool = True,
    body_length: int | None = 0,
    client_max_size: int | None = None,
) -> Request:
    """A ``Request`` as a server would build it, from raw header bytes."""
    return Request(
        method,
        target,
        version=version,
        headers=raw(*headers),
        writer=writer,
        app=app,
        keep_alive=keep_alive,
        body_length=body_length,
        client_max_size=client_max_size,
        payload=payload if payload is not None else EMPTY_PAYLOAD,
    )


def feed_in_task(
    stream: StreamReader, chunks: Iterable[bytes], *, eof: bool = True
) -> asyncio.Task[None]:
    """Feed ``chunks`` from a task, yielding to the loop between them."""

    async def run() -> None:
        for chunk in chunks:
            await asyncio.sleep(0)
            stream.feed_data(chunk)
        await asyncio.sleep(0)
        if eof:
            stream.feed_eof()

    return asyncio.get_running_loop().create_task(run())


async def serve(app: Application, request: Request) -> StreamResponse:
    """Freeze ``app`` and run ``request`` through its handler."""
    app.freeze()
    return await app.handler(request)


def spec(
    name: str,
    setup: Callable[[Registry], None] | None = None,
    api_version: tuple[int, int] = (1, 0),
) -> PluginSpec:
    """A ``PluginSpec`` whose setup defaults to doing nothing."""
    return PluginSpec(name=name, api_version=api_version, setup=setup or (lambda _: None))
