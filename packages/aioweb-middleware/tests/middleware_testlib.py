"""Helpers for the aioweb-middleware tests: apps, a live server, raw requests."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx

from aioweb.http import AppRunner, TCPSite
from aioweb.kernel import Application, Middleware, Request, Response, StreamResponse
from aioweb.routing import UrlDispatcher

Handler = Callable[[Request], Awaitable[StreamResponse]]
Route = tuple[str, str, Handler]

#: Upper bound for every wait in these tests.
TIMEOUT = 5.0


def text_handler(text: str, **options: object) -> Handler:
    """A handler answering ``text`` (``options`` go to ``Response``)."""

    async def handler(request: Request) -> StreamResponse:
        return Response(text=text, **options)  # type: ignore[arg-type]

    return handler


async def ok(request: Request) -> StreamResponse:
    """Answers ``ok``."""
    return Response(text="ok")


def make_app(routes: Iterable[Route] = (), middlewares: Iterable[Middleware] = ()) -> Application:
    """An application with ``routes`` ``(method, path, handler)`` and ``middlewares``."""
    router = UrlDispatcher()
    for method, path, handler in routes:
        router.add_route(method, path, handler)
    return Application(router=router, middlewares=middlewares)


def make_request(
    method: str = "GET",
    target: str = "/",
    headers: Mapping[str, str] | None = None,
    *,
    app: Application | None = None,
    scheme: str = "http",
) -> Request:
    """A server-less kernel ``Request``."""
    return Request(method, target, headers=dict(headers or {}), app=app, scheme=scheme)


def as_response(response: StreamResponse) -> Response:
    """``response`` as a ``Response`` (to read its body); fails the test otherwise."""
    if not isinstance(response, Response):
        raise AssertionError(f"expected a Response, got {response!r}")
    return response


async def handle(app: Application, request: Request) -> StreamResponse:
    """Run ``request`` through ``app``'s whole chain without a server (freezing it)."""
    app.freeze()
    return await app.handler(request)


@dataclass
class Live:
    """A running server and an httpx client bound to it."""

    client: httpx.AsyncClient
    port: int

    async def raw(self, data: bytes) -> tuple[int, dict[str, str], bytes]:
        """Send ``data`` (one request, ``Connection: close``); return status, headers, body."""
        reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
        try:
            writer.write(data)
            reply = await asyncio.wait_for(reader.read(), TIMEOUT)
        finally:
            writer.close()
        head, _, body = reply.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        headers: dict[str, str] = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        return int(lines[0].split()[1]), headers, body


@asynccontextmanager
async def serve(app: Application) -> AsyncIterator[Live]:
    """Serve ``app`` on a free port of 127.0.0.1 with an ``AppRunner`` for the block."""
    runner = AppRunner(app)
    await runner.setup()
    try:
        site = TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        addr = runner.addresses[0]
        if not isinstance(addr, tuple):
            raise TypeError(f"unexpected address {addr!r}")
        port = int(addr[1])
        async with httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{port}", timeout=TIMEOUT, trust_env=False
        ) as client:
            yield Live(client, port)
    finally:
        await runner.cleanup()
