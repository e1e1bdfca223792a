"""Helpers for the side-by-side benchmarks: pinned servers, wrk, CPU accounting.

Adapted from the project's own harness in ``shared/bench/benchlib.py``. Everything here
talks to 127.0.0.1 only, every wait has a deadline, and a server is only ever stopped
through the PID this module started.
"""

from __future__ import annotations

import json
import os
import re
import resource
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HOST = "127.0.0.1"
SERVER_CPU = os.environ.get("BENCH_SERVER_CPU", "0")
LOAD_CPU = os.environ.get("BENCH_LOAD_CPU", "1")
CLK_TCK = os.sysconf("SC_CLK_TCK")
HERE = Path(__file__).resolve().parent
SERVERS_DIR = HERE / "servers"


# --------------------------------------------------------------------------- ports


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def port_open(port: int) -> bool:
    try:
        with socket.create_connection((HOST, port), timeout=0.5):
            return True
    except OSError:
        return False


# --------------------------------------------------------------------------- CPU


def proc_ticks(pid: int) -> int | None:
    """utime + stime of one process (all its threads), in clock ticks."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])
    except (OSError, IndexError, ValueError):
        return None


def busy_ticks() -> int:
    """Non-idle, non-iowait ticks summed over every CPU of the machine."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    return sum(v) - v[3] - v[4]


def children_cpu_s() -> float:
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


class CpuMeter:
    """CPU over a window: the server PID, reaped children (wrk), and everything else.

    Results are in seconds of CPU (``srv_cpu_s``) and in % of one core over the wall time.
    ``other`` is the rest of the machine (other engineers' test runs, ...): the noise gauge.
    """

    def __init__(self, pid: int | None) -> None:
        self.pid = pid
        self.result: dict[str, float] = {}

    def __enter__(self) -> CpuMeter:
        self._t = time.monotonic()
        self._srv = proc_ticks(self.pid) if self.pid else None
        self._busy = busy_ticks()
        self._child = children_cpu_s()
        return self

    def __exit__(self, *exc: object) -> None:
        wall = time.monotonic() - self._t
        child = children_cpu_s() - self._child
        busy = (busy_ticks() - self._busy) / CLK_TCK
        end = proc_ticks(self.pid) if self.pid else None
        srv = (end - self._srv) / CLK_TCK if end is not None and self._srv is not None else 0.0
        self.result = {
            "wall_s": wall,
            "srv_cpu_s": srv,
            "srv_cpu_pct": 100 * srv / wall,
            "load_cpu_pct": 100 * child / wall,
            "other_cpu_pct": 100 * max(0.0, busy - srv - child) / wall,
        }


def machine_busy_pct(window: float = 0.5) -> float:
    """Busy CPU of the whole machine over ``window`` seconds, in % of one core."""
    b0 = busy_ticks()
    time.sleep(window)
    return 100 * (busy_ticks() - b0) / CLK_TCK / window


def wait_quiet(threshold: float, max_wait: float) -> tuple[float, float]:
    """Wait (at most ``max_wait`` s) until the machine is less than ``threshold`` % busy.

    Returns (seconds waited, last busy %). The box is shared; this only takes the edge off.
    """
    t0 = time.monotonic()
    while True:
        pct = machine_busy_pct()
        waited = time.monotonic() - t0
        if pct < threshold or waited >= max_wait:
            return waited, pct


# --------------------------------------------------------------------------- servers


@dataclass
class Server:
    """One server process: a name, its command line (without the port) and a port."""

    name: str
    argv: list[str]
    port: int = 0
    env: dict[str, str] = field(default_factory=dict)


class Running:
    """Context manager: start ``server`` pinned to SERVER_CPU, stop it by its PID on exit.

    ``taskset`` execs the command, so ``proc.pid`` is the server's own PID.
    """

    def __init__(self, server: Server, log_dir: Path, start_timeout: float = 20.0) -> None:
        self.server = server
        self.log_path = log_dir / f"{server.name}.log"
        self.start_timeout = start_timeout
        self.proc: subprocess.Popen[bytes] | None = None
        self.error: str | None = None

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def __enter__(self) -> Running:
        s = self.server
        if not s.port:
            s.port = free_port()
        env = {**os.environ, **s.env}
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(
                ["taskset", "-c", SERVER_CPU, *s.argv, "--port", str(s.port)],
                env=env,
                stdout=log,
                stderr=log,
                stdin=subprocess.DEVNULL,
            )
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self.error = f"exited with code {self.proc.returncode} before listening"
                break
            if port_open(s.port):
                return self
            time.sleep(0.05)
        else:
            self.error = f"did not listen on {HOST}:{s.port} within {self.start_timeout:.0f} s"
        self.stop()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self, timeout: float = 10.0) -> int | None:
        """SIGINT (Ctrl-C, what ``run_app`` expects), then SIGTERM, then SIGKILL; by PID."""
        p = self.proc
        if p is None:
            return None
        for sig, wait in ((signal.SIGINT, timeout), (signal.SIGTERM, 3.0), (signal.SIGKILL, 5.0)):
            if p.poll() is not None:
                break
            p.send_signal(sig)
            try:
                p.wait(timeout=wait)
            except subprocess.TimeoutExpired:
                continue
        return p.returncode

    def log_tail(self, n: int = 1500) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-n:]
        except OSError:
            return ""


def make_log_dir() -> Path:
    return Path(tempfile.mkdtemp(prefix="aioweb-bench-"))


def http_get(port: int, path: str, timeout: float = 5.0) -> tuple[int, str, bytes]:
    """GET http://127.0.0.1:port/path; returns (status, content-type, body); never raises."""
    return http_request(port, path, timeout=timeout)


def http_request(
    port: int,
    path: str,
    method: str = "GET",
    body: bytes | None = None,
    *,
    headers: dict[str, str] | None = None,
    timeout: float = 5.0,
) -> tuple[int, str, bytes]:
    """One request to http://127.0.0.1:port/path; (status, content-type, body); never raises."""
    req = urllib.request.Request(
        f"http://{HOST}:{port}{path}", data=body, headers=headers or {}, method=method
    )
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.headers.get("Content-Type", ""), r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type", ""), e.read()
    except Exception as e:  # a broken server must not stop the run
        return 0, "", repr(e).encode()


# --------------------------------------------------------------------------- memory, fds


def proc_rss_kib(pid: int) -> int | None:
    """VmRSS of one process from /proc/<pid>/status, in KiB (None if it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])  # the kernel writes "kB", meaning KiB
    except (OSError, IndexError, ValueError):
        return None
    return None


def raise_nofile(need: int) -> int:
    """Raise this process's RLIMIT_NOFILE soft limit to at least ``need`` if it can.

    Raising the hard limit needs root (CAP_SYS_RESOURCE). Children started afterwards
    inherit the limit. Returns the soft limit now in force.
    """
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft >= need:
        return soft
    want_hard = hard if hard == resource.RLIM_INFINITY or hard >= need else need
    for new in ((need, want_hard), (min(need, hard), hard)):
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, new)
            break
        except (ValueError, OSError):
            continue
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


# --------------------------------------------------------------------------- wrk

_UNIT_MS = {"us": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _ms(text: str) -> float | None:
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip())
    return float(m.group(1)) * _UNIT_MS[m.group(2)] if m else None


def wrk_cmd(
    url: str, connections: int, duration: float, latency: bool = True, script: str | None = None
) -> list[str]:
    """The wrk command line, pinned to LOAD_CPU; ``script`` is a Lua file for ``wrk -s``."""
    cmd = ["taskset", "-c", LOAD_CPU, "wrk", "-t1", f"-c{connections}", f"-d{duration}s"]
    cmd += ["--timeout", "5s", *(["--latency"] if latency else [])]
    cmd += [*(["-s", script] if script else []), url]
    return cmd


def parse_wrk(out: str) -> dict[str, Any]:
    r: dict[str, Any] = {}
    m = re.search(r"^\s*(\d+) requests in ([\d.]+\w+)", out, re.M)
    r["requests"] = int(m.group(1)) if m else 0
    m = re.search(r"Requests/sec:\s+([\d.]+)", out)
    r["rps"] = float(m.group(1)) if m else 0.0
    for pct in ("50", "99"):
        m = re.search(rf"^\s+{pct}(?:\.0+)?%\s+(\S+)", out, re.M)
        r[f"p{pct}_ms"] = _ms(m.group(1)) if m else None
    m = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    r["non2xx"] = int(m.group(1)) if m else 0
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    r["socket_errors"] = sum(int(x) for x in m.groups()) if m else 0
    return r


def run_wrk(
    url: str,
    connections: int,
    duration: float,
    pid: int | None,
    latency: bool = True,
    *,
    script: str | None = None,
) -> dict[str, Any]:
    """Run wrk pinned to LOAD_CPU against ``url``; parsed figures plus CPU accounting."""
    cmd = wrk_cmd(url, connections, duration, latency, script)
    with CpuMeter(pid) as cm:
        try:
            p = subprocess.run(
                cmd, check=False, capture_output=True, text=True, timeout=duration + 30
            )
            out, err = p.stdout, p.stderr
        except subprocess.TimeoutExpired as e:
            out, err = "", f"wrk timed out: {e}"
    r = parse_wrk(out)
    r.update(cm.result)
    r["srv_cpu_us_per_req"] = 1e6 * r["srv_cpu_s"] / r["requests"] if r["requests"] else None
    r["cmd"] = " ".join(cmd[3:])
    r["raw"] = out + err
    return r


def measure(
    fn: Callable[[], dict[str, Any]],
    retries: int,
    noisy_pct: float,
    quiet_pct: float,
    quiet_wait: float,
) -> dict[str, Any]:
    """Run ``fn`` after a bounded quiet wait; if the rest of the machine used more than
    ``noisy_pct`` % of a core meanwhile, retry (``retries`` times) and keep the calmest run."""
    best: dict[str, Any] | None = None
    waited = 0.0
    attempts = 0
    for attempts in range(1, retries + 2):  # noqa: B007 - reported below
        waited += wait_quiet(quiet_pct, quiet_wait)[0]
        r = fn()
        if best is None or r["other_cpu_pct"] < best["other_cpu_pct"]:
            best = r
        if r["other_cpu_pct"] < noisy_pct:
            break
    assert best is not None
    best["attempts"] = attempts
    best["quiet_wait_s"] = waited
    return best


# --------------------------------------------------------------------------- report


def median(xs: Iterable[float | None]) -> float | None:
    vals = [x for x in xs if x is not None]
    return statistics.median(vals) if vals else None


def spread_pct(xs: list[float]) -> float | None:
    m = median(xs)
    return 100 * (max(xs) - min(xs)) / m if xs and m else None


def fmt(x: float | None, nd: int = 0) -> str:
    return "-" if x is None else f"{x:,.{nd}f}"


def ratio(a: float | None, b: float | None) -> str:
    return f"{a / b:.2f}" if a and b else "-"


def markdown_table(header: list[str], rows: list[list[str]], right_from: int = 1) -> str:
    align = ["---" if i < right_from else "---:" for i in range(len(header))]
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(align) + " |"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def versions(python: str = sys.executable) -> dict[str, str]:
    """Versions of the pieces under test, read in the server interpreter."""
    code = (
        "import importlib.metadata as m, json, sys\n"
        "d = {'python': sys.version.split()[0]}\n"
        "for n in ('aioweb', 'aioweb-kernel', 'aioweb-http', 'aioweb-routing', 'aiohttp',\n"
        "          'multidict', 'yarl', 'uvloop'):\n"
        "    try: d[n] = m.version(n)\n"
        "    except m.PackageNotFoundError: d[n] = 'missing'\n"
        "print(json.dumps(d))\n"
    )
    p = subprocess.run(
        [python, "-c", code], check=False, capture_output=True, text=True, timeout=30
    )
    try:
        return dict(json.loads(p.stdout))
    except ValueError:
        return {"error": p.stderr.strip()[-300:]}


def machine_info() -> dict[str, Any]:
    info: dict[str, Any] = {"nproc": os.cpu_count(), "kernel": os.uname().release}
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        p = subprocess.run(
            ["wrk", "--version"], check=False, capture_output=True, text=True, timeout=10
        )
        info["wrk"] = (p.stdout + p.stderr).strip().splitlines()[0]
    except (OSError, IndexError, subprocess.TimeoutExpired):
        info["wrk"] = "missing"
    return info
