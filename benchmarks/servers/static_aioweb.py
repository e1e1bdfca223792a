"""aioweb static-file server: ``app.router.add_static("/static", DIR)``, public API only.

    python benchmarks/servers/static_aioweb.py --port 8080 --dir /tmp/files             # asyncio
    python benchmarks/servers/static_aioweb.py --port 8080 --dir /tmp/files --loop uvloop
    python benchmarks/servers/static_aioweb.py --port 8080 --dir D --profile /tmp/s.pstats

Used by ``benchmarks/static_bench.py``. ``--profile PATH`` runs the server under cProfile
and writes the stats to PATH when it stops (SIGINT).
"""

from __future__ import annotations

import argparse

from aioweb import web


def make_app(directory: str) -> web.Application:
    app = web.Application()
    app.router.add_static("/static", directory)
    return app


def serve(port: int, directory: str, loop: str) -> None:
    # use_uvloop=False keeps plain asyncio even when uvloop is installed.
    web.run_app(
        make_app(directory),
        host="127.0.0.1",
        port=port,
        print=None,
        access_log=None,
        use_uvloop=loop == "uvloop",
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--dir", required=True, help="the directory served at /static/")
    ap.add_argument("--loop", choices=["asyncio", "uvloop"], default="asyncio")
    ap.add_argument("--profile", metavar="PATH", help="run under cProfile, dump stats here")
    a = ap.parse_args()
    if not a.profile:
        serve(a.port, a.dir, a.loop)
        return
    import cProfile

    prof = cProfile.Profile()
    prof.enable()
    try:
        serve(a.port, a.dir, a.loop)
    finally:
        prof.disable()
        prof.dump_stats(a.profile)


if __name__ == "__main__":
    main()
