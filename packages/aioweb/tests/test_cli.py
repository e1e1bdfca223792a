"""The ``aioweb`` command: argument handling and the built-in subcommands."""

from __future__ import annotations

import json
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from aioweb.web._cli import main
from aioweb.web._commands import load_app


def test_no_command_prints_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert "plugins" in capsys.readouterr().out


def test_plugins_json_lists_the_pieces(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plugins", "--json"]) == 0
    rows = {row["name"]: row for row in json.loads(capsys.readouterr().out)}
    assert rows["http"]["provides"] == ["server:http/1.1"]
    assert rows["routing"]["provides"] == ["router:default"]
    assert set(rows["cli"]["provides"]) == {"cli:run", "cli:plugins"}
    assert rows["kernel"]["distribution"] == "aioweb-kernel"


def test_plugins_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plugins"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["NAME", "DISTRIBUTION", "VERSION", "PROVIDES"]
    assert any(line.startswith("routing ") and "router:default" in line for line in lines)


@pytest.fixture
def module_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    (tmp_path / "cli_target.py").write_text(
        textwrap.dedent(
            """
            from aioweb import web
            app = web.Application()
            not_an_app = 42
            def factory(argv):
                made = web.Application()
                made["argv"] = argv
                return made
            """
        )
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    yield tmp_path
    sys.modules.pop("cli_target", None)


def test_load_app_attribute(module_dir: Path) -> None:
    from aioweb import web

    assert isinstance(load_app("cli_target:app"), web.Application)


def test_load_app_factory_gets_argv(module_dir: Path) -> None:
    assert load_app("cli_target:factory", ["x", "y"])["argv"] == ["x", "y"]


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("cli_target", "expected module:app"),
        (":app", "expected module:app"),
        ("nosuch_module_xyz:app", "cannot import"),
        ("cli_target:missing", "has no attribute 'missing'"),
        ("cli_target:not_an_app", "not an Application"),
    ],
)
def test_load_app_errors(module_dir: Path, spec: str, message: str) -> None:
    with pytest.raises(SystemExit, match=message):
        load_app(spec)
