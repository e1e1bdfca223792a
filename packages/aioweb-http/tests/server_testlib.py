"""Helpers for the server tests: a live server on 127.0.0.1 and a raw-socket client."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

from aioweb.http import ServerRunner, TCPSite
from aioweb.kernel import Request, StreamResponse

Handler = Callable[[Request], Awaitable[StreamResponse]]

#: Upper bound for every wait in these tests.
TIMEOUT = 5.0


@dataclass
class Live:
    """A running server: its runner and port."""

    runner: ServerRunner
    port: int

    async def exchange(self, data: bytes, *, half_close: bool = False) -> bytes:
        """Send ``data`` on a new connection and read until the server closes it."""
        reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
        try:
            writer.write(data)
            if half_close:
                writer.write_eof()
            return await asyncio.wait_for(reader.read(), TIMEOUT)
        finally:
            writer.close()

    @asynccontextmanager
    async def connect(self) -> AsyncIterator[Conn]:
        """A raw keep-alive connection."""
        reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
        try:
            yield Conn(reader, writer)
        finally:
            writer.close()


@dataclass
class Conn:
    """One raw client connection."""

    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter

    async def send(self, data: bytes) -> None:
        """Write and drain."""
        self.writer.write(data)
        await self.writer.drain()

    async def response(self) -> tuple[bytes, dict[str, str], bytes]:
        """Read one response with a Content-Length or chunked body: (status line, headers, body)."""
        head = await asyncio.wait_for(self.reader.readuntil(b"\r\n\r\n"), TIMEOUT)
        lines = head.decode("latin-1").split("\r\n")
        headers: dict[str, str] = {}
        for line in lines[1:]:
            if line:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
        if "content-length" in headers:
            body = await asyncio.wait_for(
                self.reader.readexactly(int(headers["content-length"])), TIMEOUT
            )
        elif headers.get("transfer-encoding") == "chunked":
            body = b""
            while True:
                size_line = await asyncio.wait_for(self.reader.readuntil(b"\r\n"), TIMEOUT)
                size = int(size_line.strip(), 16)
                chunk = await asyncio.wait_for(self.reader.readexactly(size + 2), TIMEOUT)
                body += chunk[:-2]
                if size == 0:
                    break
        else:
            body = b""
        return lines[0].encode("latin-1"), headers, body

    async def closed(self) -> bool:
        """Whether the server closed the connection (reads EOF within the timeout)."""
        data = await asyncio.wait_for(self.reader.read(), TIMEOUT)
        return data == b""


async def _quiet(live: Live, tasks_before: int) -> tuple[int, int]:
    """Wait (bounded) until no connection is open and no task beyond the baseline runs."""
    server = live.runner.server
    for _ in range(int(TIMEOUT / 0.01)):
        if not server.connections and len(asyncio.all_tasks()) <= tasks_before:
            break
        await asyncio.sleep(0.01)
    return len(server.connections), len(asyncio.all_tasks())


async def assert_recovered(live: Live, tasks_before: int, path: str = "/") -> None:
    """After a hostile case: nothing leaked, and a normal request on a new connection gets 200.

    Args:
        live: the server.
        tasks_before: ``len(asyncio.all_tasks())`` taken before the case.
        path: what the normal request asks for.
    """
    connections, tasks = await _quiet(live, tasks_before)
    assert (connections, tasks) == (0, tasks_before), "a connection or a task leaked"
    async with live.connect() as conn:
        await conn.send(b"GET %s HTTP/1.1\r\nHost: x\r\n\r\n" % path.encode())
        status, _, _ = await conn.response()
    assert status.startswith(b"HTTP/1.1 200 "), status
    assert await _quiet(live, tasks_before) == (0, tasks_before)


@asynccontextmanager
async def serve(handler: Handler, **options: object) -> AsyncIterator[Live]:
    """Run ``handler`` on a free port of 127.0.0.1 for the duration of the block."""
    runner = ServerRunner(handler, **options)  # type: ignore[arg-type]
    await runner.setup()
    site = TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    addr = runner.addresses[0]
    assert isinstance(addr, tuple)
    try:
        yield Live(runner, addr[1])
    finally:
        await runner.cleanup()


#: Source of a module that defines ``app``: an Application whose one-route router sends
#: every request to ``handler`` (defined by the code appended after it). Scripts run in
#: subprocesses (run_app, gunicorn) use it, since this package cannot use aioweb-routing.
ONE_HANDLER_APP = """
import asyncio
import os
import sys

from aioweb.kernel import Application, MatchInfo, Registry, Response


class Router:
    def resolve(self, request):
        return MatchInfo({}, handler)

    def add_route(self, method, path, handler, *, name=None):
        raise NotImplementedError

    def add_routes(self, routes):
        return []

    def add_subapp(self, prefix, app):
        raise NotImplementedError

    def add_domain(self, domain, app):
        raise NotImplementedError

    def freeze(self):
        pass


app = Application(router=Router(), registry=Registry(discover=False))
"""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
