"""``Application``: construction, typed state, freezing, signals, cleanup contexts, sub-apps."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from kernel_testlib import TinyRouter, make_app

import aioweb.kernel._registry as registry_module
from aioweb.kernel import (
    BODY_DECODER,
    AppKey,
    Application,
    CleanupError,
    MissingPluginError,
    Registry,
    Request,
    StreamResponse,
)

NO_ROUTER = "no router plugin is installed: pip install aioweb-routing (or pass router=)"


# -- construction -------------------------------------------------------------------------


def test_no_router_plugin_is_a_missing_plugin_error() -> None:
    with pytest.raises(MissingPluginError) as info:
        Application(registry=Registry(discover=False))
    assert str(info.value) == NO_ROUTER


def test_no_router_with_default_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry_module, "_default", Registry(discover=False))
    with pytest.raises(MissingPluginError, match=r"pip install aioweb-routing \(or pass router=\)"):
        Application()


def test_explicit_router_needs_no_plugin(router: TinyRouter) -> None:
    app = Application(router=router, registry=Registry(discover=False))
    assert app.router is router


def test_defaults(app: Application, registry: Registry) -> None:
    assert app.registry is registry
    assert app.client_max_size == 1024**2
    assert app.debug is False
    assert app.frozen is False
    assert list(app.middlewares) == []
    assert len(app) == 0
    assert bool(app) is True  # an empty mapping is still a true application
    assert repr(app).startswith("<Application 0x")


def test_options() -> None:
    async def mw(request: Request, handler: Callable[[Request], Any]) -> StreamResponse:
        return await handler(request)  # type: ignore[no-any-return]

    app = Application(
        router=TinyRouter(),
        registry=Registry(discover=False),
        middlewares=[mw],
        client_max_size=10,
        debug=True,
    )
    assert list(app.middlewares) == [mw]
    assert (app.client_max_size, app.debug) == (10, True)


def test_identity_equality_and_hash() -> None:
    a, b = make_app(), make_app()
    assert a != b
    assert a == a  # noqa: PLR0124
    assert len({a, b, a}) == 2


def test_extension_is_cached(app: Application) -> None:
    first = app.extension(BODY_DECODER)
    assert "application/x-www-form-urlencoded" in first
    assert app.extension(BODY_DECODER) is first


# -- typed state --------------------------------------------------------------------------

DB = AppKey("db", int)
NAME = AppKey("name", str)


def test_app_key_state(app: Application) -> None:
    app[DB] = 5
    app[NAME] = "x"
    value: int = app[DB]
    assert value == 5
    assert app[NAME] == "x"
    assert app.get(DB) == 5
    assert DB in app
    assert set(app) == {DB, NAME}
    del app[DB]
    assert DB not in app


def test_app_key_repr_and_name() -> None:
    assert DB.name == "db"
    assert repr(DB) == "<AppKey('db', type=int)>"
    assert repr(AppKey("untyped")) == "<AppKey('untyped')>"


def test_app_keys_are_distinct_by_identity(app: Application) -> None:
    app[AppKey("same", int)] = 1
    with pytest.raises(KeyError):
        app[AppKey("same", int)]


@pytest.mark.parametrize(
    ("key", "shown"),
    [(DB, "<AppKey('db', type=int)>"), ("plain", "'plain'")],
    ids=["app-key", "str-key"],
)
def test_missing_key_message(app: Application, key: str | AppKey[int], shown: str) -> None:
    with pytest.raises(KeyError) as info:
        app[key]
    assert info.value.args[0] == (
        f"{shown} is not set on this application (set app[key] = value before startup)"
    )


def test_get_default(app: Application) -> None:
    assert app.get(DB) is None
    assert app.get(DB, 3) == 3
    assert app.get("nope", "d") == "d"


def test_str_keys(app: Application) -> None:
    config = {"a": 1}
    app["config"] = config
    assert app["config"] is config
    assert list(app.items()) == [("config", config)]


# -- freezing -----------------------------------------------------------------------------


def noop_mw() -> Callable[..., Any]:
    async def mw(request: Request, handler: Callable[[Request], Any]) -> StreamResponse:
        return await handler(request)  # type: ignore[no-any-return]

    return mw


async def noop_cb(_: Application) -> None:
    """Nothing."""


async def noop_ctx(_: Application) -> AsyncIterator[None]:
    yield


async def noop_prepare(_: Request, __: StreamResponse) -> None:
    """Nothing."""


FROZEN_CHANGES: list[tuple[str, Callable[[Application], object]]] = [
    ("set-state", lambda a: a.__setitem__("k", 1)),
    ("set-app-key", lambda a: a.__setitem__(DB, 1)),
    ("del-state", lambda a: a.__delitem__("pre")),
    ("middlewares-append", lambda a: a.middlewares.append(noop_mw())),
    ("middlewares-insert", lambda a: a.middlewares.insert(0, noop_mw())),
    ("middlewares-clear", lambda a: a.middlewares.clear()),
    ("middlewares-setitem", lambda a: a.middlewares.__setitem__(0, noop_mw())),
    ("middlewares-iadd", lambda a: a.middlewares.__iadd__([noop_mw()])),
    ("on-startup", lambda a: a.on_startup.append(noop_cb)),
    ("on-shutdown", lambda a: a.on_shutdown.append(noop_cb)),
    ("on-cleanup", lambda a: a.on_cleanup.append(noop_cb)),
    ("on-response-prepare", lambda a: a.on_response_prepare.append(noop_prepare)),
    ("cleanup-ctx", lambda a: a.cleanup_ctx.append(noop_ctx)),
    ("add-routes", lambda a: a.add_routes([])),
    ("add-subapp", lambda a: a.add_subapp("/s", make_app())),
    ("add-domain", lambda a: a.add_domain("x.example", make_app())),
]


@pytest.mark.parametrize(
    "change", [c for _, c in FROZEN_CHANGES], ids=[name for name, _ in FROZEN_CHANGES]
)
def test_frozen_refuses_changes(change: Callable[[Application], object]) -> None:
    app = make_app(middlewares=[noop_mw()])
    app["pre"] = 0
    change(app)  # allowed before freezing
    app = make_app(middlewares=[noop_mw()])
    app["pre"] = 0
    app.freeze()
    with pytest.raises(RuntimeError, match="frozen"):
        change(app)


def test_freeze_is_idempotent_and_freezes_router(app: Application, router: TinyRouter) -> None:
    app.freeze()
    handler = app.handler
    app.freeze()
    assert app.handler is handler
    assert app.frozen
    assert router.frozen
    assert app.middlewares.frozen


def test_handler_before_freeze_is_an_error(app: Application) -> None:
    with pytest.raises(RuntimeError, match=r"call app\.freeze\(\)"):
        app.handler  # noqa: B018


def test_state_is_readable_after_freeze(app: Application) -> None:
    app[DB] = 1
    app.freeze()
    assert app[DB] == 1


# -- signals ------------------------------------------------------------------------------


def recorder(log: list[str], name: str) -> Callable[[Application], Any]:
    async def callback(app: Application) -> None:
        log.append(name)

    return callback


async def test_signal_order(app: Application) -> None:
    log: list[str] = []
    for signal in ("on_startup", "on_shutdown", "on_cleanup"):
        for i in (1, 2):
            getattr(app, signal).append(recorder(log, f"{signal}:{i}"))
    app.freeze()
    await app.startup()
    await app.shutdown()
    await app.cleanup()
    assert log == [
        "on_startup:1",
        "on_startup:2",
        "on_shutdown:1",
        "on_shutdown:2",
        "on_cleanup:1",
        "on_cleanup:2",
    ]


async def test_signal_receives_the_app(app: Application) -> None:
    seen: list[Application] = []

    async def cb(a: Application) -> None:
        seen.append(a)

    app.on_startup.append(cb)
    await app.startup()
    assert seen == [app]


async def test_signal_error_stops_the_signal(app: Application) -> None:
    log: list[str] = []

    async def fail(_: Application) -> None:
        raise ValueError("no")

    app.on_startup.extend([fail, recorder(log, "after")])
    with pytest.raises(ValueError, match="no"):
        await app.startup()
    assert log == []


# -- cleanup contexts ---------------------------------------------------------------------


def ctx(log: list[str], name: str, fail: str = "") -> Callable[[Application], AsyncIterator[None]]:
    async def gen(_: Application) -> AsyncIterator[None]:
        log.append(f"{name} up")
        yield
        log.append(f"{name} down")
        if fail:
            raise ValueError(fail)

    return gen


async def test_cleanup_ctx_order(app: Application) -> None:
    log: list[str] = []
    app.cleanup_ctx.extend([ctx(log, "a"), ctx(log, "b")])
    app.on_startup.append(recorder(log, "on_startup"))
    app.on_cleanup.append(recorder(log, "on_cleanup"))
    app.freeze()
    await app.startup()
    assert log == ["a up", "b up", "on_startup"]
    await app.cleanup()
    assert log == ["a up", "b up", "on_startup", "b down", "a down", "on_cleanup"]


async def test_cleanup_ctx_single_error_is_raised_as_is(app: Application) -> None:
    log: list[str] = []
    app.cleanup_ctx.extend([ctx(log, "a"), ctx(log, "b", fail="b failed")])
    await app.startup()
    with pytest.raises(ValueError, match="b failed"):
        await app.cleanup()
    assert log[-2:] == ["b down", "a down"]  # a still cleaned up after b failed


async def test_cleanup_ctx_errors_are_aggregated(app: Application) -> None:
    log: list[str] = []
    app.cleanup_ctx.extend([ctx(log, "a", fail="a failed"), ctx(log, "b", fail="b failed")])
    await app.startup()
    with pytest.raises(CleanupError) as info:
        await app.cleanup()
    message, errors = info.value.args
    assert message == "multiple errors on cleanup"
    assert [str(e) for e in errors] == ["b failed", "a failed"]


async def test_cleanup_ctx_two_yields_is_an_error(app: Application) -> None:
    async def twice(_: Application) -> AsyncIterator[None]:
        yield
        yield

    app.cleanup_ctx.append(twice)
    await app.startup()
    with pytest.raises(RuntimeError, match="has more than one 'yield'"):
        await app.cleanup()


async def test_cleanup_ctx_startup_error_propagates(app: Application) -> None:
    async def broken(app: Application) -> AsyncIterator[None]:
        if not app.frozen:
            raise OSError("db down")
        yield  # pragma: no cover

    app.cleanup_ctx.append(broken)
    with pytest.raises(OSError, match="db down"):
        await app.startup()


async def test_cleanup_ctx_cleanup_runs_once(app: Application) -> None:
    log: list[str] = []
    app.cleanup_ctx.append(ctx(log, "a"))
    await app.startup()
    await app.cleanup()
    await app.cleanup()
    assert log == ["a up", "a down"]


# -- sub-applications ---------------------------------------------------------------------


def test_add_subapp_calls_the_router(app: Application, router: TinyRouter) -> None:
    sub = make_app()
    assert app.add_subapp("/sub", sub) == "/sub"
    assert router.subapps == [("/sub", sub)]


def test_add_domain_calls_the_router(app: Application, router: TinyRouter) -> None:
    sub = make_app()
    assert app.add_domain("x.example", sub) == "x.example"
    assert router.domains == [("x.example", sub)]


def test_add_routes_calls_the_router(app: Application, router: TinyRouter) -> None:
    def handler(_: Request) -> StreamResponse:
        return StreamResponse()

    assert app.add_routes([("GET", "/", handler)]) == [("GET", "/")]
    assert router.routes == {("GET", "/"): handler}


@pytest.mark.parametrize("how", ["add_subapp", "add_domain"])
async def test_subapp_signals_run_with_the_parents(app: Application, how: str) -> None:
    log: list[str] = []
    sub = make_app()
    for signal in ("on_startup", "on_shutdown", "on_cleanup"):
        getattr(app, signal).append(recorder(log, f"parent {signal}"))
        getattr(sub, signal).append(recorder(log, f"sub {signal}"))
    sub.cleanup_ctx.append(ctx(log, "sub ctx"))
    getattr(app, how)("/sub" if how == "add_subapp" else "sub.example", sub)
    app.freeze()
    assert sub.frozen
    await app.startup()
    await app.shutdown()
    await app.cleanup()
    assert log == [
        "parent on_startup",
        "sub ctx up",
        "sub on_startup",
        "parent on_shutdown",
        "sub on_shutdown",
        "parent on_cleanup",
        "sub ctx down",
        "sub on_cleanup",
    ]


async def test_subapp_signal_receives_the_subapp(app: Application) -> None:
    seen: list[Application] = []

    async def cb(a: Application) -> None:
        seen.append(a)

    sub = make_app()
    sub.on_startup.append(cb)
    app.add_subapp("/s", sub)
    await app.startup()
    assert seen == [sub]


@pytest.mark.parametrize("how", ["add_subapp", "add_domain"])
def test_frozen_subapp_is_refused_and_not_mounted(
    app: Application, router: TinyRouter, how: str
) -> None:
    sub = make_app()
    sub.freeze()
    with pytest.raises(RuntimeError, match="new, unstarted application"):
        getattr(app, how)("/s", sub)
    assert router.subapps == router.domains == []
    assert len(app.on_startup) == 1  # only the cleanup-context hook


def test_app_cannot_be_its_own_subapp(app: Application, router: TinyRouter) -> None:
    with pytest.raises(RuntimeError, match="new, unstarted application"):
        app.add_subapp("/s", app)
    assert router.subapps == []
