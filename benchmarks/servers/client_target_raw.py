"""A bare asyncio protocol answering every request with ``200 hello``: the Python ceiling.

    python benchmarks/servers/client_target_raw.py --port 8080 [--loop uvloop]

It counts request heads (``\\r\\n\\r\\n``; the client benchmark sends GETs without bodies)
and writes one fixed keep-alive response per head. Used by ``client_bench.py --server raw``
when nginx is not installed. 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
from typing import cast

RESPONSE = (
    b"HTTP/1.1 200 OK\r\nServer: raw\r\nContent-Type: text/plain\r\n"
    b"Content-Length: 5\r\nConnection: keep-alive\r\n\r\nhello"
)


class Hello(asyncio.Protocol):
    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.tail = b""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports do not subclass asyncio.Transport: no isinstance check.
        self.transport = cast("asyncio.Transport", transport)

    def data_received(self, data: bytes) -> None:
        buf = self.tail + data
        heads = buf.count(b"\r\n\r\n")
        self.tail = buf[buf.rfind(b"\r\n\r\n") + 4 :] if heads else buf[-8192:]
        if heads and self.transport is not None:
            self.transport.write(RESPONSE * heads)


async def serve(port: int) -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(Hello, "127.0.0.1", port, backlog=4096)
    async with server:
        await server.serve_forever()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--loop", choices=["asyncio", "uvloop"], default="uvloop")
    a = ap.parse_args()
    run = asyncio.run
    if a.loop == "uvloop":
        try:
            import uvloop
        except ImportError:
            pass
        else:
            run = uvloop.run
    with contextlib.suppress(KeyboardInterrupt):
        run(serve(a.port))


if __name__ == "__main__":
    main()
