"""Plugin discovery across real distributions: a third-party plugin is a peer of ours."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

AIOWEB = Path(sys.executable).with_name("aioweb")


def make_dist(site: Path, dist: str, version: str, module: str, source: str) -> None:
    """Write an installed distribution (what pip leaves behind) into ``site``."""
    (site / f"{module}.py").write_text(textwrap.dedent(source))
    info = site / f"{dist.replace('-', '_')}-{version}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n")
    (info / "entry_points.txt").write_text(
        f"[aioweb.plugins]\n{module.removeprefix('aioweb_')} = {module}:plugin\n"
    )
    (info / "RECORD").write_text("")


GOOD = """
    from aioweb.kernel import MIDDLEWARE, PluginSpec

    def make_middleware(header="X-Dummy"):
        async def middleware(request, handler):
            response = await handler(request)
            response.headers[header] = "1"
            return response
        return middleware

    def setup(registry):
        registry.provide(MIDDLEWARE, "dummy", make_middleware)

    plugin = PluginSpec(name="dummy", api_version=(1, 0), setup=setup)
"""

FUTURE = """
    from aioweb.kernel import PluginSpec

    plugin = PluginSpec(name="future", api_version=(2, 0), setup=lambda registry: None)
"""


def run(site: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(site))
    return subprocess.run(
        [str(AIOWEB), *args], env=env, capture_output=True, text=True, timeout=30, check=False
    )


def test_plugins_lists_first_and_third_party(tmp_path: Path) -> None:
    make_dist(tmp_path, "aioweb-dummy", "0.3.1", "aioweb_dummy", GOOD)
    out = run(tmp_path, "plugins", "--json")
    assert out.returncode == 0, out.stderr
    rows = {row["name"]: row for row in json.loads(out.stdout)}
    assert {"kernel", "http", "routing", "cli", "dummy"} <= set(rows)
    assert rows["http"]["distribution"] == "aioweb-http"
    assert "server:http/1.1" in rows["http"]["provides"]
    assert "router:default" in rows["routing"]["provides"]
    assert rows["dummy"] == {
        "name": "dummy",
        "distribution": "aioweb-dummy",
        "version": "0.3.1",
        "provides": ["middleware:dummy"],
        "error": None,
    }
    table = run(tmp_path, "plugins")
    assert table.returncode == 0
    assert "aioweb-dummy" in table.stdout
    assert "middleware:dummy" in table.stdout


def test_third_party_plugin_is_used_by_applications(tmp_path: Path) -> None:
    make_dist(tmp_path, "aioweb-dummy", "0.3.1", "aioweb_dummy", GOOD)
    code = textwrap.dedent(
        """
        import asyncio
        from aioweb import web
        from aioweb.kernel import MIDDLEWARE

        app = web.Application()
        factory = app.extension(MIDDLEWARE)["dummy"]
        print(factory.__module__)
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        env=dict(os.environ, PYTHONPATH=str(tmp_path)),
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "aioweb_dummy"


def test_plugin_for_another_api_is_refused_by_name(tmp_path: Path) -> None:
    make_dist(tmp_path, "aioweb-future", "9.0.0", "aioweb_future", FUTURE)
    out = run(tmp_path, "plugins")
    assert out.returncode == 1
    assert "aioweb-future 9.0.0 (plugin 'future') targets plugin API 2.0" in out.stdout
    assert "accepts 1.0" in out.stdout
    # The other plugins are still listed on their own rows.
    assert "aioweb-routing" in out.stdout

    code = "from aioweb import web\nweb.Application()\n"
    app = subprocess.run(
        [sys.executable, "-c", code],
        env=dict(os.environ, PYTHONPATH=str(tmp_path)),
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert app.returncode != 0
    assert "PluginVersionError: aioweb-future 9.0.0 (plugin 'future') targets plugin API 2.0" in (
        app.stderr
    )


@pytest.mark.parametrize("args", [["run", "nosuchmodule:app"], ["run", "noseparator"]])
def test_run_reports_bad_app_specs(tmp_path: Path, args: list[str]) -> None:
    out = run(tmp_path, *args)
    assert out.returncode != 0
    assert "aioweb run:" in out.stderr
