#!/usr/bin/env python3
"""Where does aioweb spend its per-request CPU? Profile the hello server under wrk load.

Starts ``servers/aioweb_hello.py`` pinned to CPU 0, loads one route with wrk (CPU 1) and
samples the server with ``py-spy record --format raw --nonblocking`` (so the target is
never paused); prints the top functions by self time and by inclusive time. C-extension
time is charged to the Python function that called it. When py-spy is missing or may not
attach (no ptrace permission), it falls back to cProfile inside the server process
(``--profile``), which is slower per call and so inflates small functions.

    python benchmarks/profile.py                      # GET /, 8 s
    python benchmarks/profile.py --route /json --seconds 15 --top 40
    python benchmarks/profile.py --mode cprofile
"""

from __future__ import annotations

import argparse
import collections
import pstats
import re
import shutil
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

import benchlib as bl


def find_py_spy() -> str | None:
    beside = Path(sys.executable).parent / "py-spy"
    return str(beside) if beside.exists() else shutil.which("py-spy")


def shorten(frame: str) -> str:
    """``func (path:line)`` -> ``func (short/path)``: drop line numbers and long prefixes."""
    frame = re.sub(r":\d+\)$", ")", frame)
    prefixes = [
        (str(bl.HERE.parent / "packages") + "/", ""),
        (sysconfig.get_paths()["purelib"] + "/", ""),
        (sysconfig.get_paths()["stdlib"] + "/", "stdlib/"),
    ]
    for prefix, repl in prefixes:
        frame = frame.replace(prefix, repl)
    return frame


def load_py_spy_raw(path: Path) -> tuple[collections.Counter[str], collections.Counter[str], int]:
    """Self and inclusive sample counts per function from a py-spy ``--format raw`` file."""
    self_t: collections.Counter[str] = collections.Counter()
    incl: collections.Counter[str] = collections.Counter()
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count = line.rstrip().rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        frames = [shorten(f) for f in stack.split(";")]
        total += n
        self_t[frames[-1]] += n
        for f in set(frames):
            incl[f] += n
    return self_t, incl, total


def print_counts(title: str, counts: collections.Counter[str], total: int, top: int) -> None:
    print(f"\n{title}")
    for f, n in counts.most_common(top):
        print(f"{100 * n / total:6.1f}  {f}")


def start_load(url: str, a: argparse.Namespace, seconds: int) -> subprocess.Popen[str]:
    cmd = bl.wrk_cmd(url, a.connections, seconds, latency=False)
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def finish_load(load: subprocess.Popen[str], timeout: float) -> str:
    try:
        return load.communicate(timeout=timeout)[0]
    except subprocess.TimeoutExpired:
        load.kill()  # our own wrk, by its PID
        return load.communicate()[0]


def profile_py_spy(a: argparse.Namespace, py_spy: str, log_dir: Path) -> int | None:
    """Returns an exit code, or None when py-spy could not sample (try cProfile)."""
    raw = log_dir / "py-spy.raw"
    server = bl.Server("aioweb", [sys.executable, str(bl.SERVERS_DIR / "aioweb_hello.py")])
    with bl.Running(server, log_dir) as srv:
        if srv.error:
            print(f"aioweb server {srv.error}:\n{srv.log_tail()}", file=sys.stderr)
            return 1
        url = f"http://{bl.HOST}:{server.port}{a.route}"
        bl.run_wrk(url, a.connections, 2, None, latency=False)  # warm-up
        load = start_load(url, a, a.seconds + 3)
        time.sleep(1)
        cmd = ["taskset", "-c", bl.LOAD_CPU, py_spy, "record", "--nonblocking"]
        cmd += ["-r", str(a.rate), "-d", str(a.seconds), "-f", "raw", "-o", str(raw)]
        cmd += ["-p", str(srv.pid)]
        try:
            spy = subprocess.run(
                cmd, check=False, capture_output=True, text=True, timeout=a.seconds + 30
            )
            spy_err = spy.stderr
        except subprocess.TimeoutExpired:
            spy_err = "py-spy timed out"
        out = finish_load(load, a.seconds + 30)
    if not raw.exists() or not raw.stat().st_size:
        print(f"py-spy could not sample: {spy_err.strip()[-400:]}", file=sys.stderr)
        return None
    self_t, incl, total = load_py_spy_raw(raw)
    m = re.search(r"Requests/sec:\s+([\d.]+)", out)
    print(
        f"aioweb GET {a.route}: wrk {m.group(1) if m else '?'} req/s while sampled; "
        f"py-spy, {total} samples of non-idle time (raw: {raw})"
    )
    print_counts("self %  function (file)", self_t, total, a.top)
    print_counts("incl %  function (file)", incl, total, a.top)
    return 0


def profile_cprofile(a: argparse.Namespace, log_dir: Path) -> int:
    stats_path = log_dir / "aioweb.pstats"
    script = str(bl.SERVERS_DIR / "aioweb_hello.py")
    server = bl.Server("aioweb", [sys.executable, script, "--profile", str(stats_path)])
    with bl.Running(server, log_dir) as srv:
        if srv.error:
            print(f"aioweb server {srv.error}:\n{srv.log_tail()}", file=sys.stderr)
            return 1
        url = f"http://{bl.HOST}:{server.port}{a.route}"
        out = finish_load(start_load(url, a, a.seconds), a.seconds + 30)
        srv.stop()  # SIGINT: the server dumps its stats on the way out
    if not stats_path.exists():
        print(f"the server wrote no stats:\n{srv.log_tail()}", file=sys.stderr)
        return 1
    m = re.search(r"Requests/sec:\s+([\d.]+)", out)
    print(
        f"aioweb GET {a.route}: wrk {m.group(1) if m else '?'} req/s under cProfile "
        f"(slowed down by the profiler); stats: {stats_path}\n"
    )
    st = pstats.Stats(str(stats_path))
    st.sort_stats("tottime").print_stats(a.top)
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--route", default="/", help="path to load (default /)")
    ap.add_argument("--seconds", type=int, default=8, help="seconds to sample")
    ap.add_argument("--connections", type=int, default=64, help="wrk -c (default 64)")
    ap.add_argument("--rate", type=int, default=400, help="py-spy samples per second")
    ap.add_argument("--top", type=int, default=25, help="functions to list")
    ap.add_argument("--mode", choices=["auto", "py-spy", "cprofile"], default="auto")
    a = ap.parse_args()
    log_dir = bl.make_log_dir()
    if a.mode != "cprofile":
        py_spy = find_py_spy()
        if py_spy:
            rc = profile_py_spy(a, py_spy, log_dir)
            if rc is not None:
                return rc
        else:
            print("py-spy not found (pip install py-spy)", file=sys.stderr)
        if a.mode == "py-spy":
            return 1
        print("falling back to cProfile", file=sys.stderr)
    return profile_cprofile(a, log_dir)


if __name__ == "__main__":
    # This file shadows the stdlib ``profile`` module for scripts in benchmarks/; nothing
    # here imports cProfile (which imports ``profile``), the server does that in its own dir.
    sys.exit(main())
