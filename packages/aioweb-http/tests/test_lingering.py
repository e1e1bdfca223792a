"""Lingering close: an error response reaches a client that is still uploading.

When the server closes a connection with unread bytes in its receive buffer, the
kernel sends an RST, and the client may lose the response it has not read yet.
These clients keep writing (in a thread, with blocking sockets) while they read,
and must get the whole 4xx every time; a client that never stops is cut off.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
import threading
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest
import trustme
from server_testlib import TIMEOUT, Live, assert_recovered, serve

from aioweb.http import ServerRunner, TCPSite
from aioweb.kernel import Request, Response, StreamResponse

pytestmark = pytest.mark.loopback

POST = b"POST /echo HTTP/1.1\r\nHost: x\r\n"
BIG = POST + b"Content-Length: %d\r\n\r\n" % (50 << 20)
CHUNKED = POST + b"Transfer-Encoding: chunked\r\n\r\n"
FILLER = b"y" * 65536
CHUNK = b"%x\r\n%s\r\n" % (len(FILLER), FILLER)
ROUNDS = 20


async def handler(request: Request) -> StreamResponse:
    if request.path == "/echo":
        return Response(body=await request.read())
    if request.path == "/ignore":
        return Response(text="ignored", headers={"Connection": "close"})
    return Response(text="Hello, World")


@pytest.fixture
async def live() -> AsyncIterator[Live]:
    async with serve(handler, header_timeout=1.0, body_timeout=1.0) as server:
        yield server


@dataclass
class Upload:
    """A client writing ``head`` then ``body`` forever (until told to stop) while it reads."""

    port: int
    head: bytes
    body: bytes
    pause: float = 0.0
    sent: int = 0
    write_error: BaseException | None = None
    stopped_at: float = 0.0
    _stop: threading.Event = field(default_factory=threading.Event)

    def _pump(self, sock: socket.socket) -> None:
        try:
            sock.sendall(self.head)
            while not self._stop.is_set():
                sock.sendall(self.body)
                self.sent += len(self.body)
                if self.pause:
                    time.sleep(self.pause)
        except OSError as exc:
            self.write_error = exc
        self.stopped_at = time.monotonic()

    def run(self, *, stop_after_response: bool = True) -> tuple[bytes, BaseException | None]:
        """Read until EOF (or an error) while writing; return what was read and the error."""
        sock = socket.create_connection(("127.0.0.1", self.port), timeout=TIMEOUT)
        pump = threading.Thread(target=self._pump, args=(sock,), daemon=True)
        pump.start()
        data = b""
        read_error: BaseException | None = None
        try:
            while True:
                part = sock.recv(65536)
                if not part:
                    break
                data += part
        except OSError as exc:
            read_error = exc
        finally:
            if stop_after_response:
                self._stop.set()
            pump.join(TIMEOUT)
            alive = pump.is_alive()
            self._stop.set()
            sock.close()
            pump.join(TIMEOUT)
        assert not alive or stop_after_response, "the server never cut the writer off"
        return data, read_error


def assert_complete(data: bytes, status: int, error: BaseException | None) -> None:
    """``data`` is one complete response with ``status`` and its whole body."""
    head, sep, body = data.partition(b"\r\n\r\n")
    assert sep, f"no complete head (read error {error!r}): {data[:80]!r}"
    assert head.startswith(b"HTTP/1.1 %d " % status), head[:80]
    assert b"\r\nConnection: close" in head
    fields = dict(line.lower().split(b": ", 1) for line in head.split(b"\r\n")[1:])
    length = int(fields[b"content-length"])
    assert len(body) == length, (len(body), length, error)


CASES = [
    pytest.param(BIG, FILLER, 413, id="content-length-50MiB"),
    pytest.param(CHUNKED, CHUNK, 413, id="chunked-oversized"),
    pytest.param(b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: ", FILLER, 431, id="field-431-still-sent"),
    pytest.param(
        POST + b"Content-Length: %d\r\nTransfer-Encoding: chunked\r\n\r\n" % (50 << 20),
        FILLER,
        400,
        id="cl-te-400-still-sent",
    ),
    pytest.param(
        POST + b"Content-Length: %d\r\nExpect: nothing\r\n\r\n" % (50 << 20),
        FILLER,
        417,
        id="expectation-417",
    ),
]


@pytest.mark.parametrize(("head", "body", "status"), CASES)
async def test_an_uploading_client_reads_the_whole_error_response(
    live: Live, head: bytes, body: bytes, status: int
) -> None:
    tasks_before = len(asyncio.all_tasks())
    for _ in range(ROUNDS):
        upload = Upload(live.port, head, body)
        data, error = await asyncio.to_thread(upload.run)
        assert_complete(data, status, error)
        # The response ended with the server's FIN, not a reset, and the upload was
        # never refused before the client had read it all.
        assert error is None, error
        assert upload.write_error is None, upload.write_error
    await assert_recovered(live, tasks_before)


async def test_unread_body_closed_after_a_response_is_read_whole(live: Live) -> None:
    # The handler answers without reading the body and asks to close.
    head = b"POST /ignore HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % (50 << 20)
    tasks_before = len(asyncio.all_tasks())
    for _ in range(ROUNDS):
        upload = Upload(live.port, head, FILLER)
        data, error = await asyncio.to_thread(upload.run)
        assert_complete(data, 200, error)
        assert (error, upload.write_error) == (None, None)
        assert data.endswith(b"ignored")
    await assert_recovered(live, tasks_before)


async def test_a_client_that_keeps_sending_is_cut_off_after_the_byte_bound() -> None:
    async with serve(handler, lingering_bytes=256 * 1024, lingering_timeout=60.0) as live:
        tasks_before = len(asyncio.all_tasks())
        upload = Upload(live.port, BIG, FILLER)
        data, error = await asyncio.to_thread(upload.run, stop_after_response=False)
        assert_complete(data, 413, error)
        assert isinstance(upload.write_error, OSError), "the writer was not cut off"
        await assert_recovered(live, tasks_before)


async def test_a_client_that_keeps_sending_is_cut_off_after_the_time_bound() -> None:
    async with serve(handler, lingering_timeout=0.3, lingering_bytes=1 << 40) as live:
        tasks_before = len(asyncio.all_tasks())
        upload = Upload(live.port, BIG, b"z" * 1024, pause=0.01)
        started = time.monotonic()
        data, error = await asyncio.to_thread(upload.run, stop_after_response=False)
        assert_complete(data, 413, error)
        assert isinstance(upload.write_error, OSError), "the writer was not cut off"
        assert 0.25 <= upload.stopped_at - started < 3.0, upload.stopped_at - started
        await assert_recovered(live, tasks_before)


async def test_lingering_takes_no_task_is_not_busy_and_shutdown_stays_prompt() -> None:
    async with serve(handler, lingering_timeout=30.0) as live:
        tasks_before = len(asyncio.all_tasks())
        clients = []
        try:
            for head in (BIG + FILLER, b"GET / HTTP/1.1\r\nHost: x\r\n\x01\r\n\r\n") * 5:
                reader, writer = await asyncio.open_connection("127.0.0.1", live.port)
                clients.append(writer)
                writer.write(head)
                data = await asyncio.wait_for(reader.read(), TIMEOUT)  # to our FIN
                assert data.startswith((b"HTTP/1.1 413 ", b"HTTP/1.1 400 ")), data[:40]
            server = live.runner.server
            assert len(server.connections) == 10  # all still open: lingering
            assert not any(conn.busy for conn in server.connections)
            assert len(asyncio.all_tasks()) == tasks_before  # no task per connection
            started = time.monotonic()
            await live.runner.cleanup()
            assert time.monotonic() - started < 0.5
        finally:
            for writer in clients:
                writer.close()


async def test_a_plain_close_does_not_linger(live: Live) -> None:
    # Nothing more can come from the client: no reason to wait for its FIN.
    sock = socket.create_connection(("127.0.0.1", live.port), timeout=TIMEOUT)
    try:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        data = b""
        while part := await asyncio.to_thread(sock.recv, 65536):
            data += part
        assert data.startswith(b"HTTP/1.1 200 ")
        for _ in range(100):
            if not live.runner.server.connections:
                break
            await asyncio.sleep(0.01)
        assert not live.runner.server.connections
    finally:
        sock.close()


async def test_the_client_closing_ends_the_linger(live: Live) -> None:
    tasks_before = len(asyncio.all_tasks())
    sock = socket.create_connection(("127.0.0.1", live.port), timeout=TIMEOUT)
    try:
        sock.sendall(BIG + FILLER)
        data = await asyncio.to_thread(sock.recv, 65536)
        assert data.startswith(b"HTTP/1.1 413 ")
        sock.shutdown(socket.SHUT_WR)
    finally:
        sock.close()
    await assert_recovered(live, tasks_before)


def _write_all_then_read(port: int, data: bytes) -> tuple[bytes, BaseException | None]:
    """A client like urllib: it writes the whole request before it reads anything."""
    with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as sock:
        try:
            sock.sendall(data)
        except OSError as exc:
            return b"", exc
        out = b""
        while part := sock.recv(65536):
            out += part
        return out, None


async def test_a_client_that_writes_its_whole_upload_first_reads_the_413(live: Live) -> None:
    request = POST + b"Content-Length: %d\r\n\r\n" % (16 << 20) + b"u" * (16 << 20)
    tasks_before = len(asyncio.all_tasks())
    for _ in range(5):
        data, error = await asyncio.to_thread(_write_all_then_read, live.port, request)
        assert error is None, f"the upload was cut off before the response was read: {error!r}"
        assert_complete(data, 413, error)
    await assert_recovered(live, tasks_before)


def _tls_write_all_then_read(port: int, context: ssl.SSLContext, data: bytes) -> bytes:
    """Over TLS there is no half-close: read the response by its Content-Length."""
    with (
        socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as raw,
        context.wrap_socket(raw, server_hostname="127.0.0.1") as sock,
    ):
        sock.sendall(data)
        out = b""
        while True:
            part = sock.recv(65536)
            if not part:
                break
            out += part
            head, sep, body = out.partition(b"\r\n\r\n")
            if not sep:
                continue
            fields = dict(line.lower().split(b": ", 1) for line in head.split(b"\r\n")[1:])
            if b"content-length" in fields and len(body) >= int(fields[b"content-length"]):
                break
        return out


async def test_tls_lingers_without_a_half_close() -> None:
    ca = trustme.CA()
    server_ssl = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(server_ssl)
    client_ssl = ssl.create_default_context()
    ca.configure_trust(client_ssl)
    runner = ServerRunner(handler)
    await runner.setup()
    try:
        site = TCPSite(runner, "127.0.0.1", 0, ssl_context=server_ssl)
        await site.start()
        (addr,) = site.addresses
        assert isinstance(addr, tuple)
        request = POST + b"Content-Length: %d\r\n\r\n" % (8 << 20) + b"u" * (8 << 20)
        for _ in range(3):
            data = await asyncio.to_thread(_tls_write_all_then_read, addr[1], client_ssl, request)
            assert_complete(data, 413, None)
        for _ in range(200):  # bounded: the clients closed, so the lingering ended
            if not runner.server.connections:
                break
            await asyncio.sleep(0.01)
        assert not runner.server.connections
    finally:
        await runner.cleanup()


async def test_lingering_timeout_zero_closes_at_once() -> None:
    async with serve(handler, lingering_timeout=0) as live:
        reader, writer = await asyncio.open_connection("127.0.0.1", live.port)
        try:
            writer.write(BIG)
            data = await asyncio.wait_for(reader.read(), TIMEOUT)
            assert data.startswith(b"HTTP/1.1 413 ")
            for _ in range(100):  # bounded: the server closed its side entirely
                if not live.runner.server.connections:
                    break
                await asyncio.sleep(0.01)
            assert not live.runner.server.connections
        finally:
            writer.close()


def _http_client_upload(port: int, size: int) -> tuple[int, bytes]:
    """The standard library's client: it sends the whole body, then reads."""
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
    try:
        conn.request("POST", "/echo", body=b"h" * size)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


async def test_the_stdlib_client_gets_the_413_instead_of_a_broken_pipe(live: Live) -> None:
    tasks_before = len(asyncio.all_tasks())
    for _ in range(3):
        status, body = await asyncio.to_thread(_http_client_upload, live.port, 16 << 20)
        assert (status, body[:25]) == (413, b"Maximum request body size")
    await assert_recovered(live, tasks_before)
