"""``aioweb run module:app`` serves an application found by import path."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import httpx
import pytest
from conftest import free_port, wait_for_port

pytestmark = pytest.mark.loopback

APP = """
    from aioweb import web

    async def hello(request):
        return web.Response(text="hi from " + request.match_info["who"])

    app = web.Application()
    app.router.add_get("/{who}", hello)

    def factory(argv):
        factory_app = web.Application()
        factory_app.router.add_get("/", lambda r: web.Response(text=" ".join(argv)))
        return factory_app
"""


@pytest.mark.parametrize(
    ("target", "extra", "path", "expected"),
    [
        pytest.param("served:app", [], "/cli", "hi from cli", id="app"),
        pytest.param("served:factory", ["--", "a", "b"], "/", "a b", id="factory"),
    ],
)
def test_aioweb_run(
    tmp_path: Path, target: str, extra: list[str], path: str, expected: str
) -> None:
    (tmp_path / "served.py").write_text(textwrap.dedent(APP))
    port = free_port()
    proc = subprocess.Popen(
        [str(Path(sys.executable).with_name("aioweb")), "run", target, "--port", str(port), *extra],
        cwd=tmp_path,
        env=dict(os.environ, PYTHONUNBUFFERED="1"),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        wait_for_port(port, proc)
        assert httpx.get(f"http://127.0.0.1:{port}{path}", timeout=5).text == expected
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(5)
        if proc.stdout:
            proc.stdout.close()
    assert proc.returncode == 0, out
    assert "Traceback" not in out


PID_APP = """
    import os
    from aioweb import web

    app = web.Application()
    app.router.add_get("/", lambda request: web.Response(text=str(os.getpid())))
"""


def test_aioweb_run_workers(tmp_path: Path) -> None:
    (tmp_path / "pids.py").write_text(textwrap.dedent(PID_APP))
    port = free_port()
    aioweb = str(Path(sys.executable).with_name("aioweb"))
    proc = subprocess.Popen(
        [aioweb, "run", "pids:app", "--port", str(port), "--workers", "2"],
        cwd=tmp_path,
        env=dict(os.environ, PYTHONUNBUFFERED="1"),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        wait_for_port(port, proc)
        pids = set()
        for _ in range(80):  # new connection each time: SO_REUSEPORT spreads them
            pids.add(httpx.get(f"http://127.0.0.1:{port}/", timeout=5).text)
            if len(pids) == 2:
                break
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=15)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(5)
        if proc.stdout:
            proc.stdout.close()
    assert len(pids) == 2, pids
    assert proc.returncode == 0, out
