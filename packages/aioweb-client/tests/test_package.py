"""Import hygiene: no import-time work, optional codecs imported lazily, a consistent surface."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import aioweb.client

MODULES = sorted(m.name for m in pkgutil.iter_modules(aioweb.client.__path__))


def test_modules_import_without_warnings_or_optional_codecs() -> None:
    # One fresh interpreter imports every module in turn (one interpreter per
    # module would also catch order-dependent import cycles, at seconds of cost).
    code = (
        "import importlib, sys\n"
        f"for name in {MODULES!r}:\n"
        "    importlib.import_module('aioweb.client.' + name)\n"
        "print([m for m in ('brotli', 'zstandard', 'trustme') if m in sys.modules])"
    )
    result = subprocess.run(
        [sys.executable, "-W", "error", "-c", code],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert (result.stdout.strip(), result.stderr) == ("[]", "")


def test_public_names_are_exported_and_documented() -> None:
    public = sorted(n for n in dir(aioweb.client) if not n.startswith("_") and n != "annotations")
    assert sorted(aioweb.client.__all__) == public
    classes = [getattr(aioweb.client, n) for n in public]
    # Type aliases (Callable[...]) pass isinstance(..., type) on 3.10: skip them.
    undocumented = [
        c.__name__
        for c in classes
        if isinstance(c, type) and getattr(c, "__origin__", None) is None and not c.__doc__
    ]
    assert undocumented == []
