"""The http piece's plugin: registers ``run_app`` as the ``"http/1.1"`` server."""

from __future__ import annotations

from typing import Final

from aioweb.kernel import SERVER, PluginSpec, Registry

from ._run_app import run_app

__all__ = ["plugin"]


def _setup(registry: Registry) -> None:
    registry.provide(SERVER, "http/1.1", run_app)


plugin: Final = PluginSpec(name="http", api_version=(1, 0), setup=_setup)
