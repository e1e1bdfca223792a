"""aioweb hello-world server (the same app as aiohttp_hello.py, public API only).

    python benchmarks/servers/aioweb_hello.py --port 8080
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


def make_app() -> web.Application:
    app = web.Application()
    app.router.add_get("/", index)
    app.router.add_get("/hello/{name}", hello)
    app.router.add_get("/json", json_)
    return app


def serve(port: int) -> None:
    web.run_app(make_app(), host="127.0.0.1", port=port, print=None, access_log=None)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--profile", metavar="PATH", help="run under cProfile, dump stats here")
    a = ap.parse_args()
    if not a.profile:
        serve(a.port)
        return
    import cProfile

    prof = cProfile.Profile()
    prof.enable()
    try:
        serve(a.port)
    finally:
        prof.disable()
        prof.dump_stats(a.profile)


if __name__ == "__main__":
    main()
