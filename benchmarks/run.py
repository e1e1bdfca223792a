#!/usr/bin/env python3
"""aioweb vs aiohttp, hello world and a 64 KiB POST echo, side by side in one run.

All servers run at once, each pinned to CPU 0 (``taskset -c 0``); wrk, pinned to CPU 1,
loads one of them at a time. Rounds are interleaved (every route, every server, order
rotated each round), so machine noise hits all alike. Prints medians over ``--runs``
rounds: requests/s, server CPU µs per request (from /proc), and the ratios of each aioweb
variant to aiohttp.

Servers: aioweb (plain asyncio, pure parser), aioweb-uvloop (use_uvloop=True, the
aioweb[speedups] loop, pure parser), aioweb-speedups (the whole aioweb-http[speedups]
extra: uvloop and httptools' parser), aiohttp (asyncio, its C extensions as pip installs
them); aiohttp-uvloop only when named in --only.

    python benchmarks/run.py                          # what `nox -s bench` runs
    python benchmarks/run.py --duration 5 --runs 2 --only /,/json --json /tmp/bench.json
    python benchmarks/run.py --only aioweb-uvloop,aiohttp,aiohttp-uvloop
    python benchmarks/run.py --idle-rss [idle_rss.py options]   # idle memory per connection
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

ROUTES = ["/", "/hello/world", "/json", "/echo"]
LABELS = {"/echo": "POST /echo"}  # routes without an entry are GET
ECHO_SIZE = 65536  # bytes wrk POSTs to /echo, and the body it expects back
ECHO_LUA = f"""-- written by benchmarks/run.py: POST /echo, {ECHO_SIZE}-byte body, keep-alive
wrk.method = "POST"
wrk.body = string.rep("x", {ECHO_SIZE})
wrk.headers["Content-Type"] = "application/octet-stream"
"""
# name -> (server script, --loop, more arguments); all can be named in --only.
# aioweb-speedups is the whole `aioweb-http[speedups]` extra: uvloop and httptools' parser.
SERVER_SPECS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "aioweb": ("aioweb_hello.py", "asyncio", ()),
    "aioweb-uvloop": ("aioweb_hello.py", "uvloop", ()),
    "aioweb-speedups": ("aioweb_hello.py", "uvloop", ("--parser", "httptools")),
    "aiohttp": ("aiohttp_hello.py", "asyncio", ()),
    "aiohttp-uvloop": ("aiohttp_hello.py", "uvloop", ()),
}
SERVER_NAMES = list(SERVER_SPECS)
DEFAULT_SERVERS = ["aioweb", "aioweb-uvloop", "aioweb-speedups", "aiohttp"]
BASE, PEER = "aioweb", "aiohttp"
# (numerator, denominator) of the ratio columns, shown when both servers ran
PAIRS = [
    ("aioweb", "aiohttp"),
    ("aioweb-uvloop", "aiohttp"),
    ("aioweb-speedups", "aiohttp"),
    ("aioweb-uvloop", "aiohttp-uvloop"),
]

Results = dict[str, dict[str, list[dict[str, Any]]]]  # server -> route -> one dict per round
Failures = dict[str | tuple[str, str], str]  # server or (server, route) -> why


def servers() -> list[bl.Server]:
    py = sys.executable  # the nox venv's interpreter: it has aioweb and aiohttp installed
    return [
        bl.Server(n, [py, str(bl.SERVERS_DIR / script), "--loop", loop, *more])
        for n, (script, loop, more) in SERVER_SPECS.items()
    ]


def label(route: str) -> str:
    return LABELS.get(route, route)


def check_route(port: int, route: str) -> str | None:
    """None if ``route`` answers like the contract says, else what is wrong."""
    if route == "/echo":
        sent = b"x" * ECHO_SIZE
        ctype_in = {"Content-Type": "application/octet-stream"}
        status, ctype, body = bl.http_request(port, route, "POST", sent, headers=ctype_in)
        if status == 200 and body == sent:
            return None
        return f"POST {route} ({ECHO_SIZE} B) -> {status} {ctype!r} {len(body)} B {body[:80]!r}"
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
    ap.add_argument(
        "--idle-rss",
        action="store_true",
        help="run benchmarks/idle_rss.py instead (the other arguments go to it)",
    )
    a = ap.parse_args(argv)
    a.servers, a.routes = list(DEFAULT_SERVERS), list(ROUTES)
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
        f"[{time.monotonic() - t0:5.0f}s] round {rnd} {name:14s} {label(route):13s} "
        f"{r['rps']:9,.0f} req/s  {bl.fmt(r['srv_cpu_us_per_req'], 1):>6s} µs/req  "
        f"p99 {bl.fmt(r['p99_ms'], 2)} ms  cpu srv {r['srv_cpu_pct']:.0f}% "
        f"wrk {r['load_cpu_pct']:.0f}% other {r['other_cpu_pct']:.0f}% (try {r['attempts']})"
        + (f"  ERRORS non2xx={r['non2xx']} socket={r['socket_errors']}" if errs else "")
    )


def bench(
    a: argparse.Namespace,
    running: dict[str, bl.Running],
    failed: Failures,
    scripts: dict[str, str] | None = None,
) -> Results:
    """The interleaved rounds; returns results[server][route] = [one dict per round].

    ``scripts`` maps a route to the wrk Lua script (``wrk -s``) that loads it.
    """
    scripts = scripts or {}
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

                def once(
                    url: str = url, pid: int = srv.pid, lua: str | None = scripts.get(route)
                ) -> dict[str, Any]:
                    return bl.run_wrk(url, a.connections, a.duration, pid, script=lua)

                r = bl.measure(once, a.retries, a.noisy, a.noisy, a.quiet_wait)
                if not r["requests"]:
                    why = f"wrk completed no request: {r['raw'][-300:]!r}"
                    failed.setdefault((name, route), why)
                    print(f"!! {name} {label(route)}: {why}", flush=True)
                    continue
                r["round"] = rnd
                res[name][route].append(r)
                print(log_line(t0, rnd, name, route, r), flush=True)
    return res


def pairs(a: argparse.Namespace) -> list[tuple[str, str]]:
    return [(b, p) for b, p in PAIRS if b in a.servers and p in a.servers]


def ratios(res: Results, row: dict[str, Any], route: str, b: str, p: str) -> dict[str, Any]:
    """req/s and µs/req of server ``b`` over server ``p`` for one route (medians)."""
    sb, sp = row.get(b, {}), row.get(p, {})
    out: dict[str, Any] = {}
    if sb.get("rps") and sp.get("rps"):
        out["rps"] = sb["rps"] / sp["rps"]
    if sb.get("cpu_us_per_req") and sp.get("cpu_us_per_req"):
        out["cpu"] = sb["cpu_us_per_req"] / sp["cpu_us_per_req"]
        # Paired by round: the two measurements ran seconds apart, under similar noise.
        peer = {y["round"]: y["srv_cpu_us_per_req"] for y in res[p][route]}
        out["cpu_rounds"] = [
            x["srv_cpu_us_per_req"] / peer[x["round"]]
            for x in res[b][route]
            if x["srv_cpu_us_per_req"] and peer.get(x["round"])
        ]
    return out


def summarize(a: argparse.Namespace, res: Results, failed: Failures) -> dict[str, Any]:
    """Medians per (server, route) and the ratios of PAIRS (``row["ratios"]["b/p"]``)."""
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
        row["ratios"] = {f"{b}/{p}": ratios(res, row, route, b, p) for b, p in pairs(a)}
        base = row["ratios"].get(f"{BASE}/{PEER}", {})  # the keys of the first version
        for key in ("rps", "cpu", "cpu_rounds"):
            if key in base:
                row[f"ratio_{key}"] = base[key]
        out[route] = row
    return out


def render(a: argparse.Namespace, summary: dict[str, Any]) -> str:
    head = ["route"]
    for n in a.servers:
        head += [f"{n} req/s", f"{n} µs/req"]
    head += ["other CPU%"]
    rows = []
    for route, row in summary.items():
        cells = [label(route)]
        for n in a.servers:
            s = row[n]
            if "failed" in s:
                cells += ["FAILED", "-"]
            else:
                flag = f" ({s['errors']} errors)" if s["errors"] else ""
                cells += [bl.fmt(s["rps"]) + flag, bl.fmt(s["cpu_us_per_req"], 1)]
        others = [row[n]["other_cpu_pct"] for n in a.servers if "other_cpu_pct" in row[n]]
        cells.append(bl.fmt(max(others)) if others else "-")
        rows.append(cells)
    short = bl.markdown_table(head, rows)

    ratio_table = ""
    if pairs(a):
        head = ["route"]
        for b, p in pairs(a):
            head += [f"req/s {b}/{p}", f"µs/req {b}/{p}"]
        rows = []
        for route, row in summary.items():
            cells = [label(route)]
            for b, p in pairs(a):
                r = row["ratios"][f"{b}/{p}"]
                cells += [bl.fmt(r.get("rps"), 2), bl.fmt(r.get("cpu"), 2)]
            rows.append(cells)
        ratio_table = "\n\n" + bl.markdown_table(head, rows)

    head = ["server", "route", "median req/s", "spread", "p50 ms", "p99 ms", "srv CPU µs/req"]
    head += ["srv CPU%", "wrk CPU%", "other CPU%", "runs"]
    rows = []
    for route, row in summary.items():
        for n in a.servers:
            s = row[n]
            if "failed" in s:
                rows.append([n, label(route), "FAILED", *["-"] * 8])
                continue
            figures = [(s["rps"], 0), (s["spread_pct"], 0), (s["p50_ms"], 2), (s["p99_ms"], 2)]
            figures += [(s["cpu_us_per_req"], 1), (s["srv_cpu_pct"], 0), (s["wrk_cpu_pct"], 0)]
            figures += [(s["other_cpu_pct"], 0), (s["runs"], 0)]
            cells = [bl.fmt(x, nd) for x, nd in figures]
            cells[1] += "%" if cells[1] != "-" else ""
            rows.append([n, label(route), *cells])
    detail = bl.markdown_table(head, rows, right_from=2)
    paired = []
    for b, p in pairs(a):
        per_route = {r: row["ratios"][f"{b}/{p}"].get("cpu_rounds") for r, row in summary.items()}
        rounds = [
            f"{label(r)} " + " ".join(f"{x:.2f}" for x in xs) for r, xs in per_route.items() if xs
        ]
        if rounds:
            paired.append(f"µs/req {b}/{p} per round: " + "; ".join(rounds))
    return short + ratio_table + "\n" + "\n".join(paired) + "\n\n" + detail


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
    args = sys.argv[1:] if argv is None else list(argv)
    if "--idle-rss" in args:  # a different benchmark with its own options
        import idle_rss

        return idle_rss.main([x for x in args if x != "--idle-rss"])
    a = parse_args(args)
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
        lua = log_dir / "echo.lua"  # the log dir is fresh and ours: a safe temp file
        lua.write_text(ECHO_LUA)
        res = bench(a, running, failed, {"/echo": str(lua)}) if running else {}
    summary = summarize(a, res, failed)
    header = (
        f"aioweb vs aiohttp, median of {a.runs} interleaved round(s); wrk -t1 "
        f"-c{a.connections} -d{a.duration:g}s; run at {info['started']}\n"
        "req/s: higher is better; µs/req = server CPU per request, lower is better; "
        f"ratios are <server>/<server>, e.g. aioweb/aiohttp; POST /echo sends {ECHO_SIZE} B "
        "(wrk -s) and gets them back."
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
