"""Helpers for the aioweb-static tests: a live application on 127.0.0.1 and raw requests."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from aioweb.http import AppRunner, TCPSite
from aioweb.kernel import Application
from aioweb.routing import UrlDispatcher

#: Upper bound for every wait in these tests.
TIMEOUT = 5.0


def router_of(app: Application) -> UrlDispatcher:
    """The application's router, typed."""
    router = app.router
    assert isinstance(router, UrlDispatcher)
    return router


@dataclass
class Live:
    """A running application: its port."""

    port: int

    @property
    def base(self) -> str:
        """``http://127.0.0.1:<port>``."""
        return f"http://127.0.0.1:{self.port}"

    async def raw(self, target: str, *, method: str = "GET", extra: str = "") -> RawResponse:
        """Send one request with ``target`` exactly as given; read the whole response."""
        reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
        try:
            writer.write(
                f"{method} {target} HTTP/1.1\r\nHost: t\r\n{extra}Connection: close\r\n\r\n".encode(
                    "latin-1"
                )
            )
            data = await asyncio.wait_for(reader.read(), TIMEOUT)
        finally:
            writer.close()
        head, _, body = data.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        headers: dict[str, str] = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        return RawResponse(int(lines[0].split()[1]), headers, body)


@dataclass
class RawResponse:
    """A response read off the wire."""

    status: int
    headers: dict[str, str]
    body: bytes


@asynccontextmanager
async def serve_app(app: Application) -> AsyncIterator[Live]:
    """Run ``app`` on a free port of 127.0.0.1 for the duration of the block."""
    runner = AppRunner(app, access_log=None)
    await runner.setup()
    site = TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    addr = runner.addresses[0]
    assert isinstance(addr, tuple)
    try:
        yield Live(addr[1])
    finally:
        await runner.cleanup()
