"""The static plugin: provides the ``"static"`` resource (``router.add_static``)."""

from __future__ import annotations

from typing import Final

from aioweb.kernel import RESOURCE, PluginSpec, Registry

from ._resource import StaticResource

__all__ = ["plugin"]


def _setup(registry: Registry) -> None:
    registry.provide(RESOURCE, "static", StaticResource)


plugin: Final = PluginSpec(name="static", api_version=(1, 0), setup=_setup)
