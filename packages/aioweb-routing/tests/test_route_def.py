"""Route definitions (``get``, ``post``, ..., ``route``, ``view``) and ``RouteTableDef``."""

from __future__ import annotations

import pytest
from routing_testlib import handler_name, make_handler

from aioweb.kernel import Request, Response
from aioweb.routing import (
    RouteDef,
    RouteTableDef,
    UrlDispatcher,
    View,
    delete,
    get,
    head,
    options,
    patch,
    post,
    put,
    route,
    view,
)


def method_of(router: UrlDispatcher, method: str, path: str) -> str:
    match = router.resolve(Request(method, path))
    return "405" if match.http_exception is not None else handler_name(match.handler)


def test_route_defs_register() -> None:
    router = UrlDispatcher()
    h = make_handler
    defs = [
        get("/g", h("g"), name="g"),
        get("/nh", h("nh"), allow_head=False),
        post("/p", h("p")),
        put("/p", h("pu")),
        patch("/p", h("pa")),
        delete("/p", h("d")),
        head("/h", h("h")),
        options("/p", h("o")),
        route("*", "/any", h("any")),
        route("PURGE", "/p", h("purge")),
    ]
    routes = router.add_routes(defs)
    assert len(routes) == 10
    assert [router.resolve(Request(m, "/p")).route for m in ("POST",)] == [routes[2]]
    cases = {
        ("GET", "/g"): "g",
        ("HEAD", "/g"): "g",
        ("HEAD", "/nh"): "405",
        ("POST", "/p"): "p",
        ("PUT", "/p"): "pu",
        ("PATCH", "/p"): "pa",
        ("DELETE", "/p"): "d",
        ("OPTIONS", "/p"): "o",
        ("PURGE", "/p"): "purge",
        ("HEAD", "/h"): "h",
        ("WHATEVER", "/any"): "any",
    }
    for (method, path), expected in cases.items():
        assert method_of(router, method, path) == expected, (method, path)
    assert "g" in router


def test_route_def_value() -> None:
    handler = make_handler("x")
    rd = get("/a", handler, name="a")
    assert rd == RouteDef("GET", "/a", handler, {"name": "a"})
    assert rd.method == "GET"
    assert rd.path == "/a"
    assert rd.handler is handler
    assert dict(rd.kwargs) == {"name": "a"}
    assert dict(get("/a", handler, allow_head=False).kwargs) == {"allow_head": False}
    assert "GET /a" in repr(rd)
    with pytest.raises(AttributeError):
        rd.path = "/b"  # type: ignore[misc]
    with pytest.raises(TypeError, match="unexpected route keyword"):
        RouteDef("GET", "/a", handler, {"expect_handler": 1})
    with pytest.raises(TypeError, match="unexpected route keyword"):
        RouteDef("POST", "/a", handler, {"allow_head": True})


def test_route_table_def() -> None:
    routes = RouteTableDef()

    @routes.get("/", name="index")
    async def index(request: Request) -> Response:
        return Response(text="index")

    @routes.post("/items")
    async def create(request: Request) -> Response:
        return Response(text="create")

    @routes.put("/items/{id}")
    @routes.patch("/items/{id}")
    @routes.delete("/items/{id}")
    async def change(request: Request) -> Response:
        return Response(text="change")

    @routes.head("/h")
    @routes.options("/h")
    @routes.route("PURGE", "/h")
    async def misc(request: Request) -> Response:
        return Response(text="misc")

    @routes.get("/raw", allow_head=False)
    async def raw(request: Request) -> Response:
        return Response(text="raw")

    @routes.view("/v", name="v")
    class Thing(View):
        async def get(self) -> Response:
            return Response(text="view")

    assert len(routes) == 10
    assert isinstance(routes[0], RouteDef)
    assert routes[0].handler is index
    assert len(routes[1:3]) == 2
    assert routes[0] in routes
    assert "count=10" in repr(routes)
    assert [r.method for r in routes if isinstance(r, RouteDef)][-1] == "*"

    router = UrlDispatcher()
    router.add_routes(routes)
    for method, path, handler in [
        ("GET", "/", index),
        ("HEAD", "/", index),
        ("POST", "/items", create),
        ("PUT", "/items/1", change),
        ("PATCH", "/items/1", change),
        ("DELETE", "/items/1", change),
        ("HEAD", "/h", misc),
        ("OPTIONS", "/h", misc),
        ("PURGE", "/h", misc),
        ("GET", "/raw", raw),
        ("GET", "/v", Thing),
    ]:
        assert router.resolve(Request(method, path)).handler is handler, (method, path)
    assert router.resolve(Request("HEAD", "/raw")).http_exception is not None
    assert str(router["index"].url_for()) == "/"


def test_view_def() -> None:
    class V(View):
        async def post(self) -> Response:
            return Response(text="v")

    router = UrlDispatcher()
    router.add_routes([view("/v", V, name="v")])
    assert router.resolve(Request("POST", "/v")).handler is V
    assert router["v"].canonical == "/v"
