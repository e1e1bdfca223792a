"""Helpers for the aioweb-static tests: raw requests to a live server on 127.0.0.1.

Servers come from aioweb-testing's fixtures (``aioweb_server``/``aioweb_client``); a raw
request (:meth:`Live.raw`) rides on the fixture's port, so hostile request targets go
on the wire exactly as written, with no client normalising them.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from aioweb.kernel import Application
from aioweb.routing import UrlDispatcher
from aioweb.testing import AiowebServer, TestClient

#: Upper bound for every wait in these tests.
TIMEOUT = 5.0


def router_of(app: Application) -> UrlDispatcher:
    """The application's router, typed."""
    router = app.router
    assert isinstance(router, UrlDispatcher)
    return router


@dataclass
class Live:
    """A running application: its port (and the fixture's client, when there is one)."""

    port: int
    client: TestClient | None = None

    @property
    def base(self) -> str:
        """``http://127.0.0.1:<port>``."""
        return f"http://127.0.0.1:{self.port}"

    async def raw(self, target: str, *, method: str = "GET", extra: str = "") -> RawResponse:
        """Send one request with ``target`` exactly as given; read the whole response."""
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection("127.0.0.1", self.port), TIMEOUT
        )
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


async def serve(aioweb_server: AiowebServer, app: Application) -> Live:
    """Start ``app`` with the ``aioweb_server`` fixture (closed at teardown)."""
    server = await aioweb_server(app)
    return Live(server.port)
