#!/usr/bin/env python3
"""aioweb vs aiohttp, hello world, side by side in one run.

Both servers run at once, each pinned to CPU 0 (``taskset -c 0``); wrk, pinned to CPU 1,
loads one of them at a time. Rounds are interleaved (every route, both servers, order
rotated each round), so machine noise hits both alike. Prints medians over ``--runs``
rounds: requests/s, the ratio aioweb/aiohttp, and server CPU µs per request (from /proc).

    python benchmarks/run.py                          # what `nox -s bench` runs
    python benchmarks/run.py --duration 5 --runs 2 --only /,/json --json /tmp/bench.json
"""

from __future__ import annotations

import argparse
import contextlib
import json
import signal
import sys
import time
from pathlib import Path
from typing import Any

import benchlib as bl

ROUTES = ["/", "/hello/world", "/json"]
SERVER_NAMES = ["aioweb", "aiohttp"]
BASE, PEER = "aioweb", "aiohttp"

Results = dict[str, dict[str, list[dict[str, Any]]]]  # server -> route -> one dict per round
Failures = dict[str | tuple[str, str], str]  # server or (server, route) -> why


def servers() -> list[bl.Server]:
    py = sys.executable  # the nox venv's interpreter: it has aioweb and aiohttp installed
    return [bl.Server(n, [py, str(bl.SERVERS_DIR / f"{n}_hello.py")]) for n in SERVER_NAMES]


def check_route(port: int, route: str) -> str | None:
    """None if ``route`` answers like the contract says, else what is wrong."""
    status, ctype, body = bl.http_get(port, route)
    if route == "/json":
        try:
            ok = json.loads(body) == {"message": "Hello"} and ctype.startswith("application/json")
        except ValueError:
            ok = False
    else:
        name = route.rsplit("/", 1)[1].encode()
        expected = b"Hello, World" if route == "/" else b"Hello, " + name
        ok = body == expected and ctype.startswith("text/plain")
    if status == 200 and ok:
        return None
    return f"GET {route} -> {status} {ctype!r} {body[:80]!r}"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--duration", type=int, default=10, help="seconds of wrk per measurement")
    ap.add_argument("--runs", type=int, default=3, help="interleaved rounds (median is reported)")
    ap.add_argument("--connections", type=int, default=64, help="wrk -c (default 64)")
    ap.add_argument("--warmup", type=int, default=2, help="seconds of wrk per server first")
    ap.add_argument(
        "--only",
        help="comma-separated server names and/or routes, e.g. 'aioweb' or '/,/json'",
    )
    ap.add_argument("--json", metavar="PATH", help="also write every figure to this JSON file")
    ap.add_argument("--retries", type=int, default=1, help="re-run a noisy measurement this often")
    ap.add_argument("--noisy", type=float, default=30, help="other CPU%% above which it is noisy")
    ap.add_argument("--quiet-wait", type=float, default=5, help="max s to wait for a calm box")
    a = ap.parse_args(argv)
    a.servers, a.routes = list(SERVER_NAMES), list(ROUTES)
    if a.only:
        items = [x.strip() for x in a.only.split(",") if x.strip()]
        unknown = [x for x in items if x not in SERVER_NAMES and x not in ROUTES]
        if unknown:
            ap.error(f"--only: unknown {unknown}; servers {SERVER_NAMES}, routes {ROUTES}")
        a.servers = [s for s in SERVER_NAMES if s in items] or a.servers
        a.routes = [r for r in ROUTES if r in items] or a.routes
    if a.duration < 1 or a.runs < 1 or a.connections < 1 or a.warmup < 0:
        ap.error("--duration, --runs and --connections must be positive (whole seconds)")
    return a


def log_line(t0: float, rnd: int, name: str, route: str, r: dict[str, Any]) -> str:
    errs = r["non2xx"] + r["socket_errors"]
    return (
        f"[{time.monotonic() - t0:5.0f}s] round {rnd} {name:8s} {route:13s} "
        f"{r['rps']:9,.0f} req/s  {bl.fmt(r['srv_cpu_us_per_req'], 1):>6s} µs/req  "
        f"p99 {bl.fmt(r['p99_ms'], 2)} ms  cpu srv {r['srv_cpu_pct']:.0f}% "
        f"wrk {r['load_cpu_pct']:.0f}% other {r['other_cpu_pct']:.0f}% (try {r['attempts']})"
        + (f"  ERRORS non2xx={r['non2xx']} socket={r['socket_errors']}" if errs else "")
    )


def bench(a: argparse.Namespace, running: dict[str, bl.Running], failed: Failures) -> Results:
    """The interleaved rounds; returns results[server][route] = [one dict per round]."""
    res: Results = {n: {r: [] for r in a.routes} for n in running}
    names = list(running)
    t0 = time.monotonic()
    for name in names if a.warmup else ():  # warm-up: caches, allocator pools, page faults
        port = running[name].server.port
        bl.run_wrk(f"http://{bl.HOST}:{port}/", a.connections, a.warmup, None, latency=False)
    for rnd in range(1, a.runs + 1):
        k = (rnd - 1) % len(names)
        order = names[k:] + names[:k]
        for route in a.routes:
            for name in order:
                srv = running[name]
                if name in failed or (name, route) in failed:
                    continue
                if not srv.alive():
                    failed[name] = f"server died during the run:\n{srv.log_tail()}"
                    print(f"!! {name} died; log tail:\n{srv.log_tail()}", flush=True)
                    continue
                url = f"http://{bl.HOST}:{srv.server.port}{route}"

                def once(url: str = url, pid: int = srv.pid) -> dict[str, Any]:
                    return bl.run_wrk(url, a.connections, a.duration, pid)

                r = bl.measure(once, a.retries, a.noisy, a.noisy, a.quiet_wait)
                if not r["requests"]:
                    why = f"wrk completed no request: {r['raw'][-300:]!r}"
                    failed.setdefault((name, route), why)
                    print(f"!! {name} {route}: {why}", flush=True)
                    continue
                r["round"] = rnd
                res[name][route].append(r)
                print(log_line(t0, rnd, name, route, r), flush=True)
    return res


def summarize(a: argparse.Namespace, res: Results, failed: Failures) -> dict[str, Any]:
    """Medians per (server, route) and the aioweb/aiohttp ratios."""
    out: dict[str, Any] = {}
    for route in a.routes:
        row: dict[str, Any] = {}
        for name in a.servers:
            runs = res.get(name, {}).get(route, [])
            if not runs:
                row[name] = {"failed": failed.get((name, route)) or failed.get(name) or "no data"}
                continue
            rps = [x["rps"] for x in runs]
            row[name] = {
                "rps": bl.median(rps),
                "spread_pct": bl.spread_pct(rps),
                "cpu_us_per_req": bl.median(x["srv_cpu_us_per_req"] for x in runs),
                "p50_ms": bl.median(x["p50_ms"] for x in runs),
                "p99_ms": bl.median(x["p99_ms"] for x in runs),
                "srv_cpu_pct": bl.median(x["srv_cpu_pct"] for x in runs),
                "wrk_cpu_pct": bl.median(x["load_cpu_pct"] for x in runs),
                "other_cpu_pct": bl.median(x["other_cpu_pct"] for x in runs),
                "errors": sum(x["non2xx"] + x["socket_errors"] for x in runs),
                "runs": len(runs),
            }
        b, p = row.get(BASE, {}), row.get(PEER, {})
        if b.get("rps") and p.get("rps"):
            row["ratio_rps"] = b["rps"] / p["rps"]
        if b.get("cpu_us_per_req") and p.get("cpu_us_per_req"):
            row["ratio_cpu"] = b["cpu_us_per_req"] / p["cpu_us_per_req"]
            # Paired by round: the two measurements ran seconds apart, under similar noise.
            peer = {y["round"]: y["srv_cpu_us_per_req"] for y in res[PEER][route]}
            row["ratio_cpu_rounds"] = [
                x["srv_cpu_us_per_req"] / peer[x["round"]]
                for x in res[BASE][route]
                if x["srv_cpu_us_per_req"] and peer.get(x["round"])
            ]
        out[route] = row
    return out


def render(a: argparse.Namespace, summary: dict[str, Any]) -> str:
    both = BASE in a.servers and PEER in a.servers
    head = ["route"]
    for n in a.servers:
        head += [f"{n} req/s", f"{n} µs/req"]
    if both:
        head += ["req/s aioweb/aiohttp", "µs/req aioweb/aiohttp"]
    head += ["other CPU%"]
    rows = []
    for route, row in summary.items():
        cells = [route]
        for n in a.servers:
            s = row[n]
            if "failed" in s:
                cells += ["FAILED", "-"]
            else:
                flag = f" ({s['errors']} errors)" if s["errors"] else ""
                cells += [bl.fmt(s["rps"]) + flag, bl.fmt(s["cpu_us_per_req"], 1)]
        if both:
            cells += [bl.fmt(row.get("ratio_rps"), 2), bl.fmt(row.get("ratio_cpu"), 2)]
        others = [row[n]["other_cpu_pct"] for n in a.servers if "other_cpu_pct" in row[n]]
        cells.append(bl.fmt(max(others)) if others else "-")
        rows.append(cells)
    short = bl.markdown_table(head, rows)

    head = ["server", "route", "median req/s", "spread", "p50 ms", "p99 ms", "srv CPU µs/req"]
    head += ["srv CPU%", "wrk CPU%", "other CPU%", "runs"]
    rows = []
    for route, row in summary.items():
        for n in a.servers:
            s = row[n]
            if "failed" in s:
                rows.append([n, route, "FAILED", *["-"] * 8])
                continue
            figures = [(s["rps"], 0), (s["spread_pct"], 0), (s["p50_ms"], 2), (s["p99_ms"], 2)]
            figures += [(s["cpu_us_per_req"], 1), (s["srv_cpu_pct"], 0), (s["wrk_cpu_pct"], 0)]
            figures += [(s["other_cpu_pct"], 0), (s["runs"], 0)]
            cells = [bl.fmt(x, nd) for x, nd in figures]
            cells[1] += "%" if cells[1] != "-" else ""
            rows.append([n, route, *cells])
    detail = bl.markdown_table(head, rows, right_from=2)
    rounds = [
        f"{route} " + " ".join(f"{x:.2f}" for x in row["ratio_cpu_rounds"])
        for route, row in summary.items()
        if row.get("ratio_cpu_rounds")
    ]
    paired = "µs/req aioweb/aiohttp per round: " + "; ".join(rounds) if rounds else ""
    return short + "\n" + paired + "\n\n" + detail


def start_all(
    a: argparse.Namespace, stack: contextlib.ExitStack, log_dir: Path, failed: Failures
) -> dict[str, bl.Running]:
    running: dict[str, bl.Running] = {}
    for s in servers():
        if s.name not in a.servers:
            continue
        srv = stack.enter_context(bl.Running(s, log_dir))
        if srv.error:
            failed[s.name] = f"{srv.error}\n{srv.log_tail()}"
            print(f"!! {s.name} {srv.error}; log tail:\n{srv.log_tail()}", flush=True)
            continue
        print(f"{s.name}: pid {srv.pid} on {bl.HOST}:{s.port} (log {srv.log_path})", flush=True)
        for route in a.routes:
            problem = check_route(s.port, route)
            if problem:
                failed[(s.name, route)] = problem
                print(f"!! {s.name} fails its check, not measured: {problem}", flush=True)
        running[s.name] = srv
    return running


def _sigterm(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)  # unwinds the ExitStack, which stops the servers


def main(argv: list[str] | None = None) -> int:
    a = parse_args(argv)
    signal.signal(signal.SIGTERM, _sigterm)
    info: dict[str, Any] = {
        "machine": bl.machine_info(),
        "versions": bl.versions(),
        "args": vars(a).copy(),
    }
    info["started"] = time.strftime("%Y-%m-%d %H:%M:%S %Z")
    if info["machine"]["wrk"] == "missing":
        print("wrk is not installed: apt-get install -y wrk", file=sys.stderr)
        return 2
    log_dir = bl.make_log_dir()
    cmd = " ".join(bl.wrk_cmd("URL", a.connections, a.duration)[3:])
    print(
        f"aioweb vs aiohttp: {cmd} (taskset -c {bl.LOAD_CPU}), servers under taskset "
        f"-c {bl.SERVER_CPU}; {a.runs} interleaved round(s), warm-up {a.warmup:g} s\n"
        f"versions: {info['versions']}\nlogs: {log_dir}",
        flush=True,
    )
    failed: Failures = {}
    with contextlib.ExitStack() as stack:
        running = start_all(a, stack, log_dir, failed)
        res = bench(a, running, failed) if running else {}
    summary = summarize(a, res, failed)
    header = (
        f"aioweb vs aiohttp, median of {a.runs} interleaved round(s); wrk -t1 "
        f"-c{a.connections} -d{a.duration:g}s; run at {info['started']}\n"
        "req/s: higher is better; µs/req = server CPU per request, lower is better; "
        "ratios are aioweb/aiohttp."
    )
    print("\n" + header + "\n\n" + render(a, summary))
    for key, why in failed.items():
        print(f"\nFAILED {key}: {why}")
    if a.json:
        payload = {
            "info": info,
            "summary": summary,
            "results": res,
            "failed": {str(k): v for k, v in failed.items()},
        }
        Path(a.json).write_text(json.dumps(payload, indent=1, default=str))
        print(f"\nwrote {a.json}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
