"""aioweb WebSocket echo server on 127.0.0.1 (``benchmarks/ws_bench.py`` drives it).

python benchmarks/servers/ws_aioweb.py --port 8080                # asyncio
python benchmarks/servers/ws_aioweb.py --port 8080 --loop uvloop  # on uvloop
"""

from __future__ import annotations

import argparse

from aioweb import web

MAX_MSG_SIZE = 4 * 1024 * 1024


async def echo(request: web.Request) -> web.WebSocketResponse:
    ws = web.WebSocketResponse(max_msg_size=MAX_MSG_SIZE, compress=False)
    await ws.prepare(request)
    async for msg in ws:
        if msg.type is web.WSMsgType.TEXT:
            await ws.send_str(msg.data)
        elif msg.type is web.WSMsgType.BINARY:
            await ws.send_bytes(msg.data)
    return ws


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--loop", choices=["asyncio", "uvloop"], default="asyncio")
    ap.add_argument("--profile", metavar="PATH", help="run under cProfile, dump stats here")
    a = ap.parse_args()
    app = web.Application()
    app.router.add_get("/", echo)

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
