"""Helpers for the client tests: raw hostile servers, Python's http.server, an fd count.

aioweb servers come from aioweb-testing (the ``serve`` fixture in conftest.py)."""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import pytest_asyncio.plugin

from aioweb.kernel import Request, StreamResponse

#: Upper bound for every wait in these tests.
TIMEOUT = 5.0

Handler = Callable[[Request], Awaitable[StreamResponse]]
RawHandler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]
#: The ``serve`` fixture: starts an aioweb server (aioweb-testing's RawTestServer)
#: for a handler and returns its base URL, ``http://127.0.0.1:<port>``.
Serve = Callable[[Handler], Awaitable[str]]

#: Run an async test once on asyncio's loop and once on uvloop's (skipped where
#: uvloop is not installed); needs pytest-asyncio >= 1.5's loop factories.
ON_EVERY_LOOP = (
    pytest.mark.asyncio(loop_factories=["asyncio", "uvloop"])
    if hasattr(pytest_asyncio.plugin, "PytestAsyncioSpecs")
    else pytest.mark.skip(reason="loop factories need pytest-asyncio >= 1.5")
)


def open_fds() -> int:
    """Open file descriptors of this process."""
    return len(os.listdir("/proc/self/fd"))


@asynccontextmanager
async def raw_server(handler: RawHandler) -> AsyncIterator[str]:
    """Run a raw asyncio TCP server (for hostile behaviour); yields its base URL."""
    tasks: set[asyncio.Task[None]] = set()

    async def wrapped(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        tasks.add(task)
        try:
            await handler(reader, writer)
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()
            tasks.discard(task)

    server = await asyncio.start_server(wrapped, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.close()
        for task in list(tasks):
            task.cancel()
        if tasks:
            await asyncio.wait(tasks, timeout=TIMEOUT)
        await server.wait_closed()


async def read_request(reader: asyncio.StreamReader) -> tuple[bytes, bytes]:
    """Read one request head and its Content-Length body."""
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), TIMEOUT)
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1])
    body = await asyncio.wait_for(reader.readexactly(length), TIMEOUT) if length else b""
    return head, body


@contextmanager
def thread_server(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """Run Python's ThreadingHTTPServer in a thread; yields its base URL."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(TIMEOUT)
