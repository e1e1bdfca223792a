#!/usr/bin/env python3
"""Static files: aioweb ``add_static`` vs aiohttp ``add_static`` vs nginx, in one run.

Two files in a fresh temp directory, served at ``/static/``: ``1k.bin`` (1 KiB, measured
in requests/s with ``wrk -c64``, keep-alive) and ``10m.bin`` (10 MiB, measured in MB/s
with ``wrk -c8``). All servers run at once, each pinned to CPU 0 (``taskset -c 0``);
wrk, pinned to CPU 1, loads one at a time, in interleaved rounds (order rotated every
round); the tables show medians. nginx is ``/usr/sbin/nginx``, one process, sendfile on.

    python benchmarks/static_bench.py                          # 2 rounds x 5 s per cell
    python benchmarks/static_bench.py --duration 10 --runs 3 --json /tmp/static.json
    python benchmarks/static_bench.py --only aioweb,aiohttp,1k

Targets (issue 7): aioweb >= 1.2x aiohttp req/s on 1 KiB; aioweb >= nginx/1.5 MB/s on
10 MiB. The exit status is 1 when a server fails to start or its check, 0 otherwise
(missed targets are printed, not fatal, since this box is noisy).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import signal
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

import benchlib as bl

# name -> size in bytes; which connection count and figure each uses is in FILE_SPECS
FILES = {"1k": ("1k.bin", 1024), "10m": ("10m.bin", 10 * 2**20)}
SERVER_NAMES = ["aioweb", "aioweb-uvloop", "aiohttp", "aiohttp-uvloop", "nginx"]
DEFAULT_SERVERS = ["aioweb", "aioweb-uvloop", "aiohttp", "nginx"]
# (numerator, denominator, file, figure): the ratio columns; the first two carry targets
RATIOS = [
    ("aioweb", "aiohttp", "1k", "rps"),
    ("aioweb-uvloop", "aiohttp", "1k", "rps"),
    ("aioweb", "nginx", "10m", "mbps"),
    ("aioweb-uvloop", "nginx", "10m", "mbps"),
    ("aioweb", "nginx", "1k", "rps"),
    ("aioweb", "aiohttp", "10m", "mbps"),
]
TARGETS = {("aioweb", "aiohttp", "1k"): 1.2, ("aioweb", "nginx", "10m"): 1 / 1.5}
_UNITS = {"B": 1, "KB": 1024, "MB": 1024**2, "GB": 1024**3, "TB": 1024**4}

Results = dict[str, dict[str, list[dict[str, Any]]]]  # server -> file -> rounds


def servers(static_dir: Path, nginx: str, log_dir: Path) -> list[bl.Server]:
    py, d = sys.executable, str(static_dir)

    def script(name: str) -> str:
        return str(bl.SERVERS_DIR / name)

    return [
        bl.Server("aioweb", [py, script("static_aioweb.py"), "--dir", d]),
        bl.Server(
            "aioweb-uvloop", [py, script("static_aioweb.py"), "--dir", d, "--loop", "uvloop"]
        ),
        bl.Server("aiohttp", [py, script("static_aiohttp.py"), "--dir", d]),
        bl.Server(
            "aiohttp-uvloop", [py, script("static_aiohttp.py"), "--dir", d, "--loop", "uvloop"]
        ),
        bl.Server(
            "nginx",
            [py, script("static_nginx.py"), "--dir", d, "--nginx", nginx, "--tmp", str(log_dir)],
        ),
    ]


def make_files(directory: Path) -> dict[str, bytes]:
    out = {}
    for key, (name, size) in FILES.items():
        data = os.urandom(size)
        (directory / name).write_bytes(data)
        out[key] = data
    return out


def check(port: int, files: dict[str, bytes]) -> str | None:
    """None when both files come back whole with 200, else what is wrong."""
    for key, data in files.items():
        url = f"http://{bl.HOST}:{port}/static/{FILES[key][0]}"
        try:
            with urllib.request.urlopen(url, timeout=10) as r:
                body = r.read()
                if r.status != 200 or body != data:
                    return f"{url}: status {r.status}, {len(body)} B (want {len(data)} B)"
        except Exception as e:  # a broken server must not stop the run
            return f"{url}: {e!r}"
    return None


def transfer_bytes_per_s(raw: str) -> float | None:
    """wrk's ``Transfer/sec`` (binary units: its MB is MiB) in bytes per second."""
    m = re.search(r"Transfer/sec:\s+([\d.]+)([KMGT]?B)", raw)
    return float(m.group(1)) * _UNITS[m.group(2)] if m else None


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--duration", type=int, default=5, help="seconds of wrk per cell (default 5)")
    ap.add_argument("--runs", type=int, default=2, help="interleaved rounds (median; default 2)")
    ap.add_argument("--small-connections", type=int, default=64, help="wrk -c for 1 KiB (64)")
    ap.add_argument("--large-connections", type=int, default=8, help="wrk -c for 10 MiB (8)")
    ap.add_argument("--warmup", type=int, default=1, help="seconds of wrk per server first")
    ap.add_argument("--only", help=f"servers {SERVER_NAMES} and/or files {list(FILES)}")
    ap.add_argument("--nginx", default="/usr/sbin/nginx", help="the nginx binary")
    ap.add_argument("--json", metavar="PATH", help="also write every figure to this JSON file")
    ap.add_argument("--retries", type=int, default=1, help="re-run a noisy cell this often")
    ap.add_argument("--noisy", type=float, default=30, help="other CPU%% above which it is noisy")
    ap.add_argument("--quiet-wait", type=float, default=5, help="max s to wait for a calm box")
    a = ap.parse_args(argv)
    a.servers, a.files = list(DEFAULT_SERVERS), list(FILES)
    if a.only:
        items = [x.strip() for x in a.only.split(",") if x.strip()]
        unknown = [x for x in items if x not in SERVER_NAMES and x not in FILES]
        if unknown:
            ap.error(f"--only: unknown {unknown}; servers {SERVER_NAMES}, files {list(FILES)}")
        a.servers = [s for s in SERVER_NAMES if s in items] or a.servers
        a.files = [f for f in FILES if f in items] or a.files
    if min(a.duration, a.runs, a.small_connections, a.large_connections) < 1 or a.warmup < 0:
        ap.error("--duration, --runs and the connection counts must be positive")
    a.conns = {"1k": a.small_connections, "10m": a.large_connections}
    return a


def bench(a: argparse.Namespace, running: dict[str, bl.Running], failed: dict[str, str]) -> Results:
    res: Results = {n: {f: [] for f in a.files} for n in running}
    names = list(running)
    t0 = time.monotonic()
    for name in names if a.warmup else ():
        url = f"http://{bl.HOST}:{running[name].server.port}/static/{FILES['1k'][0]}"
        bl.run_wrk(url, a.small_connections, a.warmup, None, latency=False)
    for rnd in range(1, a.runs + 1):
        k = (rnd - 1) % len(names)
        for key in a.files:
            for name in names[k:] + names[:k]:
                srv = running[name]
                if name in failed:
                    continue
                if not srv.alive():
                    failed[name] = f"died during the run:\n{srv.log_tail()}"
                    continue
                url = f"http://{bl.HOST}:{srv.server.port}/static/{FILES[key][0]}"

                def once(
                    url: str = url, pid: int = srv.pid, c: int = a.conns[key]
                ) -> dict[str, Any]:
                    return bl.run_wrk(url, c, a.duration, pid)

                r = bl.measure(once, a.retries, a.noisy, a.noisy, a.quiet_wait)
                # Body bytes of whole responses (wrk's Transfer/sec has 3 digits only).
                r["mbps"] = r["rps"] * FILES[key][1] / 1e6
                r["wrk_transfer_mbps"] = (transfer_bytes_per_s(r["raw"]) or 0) / 1e6
                r["round"] = rnd
                if not r["requests"]:
                    failed.setdefault(name, f"wrk completed no request: {r['raw'][-300:]!r}")
                    continue
                res[name][key].append(r)
                errs = r["non2xx"] + r["socket_errors"]
                print(
                    f"[{time.monotonic() - t0:4.0f}s] round {rnd} {name:14s} {key:3s} "
                    f"{r['rps']:9,.0f} req/s {bl.fmt(r['mbps'], 1):>8s} MB/s "
                    f"{bl.fmt(r['srv_cpu_us_per_req'], 1):>8s} µs/req  srv {r['srv_cpu_pct']:.0f}% "
                    f"wrk {r['load_cpu_pct']:.0f}% other {r['other_cpu_pct']:.0f}%"
                    + (f"  ERRORS {errs}" if errs else ""),
                    flush=True,
                )
    return res


def summarize(a: argparse.Namespace, res: Results) -> dict[str, Any]:
    out: dict[str, Any] = {"cells": {}, "ratios": {}}
    for name in a.servers:
        for key in a.files:
            runs = res.get(name, {}).get(key, [])
            if not runs:
                continue
            out["cells"][f"{name} {key}"] = {
                "rps": bl.median(x["rps"] for x in runs),
                "mbps": bl.median(x["mbps"] for x in runs),
                "spread_pct": bl.spread_pct([x["rps"] for x in runs]),
                "cpu_us_per_req": bl.median(x["srv_cpu_us_per_req"] for x in runs),
                "srv_cpu_pct": bl.median(x["srv_cpu_pct"] for x in runs),
                "wrk_cpu_pct": bl.median(x["load_cpu_pct"] for x in runs),
                "other_cpu_pct": bl.median(x["other_cpu_pct"] for x in runs),
                "errors": sum(x["non2xx"] + x["socket_errors"] for x in runs),
                "runs": len(runs),
            }
    for b, p, key, fig in RATIOS:
        cb, cp = out["cells"].get(f"{b} {key}"), out["cells"].get(f"{p} {key}")
        if cb and cp and cb[fig] and cp[fig]:
            cpu_b, cpu_p = cb["cpu_us_per_req"], cp["cpu_us_per_req"]
            out["ratios"][f"{b}/{p} {key} {fig}"] = {
                "value": cb[fig] / cp[fig],
                "target": TARGETS.get((b, p, key)),
                # server CPU per request, the noise-resistant figure: below 1, b is cheaper
                "cpu": cpu_b / cpu_p if cpu_b and cpu_p else None,
            }
    return out


def render(a: argparse.Namespace, summary: dict[str, Any]) -> str:
    head = ["server", "file", "wrk -c", "req/s", "MB/s", "spread", "srv µs/req"]
    head += ["srv CPU%", "wrk CPU%", "other CPU%", "runs"]
    rows = []
    for key in a.files:
        for name in a.servers:
            c = summary["cells"].get(f"{name} {key}")
            if c is None:
                rows.append([name, key, str(a.conns[key]), "FAILED", *["-"] * 7])
                continue
            flag = f" ({c['errors']} errors)" if c["errors"] else ""
            rows.append([
                name, key, str(a.conns[key]), bl.fmt(c["rps"]) + flag, bl.fmt(c["mbps"], 1),
                bl.fmt(c["spread_pct"]) + "%", bl.fmt(c["cpu_us_per_req"], 1),
                bl.fmt(c["srv_cpu_pct"]), bl.fmt(c["wrk_cpu_pct"]), bl.fmt(c["other_cpu_pct"]),
                str(c["runs"]),
            ])  # fmt: skip
    table = bl.markdown_table(head, rows, right_from=2)
    rrows = []
    for label, r in summary["ratios"].items():
        target = r["target"]
        verdict = "-" if target is None else ("met" if r["value"] >= target else "MISSED")
        rrows.append(
            [
                label,
                f"{r['value']:.2f}",
                "-" if target is None else f">= {target:.2f}",
                verdict,
                bl.fmt(r["cpu"], 2),
            ]
        )
    head = ["ratio", "value", "target", "verdict", "srv µs/req ratio"]
    ratios = bl.markdown_table(head, rrows)
    return table + "\n\n" + ratios


def _sigterm(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)  # unwinds the ExitStack, which stops the servers


def main(argv: list[str] | None = None) -> int:
    a = parse_args(argv)
    signal.signal(signal.SIGTERM, _sigterm)
    if shutil.which("wrk") is None:
        print("wrk is not installed: apt-get install -y wrk", file=sys.stderr)
        return 2
    if "nginx" in a.servers and not os.access(a.nginx, os.X_OK):
        print(
            f"no nginx at {a.nginx}: apt-get install -y nginx-light (or --only ...)",
            file=sys.stderr,
        )
        return 2
    started = time.strftime("%Y-%m-%d %H:%M:%S %Z")
    log_dir = bl.make_log_dir()
    failed: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="aioweb-static-bench-") as tmp:
        static_dir = Path(tmp)
        files = make_files(static_dir)
        print(
            f"static files: aioweb vs aiohttp vs nginx; wrk -t1 -d{a.duration}s "
            f"(1k: -c{a.small_connections}, 10m: -c{a.large_connections}) under taskset -c "
            f"{bl.LOAD_CPU}, servers under taskset -c {bl.SERVER_CPU}; {a.runs} round(s)\n"
            f"versions: {bl.versions()}\nlogs: {log_dir}",
            flush=True,
        )
        with contextlib.ExitStack() as stack:
            running: dict[str, bl.Running] = {}
            for s in servers(static_dir, a.nginx, log_dir):
                if s.name not in a.servers:
                    continue
                srv = stack.enter_context(bl.Running(s, log_dir))
                problem = srv.error or check(s.port, files)
                if problem:
                    failed[s.name] = f"{problem}\n{srv.log_tail()}"
                    print(f"!! {s.name}: {problem}", flush=True)
                    continue
                print(f"{s.name}: pid {srv.pid} on {bl.HOST}:{s.port}", flush=True)
                running[s.name] = srv
            res = bench(a, running, failed) if running else {}
    summary = summarize(a, res)
    print(
        f"\nstatic files, median of {a.runs} interleaved round(s), {a.duration} s each; run at "
        f"{started}\nMB/s = 10^6 body bytes/s of whole responses (req/s x file size); "
        "srv µs/req = server CPU per request\n\n" + render(a, summary)
    )
    for name, why in failed.items():
        print(f"\nFAILED {name}: {why}")
    if a.json:
        payload = {
            "started": started,
            "args": vars(a),
            "summary": summary,
            "results": res,
            "failed": failed,
            "versions": bl.versions(),
            "machine": bl.machine_info(),
        }
        Path(a.json).write_text(json.dumps(payload, indent=1, default=str))
        print(f"\nwrote {a.json}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
