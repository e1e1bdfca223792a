"""The gunicorn worker class, under a real gunicorn with two workers."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from server_testlib import ONE_HANDLER_APP, free_port

pytest.importorskip("gunicorn")

pytestmark = [pytest.mark.loopback, pytest.mark.slow]

APP = (
    ONE_HANDLER_APP
    + """

async def handler(request):
    return Response(text=str(os.getpid()))
"""
)


def get(port: int) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    return data


try:
    import uvloop  # noqa: F401 - only probing
except ImportError:
    HAVE_UVLOOP = False
else:
    HAVE_UVLOOP = True


@pytest.mark.parametrize(
    "worker",
    [
        "GunicornWebWorker",
        pytest.param(
            "GunicornUVLoopWebWorker",
            marks=[
                pytest.mark.speedups,
                pytest.mark.skipif(not HAVE_UVLOOP, reason="uvloop is not installed"),
            ],
        ),
    ],
)
def test_two_gunicorn_workers_serve(tmp_path: Path, worker: str) -> None:
    (tmp_path / "gapp.py").write_text(textwrap.dedent(APP))
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-w",
            "2",
            "-k",
            f"aioweb.http.worker.{worker}",
            "-b",
            f"127.0.0.1:{port}",
            "--graceful-timeout",
            "5",
            "gapp:app",
        ],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    pids: set[bytes] = set()
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and len(pids) < 2:
            if proc.poll() is not None:
                break
            try:
                data = get(port)
            except OSError:
                time.sleep(0.1)
                continue
            assert data.startswith(b"HTTP/1.1 200 OK\r\n")
            pids.add(data.rpartition(b"\r\n\r\n")[2])
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(5)
    assert len(pids) == 2, out.decode()
    assert proc.returncode == 0, out.decode()
    assert b"Traceback" not in out
