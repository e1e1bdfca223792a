"""Import hygiene and the public surface."""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import version

import pytest

import aioweb.middleware

MODULES = [
    "_compression",
    "_cors",
    "_error_pages",
    "_errors",
    "_negotiate",
    "_normalize",
    "_plugin",
    "_request_id",
    "_security",
    "_timeout",
    "_version",
]


@pytest.mark.parametrize("module", MODULES)
def test_each_module_imports_alone_without_warnings(module: str) -> None:
    code = (
        f"import sys; import aioweb.middleware.{module}; "
        "bad = [m for m in ('brotli', 'zstandard', 'aioweb.http', 'aioweb.routing') "
        "if m in sys.modules]; print(bad)"
    )
    result = subprocess.run(
        [sys.executable, "-W", "error", "-c", code], capture_output=True, text=True, check=True
    )
    assert (result.stdout.strip(), result.stderr) == ("[]", "")


def test_public_names_and_version() -> None:
    assert sorted(aioweb.middleware.__all__) == sorted(
        n for n in dir(aioweb.middleware) if not n.startswith("_") and n != "annotations"
    )
    assert aioweb.middleware.__version__ == version("aioweb-middleware")


def test_config_error_is_an_aioweb_error_and_a_value_error() -> None:
    from aioweb.kernel import AiowebError
    from aioweb.middleware import MiddlewareConfigError

    assert issubclass(MiddlewareConfigError, AiowebError)
    assert issubclass(MiddlewareConfigError, ValueError)
