#!/usr/bin/env python3
"""HTTP client benchmark: aioweb.client vs aiohttp vs httpx, side by side in one run.

One fixed fast server (nginx ``return 200 "hello"``, or a bare asyncio protocol with
``--server raw``) is pinned to CPU 0, so the client is the bottleneck. Each client runs in
its own fresh subprocess pinned to CPU 1 and sends ``--requests`` GETs from
``--concurrency`` tasks over a keep-alive pool of that many connections, after a warm-up
that fills the pool. Rounds are interleaved (client order rotated each round); the table
shows medians: requests/s, client CPU µs per request (``time.process_time`` of the worker)
and the ratios aioweb/aiohttp and aioweb/httpx.

    python benchmarks/client_bench.py                          # 10,000 GETs, c=64, 3 rounds
    python benchmarks/client_bench.py --requests 5000 --rounds 2 --only aioweb,aiohttp
    python benchmarks/client_bench.py --loop uvloop --json /tmp/client.json
    python benchmarks/client_bench.py --profile 25             # cProfile of the aioweb worker

Every response is checked (status 200, body ``hello``); a client that gets anything else
fails its row. All traffic goes to 127.0.0.1; the server is stopped by the PID started.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
CLIENTS = ["aioweb", "aiohttp", "httpx"]
EXPECTED = b"hello"

One = Callable[[], Awaitable[None]]
Close = Callable[[], Awaitable[None]]


# --------------------------------------------------------------------------- clients


async def make_aioweb(url: str, c: int) -> tuple[One, Close]:
    from aioweb.client import ClientSession, TCPConnector

    session = ClientSession(connector=TCPConnector(limit=c))

    async def one() -> None:
        async with session.get(url) as r:
            body = await r.read()
            if r.status != 200 or body != EXPECTED:
                raise RuntimeError(f"aioweb: {r.status} {body[:60]!r}")

    return one, session.close


async def make_aiohttp(url: str, c: int) -> tuple[One, Close]:
    import aiohttp

    session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=c))

    async def one() -> None:
        async with session.get(url) as r:
            body = await r.read()
            if r.status != 200 or body != EXPECTED:
                raise RuntimeError(f"aiohttp: {r.status} {body[:60]!r}")

    return one, session.close


async def make_httpx(url: str, c: int) -> tuple[One, Close]:
    import httpx

    limits = httpx.Limits(max_connections=c, max_keepalive_connections=c)
    client = httpx.AsyncClient(limits=limits)

    async def one() -> None:
        r = await client.get(url)
        if r.status_code != 200 or r.content != EXPECTED:
            raise RuntimeError(f"httpx: {r.status_code} {r.content[:60]!r}")

    return one, client.aclose


MAKERS: dict[str, Callable[[str, int], Awaitable[tuple[One, Close]]]] = {
    "aioweb": make_aioweb,
    "aiohttp": make_aiohttp,
    "httpx": make_httpx,
}


# --------------------------------------------------------------------------- worker


async def drive(one: One, n: int, c: int, max_s: float = 1e9) -> int:
    """``n`` requests from ``c`` tasks, or fewer once ``max_s`` seconds passed; returns done."""
    left = n
    done = 0
    deadline = time.perf_counter() + max_s

    async def task() -> None:
        nonlocal left, done
        while left > 0:
            left -= 1
            await one()
            done += 1
            if not done % 256 and time.perf_counter() > deadline:
                left = 0

    await asyncio.gather(*(task() for _ in range(c)))
    return done


async def worker_main(  # noqa: PLR0917
    name: str, url: str, n: int, c: int, warmup: int, max_s: float
) -> dict[str, Any]:
    one, close = await MAKERS[name](url, c)
    try:
        await drive(one, max(warmup, c), c, max_s)  # opens the c pooled connections
        cpu0, t0 = time.process_time(), time.perf_counter()
        n = await drive(one, n, c, max_s)
        wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    finally:
        await close()
    return {
        "rps": n / wall,
        "wall_s": wall,
        "requests": n,
        "cpu_us_per_req": 1e6 * cpu / n,
        "cpu_pct": 100 * cpu / wall,
    }


def new_loop(kind: str) -> asyncio.AbstractEventLoop:
    if kind == "uvloop":
        import uvloop

        return uvloop.new_event_loop()
    return asyncio.new_event_loop()


def run_worker(a: argparse.Namespace) -> int:
    loop = new_loop(a.loop)
    try:
        if a.profile:
            # benchmarks/profile.py shadows the stdlib ``profile`` module cProfile imports.
            sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
            import cProfile
            import pstats

            prof = cProfile.Profile()
            prof.enable()
            res = loop.run_until_complete(
                worker_main(a.worker, a.url, a.requests, a.concurrency, a.warmup, a.max_seconds)
            )
            prof.disable()
            st = pstats.Stats(prof, stream=sys.stderr)
            st.sort_stats("tottime").print_stats(a.profile)
            st.sort_stats("cumulative").print_stats(a.profile)
        else:
            res = loop.run_until_complete(
                worker_main(a.worker, a.url, a.requests, a.concurrency, a.warmup, a.max_seconds)
            )
    finally:
        loop.close()
    print(json.dumps(res), flush=True)
    return 0


# --------------------------------------------------------------------------- orchestrator


def target(kind: str) -> tuple[str, list[str]]:
    servers = HERE / "servers"
    if kind == "nginx" or (kind == "auto" and os.path.exists("/usr/sbin/nginx")):
        return "nginx", [sys.executable, str(servers / "client_target_nginx.py")]
    return "raw-uvloop", [sys.executable, str(servers / "client_target_raw.py")]


def worker_cmd(a: argparse.Namespace, name: str, url: str, load_cpu: str) -> list[str]:
    pin = ["taskset", "-c", load_cpu] if shutil.which("taskset") else []
    return [
        *pin,
        sys.executable,
        str(Path(__file__).resolve()),
        "--worker",
        name,
        "--url",
        url,
        "--requests",
        str(a.requests),
        "--concurrency",
        str(a.concurrency),
        "--warmup",
        str(a.warmup),
        "--loop",
        a.loop,
        "--max-seconds",
        str(a.max_seconds),
        *(["--profile", str(a.profile)] if a.profile else []),
    ]


def run_one(cmd: list[str], pid: int, timeout: float) -> dict[str, Any]:
    import benchlib as bl

    with bl.CpuMeter(pid) as cm:
        try:
            p = subprocess.run(cmd, check=False, capture_output=True, text=True, timeout=timeout)
            out, err, rc = p.stdout, p.stderr, p.returncode
        except subprocess.TimeoutExpired as e:
            out, err, rc = "", f"worker timed out after {timeout:.0f} s: {e}", -1
    try:
        r: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    except (IndexError, ValueError):
        r = {"error": f"rc={rc}: {err.strip()[-600:]}"}
    if err and "error" not in r:
        r["stderr"] = err
    r["other_cpu_pct"] = cm.result["other_cpu_pct"]
    return r


def report(a: argparse.Namespace, server: str, res: dict[str, list[dict[str, Any]]]) -> str:
    import benchlib as bl

    med = {n: bl.median([x["rps"] for x in v]) for n, v in res.items()}
    cpu = {n: bl.median([x["cpu_us_per_req"] for x in v]) for n, v in res.items()}
    rows = []
    for n, v in res.items():
        rps = [x["rps"] for x in v]
        rows.append(
            [
                n,
                bl.fmt(bl.median([x["requests"] for x in v])),
                bl.fmt(med[n]),
                bl.fmt(bl.spread_pct(rps)) + "%" if rps else "-",
                bl.fmt(cpu[n], 1),
                bl.fmt(bl.median([x["cpu_pct"] for x in v])),
                bl.fmt(bl.median([x["other_cpu_pct"] for x in v])),
            ]
        )
    head = ["client", "requests", "median req/s", "spread", "CPU µs/req", "client CPU%"]
    head.append("other CPU%")
    lines = [
        f"{a.requests} GETs, concurrency {a.concurrency} (pool of {a.concurrency}), "
        f"loop {a.loop}, server {server} on CPU {bl.SERVER_CPU}, clients on CPU {bl.LOAD_CPU}, "
        f"median of {a.rounds} interleaved rounds (a run stops early after {a.max_seconds:g} s)",
        "",
        bl.markdown_table(head, rows),
        "",
    ]
    busy = {n: bl.median([x["cpu_pct"] for x in v]) or 0.0 for n, v in res.items()}
    if any(pct < 85 for pct in busy.values()):
        lines.append(
            "note: a client used under 85% of its core, so the server (or the rest of the "
            "machine) limited its req/s; compare CPU µs/req instead\n"
        )
    for peer in ("aiohttp", "httpx"):
        if med.get("aioweb") and med.get(peer):
            lines.append(
                f"aioweb/{peer}: {bl.ratio(med['aioweb'], med[peer])}x req/s, "
                f"{bl.ratio(cpu[peer], cpu['aioweb'])}x less CPU per request"
            )
    return "\n".join(lines)


def orchestrate(a: argparse.Namespace) -> int:
    import benchlib as bl

    names = [n for n in CLIENTS if not a.only or n in a.only.split(",")]
    server_name, argv = target(a.server)
    log_dir = bl.make_log_dir()
    print(f"logs: {log_dir}", flush=True)
    res: dict[str, list[dict[str, Any]]] = {n: [] for n in names}
    failed: dict[str, str] = {}
    with bl.Running(bl.Server(server_name, argv), log_dir) as srv:
        if srv.error:
            print(f"{server_name} {srv.error}:\n{srv.log_tail()}", file=sys.stderr)
            return 1
        url = f"http://{bl.HOST}:{srv.server.port}/"
        status, _, body = bl.http_get(srv.server.port, "/")
        if (status, body) != (200, EXPECTED):
            print(f"{server_name}: GET / -> {status} {body[:80]!r}", file=sys.stderr)
            return 1
        t0 = time.monotonic()
        for rnd in range(a.rounds):
            k = rnd % len(names)
            for name in names[k:] + names[:k]:
                if name in failed:
                    continue
                cmd = worker_cmd(a, name, url, bl.LOAD_CPU)

                def once(cmd: list[str] = cmd) -> dict[str, Any]:
                    return run_one(cmd, srv.pid, a.timeout)

                r = bl.measure(once, a.retries, a.noisy, a.noisy, a.quiet_wait)
                if "error" in r:
                    failed[name] = r["error"]
                    print(f"!! {name} failed: {r['error']}", flush=True)
                    continue
                if a.profile and r.get("stderr"):
                    print(r.pop("stderr"), flush=True)
                res[name].append(r)
                print(
                    f"[{time.monotonic() - t0:5.0f}s] round {rnd + 1} {name:8s} "
                    f"{r['rps']:9,.0f} req/s  {r['cpu_us_per_req']:6.1f} µs CPU/req  "
                    f"client {r['cpu_pct']:.0f}%  other {r['other_cpu_pct']:.0f}% "
                    f"(try {r['attempts']})",
                    flush=True,
                )
    text = report(a, server_name, {n: v for n, v in res.items() if v})
    print("\n" + text)
    if a.json:
        Path(a.json).write_text(json.dumps({"args": vars(a), "results": res}, indent=1))
    for name, why in failed.items():
        print(f"FAILED {name}: {why}", file=sys.stderr)
    return 1 if failed else 0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--requests", type=int, default=10000, help="GETs per measurement")
    ap.add_argument("--concurrency", type=int, default=64, help="tasks and pooled connections")
    ap.add_argument("--rounds", type=int, default=3, help="interleaved rounds (median shown)")
    ap.add_argument("--warmup", type=int, default=1000, help="GETs before measuring")
    ap.add_argument(
        "--max-seconds",
        type=float,
        default=8.0,
        help="stop a measurement early after this long (slow clients); req/s = done/elapsed",
    )
    ap.add_argument("--only", help=f"comma-separated clients of {','.join(CLIENTS)}")
    ap.add_argument("--server", choices=["auto", "nginx", "raw"], default="auto")
    ap.add_argument("--loop", choices=["asyncio", "uvloop"], default="asyncio")
    ap.add_argument("--json", metavar="PATH", help="also write every figure to PATH")
    ap.add_argument("--retries", type=int, default=1, help="re-run a noisy measurement")
    ap.add_argument("--noisy", type=float, default=30, help="other CPU%% that counts as noisy")
    ap.add_argument("--quiet-wait", type=float, default=3, help="max s to wait for a calm box")
    ap.add_argument("--timeout", type=float, default=120, help="max s per worker run")
    ap.add_argument(
        "--profile", type=int, default=0, metavar="N", help="cProfile each worker, print top N"
    )
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--url", help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.requests < 1 or a.concurrency < 1 or a.rounds < 1:
        ap.error("--requests, --concurrency and --rounds must be positive")
    if a.only and (bad := set(a.only.split(",")) - set(CLIENTS)):
        ap.error(f"--only: unknown clients {sorted(bad)}; choose from {CLIENTS}")
    return a


def main(argv: list[str] | None = None) -> int:
    a = parse_args(argv)
    return run_worker(a) if a.worker else orchestrate(a)


if __name__ == "__main__":
    sys.exit(main())
