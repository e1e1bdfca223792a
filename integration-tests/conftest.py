"""Shared fixtures for the cross-package tests in ``integration-tests/``.

These tests run against the installed meta distribution (``nox -s integration``), never
against the checkout. Add fixtures other integration tests share here.
"""

from __future__ import annotations

from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def repo_root() -> Path:
    """The repository checkout (for tests that read sources, docs or examples)."""
    return REPO_ROOT


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_port(port: int, proc: object, timeout: float = 15.0) -> None:
    """Block until 127.0.0.1:port accepts connections (bounded); fail if ``proc`` died."""
    import socket
    import subprocess
    import time

    assert isinstance(proc, subprocess.Popen)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            out = proc.stdout.read() if proc.stdout else ""
            raise RuntimeError(f"server exited with {proc.returncode}: {out}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {timeout} s")


@pytest.fixture(scope="module")
def seed_server(repo_root: Path):  # type: ignore[no-untyped-def]
    """``examples/seed_app.py`` served by ``run_app`` in a subprocess: yields its base URL."""
    import os
    import signal
    import subprocess
    import sys

    port = free_port()
    env = dict(os.environ, AIOWEB_DEMO_HOST="127.0.0.1", AIOWEB_DEMO_PORT=str(port))
    env["PYTHONUNBUFFERED"] = "1"
    proc = subprocess.Popen(
        [sys.executable, str(repo_root / "examples" / "seed_app.py")],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        wait_for_port(port, proc)
        yield f"http://127.0.0.1:{port}", proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)
        if proc.stdout:
            proc.stdout.close()
