"""The meta package's plugin: the ``run`` and ``plugins`` subcommands of ``aioweb``."""

from __future__ import annotations

from typing import Final

from aioweb.kernel import CLI, PluginSpec, Registry

from ._commands import PluginsCommand, RunCommand

__all__ = ["plugin"]


def _setup(registry: Registry) -> None:
    registry.provide(CLI, "run", RunCommand())
    registry.provide(CLI, "plugins", PluginsCommand())


plugin: Final = PluginSpec(name="cli", api_version=(1, 0), setup=_setup)
