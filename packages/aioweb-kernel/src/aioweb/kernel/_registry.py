"""The plugin registry: entry-point discovery, version checks, extension points.

Discovery scans the ``aioweb.plugins`` entry-point group once per process, at first
need, in a deterministic order (entry-point name, then distribution name).  Each
:class:`Registry` then runs ``setup()`` of every plugin it holds; the application
resolves what it needs into plain dicts when it freezes, so the request hot path
never touches the registry.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Final, Generic, Protocol, TypeVar, cast, runtime_checkable

from ._errors import (
    MissingPluginError,
    PluginConflictError,
    PluginLoadError,
    PluginVersionError,
)

__all__ = [
    "ENTRY_POINT_GROUP",
    "PLUGIN_API",
    "ExtensionPoint",
    "Plugin",
    "PluginInfo",
    "PluginSpec",
    "Registry",
    "default_registry",
]

#: The plugin-API version this kernel implements: (major, minor).  A plugin is
#: accepted when its major is equal and its minor is not higher.
PLUGIN_API: Final[tuple[int, int]] = (1, 0)

#: The entry-point group plugins are published under.
ENTRY_POINT_GROUP: Final = "aioweb.plugins"

K = TypeVar("K")
V = TypeVar("V")


@dataclass(frozen=True, slots=True)
class ExtensionPoint(Generic[K, V]):
    """A typed, named slot plugins provide values into.

    Attributes:
        name: the slot's name, as shown by ``aioweb plugins`` and used in ``choose=``.
        single: at most one provider may fill the slot (e.g. the router).
    """

    name: str
    single: bool = False


@runtime_checkable
class Plugin(Protocol):
    """What an ``aioweb.plugins`` entry point must name."""

    @property
    def name(self) -> str:
        """The plugin's name (the entry-point name for first-party pieces)."""
        ...

    @property
    def api_version(self) -> tuple[int, int]:
        """The kernel plugin-API version the plugin targets."""
        ...

    def setup(self, registry: Registry, /) -> None:
        """Register what the plugin provides, via ``registry.provide``; nothing else."""
        ...


@dataclass(frozen=True, slots=True)
class PluginSpec:
    """A ready-made :class:`Plugin`: the usual way to declare one in ``_plugin.py``.

    Attributes:
        name: the plugin's name.
        api_version: the plugin-API version targeted, e.g. ``(1, 0)``.
        setup: called with the registry; calls ``registry.provide(...)`` only.
    """

    name: str
    api_version: tuple[int, int]
    setup: Callable[[Registry], None]


@dataclass(slots=True)
class PluginInfo:
    """Provenance of one loaded (or refused) plugin, for ``aioweb plugins``.

    Attributes:
        name: the plugin's name.
        distribution: the distribution that ships it (``None`` for ad-hoc plugins).
        version: that distribution's version.
        provides: ``(extension point, key)`` pairs the plugin registered.
        error: why the plugin was refused, if it was.
    """

    name: str
    distribution: str | None
    version: str | None
    provides: list[tuple[str, str]] = field(default_factory=list)
    error: Exception | None = None


@dataclass(frozen=True, slots=True)
class _Discovered:
    name: str
    distribution: str | None
    version: str | None
    load: Callable[[], object]


_discovered: list[_Discovered] | None = None


def _discover() -> list[_Discovered]:
    """Scan the entry points once per process; cached."""
    global _discovered  # noqa: PLW0603 - the process-wide discovery cache
    if _discovered is None:
        from importlib.metadata import entry_points

        found: list[_Discovered] = []
        for ep in entry_points(group=ENTRY_POINT_GROUP):
            dist = ep.dist
            found.append(
                _Discovered(
                    name=ep.name,
                    distribution=dist.metadata["Name"] if dist is not None else None,
                    version=dist.version if dist is not None else None,
                    load=ep.load,
                )
            )
        found.sort(key=lambda d: (d.name, d.distribution or ""))
        _discovered = found
    return _discovered


def _kernel_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("aioweb-kernel")
    except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "unknown"


def _check_version(plugin: Plugin, info: PluginInfo) -> None:
    raw: object = plugin.api_version
    # A malformed api_version (None, a str, non-int parts) is refused like a wrong one,
    # not left to crash the registry (``aioweb plugins`` must still list the plugin).
    parts = tuple(raw) if isinstance(raw, tuple | list) else ()
    api = [p for p in parts if type(p) is int]
    major, minor = PLUGIN_API
    valid = len(parts) == len(api) == 2
    if not valid or api[0] != major or api[1] > minor:
        who = f"{info.distribution} {info.version} " if info.distribution else ""
        shown = ".".join(str(p) for p in api) if valid else repr(raw)
        raise PluginVersionError(
            f"{who}(plugin {info.name!r}) targets plugin API {shown}; "
            f"aioweb-kernel {_kernel_version()} accepts {major}.0–{major}.{minor}"  # noqa: RUF001
        )


class Registry:
    """The set of plugins an application uses and what they provide.

    Args:
        discover: load the plugins published under the ``aioweb.plugins`` entry-point
            group (scanned once per process).  ``False`` starts with only the kernel's
            built-in plugin; add more with :meth:`add`.
        choose: resolve conflicts explicitly: maps an extension point's name (or
            ``"point:key"``) to the name of the plugin that wins it.
    """

    def __init__(self, *, discover: bool = True, choose: Mapping[str, str] | None = None) -> None:
        self._discover = discover
        self._choose = dict(choose or {})
        self._plugins: list[PluginInfo] = []
        self._provided: dict[str, dict[object, list[tuple[str, object]]]] = {}
        self._resolved: dict[str, Mapping[Any, Any]] = {}
        self._current: PluginInfo | None = None
        self._loaded = False
        from ._plugin import plugin as kernel_plugin

        self._add(kernel_plugin, "aioweb-kernel", _kernel_version())

    # -- loading -----------------------------------------------------------------

    def add(
        self, plugin: Plugin, *, distribution: str | None = None, version: str | None = None
    ) -> None:
        """Check and set up one plugin now.

        Raises:
            PluginVersionError: the plugin targets an API version this kernel refuses.
            PluginLoadError: its ``setup()`` raised.
        """
        info = self._add(plugin, distribution, version)
        if info.error is not None:
            raise info.error
        self._resolved.clear()

    def load(self, *, raise_errors: bool = True) -> None:
        """Discover and set up the entry-point plugins (once; later calls do nothing).

        Args:
            raise_errors: raise the first plugin error (the default, used by
                ``Application()``).  ``False`` records errors in :attr:`plugins`
                instead, for ``aioweb plugins``.
        """
        if self._loaded:
            return
        self._loaded = True
        if not self._discover:
            return
        for d in _discover():
            try:
                obj = d.load()
            except Exception as exc:
                err = PluginLoadError(
                    f"plugin {d.name!r} from {d.distribution} {d.version} failed to import: {exc}"
                )
                err.__cause__ = exc
                self._plugins.append(PluginInfo(d.name, d.distribution, d.version, error=err))
                if raise_errors:
                    raise err from exc
                continue
            info = self._add(obj, d.distribution, d.version, entry_name=d.name)
            if info.error is not None and raise_errors:
                raise info.error
        self._resolved.clear()

    def _add(
        self,
        obj: object,
        distribution: str | None,
        version: str | None,
        *,
        entry_name: str | None = None,
    ) -> PluginInfo:
        name = getattr(obj, "name", None)
        info = PluginInfo(
            str(name if isinstance(name, str) else entry_name or obj),
            distribution,
            version,
        )
        self._plugins.append(info)
        if not isinstance(obj, Plugin) or not isinstance(name, str):
            info.error = PluginLoadError(
                f"{distribution or 'an unknown distribution'}: {obj!r} is not an aioweb plugin "
                "(needs name, api_version and setup(registry))"
            )
            return info
        try:
            _check_version(obj, info)
        except PluginVersionError as exc:
            info.error = exc
            return info
        self._current = info
        try:
            obj.setup(self)
        except Exception as exc:
            self._forget(info)
            where = f" from {distribution} {version}" if distribution else ""
            err = PluginLoadError(f"plugin {info.name!r}{where} failed in setup(): {exc!r}")
            err.__cause__ = exc
            info.error = err
        finally:
            self._current = None
        return info

    def _forget(self, info: PluginInfo) -> None:
        for by_key in self._provided.values():
            for providers in by_key.values():
                providers[:] = [p for p in providers if p[0] != info.name]
        info.provides.clear()

    # -- plugin side ---------------------------------------------------------------

    def provide(self, point: ExtensionPoint[K, V], key: K, value: V) -> None:
        """Register ``value`` under ``key`` in ``point``; called from a plugin's ``setup``."""
        owner = self._current.name if self._current is not None else "<direct>"
        self._provided.setdefault(point.name, {}).setdefault(key, []).append((owner, value))
        if self._current is not None:
            self._current.provides.append((point.name, str(key)))
        self._resolved.pop(point.name, None)

    # -- application side ----------------------------------------------------------

    def items(self, point: ExtensionPoint[K, V]) -> Mapping[K, V]:
        """Everything provided into ``point``, conflicts resolved, as a read-only mapping.

        Raises:
            PluginConflictError: two plugins provide the same key (or, for a single
                slot, anything at all) and ``choose=`` does not pick one.
        """
        self.load()
        resolved = self._resolved.get(point.name)
        if resolved is None:
            resolved = MappingProxyType(self._resolve(point))
            self._resolved[point.name] = resolved
        return cast("Mapping[K, V]", resolved)

    def _resolve(self, point: ExtensionPoint[Any, Any]) -> dict[object, object]:
        by_key = self._provided.get(point.name, {})
        out: dict[object, object] = {}
        for key, providers in by_key.items():
            if not providers:
                continue
            out[key] = self._pick(f"{point.name}:{key}", point.name, providers)
        if point.single and len(out) > 1:
            owners = {k: [o for o, _ in by_key[k]] for k in out}
            chosen = self._choose.get(point.name)
            keep = [k for k, names in owners.items() if chosen in names]
            if len(keep) != 1:
                listing = ", ".join(f"{names[0]!r} ({k})" for k, names in owners.items())
                raise PluginConflictError(
                    f"extension point {point.name!r} takes one provider but {listing} all "
                    f"provide it; pick one with Registry(choose={{{point.name!r}: <plugin>}})"
                )
            out = {keep[0]: out[keep[0]]}
        return out

    def _pick(self, slot: str, point: str, providers: list[tuple[str, object]]) -> object:
        if len(providers) == 1:
            return providers[0][1]
        chosen = self._choose.get(slot, self._choose.get(point))
        for owner, value in providers:
            if owner == chosen:
                return value
        names = " and ".join(repr(o) for o, _ in providers)
        raise PluginConflictError(
            f"{names} both provide {slot!r}; pick one with Registry(choose={{{slot!r}: <plugin>}})"
        )

    def get(self, point: ExtensionPoint[K, V], key: K) -> V:
        """The value provided under ``key``.

        Raises:
            MissingPluginError: nothing provides it.
        """
        try:
            return self.items(point)[key]
        except KeyError:
            raise MissingPluginError(
                f"no plugin provides {key!r} for {point.name!r}{_INSTALL_HINTS.get(point.name, '')}"
            ) from None

    def single(self, point: ExtensionPoint[K, V]) -> V | None:
        """The one value of a single-provider point, or ``None`` when nothing provides it."""
        values = list(self.items(point).values())
        return values[0] if values else None

    @property
    def plugins(self) -> list[PluginInfo]:
        """Provenance of every plugin this registry holds, loaded or refused."""
        self.load(raise_errors=False)
        return list(self._plugins)


_INSTALL_HINTS: Final = {
    "server": ": pip install aioweb-http",
    "router": ": pip install aioweb-routing",
    "upgrade": ": pip install aioweb-websocket",
    "middleware": ": pip install aioweb-middleware",
    "resource": ": pip install aioweb-static",
}

_default: Registry | None = None


def default_registry() -> Registry:
    """The process-wide registry of discovered plugins (built at first call)."""
    global _default  # noqa: PLW0603 - one shared registry per process
    if _default is None:
        _default = Registry()
    return _default
