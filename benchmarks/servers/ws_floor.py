"""The floor: a framework-free asyncio WebSocket echo (``benchmarks/ws_bench.py --only floor``).

Not a server anyone should run: it trusts its one client (masked, unfragmented,
uncompressed frames; no validation, no limits). It does only what every server with
aiohttp's ``async for msg in ws`` API must do per message: parse the header, unmask
in pure Python (big-integer XOR in 16 KiB slices, as aioweb does), hand the message
to a handler task through a future, and write the echo. What aioweb spends above
this row is framework overhead; what this row spends is asyncio, the syscalls and
the pure-Python unmasking. It writes once per message (no batching), so it is the
reference for ``seq`` (and, roughly, ``big``), not for ``flood``.

``--no-task`` echoes from ``data_received`` itself, with no handler task: the floor
of a callback API (not aiohttp's), one loop iteration and one ``epoll_wait`` less per
message. It shows what the handler-task hop costs in ``seq``.

python benchmarks/servers/ws_floor.py --port 8080 [--loop uvloop] [--no-task]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
from collections import deque

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"  # RFC 6455 §1.3
SLICE = 16384


def unmask(data: memoryview, mask: bytes) -> bytes:
    n = len(data)
    if n <= SLICE:
        key = int.from_bytes((mask * (n // 4 + 1))[:n], "little")
        return (int.from_bytes(data, "little") ^ key).to_bytes(n, "little")
    whole = mask * (SLICE // 4)
    key = int.from_bytes(whole, "little")
    out = []
    for i in range(0, n, SLICE):
        piece = data[i : i + SLICE]
        m = len(piece)
        k = key if m == SLICE else int.from_bytes(whole[:m], "little")
        out.append((int.from_bytes(piece, "little") ^ k).to_bytes(m, "little"))
    return b"".join(out)


def header(opcode: int, n: int) -> bytes:
    if n < 126:
        return bytes((0x80 | opcode, n))
    if n < 0x10000:
        return bytes((0x80 | opcode, 126)) + n.to_bytes(2, "big")
    return bytes((0x80 | opcode, 127)) + n.to_bytes(8, "big")


class Floor(asyncio.Protocol):
    direct = False  # --no-task: echo from data_received

    def __init__(self) -> None:
        self.loop = asyncio.get_running_loop()
        self.transport: asyncio.Transport | None = None
        self.buf = bytearray()
        self.upgraded = False
        self.queue: deque[tuple[int, bytes]] = deque()
        self.waiter: asyncio.Future[None] | None = None
        self.task: asyncio.Task[None] | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        buf = self.buf
        buf += data
        if not self.upgraded:
            end = buf.find(b"\r\n\r\n")
            if end < 0:
                return
            key = b""
            for line in bytes(buf[:end]).split(b"\r\n"):
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"sec-websocket-key":
                    key = value.strip()
            accept = base64.b64encode(hashlib.sha1(key + GUID).digest())
            assert self.transport is not None
            self.transport.write(
                b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                b"Connection: Upgrade\r\nSec-WebSocket-Accept: " + accept + b"\r\n\r\n"
            )
            del buf[: end + 4]
            self.upgraded = True
            if not self.direct:
                self.task = self.loop.create_task(self.handler())
        pos, n = 0, len(buf)
        while n - pos >= 6:
            b0, b1 = buf[pos], buf[pos + 1] & 0x7F
            start = pos + (2 if b1 < 126 else 4 if b1 == 126 else 10)
            if n < start + 4:
                break
            length = b1 if b1 < 126 else int.from_bytes(buf[pos + 2 : start], "big")
            end = start + 4 + length
            if n < end:
                break
            mask = bytes(buf[start : start + 4])
            with memoryview(buf) as view:
                self.queue.append((b0 & 0x0F, unmask(view[start + 4 : end], mask)))
            pos = end
        if pos:
            del buf[:pos]
        if self.direct:
            self.echo_queued()
            return
        waiter = self.waiter
        if waiter is not None and self.queue:
            self.waiter = None
            waiter.set_result(None)

    def echo_queued(self) -> None:
        transport = self.transport
        assert transport is not None
        while self.queue:
            opcode, payload = self.queue.popleft()
            if opcode == 0x8:
                transport.write(header(0x8, len(payload)) + payload)
                transport.close()
                return
            transport.write(header(opcode, len(payload)) + payload)

    async def handler(self) -> None:
        queue = self.queue
        transport = self.transport
        assert transport is not None
        while True:
            if not queue:
                self.waiter = self.loop.create_future()
                await self.waiter
                continue
            opcode, payload = queue.popleft()
            if opcode == 0x8:
                transport.write(header(0x8, len(payload)) + payload)
                transport.close()
                return
            head = header(opcode, len(payload))
            if len(payload) < 65536:
                transport.write(head + payload)
            else:
                transport.write(head)
                transport.write(payload)

    def connection_lost(self, exc: Exception | None) -> None:
        if self.task is not None:
            self.task.cancel()


async def serve(port: int) -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(Floor, "127.0.0.1", port)
    async with server:
        await server.serve_forever()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--loop", choices=["asyncio", "uvloop"], default="asyncio")
    ap.add_argument("--no-task", action="store_true", help="echo from data_received")
    a = ap.parse_args()
    Floor.direct = a.no_task
    if a.loop == "uvloop":
        import uvloop

        uvloop.run(serve(a.port))
    else:
        asyncio.run(serve(a.port))


if __name__ == "__main__":
    main()
