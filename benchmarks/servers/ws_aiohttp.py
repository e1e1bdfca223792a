"""aiohttp WebSocket echo server on 127.0.0.1 (``benchmarks/ws_bench.py`` drives it).

python benchmarks/servers/ws_aiohttp.py --port 8080 [--loop uvloop]
"""

from __future__ import annotations

import argparse
import asyncio

from aiohttp import WSMsgType, web

MAX_MSG_SIZE = 4 * 1024 * 1024


async def echo(request: web.Request) -> web.WebSocketResponse:
    ws = web.WebSocketResponse(max_msg_size=MAX_MSG_SIZE, compress=False)
    await ws.prepare(request)
    async for msg in ws:
        if msg.type is WSMsgType.TEXT:
            await ws.send_str(msg.data)
        elif msg.type is WSMsgType.BINARY:
            await ws.send_bytes(msg.data)
    return ws


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--loop", choices=["asyncio", "uvloop"], default="asyncio")
    a = ap.parse_args()
    loop: asyncio.AbstractEventLoop | None = None  # run_app makes a plain asyncio loop
    if a.loop == "uvloop":
        import uvloop

        loop = uvloop.new_event_loop()
    app = web.Application()
    app.router.add_get("/", echo)
    web.run_app(app, host="127.0.0.1", port=a.port, print=None, access_log=None, loop=loop)


if __name__ == "__main__":
    main()
