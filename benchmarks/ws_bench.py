#!/usr/bin/env python3
"""WebSocket echo: aioweb vs aiohttp vs the ``websockets`` library, one client, one run.

Every server (``benchmarks/servers/ws_*.py``) runs at once, pinned to CPU 0 (``taskset``);
this process is the one client for all of them, pinned to CPU 1. The client is a lean
raw-asyncio protocol with its own minimal frame code (masked frames are built once per
payload; replies are parsed only for their length), so what is measured is the server.
It never offers permessage-deflate, so nobody compresses.

Scenarios, each on a fresh connection per server, interleaved in rounds (order rotated):

``seq``    one 32-byte text message in flight: send, wait for the echo, repeat
``flood``  ``--window`` 32-byte text messages in flight (a new one per echo)
``big``    1 MiB binary messages echoed one after another (``--big-window`` in flight)

Servers: ``aioweb`` unmasks in pure Python (the default install), ``aioweb-mask`` with the
compiled XOR of ``aioweb-websocket[speedups]`` (``mask_backend="speedups"``),
``aioweb-speedups`` with that on uvloop (what ``aioweb[speedups]`` gives); ``aiohttp`` and
``websockets`` with their C extensions, as pip installs them.

``--only aioweb,aiohttp,floor`` adds ``servers/ws_floor.py``, a framework-free asyncio
echo with the same pure-Python unmasking and one handler-task hop per message: the
floor under any server with aiohttp's API on this interpreter (aioweb/floor near 1.0
means the time is asyncio, syscalls and masking, not framework overhead);
``floor-callback`` is the same echo answered from ``data_received`` with no handler task
(the floor of any asyncio server, one loop iteration less per message).

Prints medians over ``--rounds`` rounds: messages/s (MB/s of payload for ``big``), the
server's CPU µs per message (from /proc), and the ratios aioweb/aiohttp and
aioweb/websockets. Target (issue 6): aioweb >= 1.2x aiohttp msgs/s, >= aiohttp MB/s.

    python benchmarks/ws_bench.py                                 # 3 s per figure, 1 round
    python benchmarks/ws_bench.py --duration 5 --rounds 3 --json /tmp/ws.json
    python benchmarks/ws_bench.py --only aioweb,aiohttp --scenarios seq,flood
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import json
import os
import sys
import time
from collections.abc import Coroutine
from dataclasses import dataclass
from typing import Any, TypeVar

import benchlib as bl

T = TypeVar("T")
SMALL = b"0123456789abcdef0123456789abcdef"  # 32 bytes of text
BIG_SIZE = 1 << 20
MASK = b"\x5a\xc3\x17\x8e"  # fixed and non-zero: every server really unmasks
SERVER_SPECS = {  # name -> (script, --loop[, extra server arguments])
    "aioweb": ("ws_aioweb.py", "asyncio"),  # pure unmasking
    "aioweb-mask": ("ws_aioweb.py", "asyncio", "--mask", "speedups"),
    "aioweb-uvloop": ("ws_aioweb.py", "uvloop"),
    # what aioweb[speedups] gives: uvloop and the compiled XOR
    "aioweb-speedups": ("ws_aioweb.py", "uvloop", "--mask", "speedups"),
    "aiohttp": ("ws_aiohttp.py", "asyncio"),
    "websockets": ("ws_websockets.py", "asyncio"),
    "aiohttp-uvloop": ("ws_aiohttp.py", "uvloop"),
    "websockets-uvloop": ("ws_websockets.py", "uvloop"),
    "floor": ("ws_floor.py", "asyncio"),  # framework-free reference, not in the defaults
    "floor-callback": ("ws_floor.py", "asyncio", "--no-task"),  # ... without a handler task
}
DEFAULT_SERVERS = ["aioweb", "aioweb-mask", "aioweb-speedups", "aiohttp", "websockets"]
SCENARIOS = ["seq", "flood", "big"]
PAIRS = [
    ("aioweb", "aiohttp"),
    ("aioweb-mask", "aiohttp"),
    ("aioweb-speedups", "aiohttp"),
    ("aioweb", "websockets"),
    ("aioweb", "floor"),
    ("floor", "aiohttp"),
    ("floor-callback", "aiohttp"),
    ("aioweb-uvloop", "aiohttp"),
    ("aioweb-uvloop", "aiohttp-uvloop"),
    ("aioweb-uvloop", "websockets-uvloop"),
]


def client_frame(opcode: int, payload: bytes) -> bytes:
    """One masked client frame (RFC 6455 §5.2), built once per payload."""
    n = len(payload)
    if n < 126:
        head = bytes((0x80 | opcode, 0x80 | n))
    elif n < 0x10000:
        head = bytes((0x80 | opcode, 0x80 | 126)) + n.to_bytes(2, "big")
    else:
        head = bytes((0x80 | opcode, 0x80 | 127)) + n.to_bytes(8, "big")
    key = (MASK * (n // 4 + 1))[:n]
    masked = (int.from_bytes(payload, "big") ^ int.from_bytes(key, "big")).to_bytes(n, "big")
    return head + MASK + masked


class EchoClient(asyncio.Protocol):
    """Handshake, then count the server's (unfragmented) data frames and refill the window."""

    def __init__(self, frame: bytes, window: int, collect: bool = False) -> None:
        self.frame = frame
        self.window = window
        self.collect = collect
        self.payloads: list[bytes] = []
        self.transport: asyncio.Transport | None = None
        self.loop = asyncio.get_running_loop()
        self.opened: asyncio.Future[None] = self.loop.create_future()
        self.lost: asyncio.Future[None] = self.loop.create_future()
        self.head = b""
        self.upgraded = False
        self.hdr = b""  # a frame header split across reads
        self.rem = 0  # payload bytes of the current frame still to come
        self.part = bytearray()
        self.received = 0
        self.running = False
        self.limit = -1  # stop refilling after this many messages (-1: never)

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def connection_lost(self, exc: Exception | None) -> None:
        for fut in (self.opened, self.lost):
            if not fut.done():
                fut.set_exception(ConnectionError(f"connection lost: {exc}"))

    def data_received(self, data: bytes) -> None:
        if not self.upgraded:
            self.head += data
            end = self.head.find(b"\r\n\r\n")
            if end < 0:
                return
            status = self.head.split(b"\r\n", 1)[0]
            if b" 101 " not in status + b" ":
                self.opened.set_exception(ConnectionError(f"handshake refused: {status!r}"))
                return
            data, self.upgraded = self.head[end + 4 :], True
            self.opened.set_result(None)
            if not data:
                return
        before = self.received
        self._parse(data)
        got = self.received - before
        if got and self.running:
            if self.limit >= 0:
                got = max(0, min(got, self.limit - (self.received - got)))
            if got:
                assert self.transport is not None
                self.transport.write(self.frame * got if got > 1 else self.frame)

    def _parse(self, data: bytes) -> None:
        if self.hdr:
            data, self.hdr = self.hdr + data, b""
        i, n = 0, len(data)
        while i < n:
            rem = self.rem
            if rem:
                take = rem if rem <= n - i else n - i
                if self.collect:
                    self.part += data[i : i + take]
                self.rem = rem - take
                i += take
                if not self.rem:
                    self._message()
                continue
            if n - i < 2:
                self.hdr = data[i:]
                return
            b0, b1 = data[i], data[i + 1] & 0x7F
            size = 2 if b1 < 126 else 4 if b1 == 126 else 10
            if n - i < size:
                self.hdr = data[i:]
                return
            length = b1 if b1 < 126 else int.from_bytes(data[i + 2 : i + size], "big")
            i += size
            self.op = b0 & 0x0F
            self.rem = length
            if not length:
                self._message()

    def _message(self) -> None:
        if self.op == 0x8:
            if self.transport is not None:
                self.transport.close()
            return
        if self.op in (0x1, 0x2):
            self.received += 1
            if self.collect:
                self.payloads.append(bytes(self.part))
                self.part.clear()


async def connect(port: int, frame: bytes, window: int, collect: bool = False) -> EchoClient:
    loop = asyncio.get_running_loop()
    key = base64.b64encode(os.urandom(16)).decode()
    _, proto = await loop.create_connection(
        lambda: EchoClient(frame, window, collect), bl.HOST, port
    )
    assert proto.transport is not None
    proto.transport.write(
        f"GET / HTTP/1.1\r\nHost: {bl.HOST}:{port}\r\nUpgrade: websocket\r\n"
        f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
        "Sec-WebSocket-Version: 13\r\n\r\n".encode()
    )
    await asyncio.wait_for(proto.opened, 10)
    return proto


async def close(proto: EchoClient) -> None:
    transport = proto.transport
    if transport is not None and not transport.is_closing():
        proto.running = False
        transport.write(client_frame(0x8, (1000).to_bytes(2, "big")))
        with contextlib.suppress(asyncio.TimeoutError, ConnectionError):
            await asyncio.wait_for(asyncio.shield(proto.lost), 2)
        transport.abort()


async def check(port: int) -> str | None:
    """None if the server echoes text and 1 MiB binary exactly, else what went wrong."""
    big = os.urandom(BIG_SIZE)
    try:
        proto = await connect(port, b"", 0, collect=True)
        assert proto.transport is not None
        proto.transport.write(client_frame(0x1, SMALL) + client_frame(0x2, big))
        deadline = time.monotonic() + 10
        while proto.received < 2 and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        await close(proto)
    except (OSError, asyncio.TimeoutError) as exc:
        return f"{type(exc).__name__}: {exc}"
    if proto.payloads != [SMALL, big]:
        return f"echo mismatch: got {[len(p) for p in proto.payloads]} bytes"
    return None


async def measure(port: int, pid: int, scenario: str, a: argparse.Namespace) -> dict[str, Any]:
    if scenario == "big":
        frame, window, size = client_frame(0x2, os.urandom(BIG_SIZE)), a.big_window, BIG_SIZE
    else:
        frame, window, size = client_frame(0x1, SMALL), 1 if scenario == "seq" else a.window, 32
    proto = await connect(port, frame, window)
    assert proto.transport is not None
    loop = asyncio.get_running_loop()
    ticks0, t0 = bl.proc_ticks(pid), loop.time()
    proto.running = True
    proto.transport.write(frame * window)
    await asyncio.sleep(a.duration)
    got, elapsed, ticks1 = proto.received, loop.time() - t0, bl.proc_ticks(pid)
    proto.limit = got  # stop refilling; what is in flight drains, then close
    await close(proto)
    cpu_us = None
    if ticks0 is not None and ticks1 is not None and got:
        cpu_us = (ticks1 - ticks0) / bl.CLK_TCK * 1e6 / got
    return {"msgs_s": got / elapsed, "mb_s": got * size / elapsed / 1e6, "cpu_us": cpu_us}


@dataclass
class Figures:
    rounds: dict[str, dict[str, list[dict[str, Any]]]]

    def med(self, server: str, scenario: str, key: str) -> float | None:
        return bl.median(r[key] for r in self.rounds.get(server, {}).get(scenario, []))


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--duration", type=float, default=3, help="seconds per figure (default 3)")
    ap.add_argument(
        "--rounds", "--runs", type=int, default=1, help="interleaved rounds (median shown)"
    )
    ap.add_argument("--window", type=int, default=100, help="messages in flight for flood")
    ap.add_argument("--big-window", type=int, default=1, help="1 MiB messages in flight")
    ap.add_argument("--only", help=f"comma-separated servers of {list(SERVER_SPECS)}")
    ap.add_argument("--scenarios", default=",".join(SCENARIOS), help="of seq,flood,big")
    ap.add_argument("--client-loop", choices=["asyncio", "uvloop"], default="uvloop")
    ap.add_argument("--json", metavar="PATH", help="also write every figure to this JSON file")
    a = ap.parse_args(argv)
    a.servers = [s.strip() for s in a.only.split(",")] if a.only else list(DEFAULT_SERVERS)
    a.scenarios = [s.strip() for s in a.scenarios.split(",") if s.strip()]
    bad = [s for s in a.servers if s not in SERVER_SPECS] + [
        s for s in a.scenarios if s not in SCENARIOS
    ]
    if bad:
        ap.error(f"unknown {bad}")
    return a


async def bench(running: dict[str, bl.Running], a: argparse.Namespace) -> Figures:
    rounds: dict[str, dict[str, list[dict[str, Any]]]] = {n: {} for n in running}
    names = list(running)
    for r in range(a.rounds):
        order = names[r % len(names) :] + names[: r % len(names)]
        for scenario in a.scenarios:
            for name in order:
                run = running[name]
                fig = await measure(run.server.port, run.pid, scenario, a)
                rounds[name].setdefault(scenario, []).append(fig)
                print(
                    f"  round {r + 1} {scenario:5} {name:18} {fig['msgs_s']:10.0f} msg/s "
                    f"{fig['mb_s']:8.1f} MB/s",
                    file=sys.stderr,
                )
    return Figures(rounds)


def report(fig: Figures, a: argparse.Namespace) -> str:
    servers = list(fig.rounds)
    head = ["server"]
    for s in a.scenarios:
        head += [f"{s} MB/s" if s == "big" else f"{s} msg/s", f"{s} µs CPU/msg"]
    rows = []
    for name in servers:
        row = [name]
        for s in a.scenarios:
            key = "mb_s" if s == "big" else "msgs_s"
            row += [bl.fmt(fig.med(name, s, key), 1 if s == "big" else 0)]
            row += [bl.fmt(fig.med(name, s, "cpu_us"), 1)]
        rows.append(row)
    for num, den in PAIRS:
        if num in servers and den in servers:
            row = [f"{num} / {den}"]
            for s in a.scenarios:
                key = "mb_s" if s == "big" else "msgs_s"
                row += [bl.ratio(fig.med(num, s, key), fig.med(den, s, key)), ""]
            rows.append(row)
    return bl.markdown_table(head, rows)


def _uvloop_run(coro: Coroutine[Any, Any, T]) -> T:
    import uvloop

    return uvloop.run(coro)


def main(argv: list[str] | None = None) -> int:
    a = parse_args(argv)
    os.sched_setaffinity(0, {int(bl.LOAD_CPU)})
    py = sys.executable
    logs = bl.make_log_dir()
    specs = {n: SERVER_SPECS[n] for n in a.servers}
    running: dict[str, bl.Running] = {}
    try:
        for name, (script, loop, *extra) in specs.items():
            argv = [py, str(bl.SERVERS_DIR / script), "--loop", loop, *extra]
            run = bl.Running(bl.Server(name, argv), logs)
            run.__enter__()
            if run.error:
                print(f"{name}: {run.error}\n{run.log_tail()}", file=sys.stderr)
                continue
            running[name] = run
        runner = _uvloop_run if a.client_loop == "uvloop" else asyncio.run
        for name, run in list(running.items()):
            problem = runner(check(run.server.port))
            if problem:
                print(f"{name}: {problem}; left out", file=sys.stderr)
                run.stop()
                del running[name]
        fig = runner(bench(running, a))
    finally:
        for run in running.values():
            run.stop()
    print(
        f"WebSocket echo, {a.duration:g} s per figure, median of {a.rounds} round(s); "
        f"flood window {a.window}; big = 1 MiB binary, {a.big_window} in flight; "
        f"client loop {a.client_loop}"
    )
    print(report(fig, a))
    if a.json:
        with open(a.json, "w") as f:
            out = {"args": vars(a), "rounds": fig.rounds, "versions": bl.versions()}
            json.dump(out, f, indent=1)
    return 0 if running else 1


if __name__ == "__main__":
    sys.exit(main())
