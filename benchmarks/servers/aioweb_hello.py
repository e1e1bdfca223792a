"""aioweb hello-world server (the same app as aiohttp_hello.py, public API only).

GET /, /hello/{name}, /json, and POST /echo (returns the request body) on 127.0.0.1.

    python benchmarks/servers/aioweb_hello.py --port 8080                # plain asyncio
    python benchmarks/servers/aioweb_hello.py --port 8080 --loop uvloop  # aioweb[speedups] loop
    python benchmarks/servers/aioweb_hello.py --port 8080 --profile /tmp/aioweb.pstats

``--profile PATH`` runs the server under cProfile and writes the stats to PATH when it
stops (Ctrl-C / SIGINT); ``benchmarks/profile.py`` uses it when py-spy cannot run.
"""

from __future__ import annotations

import argparse

from aioweb import web


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


def serve(port: int, loop: str = "asyncio", parser: str = "pure") -> None:
    # use_uvloop=False: never uvloop, even when it is installed (run_app's default would
    # pick it up). The request parser is the default, pure one unless --parser says.
    web.run_app(
        make_app(),
        host="127.0.0.1",
        port=port,
        print=None,
        access_log=None,
        use_uvloop=loop == "uvloop",
        parser_backend="httptools" if parser == "httptools" else "pure",
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--loop", choices=["asyncio", "uvloop"], default="asyncio")
    ap.add_argument("--parser", choices=["pure", "httptools"], default="pure")
    ap.add_argument("--profile", metavar="PATH", help="run under cProfile, dump stats here")
    a = ap.parse_args()
    if not a.profile:
        serve(a.port, a.loop, a.parser)
        return
    import cProfile

    prof = cProfile.Profile()
    prof.enable()
    try:
        serve(a.port, a.loop, a.parser)
    finally:
        prof.disable()
        prof.dump_stats(a.profile)


if __name__ == "__main__":
    main()
