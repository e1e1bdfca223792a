"""Shared fixtures for the cross-package tests in ``integration-tests/``.

These tests run against the installed meta distribution (``nox -s integration``), never
against the checkout. Add fixtures other integration tests share here.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
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


class Served:
    """A server process started by :func:`serving`; ``stop()`` returns its exit code and output."""

    def __init__(self, proc: object, port: int) -> None:
        import subprocess

        assert isinstance(proc, subprocess.Popen)
        self.proc: subprocess.Popen[str] = proc
        self.port = port
        self.output = ""

    @property
    def base(self) -> str:
        """``http://127.0.0.1:<port>``."""
        return f"http://127.0.0.1:{self.port}"

    def stop(self, sig: int | None = None, timeout: float = 15.0) -> int:
        """Send ``sig`` (SIGTERM) and wait (bounded); returns the exit code."""
        import signal

        self.proc.send_signal(signal.SIGTERM if sig is None else sig)
        self.output, _ = self.proc.communicate(timeout=timeout)
        return int(self.proc.returncode)


@contextmanager
def serving(
    argv: list[str],
    *,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    port: int | None = None,
) -> Iterator[Served]:
    """Run a server command listening on ``port`` (a free one by default); cleaned up always.

    ``{port}`` in ``argv`` is replaced by the port.
    """
    import os
    import subprocess

    port = free_port() if port is None else port
    proc = subprocess.Popen(
        [a.replace("{port}", str(port)) for a in argv],
        cwd=cwd,
        env=dict(os.environ, PYTHONUNBUFFERED="1", **(env or {})),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    served = Served(proc, port)
    try:
        wait_for_port(port, proc)
        yield served
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(5)
        if proc.stdout:
            proc.stdout.close()
