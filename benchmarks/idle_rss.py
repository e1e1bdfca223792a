#!/usr/bin/env python3
"""Idle memory per keep-alive connection: aioweb vs aiohttp, side by side in one run.

For each server in turn (the same scripts as ``run.py``, pinned to CPU 0): start it, make
one GET / on a throwaway connection (imports and first-request caches are then paid for),
let it settle and read VmRSS from /proc/<pid>/status; then open ``--connections`` (5,000)
keep-alive connections from this process, make one GET / on each and keep them all open,
let it settle and read VmRSS again. Reports RSS before and after, the growth per connection
in KiB, and the ratios of each other server to aiohttp. Then closes every client socket
and stops the server by its PID, before the next server starts. ``--runs`` rounds (a fresh
server each time, order rotated) give the median and the min-max: the RSS of a fresh process
does not always grow by the same amount for the same work.

    python benchmarks/idle_rss.py                          # aioweb, aiohttp; 5,000 connections
    python benchmarks/run.py --idle-rss                    # the same
    python benchmarks/idle_rss.py --only aioweb,aioweb-uvloop,aiohttp --json /tmp/rss.json

RLIMIT_NOFILE is raised here before any server starts, so the servers inherit it.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import re
import selectors
import signal
import socket
import sys
import time
from pathlib import Path
from typing import Any

import benchlib as bl
import run

DEFAULT_SERVERS = ["aioweb", "aiohttp"]
PEER = "aiohttp"
REQUEST = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"  # HTTP/1.1: keep-alive by default
EXPECTED_BODY = b"Hello, World"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--connections", type=int, default=5000, help="keep-alive connections to hold")
    ap.add_argument(
        "--only", help=f"comma-separated server names (default {','.join(DEFAULT_SERVERS)})"
    )
    ap.add_argument("--runs", type=int, default=3, help="rounds, a fresh server each (median)")
    ap.add_argument("--batch", type=int, default=100, help="connections opened at once (<128)")
    ap.add_argument("--open-timeout", type=float, default=120, help="max s to open them all")
    ap.add_argument("--settle", type=float, default=10, help="max s to wait for a steady RSS")
    ap.add_argument("--json", metavar="PATH", help="also write every figure to this JSON file")
    a = ap.parse_args(argv)
    a.servers = list(DEFAULT_SERVERS)
    if a.only:
        items = [x.strip() for x in a.only.split(",") if x.strip()]
        unknown = [x for x in items if x not in run.SERVER_NAMES]
        if unknown:
            ap.error(f"--only: unknown {unknown}; servers {run.SERVER_NAMES}")
        a.servers = [s for s in run.SERVER_NAMES if s in items]
    if a.connections < 1 or a.runs < 1 or a.batch < 1 or a.open_timeout <= 0 or a.settle < 0:
        ap.error("--connections, --runs, --batch, --open-timeout must be positive, --settle >= 0")
    return a


def settled_rss(pid: int, max_wait: float, step: float = 0.5, window: int = 4) -> int | None:
    """VmRSS (KiB) once ``window`` readings ``step`` s apart agree within 1 % (or 256 KiB),
    or after ``max_wait`` s, whichever is first. None if the process is gone."""
    readings: list[int] = []
    deadline = time.monotonic() + max_wait
    while True:
        rss = bl.proc_rss_kib(pid)
        if rss is None:
            return None
        readings = [*readings[-(window - 1) :], rss]
        spread = max(readings) - min(readings)
        if len(readings) == window and spread <= max(256, rss // 100):
            return rss
        if time.monotonic() >= deadline:
            return rss
        time.sleep(step)


def read_response(sock: socket.socket, deadline: float) -> bytes:
    """Read one HTTP/1.1 response with a Content-Length; returns its body; raises on error."""
    buf = b""
    while b"\r\n\r\n" not in buf:
        buf += _recv(sock, deadline)
    head, _, body = buf.partition(b"\r\n\r\n")
    status = head.split(b"\r\n", 1)[0]
    if b" 200 " not in status + b" ":
        raise OSError(f"unexpected status line {status[:80]!r}")
    m = re.search(rb"\r\ncontent-length:\s*(\d+)", head, re.I)
    if not m:
        raise OSError("response without Content-Length")
    while len(body) < int(m.group(1)):
        body += _recv(sock, deadline)
    return body


def _recv(sock: socket.socket, deadline: float) -> bytes:
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError("no complete response before the deadline")
    sock.settimeout(left)
    chunk = sock.recv(65536)
    if not chunk:
        raise OSError("server closed the connection")
    return chunk


def open_connections(
    port: int, n: int, batch: int, timeout: float, socks: list[socket.socket]
) -> str | None:
    """Append up to ``n`` connections to ``socks``, each after one GET / answered 200.

    Connects ``batch`` at a time (below the listen backlog, so no SYN is dropped), sends
    every request of the batch, then reads every response. None when all ``n`` are open,
    else why it stopped (the sockets opened so far stay in ``socks``).
    """
    deadline = time.monotonic() + timeout
    while len(socks) < n:
        fresh: list[socket.socket] = []
        try:
            for _ in range(min(batch, n - len(socks))):
                s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                fresh.append(s)
                s.settimeout(max(0.01, deadline - time.monotonic()))
                s.connect((bl.HOST, port))
                s.sendall(REQUEST)
            for s in fresh:
                body = read_response(s, deadline)
                if body != EXPECTED_BODY:
                    raise OSError(f"unexpected body {body[:80]!r}")
        except OSError as e:  # TimeoutError is an OSError too
            for s in fresh:
                s.close()
            return f"after {len(socks)} connections: {e!r}"
        socks.extend(fresh)
    return None


def closed_by_peer(socks: list[socket.socket]) -> int:
    """How many of ``socks`` the server has closed (readable at EOF), without blocking."""
    sel = selectors.DefaultSelector()  # epoll: no FD_SETSIZE limit
    try:
        for s in socks:
            sel.register(s, selectors.EVENT_READ, s)
        ready = sel.select(timeout=0)
    finally:
        sel.close()
    closed = 0
    for key, _ in ready:
        sock: socket.socket = key.data
        sock.setblocking(False)
        try:
            closed += sock.recv(1, socket.MSG_PEEK) == b""
        except (BlockingIOError, OSError):
            closed += 1
    return closed


def measure(a: argparse.Namespace, server: bl.Server, log_dir: Path) -> dict[str, Any]:
    """One server: start, RSS before, hold the connections, RSS after, close, stop."""
    out: dict[str, Any] = {"server": server.name}
    socks: list[socket.socket] = []
    with bl.Running(server, log_dir) as srv:
        if srv.error:
            out["failed"] = f"{srv.error}\n{srv.log_tail()}"
            return out
        try:
            status, _, body = bl.http_get(server.port, "/")  # throwaway connection
            if status != 200 or body != EXPECTED_BODY:
                out["failed"] = f"GET / -> {status} {body[:80]!r}"
                return out
            out["rss_before_kib"] = settled_rss(srv.pid, a.settle)
            t0 = time.monotonic()
            problem = open_connections(server.port, a.connections, a.batch, a.open_timeout, socks)
            out["open_s"] = time.monotonic() - t0
            if problem:
                out["failed"] = f"could not open {a.connections} connections, {problem}"
            out["rss_after_kib"] = settled_rss(srv.pid, a.settle)
            out["opened"] = len(socks)
            out["held"] = len(socks) - closed_by_peer(socks)
            if not srv.alive():
                out["failed"] = f"server died:\n{srv.log_tail()}"
        finally:
            for s in socks:
                s.close()
    before, after = out.get("rss_before_kib"), out.get("rss_after_kib")
    if before is not None and after is not None and out.get("held"):
        out["per_conn_kib"] = (after - before) / out["held"]
    if "failed" not in out and out.get("held") != a.connections:
        out["failed"] = f"the server closed {a.connections - out['held']} idle connections"
    return out


def summarize(results: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """One row per server: medians over its good rounds, and the KiB/conn min and max."""
    rows = []
    for name, runs in results.items():
        good = [r for r in runs if "failed" not in r and r.get("per_conn_kib") is not None]
        per = [r["per_conn_kib"] for r in good]
        row: dict[str, Any] = {"server": name, "runs": len(good), "of": len(runs)}
        for key in ("rss_before_kib", "rss_after_kib", "per_conn_kib", "open_s"):
            row[key] = bl.median(r[key] for r in good)
        row["held"] = min((r["held"] for r in good), default=None)
        row["per_conn_min"], row["per_conn_max"] = (min(per), max(per)) if per else (None, None)
        rows.append(row)
    return rows


def render(rows: list[dict[str, Any]]) -> str:
    head = ["server", "RSS before MiB", "RSS after MiB", "growth MiB", "KiB/conn", "min-max"]
    head += ["held", "open s", "runs"]
    cells = []
    for r in rows:
        b, f = r.get("rss_before_kib"), r.get("rss_after_kib")
        growth = (f - b) / 1024 if b is not None and f is not None else None
        figures = [b / 1024 if b else None, f / 1024 if f else None, growth]
        lo, hi = r["per_conn_min"], r["per_conn_max"]
        span = f"{bl.fmt(lo, 2)}-{bl.fmt(hi, 2)}" if lo is not None else "-"
        row = [r["server"], *(bl.fmt(x, 1) for x in figures), bl.fmt(r["per_conn_kib"], 2), span]
        cells.append([*row, bl.fmt(r["held"]), bl.fmt(r["open_s"], 1), f"{r['runs']}/{r['of']}"])
    table = bl.markdown_table(head, cells)
    peer = next((r for r in rows if r["server"] == PEER), None)
    lines = []
    for r in rows:
        if r["server"] == PEER or not peer:
            continue
        per = bl.ratio(r["per_conn_kib"], peer["per_conn_kib"])
        after = bl.ratio(r["rss_after_kib"], peer["rss_after_kib"])
        before = bl.ratio(r["rss_before_kib"], peer["rss_before_kib"])
        lines.append(
            f"{r['server']}/{PEER}: KiB/conn {per}, RSS after {after}, RSS before {before}"
        )
    return table + ("\n\n" + "\n".join(lines) if lines else "")


def _sigterm(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)  # unwinds the Running context, which stops the server


def main(argv: list[str] | None = None) -> int:
    a = parse_args(argv)
    signal.signal(signal.SIGTERM, _sigterm)
    need = a.connections + 512  # the client's sockets, or the server's, plus slack
    limit = bl.raise_nofile(need)  # before any server starts: they inherit it
    if limit < need:
        print(
            f"RLIMIT_NOFILE is {limit}, {need} needed: raise the hard limit (ulimit -Hn, or "
            "CAP_SYS_RESOURCE) or use fewer --connections",
            flush=True,
        )
        return 2
    info: dict[str, Any] = {"machine": bl.machine_info(), "versions": bl.versions()}
    info.update(args=vars(a).copy(), started=time.strftime("%Y-%m-%d %H:%M:%S %Z"))
    log_dir = bl.make_log_dir()
    print(
        f"idle RSS: {a.connections} keep-alive connections, one GET / each, servers one at a "
        f"time under taskset -c {bl.SERVER_CPU}; RLIMIT_NOFILE {limit}\n"
        f"versions: {info['versions']}\nlogs: {log_dir}",
        flush=True,
    )
    specs = {s.name: s for s in run.servers()}
    results: dict[str, list[dict[str, Any]]] = {n: [] for n in a.servers}
    for rnd in range(1, a.runs + 1):
        k = (rnd - 1) % len(a.servers)
        for name in a.servers[k:] + a.servers[:k]:
            r = measure(a, specs[name], log_dir)
            r["round"] = rnd
            results[name].append(r)
            print(
                f"round {rnd} {name:14s} before {bl.fmt(r.get('rss_before_kib'))} KiB  after "
                f"{bl.fmt(r.get('rss_after_kib'))} KiB  held {bl.fmt(r.get('held'))}  "
                f"{bl.fmt(r.get('per_conn_kib'), 2)} KiB/conn"
                + (f"  FAILED: {r['failed']}" if "failed" in r else ""),
                flush=True,
            )
    rows = summarize(results)
    print(
        f"\nidle RSS after {a.connections} keep-alive connections (VmRSS, /proc/<pid>/status), "
        f"median of {a.runs} round(s); run at {info['started']}\nKiB/conn = (after - before) "
        "/ connections held; lower is better; ratios are <server>/aiohttp.\n\n" + render(rows)
    )
    failed = [r for runs in results.values() for r in runs if "failed" in r]
    for r in failed:
        print(f"\nFAILED {r['server']} round {r['round']}: {r['failed']}")
    if a.json:
        Path(a.json).write_text(
            json.dumps({"info": info, "summary": rows, "results": results}, indent=1, default=str)
        )
        print(f"\nwrote {a.json}")
    return 1 if failed else 0


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        sys.exit(main())
    sys.exit(130)
