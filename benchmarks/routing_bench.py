"""Router lookup cost as the route table grows: aioweb's UrlDispatcher vs aiohttp's.

A micro-benchmark (no server, no sockets): both routers get the same tables of 10, 100,
1,000 and 10,000 routes in five shapes (three REST ones, one whose routes share no
literal leading segment: ``/{tenant}/x17``, and one where they differ only after a
dynamic segment: ``/api/{version}/x17``), and each times the lookup of the first,
middle and last route and of a miss, in this process and this run. aioweb's lookup is
``router.resolve(aioweb.kernel.Request("GET", path))``; aiohttp's is
``await router.resolve(make_mocked_request("GET", path))``. Requests are built once per
lookup, outside the timing (aiohttp caches its parsed URL on the request; aioweb
recomputes its match key on every resolve, so the comparison does not favour aioweb).
Loops are timed on the process's CPU clock by default (``--clock cpu``): on a shared
machine the time the process waits for a core is not counted, for either router;
``--clock wall`` times them on ``time.perf_counter``.

Usage: python benchmarks/routing_bench.py [--sizes 10,100,1000,10000] [--repeat 7]
[--min-time 0.01] [--shapes static,dynamic,mix,wild,api-wild] [--clock cpu|wall]
[--json PATH]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
import timeit
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web as aiohttp_web
from aiohttp.test_utils import make_mocked_request

from aioweb.kernel import Request, Response
from aioweb.routing import UrlDispatcher

Route = tuple[str, str]  # (pattern, a path that hits it)
Cell = tuple[int, str, str]  # (routes, lookup, router)


def shape_static(n: int) -> list[Route]:
    return [(f"/api/v1/things{i}", f"/api/v1/things{i}") for i in range(n)]


def shape_dynamic(n: int) -> list[Route]:
    return [
        (f"/api/v1/users{i}/{{id}}/posts/{{post}}", f"/api/v1/users{i}/42/posts/7")
        for i in range(n)
    ]


def shape_mix(n: int) -> list[Route]:
    """Per resource: a collection, an item, a regex-typed nested item (REST-style)."""
    routes: list[Route] = []
    kinds = (
        ("/api/v1/things{g}", "/api/v1/things{g}"),
        ("/api/v1/things{g}/{{id}}", "/api/v1/things{g}/abc"),
        ("/api/v1/users{g}/{{id:\\d+}}/posts/{{post}}", "/api/v1/users{g}/42/posts/7"),
    )
    for i in range(n):
        pattern, path = kinds[i % 3]
        routes.append((pattern.format(g=i // 3), path.format(g=i // 3)))
    return routes


def shape_wild(n: int) -> list[Route]:
    """No shared literal leading segment: a tenant first, literal segments after it."""
    routes: list[Route] = []
    kinds = (
        ("/{{tenant}}/x{g}", "/acme/x{g}"),
        ("/{{tenant}}/items{g}/{{id:\\d+}}", "/acme/items{g}/42"),
    )
    for i in range(n):
        pattern, path = kinds[i % 2]
        routes.append((pattern.format(g=i // 2), path.format(g=i // 2)))
    return routes


def shape_api_wild(n: int) -> list[Route]:
    """One literal prefix, then a dynamic segment, then the literal that differs."""
    return [(f"/api/{{version}}/x{i}", f"/api/v1/x{i}") for i in range(n)]


SHAPES: dict[str, Callable[[int], list[Route]]] = {
    "static": shape_static,
    "dynamic": shape_dynamic,
    "mix": shape_mix,
    "wild": shape_wild,
    "api-wild": shape_api_wild,
}
MISS = "/api/v1/nothing/42/posts/7"


async def _aiohttp_handler(request: aiohttp_web.Request) -> aiohttp_web.Response:
    return aiohttp_web.Response()


def _aioweb_handler(request: Request) -> Response:
    return Response()


def build_aioweb(routes: list[Route]) -> UrlDispatcher:
    router = UrlDispatcher()
    for pattern, _ in routes:
        router.add_route("GET", pattern, _aioweb_handler)
    router.freeze()
    return router


def build_aiohttp(routes: list[Route]) -> aiohttp_web.UrlDispatcher:
    router = aiohttp_web.UrlDispatcher()
    for pattern, _ in routes:
        router.add_route("GET", pattern, _aiohttp_handler)
    router.freeze()
    return router


LOOKUPS = ("first", "middle", "last", "miss")


def lookups(routes: list[Route]) -> dict[str, str]:
    n = len(routes)
    return {"first": routes[0][1], "middle": routes[n // 2][1], "last": routes[-1][1], "miss": MISS}


Timer = Callable[[int], Awaitable[float]]  # run a lookup n times, return the seconds

CLOCKS: dict[str, Callable[[], float]] = {"cpu": time.process_time, "wall": time.perf_counter}
clock = CLOCKS["cpu"]  # set from --clock by main()


def aioweb_timer(router: UrlDispatcher, path: str) -> Timer:
    request = Request("GET", path)
    timer = timeit.Timer(
        "resolve(request)", globals={"resolve": router.resolve, "request": request}, timer=clock
    )

    async def run(number: int) -> float:
        return timer.timeit(number)

    return run


def aiohttp_timer(router: Any, path: str) -> Timer:
    request = make_mocked_request("GET", path)
    resolve: Callable[[Any], Awaitable[Any]] = router.resolve

    async def run(number: int) -> float:
        start = clock()
        for _ in range(number):
            await resolve(request)
        return clock() - start

    return run


async def calibrate(run: Timer, min_time: float) -> int:
    """A loop count that takes at least ``min_time`` seconds."""
    number = 1
    while (elapsed := await run(number)) < min_time:
        number *= 2 if elapsed * 4 > min_time else 10
    return number


async def measure(cells: dict[Cell, Timer], repeat: int, min_time: float) -> dict[Cell, float]:
    """Seconds per call of each cell: the best of ``repeat`` rounds.

    The rounds are interleaved (every cell once per round, the order rotating), so a
    burst of load from other processes hits all sizes and both routers about equally.
    """
    numbers = {cell: await calibrate(run, min_time) for cell, run in cells.items()}
    best = {cell: float("inf") for cell in cells}
    order = list(cells)
    for round_no in range(repeat):
        shift = round_no % len(order)
        for cell in order[shift:] + order[:shift]:
            elapsed = await cells[cell](numbers[cell]) / numbers[cell]
            best[cell] = min(best[cell], elapsed)
    return best


async def check(aioweb_router: UrlDispatcher, aiohttp_router: Any, path: str, hit: bool) -> None:
    """Both routers must agree that ``path`` hits (or misses) before it is timed."""
    ours = aioweb_router.resolve(Request("GET", path)).http_exception is None
    match = await aiohttp_router.resolve(make_mocked_request("GET", path))
    theirs = match.http_exception is None
    if (ours, theirs) != (hit, hit):
        raise SystemExit(f"routers disagree on {path!r}: aioweb {ours}, aiohttp {theirs}")


async def run_shape(
    shape: str, sizes: list[int], repeat: int, min_time: float
) -> list[dict[str, object]]:
    cells: dict[Cell, Timer] = {}
    for size in sizes:
        routes = SHAPES[shape](size)
        ours, theirs = build_aioweb(routes), build_aiohttp(routes)
        for label, path in lookups(routes).items():
            await check(ours, theirs, path, hit=label != "miss")
            cells[(size, label, "aioweb")] = aioweb_timer(ours, path)
            cells[(size, label, "aiohttp")] = aiohttp_timer(theirs, path)
    best = await measure(cells, repeat, min_time)
    return [
        {
            "shape": shape,
            "routes": size,
            "lookup": label,
            "aioweb_us": best[(size, label, "aioweb")] * 1e6,
            "aiohttp_us": best[(size, label, "aiohttp")] * 1e6,
        }
        for size in sizes
        for label in LOOKUPS
    ]


def print_flatness(results: list[dict[str, object]], sizes: list[int], shapes: list[str]) -> bool:
    """aioweb's time at each size over its time at the smallest; False if 1,000 > 1.5x."""
    print(f"aioweb flatness: time at N routes / time at {sizes[0]} (target at 1,000: <= 1.5)")
    us = {(r["shape"], r["routes"], r["lookup"]): float(r["aioweb_us"]) for r in results}  # type: ignore[arg-type]
    ok = True
    for shape in shapes:
        for label in LOOKUPS:
            cells = []
            for size in sizes[1:]:
                ratio = us[(shape, size, label)] / us[(shape, sizes[0], label)]
                ok = ok and not (size == 1000 and ratio > 1.5)
                cells.append(f"{size:>5}: {ratio:4.2f}")
            print(f"  {shape:8} {label:7} " + "  ".join(cells))
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", default="10,100,1000,10000", help="comma-separated")
    parser.add_argument("--repeat", type=int, default=7, help="interleaved rounds (best kept)")
    parser.add_argument("--min-time", type=float, default=0.01, help="seconds per timed loop")
    parser.add_argument("--json", default=None, help="also write the figures here")
    parser.add_argument("--shapes", default=",".join(SHAPES), help="comma-separated")
    parser.add_argument("--clock", choices=sorted(CLOCKS), default="cpu", help="what to time on")
    args = parser.parse_args(argv)
    global clock  # noqa: PLW0603 - one setting for every timer of the run
    clock = CLOCKS[args.clock]
    sizes = sorted(int(s) for s in args.sizes.split(","))
    shapes = [s for s in args.shapes.split(",") if s]
    unknown = set(shapes).difference(SHAPES)
    if unknown:
        parser.error(f"unknown shape(s) {sorted(unknown)}; known: {list(SHAPES)}")
    print(
        f"python {sys.version.split()[0]}; per-lookup µs ({args.clock} clock), "
        f"best of {args.repeat} interleaved rounds"
    )
    header = (
        f"{'shape':8} {'routes':>6} {'lookup':7} {'aioweb µs':>10} {'aiohttp µs':>11}"
        f" {'aiohttp/aioweb':>15}"
    )
    print(header)
    print("-" * len(header))
    results: list[dict[str, object]] = []
    for shape in shapes:
        rows = asyncio.run(run_shape(shape, sizes, args.repeat, args.min_time))
        for r in rows:
            a, b = float(r["aioweb_us"]), float(r["aiohttp_us"])  # type: ignore[arg-type]
            print(
                f"{shape:8} {r['routes']:>6} {r['lookup']:7} {a:>10.3f} {b:>11.3f} {b / a:>14.1f}x"
            )
        results.extend(rows)
    print()
    flat_ok = print_flatness(results, sizes, shapes)
    faster = sum(float(r["aioweb_us"]) < float(r["aiohttp_us"]) for r in results)  # type: ignore[arg-type]
    ratios = [float(r["aiohttp_us"]) / float(r["aioweb_us"]) for r in results]  # type: ignore[arg-type]
    margin = sum(ratio >= 1.1 for ratio in ratios)
    print(f"\naioweb faster than aiohttp in {faster}/{len(results)} cells", end="")
    print(f" ({margin} by 1.1x or more; the smallest ratio {min(ratios):.2f}x)")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            figures = {"python": sys.version, "clock": args.clock, "sizes": sizes}
            json.dump({**figures, "results": results}, fh, indent=2)
    return 0 if flat_ok and faster == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())
