"""aiohttp hello-world server: GET /, /hello/{name}, /json, POST /echo on 127.0.0.1.

python benchmarks/servers/aiohttp_hello.py --port 8080                # asyncio (run_app's default)
python benchmarks/servers/aiohttp_hello.py --port 8080 --loop uvloop  # on a uvloop loop
"""

from __future__ import annotations

import argparse

from aiohttp import web


async def index(request: web.Request) -> web.Response:
    return web.Response(text="Hello, World")


async def hello(request: web.Request) -> web.Response:
    return web.Response(text="Hello, " + request.match_info["name"])


async def json_(request: web.Request) -> web.Response:
    return web.json_response({"message": "Hello"})


async def echo(request: web.Request) -> web.Response:
    return web.Response(body=await request.read())


def make_app() -> web.Application:
    app = web.Application()
    app.router.add_get("/", index)
    app.router.add_get("/hello/{name}", hello)
    app.router.add_get("/json", json_)
    app.router.add_post("/echo", echo)
    return app


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--loop", choices=["asyncio", "uvloop"], default="asyncio")
    a = ap.parse_args()
    loop = None  # run_app makes a plain asyncio loop
    if a.loop == "uvloop":
        import uvloop

        loop = uvloop.new_event_loop()
    web.run_app(make_app(), host="127.0.0.1", port=a.port, print=None, access_log=None, loop=loop)


if __name__ == "__main__":
    main()
