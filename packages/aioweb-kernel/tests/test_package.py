"""The public surface, import hygiene, deprecation helper and ``MatchInfo``."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib.metadata import version

import pytest
from kernel_testlib import make_app

import aioweb.kernel
from aioweb.kernel import AiowebDeprecationWarning, AiowebError, MatchInfo, warn_deprecated

PROBE = """
import json, sys
import aioweb.kernel
import aioweb.kernel._registry as r
print(json.dumps({
    "plugins": sorted(m for m in sys.modules if m.startswith(("aioweb.routing", "aioweb.http",
                                                              "aioweb.web"))),
    "discovered_is_none": r._discovered is None,
    "default_is_none": r._default is None,
}))
"""


def test_import_does_no_work_in_a_fresh_process() -> None:
    result = subprocess.run(
        [sys.executable, "-W", "error", "-c", PROBE],
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stderr == ""
    probe = json.loads(result.stdout)
    assert probe == {"plugins": [], "discovered_is_none": True, "default_is_none": True}


@pytest.mark.parametrize(
    "module",
    [
        "_app",
        "_cookies",
        "_dates",
        "_deprecation",
        "_errors",
        "_interfaces",
        "_match_info",
        "_plugin",
        "_registry",
        "_request",
        "_response",
        "_signals",
        "_stream_response",
        "_streams",
        "_version",
        "_web_exceptions",
    ],
)
def test_each_module_imports_alone(module: str) -> None:
    subprocess.run(
        [sys.executable, "-W", "error", "-c", f"import aioweb.kernel.{module}"], check=True
    )


def test_all_names_exist() -> None:
    for name in aioweb.kernel.__all__:
        assert hasattr(aioweb.kernel, name), name
    assert len(set(aioweb.kernel.__all__)) == len(aioweb.kernel.__all__)


def test_no_namespace_init() -> None:
    import aioweb

    assert getattr(aioweb, "__file__", None) is None  # PEP 420 namespace


def test_version() -> None:
    assert aioweb.kernel.__version__ == version("aioweb-kernel")
    with pytest.raises(AttributeError):
        getattr(aioweb.kernel, "no_such_name")  # noqa: B009


@pytest.mark.parametrize(
    ("instead", "message"),
    [
        (None, "old() is deprecated since 0.1 and will be removed in 0.3"),
        ("new()", "old() is deprecated since 0.1 and will be removed in 0.3; use new() instead"),
    ],
    ids=["plain", "instead"],
)
def test_warn_deprecated(instead: str | None, message: str) -> None:
    def old() -> None:
        warn_deprecated("old()", since="0.1", remove_in="0.3", instead=instead)

    with pytest.warns(AiowebDeprecationWarning) as record:
        old()  # the warning points here, at the deprecated API's caller
    assert str(record[0].message) == message
    assert record[0].filename == __file__
    assert issubclass(AiowebDeprecationWarning, DeprecationWarning)


def test_errors_share_a_base() -> None:
    from aioweb.kernel import EofStream, PayloadError, PluginError

    for cls in (PluginError, EofStream, PayloadError):
        assert issubclass(cls, AiowebError)


def test_match_info() -> None:
    sub, inner = make_app(), make_app()

    def handler(_: object) -> None:
        return None

    match = MatchInfo({"name": "bob"}, handler, route="r", apps=(sub, inner))
    assert match == {"name": "bob"}
    assert (match.handler, match.route, match.http_exception) == (handler, "r", None)
    assert match.current_app is inner
    assert MatchInfo({}, handler).current_app is None
    assert repr(match) == "<MatchInfo {'name': 'bob'}: 'r'>"
