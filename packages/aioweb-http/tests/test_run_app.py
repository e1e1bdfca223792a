"""``run_app`` in a real process: graceful SIGTERM shutdown, and ``workers=N``."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from server_testlib import ONE_HANDLER_APP, free_port

pytestmark = [pytest.mark.loopback, pytest.mark.slow]

SERVER = (
    ONE_HANDLER_APP
    + """

async def handler(request):
    if request.path == "/slow":
        await asyncio.sleep(float(request.query.get("t", "1")))
    return Response(text=str(os.getpid()))


from aioweb.http import run_app

run_app(
    app,
    host="127.0.0.1",
    port=int(sys.argv[1]),
    workers=int(sys.argv[2]),
    shutdown_timeout=5,
    use_uvloop=False,
)
"""
)


def get(port: int, path: str = "/", timeout: float = 5.0) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def start(tmp_path: Path, workers: int) -> tuple[subprocess.Popen[bytes], int]:
    script = tmp_path / "server.py"
    script.write_text(textwrap.dedent(SERVER))
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, str(script), str(port), str(workers)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(proc.communicate()[0].decode())
        try:
            get(port, timeout=1)
            return proc, port
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise TimeoutError("the server did not start")


def stop(proc: subprocess.Popen[bytes]) -> tuple[int, str]:
    try:
        out, _ = proc.communicate(timeout=15)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(5)
    return proc.returncode, out.decode()


def test_sigterm_lets_the_in_flight_request_finish(tmp_path: Path) -> None:
    proc, port = start(tmp_path, workers=1)
    with socket.create_connection(("127.0.0.1", port), timeout=10) as slow:
        slow.sendall(b"GET /slow?t=1.5 HTTP/1.1\r\nHost: x\r\n\r\n")
        time.sleep(0.2)
        proc.send_signal(signal.SIGTERM)
        # One probe, once the signal had time to land (a tight loop of probes races
        # the listener's close, which is not what this test is about).
        time.sleep(0.4)
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
        answer = b""
        while b"\r\n\r\n" not in answer or not answer.endswith(str(proc.pid).encode()):
            chunk = slow.recv(65536)
            if not chunk:
                break
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 200 OK\r\n")
    code, out = stop(proc)
    assert code == 0, out
    assert "Traceback" not in out, out


def test_workers_share_one_port(tmp_path: Path) -> None:
    proc, port = start(tmp_path, workers=2)
    try:
        pids = set()
        for _ in range(80):
            pids.add(get(port).rpartition(b"\r\n\r\n")[2])
            if len(pids) == 2:
                break
        assert len(pids) == 2, pids
        assert str(proc.pid).encode() not in pids  # the parent only supervises
    finally:
        proc.send_signal(signal.SIGTERM)
        code, out = stop(proc)
    assert code == 0, out
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(int(pid), 0)
