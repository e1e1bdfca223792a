"""The routing plugin: provides :class:`UrlDispatcher` as the default router."""

from __future__ import annotations

from typing import Final

from aioweb.kernel import ROUTER, PluginSpec, Registry

from ._dispatcher import UrlDispatcher

__all__ = ["plugin"]


def _setup(registry: Registry) -> None:
    registry.provide(ROUTER, "default", UrlDispatcher)


plugin: Final = PluginSpec(name="routing", api_version=(1, 0), setup=_setup)
