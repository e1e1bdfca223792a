"""Registration errors: duplicates, names, methods, handlers, redirects, frozen routers."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from routing_testlib import make_handler

from aioweb.routing import UrlDispatcher, get


def test_duplicate_route_names_both_handlers() -> None:
    router = UrlDispatcher()
    first, second = make_handler("first"), make_handler("second")
    router.add_post("/a", first)
    with pytest.raises(ValueError, match="duplicate route POST '/a'") as info:
        router.add_post("/a", second)
    assert "first" in str(info.value)
    assert "second" in str(info.value)


@pytest.mark.parametrize(
    "add",
    [
        pytest.param(lambda r, h: r.add_get("/a/{x}", h), id="get"),
        pytest.param(lambda r, h: r.add_route("*", "/a/{x}", h), id="any"),
    ],
)
def test_duplicate_dynamic_route(add: Callable[[UrlDispatcher, object], object]) -> None:
    router = UrlDispatcher()
    add(router, make_handler("one"))
    with pytest.raises(ValueError, match="duplicate route"):
        add(router, make_handler("two"))


def test_explicit_head_twice_is_duplicate() -> None:
    router = UrlDispatcher()
    router.add_get("/a", make_handler("g"))
    router.add_head("/a", make_handler("h1"))
    with pytest.raises(ValueError, match="duplicate route HEAD"):
        router.add_head("/a", make_handler("h2"))


def test_duplicate_name_names_both_paths() -> None:
    router = UrlDispatcher()
    router.add_get("/a", make_handler("a"), name="n")
    with pytest.raises(ValueError, match="duplicate route name 'n'") as info:
        router.add_get("/b", make_handler("b"), name="n")
    assert "'/a'" in str(info.value)
    assert "'/b'" in str(info.value)


def test_same_name_same_path_is_fine() -> None:
    router = UrlDispatcher()
    router.add_get("/a", make_handler("a"), name="n")
    router.add_post("/a", make_handler("b"), name="n")
    router.add_put("/a", make_handler("c"))
    assert len(router) == 1


def test_second_name_for_a_resource() -> None:
    router = UrlDispatcher()
    router.add_get("/a", make_handler("a"), name="n")
    with pytest.raises(ValueError, match="already named 'n'"):
        router.add_post("/a", make_handler("b"), name="m")


def test_name_added_later() -> None:
    router = UrlDispatcher()
    router.add_get("/a", make_handler("a"))
    router.add_post("/a", make_handler("b"), name="late")
    assert router["late"].name == "late"


@pytest.mark.parametrize("name", ["", "a b", "1x", "class", "a..b", "a.class"])
def test_invalid_names(name: str) -> None:
    with pytest.raises(ValueError, match="name"):
        UrlDispatcher().add_get("/a", make_handler("a"), name=name)


@pytest.mark.parametrize("name", ["index", "api.user-detail", "a:b", "_x"])
def test_valid_names(name: str) -> None:
    router = UrlDispatcher()
    router.add_get("/a", make_handler("a"), name=name)
    assert name in router


@pytest.mark.parametrize("method", ["", "GE T", "GET\r\n", "GÉT", "(GET)"])
def test_invalid_methods(method: str) -> None:
    router = UrlDispatcher()
    with pytest.raises(ValueError, match="invalid HTTP method"):
        router.add_route(method, "/a", make_handler("a"))
    assert router.resources() == ()


def test_handler_must_be_callable() -> None:
    router = UrlDispatcher()
    with pytest.raises(TypeError, match="not callable"):
        router.add_get("/a", "nope")  # type: ignore[arg-type]
    assert router.resources() == ()


@pytest.mark.parametrize("status", [200, 300, 304, 305, 404, 399])
def test_redirect_status_must_be_a_redirect(status: int) -> None:
    with pytest.raises(ValueError, match="redirect status"):
        UrlDispatcher().add_redirect("/a", "/b", status)


@pytest.mark.parametrize("location", ["", "/b\r\nX-Evil: 1", "/b\0"])
def test_redirect_location_checked(location: str) -> None:
    with pytest.raises(ValueError, match="invalid redirect location"):
        UrlDispatcher().add_redirect("/a", location)


FROZEN_CALLS: list[tuple[str, Callable[[UrlDispatcher], object]]] = [
    ("add_get", lambda r: r.add_get("/x", make_handler("x"))),
    ("add_post", lambda r: r.add_post("/x", make_handler("x"))),
    ("add_route", lambda r: r.add_route("*", "/x", make_handler("x"))),
    ("add_resource", lambda r: r.add_resource("/x")),
    ("resource.add_route", lambda r: r["a"].add_route("PUT", make_handler("x"))),
    ("add_view", lambda r: r.add_view("/x", make_handler("x"))),
    ("add_redirect", lambda r: r.add_redirect("/x", "/")),
    ("add_routes", lambda r: r.add_routes([get("/x", make_handler("x"))])),
]


@pytest.mark.parametrize("call", [c for _, c in FROZEN_CALLS], ids=[n for n, _ in FROZEN_CALLS])
def test_frozen_router_refuses_changes(call: Callable[[UrlDispatcher], object]) -> None:
    router = UrlDispatcher()
    router.add_get("/a", make_handler("a"), name="a")
    router.freeze()
    router.freeze()  # idempotent
    assert router.frozen
    with pytest.raises(RuntimeError, match="the router is frozen"):
        call(router)


def test_add_routes_validates_items() -> None:
    router = UrlDispatcher()
    with pytest.raises(TypeError, match="not a route definition"):
        router.add_routes([object()])
    with pytest.raises(TypeError, match="iterable of route definitions"):
        router.add_routes(get("/a", make_handler("a")))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="iterable of route definitions"):
        router.add_routes(42)  # type: ignore[arg-type]
