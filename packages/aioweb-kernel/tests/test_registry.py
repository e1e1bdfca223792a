"""The plugin registry: built-ins, add(), provenance, version checks, conflicts, discovery."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from kernel_testlib import TinyRouter, spec

import aioweb.kernel._registry as registry_module
from aioweb.kernel import (
    BODY_DECODER,
    CLI,
    ENTRY_POINT_GROUP,
    MIDDLEWARE,
    PLUGIN_API,
    RESOURCE,
    ROUTER,
    SERVER,
    UPGRADE,
    AbstractRouter,
    Application,
    ExtensionPoint,
    MissingPluginError,
    PluginConflictError,
    PluginError,
    PluginLoadError,
    PluginSpec,
    PluginVersionError,
    Registry,
)
from aioweb.kernel._plugin import decode_urlencoded

URLENCODED = "application/x-www-form-urlencoded"
ITEMS: ExtensionPoint[str, int] = ExtensionPoint("test_items")
SOLO: ExtensionPoint[str, int] = ExtensionPoint("test_solo", single=True)


def provider(point: ExtensionPoint[str, int], key: str, value: int) -> Callable[[Registry], None]:
    def setup(registry: Registry) -> None:
        registry.provide(point, key, value)

    return setup


def kernel_version() -> str:
    from importlib.metadata import version

    return version("aioweb-kernel")


# -- built-ins and add() -------------------------------------------------------------


def test_constants() -> None:
    assert PLUGIN_API == (1, 0)
    assert ENTRY_POINT_GROUP == "aioweb.plugins"


@pytest.mark.parametrize(
    ("point", "name", "single"),
    [
        (SERVER, "server", False),
        (ROUTER, "router", True),
        (BODY_DECODER, "body_decoder", False),
        (UPGRADE, "upgrade", False),
        (MIDDLEWARE, "middleware", False),
        (CLI, "cli", False),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_extension_points(point: ExtensionPoint[str, object], name: str, single: bool) -> None:
    assert (point.name, point.single) == (name, single)


def test_extension_point_is_frozen() -> None:
    with pytest.raises(AttributeError):
        ROUTER.name = "other"  # type: ignore[misc]


def test_builtin_kernel_plugin_provides_urlencoded(registry: Registry) -> None:
    assert registry.items(BODY_DECODER) == {URLENCODED: decode_urlencoded}
    assert registry.get(BODY_DECODER, URLENCODED) is decode_urlencoded


def test_builtin_kernel_plugin_provenance(registry: Registry) -> None:
    (info,) = registry.plugins
    assert (info.name, info.distribution, info.version) == (
        "kernel",
        "aioweb-kernel",
        kernel_version(),
    )
    assert info.provides == [("body_decoder", URLENCODED)]
    assert info.error is None


def test_add_plugin_spec(registry: Registry) -> None:
    registry.add(spec("extra", provider(ITEMS, "a", 1)), distribution="aioweb-extra", version="0.2")
    assert registry.get(ITEMS, "a") == 1
    info = registry.plugins[-1]
    assert (info.name, info.distribution, info.version) == ("extra", "aioweb-extra", "0.2")
    assert info.provides == [("test_items", "a")]


def test_add_plain_object_plugin(registry: Registry) -> None:
    class Plain:
        name = "plain"
        api_version = (1, 0)

        def setup(self, registry: Registry, /) -> None:
            registry.provide(ITEMS, "p", 7)

    registry.add(Plain())
    assert registry.items(ITEMS) == {"p": 7}
    assert registry.plugins[-1].distribution is None


def test_items_is_read_only(registry: Registry) -> None:
    registry.add(spec("extra", provider(ITEMS, "a", 1)))
    items = registry.items(ITEMS)
    with pytest.raises(TypeError):
        items["b"] = 2  # type: ignore[index]


def test_items_refreshes_after_add(registry: Registry) -> None:
    registry.add(spec("one", provider(ITEMS, "a", 1)))
    assert dict(registry.items(ITEMS)) == {"a": 1}
    registry.add(spec("two", provider(ITEMS, "b", 2)))
    assert dict(registry.items(ITEMS)) == {"a": 1, "b": 2}


def test_provide_outside_setup_is_direct(registry: Registry) -> None:
    registry.provide(ITEMS, "x", 3)
    assert registry.get(ITEMS, "x") == 3


def test_empty_point_is_empty(registry: Registry) -> None:
    assert registry.items(SERVER) == {}
    assert registry.single(ROUTER) is None


def test_single_returns_the_one_value(registry: Registry) -> None:
    registry.add(spec("routing", lambda r: r.provide(ROUTER, "default", TinyRouter)))
    assert registry.single(ROUTER) is TinyRouter


def test_plugin_spec_is_frozen() -> None:
    plugin = spec("x")
    with pytest.raises(AttributeError):
        plugin.name = "y"  # type: ignore[misc]


# -- versions --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("api", "shown"),
    [((2, 0), "2.0"), ((0, 9), "0.9"), ((1, 1), "1.1"), ((1, 99), "1.99")],
    ids=["major-higher", "major-lower", "minor-higher", "minor-much-higher"],
)
def test_version_refused(registry: Registry, api: tuple[int, int], shown: str) -> None:
    plugin = spec("foo", provider(ITEMS, "a", 1), api_version=api)
    with pytest.raises(PluginVersionError) as info:
        registry.add(plugin, distribution="aioweb-foo", version="0.3.1")
    assert str(info.value) == (
        f"aioweb-foo 0.3.1 (plugin 'foo') targets plugin API {shown}; "
        f"aioweb-kernel {kernel_version()} accepts 1.0–1.0"  # noqa: RUF001
    )
    assert registry.items(ITEMS) == {}
    assert registry.plugins[-1].error is info.value


@pytest.mark.parametrize("api", [(1, 0)], ids=["same"])
def test_version_accepted(registry: Registry, api: tuple[int, int]) -> None:
    registry.add(spec("foo", provider(ITEMS, "a", 1), api_version=api))
    assert registry.get(ITEMS, "a") == 1


def test_version_refused_without_distribution(registry: Registry) -> None:
    with pytest.raises(PluginVersionError, match=r"^\(plugin 'adhoc'\) targets plugin API 3\.0; "):
        registry.add(spec("adhoc", api_version=(3, 0)))


@pytest.mark.parametrize(
    "api",
    [None, (1,), (1, 0, 0), ("1", "0"), (1, "x"), "10"],
    ids=["none", "one-part", "three-parts", "strings", "mixed", "str"],
)
def test_malformed_api_version_is_a_version_error(registry: Registry, api: object) -> None:
    plugin = PluginSpec(name="odd", api_version=api, setup=lambda _: None)  # type: ignore[arg-type]
    with pytest.raises(PluginVersionError, match=r"\(plugin 'odd'\) targets plugin API"):
        registry.add(plugin, distribution="aioweb-odd", version="1")


# -- load errors -------------------------------------------------------------------------


def test_setup_raising_is_a_load_error_chained(registry: Registry) -> None:
    boom = ValueError("boom")

    def setup(reg: Registry) -> None:
        reg.provide(ITEMS, "half", 1)
        raise boom

    with pytest.raises(PluginLoadError) as info:
        registry.add(spec("broken", setup), distribution="aioweb-broken", version="9.9")
    assert info.value.__cause__ is boom
    assert str(info.value) == (
        "plugin 'broken' from aioweb-broken 9.9 failed in setup(): ValueError('boom')"
    )
    # what it provided before failing is forgotten, and the failure is recorded
    assert registry.items(ITEMS) == {}
    assert registry.plugins[-1].provides == []
    assert registry.plugins[-1].error is info.value


@pytest.mark.parametrize(
    "obj",
    [object(), "routing", 42, spec, type("NoSetup", (), {"name": "n", "api_version": (1, 0)})()],
    ids=["object", "str", "int", "function", "no-setup"],
)
def test_non_plugin_is_a_load_error(registry: Registry, obj: object) -> None:
    with pytest.raises(PluginLoadError, match="is not an aioweb plugin"):
        registry.add(obj, distribution="aioweb-x")  # type: ignore[arg-type]


def test_name_must_be_str(registry: Registry) -> None:
    class BadName:
        name = 5
        api_version = (1, 0)

        def setup(self, registry: Registry, /) -> None:
            """Nothing."""

    with pytest.raises(PluginLoadError, match="is not an aioweb plugin"):
        registry.add(BadName())  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "cls",
    [PluginVersionError, PluginLoadError, PluginConflictError, MissingPluginError],
    ids=lambda c: c.__name__,
)
def test_error_hierarchy(cls: type[Exception]) -> None:
    assert issubclass(cls, PluginError)


# -- conflicts -----------------------------------------------------------------------------


def two_providers(point: ExtensionPoint[str, int], key_a: str, key_b: str) -> list[PluginSpec]:
    return [spec("alpha", provider(point, key_a, 1)), spec("beta", provider(point, key_b, 2))]


def test_keyed_conflict() -> None:
    registry = Registry(discover=False)
    for plugin in two_providers(ITEMS, "k", "k"):
        registry.add(plugin)
    with pytest.raises(PluginConflictError) as info:
        registry.items(ITEMS)
    assert "'alpha' and 'beta' both provide 'test_items:k'" in str(info.value)
    assert "Registry(choose={'test_items:k': <plugin>})" in str(info.value)


def test_keyed_different_keys_do_not_conflict() -> None:
    registry = Registry(discover=False)
    for plugin in two_providers(ITEMS, "a", "b"):
        registry.add(plugin)
    assert dict(registry.items(ITEMS)) == {"a": 1, "b": 2}


@pytest.mark.parametrize(
    ("choose", "expected"),
    [({"test_items:k": "beta"}, 2), ({"test_items": "alpha"}, 1), ({"test_items:k": "alpha"}, 1)],
    ids=["by-slot", "by-point", "by-slot-first"],
)
def test_keyed_conflict_resolved_by_choose(choose: dict[str, str], expected: int) -> None:
    registry = Registry(discover=False, choose=choose)
    for plugin in two_providers(ITEMS, "k", "k"):
        registry.add(plugin)
    assert registry.get(ITEMS, "k") == expected


def test_choose_naming_no_provider_still_conflicts() -> None:
    registry = Registry(discover=False, choose={"test_items": "gamma"})
    for plugin in two_providers(ITEMS, "k", "k"):
        registry.add(plugin)
    with pytest.raises(PluginConflictError):
        registry.items(ITEMS)


@pytest.mark.parametrize(
    ("keys", "point"),
    [(("a", "b"), SOLO), (("default", "default"), SOLO)],
    ids=["different-keys", "same-key"],
)
def test_single_point_conflict(keys: tuple[str, str], point: ExtensionPoint[str, int]) -> None:
    registry = Registry(discover=False)
    for plugin in two_providers(point, *keys):
        registry.add(plugin)
    with pytest.raises(PluginConflictError, match="'alpha'"):
        registry.single(point)


@pytest.mark.parametrize(
    ("keys", "winner", "expected"),
    [(("a", "b"), "beta", 2), (("a", "b"), "alpha", 1), (("d", "d"), "beta", 2)],
    ids=["different-keys-beta", "different-keys-alpha", "same-key-beta"],
)
def test_single_point_conflict_resolved(keys: tuple[str, str], winner: str, expected: int) -> None:
    registry = Registry(discover=False, choose={"test_solo": winner})
    for plugin in two_providers(SOLO, *keys):
        registry.add(plugin)
    assert registry.single(SOLO) == expected
    assert len(registry.items(SOLO)) == 1


def test_router_conflict_message() -> None:
    registry = Registry(discover=False)
    registry.add(spec("routing", lambda r: r.provide(ROUTER, "default", TinyRouter)))
    registry.add(spec("fastroute", lambda r: r.provide(ROUTER, "fast", TinyRouter)))
    with pytest.raises(PluginConflictError) as info:
        registry.single(ROUTER)
    message = str(info.value)
    assert "extension point 'router' takes one provider" in message
    assert "'routing' (default)" in message
    assert "'fastroute' (fast)" in message
    assert "Registry(choose={'router': <plugin>})" in message


def test_router_conflict_surfaces_in_application() -> None:
    registry = Registry(discover=False)
    registry.add(spec("routing", lambda r: r.provide(ROUTER, "default", TinyRouter)))
    registry.add(spec("fastroute", lambda r: r.provide(ROUTER, "fast", TinyRouter)))
    with pytest.raises(PluginConflictError):
        Application(registry=registry)


def test_router_conflict_resolved_by_choose_in_application() -> None:
    class Other(TinyRouter):
        pass

    registry = Registry(discover=False, choose={"router": "fastroute"})
    registry.add(spec("routing", lambda r: r.provide(ROUTER, "default", TinyRouter)))
    registry.add(spec("fastroute", lambda r: r.provide(ROUTER, "default", Other)))
    assert type(Application(registry=registry).router) is Other


def test_application_uses_router_plugin() -> None:
    registry = Registry(discover=False)
    registry.add(spec("routing", lambda r: r.provide(ROUTER, "default", TinyRouter)))
    router: AbstractRouter = Application(registry=registry).router
    assert isinstance(router, TinyRouter)


# -- missing pieces --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("point", "key", "message"),
    [
        (
            ROUTER,
            "default",
            "no plugin provides 'default' for 'router': pip install aioweb-routing",
        ),
        (SERVER, "http/1.1", "no plugin provides 'http/1.1' for 'server': pip install aioweb-http"),
        (
            UPGRADE,
            "websocket",
            "no plugin provides 'websocket' for 'upgrade': pip install aioweb-websocket",
        ),
        (BODY_DECODER, "text/x", "no plugin provides 'text/x' for 'body_decoder'"),
    ],
    ids=["router", "server", "upgrade", "no-hint"],
)
def test_get_missing(
    registry: Registry, point: ExtensionPoint[str, object], key: str, message: str
) -> None:
    with pytest.raises(MissingPluginError) as info:
        registry.get(point, key)
    assert str(info.value) == message
    assert info.value.__cause__ is None
    assert info.value.__suppress_context__


# -- entry-point discovery through a real (temporary) distribution ---------------------------

GOOD_MODULE = """
from aioweb.kernel import BODY_DECODER, PluginSpec

async def decode(request):
    raise NotImplementedError

def _setup(registry):
    registry.provide(BODY_DECODER, "application/x-throwaway", decode)

plugin = PluginSpec(name="throwaway", api_version=(1, 0), setup=_setup)
"""
FUTURE_MODULE = GOOD_MODULE.replace("api_version=(1, 0)", "api_version=(2, 0)")
BROKEN_MODULE = "import aioweb_kernel_tests_no_such_module\n"
RAISING_MODULE = GOOD_MODULE.replace(
    "registry.provide(", "raise RuntimeError('nope')\n    registry.provide("
)


class Dists:
    """Writes throwaway distributions into a directory on ``sys.path``."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.modules: list[str] = []

    def add(self, dist: str, version: str, module_source: str, *, ep_name: str = "") -> str:
        module = f"aioweb_kernel_tests_{dist.replace('-', '_')}"
        (self.root / f"{module}.py").write_text(module_source)
        info = self.root / f"{dist.replace('-', '_')}-{version}.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n")
        (info / "entry_points.txt").write_text(
            f"[{ENTRY_POINT_GROUP}]\n{ep_name or dist} = {module}:plugin\n"
        )
        self.modules.append(module)
        return module


@pytest.fixture
def dists(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Dists]:
    """A fresh discovery cache and a temporary site directory for distributions."""
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(registry_module, "_discovered", None)
    made = Dists(tmp_path)
    yield made
    for module in made.modules:
        sys.modules.pop(module, None)


def ours(registry: Registry) -> list[tuple[str, str | None, str | None]]:
    return [
        (p.name, p.distribution, p.version)
        for p in registry.plugins
        if (p.distribution or "").startswith("throwaway")
    ]


def test_discovery_loads_a_real_distribution(dists: Dists) -> None:
    dists.add("throwaway-good", "1.2.3", GOOD_MODULE, ep_name="throwaway")
    registry = Registry()
    decoder = registry.get(BODY_DECODER, "application/x-throwaway")
    assert decoder.__module__ == "aioweb_kernel_tests_throwaway_good"
    assert ours(registry) == [("throwaway", "throwaway-good", "1.2.3")]
    info = next(p for p in registry.plugins if p.name == "throwaway")
    assert info.provides == [("body_decoder", "application/x-throwaway")]
    # the built-in plugin is still there, first
    assert registry.plugins[0].name == "kernel"


def test_discovery_is_cached_per_process(dists: Dists) -> None:
    dists.add("throwaway-good", "1.2.3", GOOD_MODULE)
    Registry().load()
    first = registry_module._discovered
    assert first is not None
    Registry().load()
    assert registry_module._discovered is first


def test_discovery_order_is_sorted(dists: Dists) -> None:
    dists.add("throwaway-b", "1", GOOD_MODULE.replace("x-throwaway", "x-b"), ep_name="zeta")
    dists.add("throwaway-a", "1", GOOD_MODULE.replace("x-throwaway", "x-a"), ep_name="alpha")
    names = [
        d.name
        for d in registry_module._discover()
        if d.distribution in {"throwaway-a", "throwaway-b"}
    ]
    assert names == ["alpha", "zeta"]


def test_discover_false_ignores_entry_points(dists: Dists) -> None:
    dists.add("throwaway-good", "1.2.3", GOOD_MODULE)
    registry = Registry(discover=False)
    assert [p.name for p in registry.plugins] == ["kernel"]
    assert registry_module._discovered is None


def test_load_is_idempotent(dists: Dists) -> None:
    dists.add("throwaway-good", "1.2.3", GOOD_MODULE)
    registry = Registry()
    registry.load()
    registry.load()
    assert len(ours(registry)) == 1


@pytest.mark.parametrize(
    ("source", "error", "message"),
    [
        (
            BROKEN_MODULE,
            PluginLoadError,
            "plugin 'throwaway-bad' from throwaway-bad 0.0.1 failed to import: "
            "No module named 'aioweb_kernel_tests_no_such_module'",
        ),
        (
            FUTURE_MODULE,
            PluginVersionError,
            "throwaway-bad 0.0.1 (plugin 'throwaway') targets plugin API 2.0; aioweb-kernel ",
        ),
        (
            RAISING_MODULE,
            PluginLoadError,
            "plugin 'throwaway' from throwaway-bad 0.0.1 failed in setup(): RuntimeError('nope')",
        ),
    ],
    ids=["import-error", "wrong-api-version", "setup-raises"],
)
def test_discovery_refuses_broken(
    dists: Dists, source: str, error: type[PluginError], message: str
) -> None:
    dists.add("throwaway-bad", "0.0.1", source)
    with pytest.raises(error) as info:
        Registry().load(raise_errors=True)
    assert str(info.value).startswith(message)
    if error is PluginLoadError:
        assert info.value.__cause__ is not None


@pytest.mark.parametrize(
    ("source", "error"),
    [(BROKEN_MODULE, PluginLoadError), (FUTURE_MODULE, PluginVersionError)],
    ids=["import-error", "wrong-api-version"],
)
def test_discovery_records_broken(dists: Dists, source: str, error: type[PluginError]) -> None:
    dists.add("throwaway-bad", "0.0.1", source)
    dists.add("throwaway-good", "1.0", GOOD_MODULE, ep_name="throwaway-ok")
    registry = Registry()
    registry.load(raise_errors=False)
    rows = {p.distribution: p for p in registry.plugins}
    assert isinstance(rows["throwaway-bad"].error, error)
    assert rows["throwaway-bad"].version == "0.0.1"
    assert rows["throwaway-good"].error is None
    # the good one still loaded
    assert "application/x-throwaway" in registry.items(BODY_DECODER)


def test_plugins_property_does_not_raise(dists: Dists) -> None:
    dists.add("throwaway-bad", "0.0.1", BROKEN_MODULE)
    registry = Registry()
    assert isinstance(
        next(p for p in registry.plugins if p.distribution == "throwaway-bad").error,
        PluginLoadError,
    )


def test_application_raises_for_broken_plugin(dists: Dists) -> None:
    dists.add("throwaway-bad", "0.0.1", FUTURE_MODULE)
    with pytest.raises(PluginVersionError):
        Application(registry=Registry())


def test_discovered_non_plugin_is_refused(dists: Dists) -> None:
    dists.add("throwaway-bad", "0.0.1", "plugin = object()\n")
    with pytest.raises(PluginLoadError, match=r"throwaway-bad: <object object at .*> is not an"):
        Registry().load()


def test_default_registry_is_shared(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry_module, "_default", None)
    monkeypatch.setattr(registry_module, "_discovered", [])
    first = registry_module.default_registry()
    assert registry_module.default_registry() is first


def test_router_factory_gets_the_application_registry() -> None:
    registry = Registry(discover=False)
    registry.add(spec("routing", lambda r: r.provide(ROUTER, "default", TinyRouter)))
    router = Application(registry=registry).router
    assert isinstance(router, TinyRouter)
    assert router.registry is registry


def test_resource_extension_point() -> None:
    def static_factory(prefix: str, path: str) -> object:
        return (prefix, path)

    registry = Registry(discover=False)
    registry.add(spec("static", lambda r: r.provide(RESOURCE, "static", static_factory)))
    assert registry.get(RESOURCE, "static") is static_factory
