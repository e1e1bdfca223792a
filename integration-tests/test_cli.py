"""``aioweb run module:app`` serves an application found by import path."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import httpx
import pytest
from conftest import serving

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
    aioweb = str(Path(sys.executable).with_name("aioweb"))
    with serving([aioweb, "run", target, "--port", "{port}", *extra], cwd=tmp_path) as served:
        assert httpx.get(f"{served.base}{path}", timeout=5).text == expected
        code = served.stop()
    assert code == 0, served.output
    assert "Traceback" not in served.output


PID_APP = """
    import os
    from aioweb import web

    app = web.Application()
    app.router.add_get("/", lambda request: web.Response(text=str(os.getpid())))
"""


def test_aioweb_run_workers(tmp_path: Path) -> None:
    (tmp_path / "pids.py").write_text(textwrap.dedent(PID_APP))
    aioweb = str(Path(sys.executable).with_name("aioweb"))
    argv = [aioweb, "run", "pids:app", "--port", "{port}", "--workers", "2"]
    with serving(argv, cwd=tmp_path) as served:
        pids = set()
        for _ in range(80):  # new connection each time: SO_REUSEPORT spreads them
            pids.add(httpx.get(f"{served.base}/", timeout=5).text)
            if len(pids) == 2:
                break
        code = served.stop()
    assert len(pids) == 2, pids
    assert code == 0, served.output
