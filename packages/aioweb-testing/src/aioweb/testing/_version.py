"""Lazy ``__version__`` (read from the installed metadata on first access, not at import)."""

from __future__ import annotations

__all__ = ["__getattr__"]


def __getattr__(name: str) -> str:
    """Module ``__getattr__``: resolve ``__version__`` lazily."""
    if name == "__version__":
        from importlib.metadata import version

        return version("aioweb-testing")
    raise AttributeError(name)
