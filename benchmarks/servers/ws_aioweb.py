"""aioweb WebSocket echo server on 127.0.0.1 (``benchmarks/ws_bench.py`` drives it).

python benchmarks/servers/ws_aioweb.py --port 8080                # asyncio
python benchmarks/servers/ws_aioweb.py --port 8080 --loop uvloop  # on uvloop
python benchmarks/servers/ws_aioweb.py --port 8080 --mask speedups  # compiled XOR
"""

from __future__ import annotations

import argparse
from collections.abc import Awaitable, Callable

from aioweb import web
from aioweb.websocket.sansio import MaskBackend

MAX_MSG_SIZE = 4 * 1024 * 1024


def make_echo(mask: MaskBackend) -> Callable[[web.Request], Awaitable[web.WebSocketResponse]]:
    async def echo(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(max_msg_size=MAX_MSG_SIZE, compress=False, mask_backend=mask)
        await ws.prepare(request)
        async for msg in ws:
            if msg.type is web.WSMsgType.TEXT:
                await ws.send_str(msg.data)
            elif msg.type is web.WSMsgType.BINARY:
                await ws.send_bytes(msg.data)
        return ws

    return echo


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--loop", choices=["asyncio", "uvloop"], default="asyncio")
    ap.add_argument(
        "--mask", choices=["pure", "speedups"], default="pure", help="unmasking back-end"
    )
    ap.add_argument("--profile", metavar="PATH", help="run under cProfile, dump stats here")
    a = ap.parse_args()
    app = web.Application()
    app.router.add_get("/", make_echo(a.mask))

    def serve() -> None:
        web.run_app(
            app,
            host="127.0.0.1",
            port=a.port,
            print=None,
            access_log=None,
            use_uvloop=a.loop == "uvloop",
        )

    if not a.profile:
        serve()
        return
    import cProfile

    prof = cProfile.Profile()
    prof.enable()
    try:
        serve()
    finally:
        prof.disable()
        prof.dump_stats(a.profile)


if __name__ == "__main__":
    main()
