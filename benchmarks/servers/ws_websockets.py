"""``websockets`` library echo server on 127.0.0.1 (``benchmarks/ws_bench.py`` drives it).

python benchmarks/servers/ws_websockets.py --port 8080 [--loop uvloop]
"""

from __future__ import annotations

import argparse
import asyncio
import signal

from websockets.asyncio.server import ServerConnection, serve

MAX_MSG_SIZE = 4 * 1024 * 1024


async def echo(ws: ServerConnection) -> None:
    async for msg in ws:
        await ws.send(msg)


async def run(port: int) -> None:
    stop = asyncio.get_running_loop().create_future()
    for sig in (signal.SIGINT, signal.SIGTERM):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set_result, None)
    # No compression: the benchmark client does not offer it to any server.
    async with serve(echo, "127.0.0.1", port, max_size=MAX_MSG_SIZE, compression=None):
        await stop


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--loop", choices=["asyncio", "uvloop"], default="asyncio")
    a = ap.parse_args()
    if a.loop == "uvloop":
        import uvloop

        uvloop.run(run(a.port))
    else:
        asyncio.run(run(a.port))


if __name__ == "__main__":
    main()
