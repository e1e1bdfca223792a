"""aioweb's own error types (the aiohttp-compatible ``HTTPException`` family lives apart)."""

from __future__ import annotations

__all__ = [
    "AiowebError",
    "MissingPluginError",
    "PluginConflictError",
    "PluginError",
    "PluginLoadError",
    "PluginVersionError",
]


class AiowebError(Exception):
    """Base class of every error aioweb raises on its own behalf."""


class PluginError(AiowebError):
    """Something is wrong with the installed or registered plugins."""


class PluginVersionError(PluginError):
    """A plugin targets a plugin-API version this kernel does not accept.

    The message names the distribution, its version, the plugin, the API it
    targets and the range the kernel accepts.
    """


class PluginLoadError(PluginError):
    """A plugin could not be loaded: its entry point failed to import, it is not
    a plugin object, or its ``setup()`` raised (the cause is chained)."""


class PluginConflictError(PluginError):
    """Two plugins provide the same slot and neither was chosen explicitly."""


class MissingPluginError(PluginError):
    """A piece the application needs is not installed; the message says what to install."""
