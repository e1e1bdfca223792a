"""aiohttp static-file server: ``app.router.add_static("/static", DIR)``.

    python benchmarks/servers/static_aiohttp.py --port 8080 --dir /tmp/files
    python benchmarks/servers/static_aiohttp.py --port 8080 --dir /tmp/files --loop uvloop

Used by ``benchmarks/static_bench.py``.
"""

from __future__ import annotations

import argparse

from aiohttp import web


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--dir", required=True, help="the directory served at /static/")
    ap.add_argument("--loop", choices=["asyncio", "uvloop"], default="asyncio")
    a = ap.parse_args()
    app = web.Application()
    app.router.add_static("/static", a.dir)
    loop = None  # run_app makes a plain asyncio loop
    if a.loop == "uvloop":
        import uvloop

        loop = uvloop.new_event_loop()
    web.run_app(app, host="127.0.0.1", port=a.port, print=None, access_log=None, loop=loop)


if __name__ == "__main__":
    main()
