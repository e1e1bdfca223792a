"""Structural rules from CONVENTIONS §3 and §6, checked on the sansio package."""

from __future__ import annotations

import ast
import pathlib
import subprocess
import sys

import pytest

from aioweb.http import sansio
from aioweb.http.sansio import RequestHead, ResponseHead
from aioweb.http.sansio._events import make_request_head, make_response_head

PACKAGE = pathlib.Path(sansio.__file__).parent
MODULES = sorted(PACKAGE.glob("*.py"))
FORBIDDEN = {"asyncio", "socket", "ssl", "time", "logging"}


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_no_io_imports(path: pathlib.Path) -> None:
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""]
        else:
            continue
        for name in names:
            assert name.split(".")[0] not in FORBIDDEN, f"{path.name} imports {name}"


def test_init_only_reexports() -> None:
    tree = ast.parse((PACKAGE / "__init__.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.ImportFrom):
            assert all(alias.asname == alias.name for alias in node.names)
        elif isinstance(node, ast.Assign):
            assert [t.id for t in node.targets if isinstance(t, ast.Name)] == ["__all__"]
        else:
            assert isinstance(node, ast.Expr)  # the docstring
    assert sorted(sansio.__all__) == sorted(n for n in vars(sansio) if not n.startswith("_"))


def test_import_in_a_fresh_interpreter_with_warnings_as_errors() -> None:
    subprocess.run([sys.executable, "-W", "error", "-c", "import aioweb.http.sansio"], check=True)


def test_fast_constructors_match_dataclass_init() -> None:
    args = ("GET", "/", (1, 1), ((b"Host", b"x"),), True, 0, False, b"websocket", True)
    assert make_request_head(*args) == RequestHead(*args)
    rargs = (200, "OK", (1, 1), (), True, None, True)
    made = make_response_head(*rargs)
    assert made == ResponseHead(*rargs)
    assert repr(made) == repr(ResponseHead(*rargs))
    assert hash(made) == hash(ResponseHead(*rargs))
