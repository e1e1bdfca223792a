"""The resolution table: (routes, method, path) -> handler, or 404/405 with Allow."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from routing_testlib import handler_name, make_handler

from aioweb.kernel import (
    AbstractRouter,
    HTTPMethodNotAllowed,
    HTTPNotFound,
    MatchInfo,
    Request,
)
from aioweb.routing import DynamicResource, PlainResource, UrlDispatcher

# A route spec: (method, path) or (method, path, "nohead") for add_get(allow_head=False).
Spec = tuple[str, ...]


def build(specs: list[Spec]) -> UrlDispatcher:
    router = UrlDispatcher()
    for i, spec in enumerate(specs):
        method, path, *flags = spec
        handler = make_handler(f"h{i}")
        if method == "GET":
            router.add_get(path, handler, allow_head="nohead" not in flags)
        else:
            router.add_route(method, path, handler)
    router.freeze()
    return router


def resolve(router: UrlDispatcher, method: str, path: str) -> MatchInfo:
    return router.resolve(Request(method, path))


# (routes, method, path, expected): expected is "h<i>" (the i-th route's handler),
# 404, or (405, "ALLOW,LIST").
CASES: list[tuple[str, list[Spec], str, str, object]] = [
    ("static-hit", [("GET", "/a")], "GET", "/a", "h0"),
    ("static-root", [("GET", "/")], "GET", "/", "h0"),
    ("static-miss", [("GET", "/a")], "GET", "/b", 404),
    ("static-no-trailing-slash", [("GET", "/a")], "GET", "/a/", 404),
    ("static-trailing-slash", [("GET", "/a/")], "GET", "/a/", "h0"),
    ("static-trailing-slash-miss", [("GET", "/a/")], "GET", "/a", 404),
    ("static-nested", [("GET", "/a/b/c")], "GET", "/a/b/c", "h0"),
    ("static-prefix-only", [("GET", "/a/b/c")], "GET", "/a/b", 404),
    ("empty-router", [], "GET", "/", 404),
    ("head-for-get", [("GET", "/a")], "HEAD", "/a", "h0"),
    ("head-disabled", [("GET", "/a", "nohead")], "HEAD", "/a", (405, "GET")),
    ("post-on-get", [("GET", "/a")], "POST", "/a", (405, "GET,HEAD")),
    ("post-on-get-nohead", [("GET", "/a", "nohead")], "POST", "/a", (405, "GET")),
    ("two-methods-a", [("GET", "/a"), ("POST", "/a")], "POST", "/a", "h1"),
    ("two-methods-b", [("GET", "/a"), ("POST", "/a")], "GET", "/a", "h0"),
    ("two-methods-405", [("GET", "/a"), ("POST", "/a")], "PUT", "/a", (405, "GET,HEAD,POST")),
    ("put", [("PUT", "/a")], "PUT", "/a", "h0"),
    ("patch", [("PATCH", "/a")], "PATCH", "/a", "h0"),
    ("delete", [("DELETE", "/a")], "DELETE", "/a", "h0"),
    ("options", [("OPTIONS", "/a")], "OPTIONS", "/a", "h0"),
    ("head-only", [("HEAD", "/a")], "HEAD", "/a", "h0"),
    ("head-only-get", [("HEAD", "/a")], "GET", "/a", (405, "HEAD")),
    ("explicit-head-wins", [("GET", "/a"), ("HEAD", "/a")], "HEAD", "/a", "h1"),
    ("explicit-head-first", [("HEAD", "/a"), ("GET", "/a")], "HEAD", "/a", "h0"),
    ("custom-method", [("PURGE", "/a")], "PURGE", "/a", "h0"),
    ("lowercase-registered-upper", [("post", "/a")], "POST", "/a", "h0"),
    ("method-case-sensitive", [("POST", "/a")], "post", "/a", (405, "POST")),
    ("get-case-sensitive", [("GET", "/a")], "get", "/a", (405, "GET,HEAD")),
    ("any-get", [("*", "/a")], "GET", "/a", "h0"),
    ("any-custom", [("*", "/a")], "BREW", "/a", "h0"),
    ("any-lowercase", [("*", "/a")], "get", "/a", "h0"),
    ("specific-beats-any", [("*", "/a"), ("POST", "/a")], "POST", "/a", "h1"),
    ("any-fallback", [("POST", "/a"), ("*", "/a")], "GET", "/a", "h1"),
    ("dyn-hit", [("GET", "/hello/{name}")], "GET", "/hello/bob", "h0"),
    ("dyn-empty-segment", [("GET", "/hello/{name}")], "GET", "/hello/", 404),
    ("dyn-two-segments", [("GET", "/hello/{name}")], "GET", "/hello/a/b", 404),
    ("dyn-no-prefix", [("GET", "/hello/{name}")], "GET", "/bye/bob", 404),
    ("dyn-root", [("GET", "/{name}")], "GET", "/bob", "h0"),
    ("dyn-root-miss", [("GET", "/{name}")], "GET", "/", 404),
    ("dyn-405", [("GET", "/u/{id}")], "DELETE", "/u/1", (405, "GET,HEAD")),
    ("dyn-head", [("GET", "/u/{id}")], "HEAD", "/u/1", "h0"),
    ("regex-hit", [("GET", r"/u/{id:\d+}")], "GET", "/u/42", "h0"),
    ("regex-miss", [("GET", r"/u/{id:\d+}")], "GET", "/u/x", 404),
    ("regex-anchored-end", [("GET", r"/u/{id:\d+}")], "GET", "/u/42x", 404),
    ("regex-braces", [("GET", r"/y/{year:\d{4}}")], "GET", "/y/2024", "h0"),
    ("regex-braces-miss", [("GET", r"/y/{year:\d{4}}")], "GET", "/y/24", 404),
    ("regex-slash", [("GET", "/files/{path:.+}")], "GET", "/files/a/b/c", "h0"),
    ("regex-alternation", [("GET", "/{lang:en|de}/x")], "GET", "/de/x", "h0"),
    ("regex-alternation-miss", [("GET", "/{lang:en|de}/x")], "GET", "/fr/x", 404),
    ("multi-part-segment", [("GET", "/{stem}.{ext}")], "GET", "/a.txt", "h0"),
    ("partial-segment", [("GET", "/v{n:\\d+}/x")], "GET", "/v2/x", "h0"),
    ("static-beats-dynamic", [("GET", "/u/{id}"), ("GET", "/u/me")], "GET", "/u/me", "h1"),
    ("dynamic-when-static-misses", [("GET", "/u/{id}"), ("GET", "/u/me")], "GET", "/u/7", "h0"),
    ("first-dynamic-wins", [("GET", "/u/{a}"), ("GET", "/u/{b}")], "GET", "/u/7", "h0"),
    ("regex-then-default", [("GET", r"/u/{id:\d+}"), ("GET", "/u/{n}")], "GET", "/u/x", "h1"),
    ("order-across-buckets", [("GET", "/{any}/x"), ("GET", "/a/x")], "GET", "/a/x", "h1"),
    ("wildcard-before-literal", [("GET", "/{p}/{q}"), ("GET", "/a/{q}")], "GET", "/a/b", "h0"),
    ("literal-before-wildcard", [("GET", "/a/{q}"), ("GET", "/{p}/{q}")], "GET", "/a/b", "h0"),
    (
        "two-level-bucket",
        [("GET", "/api/u/{id}"), ("GET", "/api/{x}/{id}")],
        "GET",
        "/api/v/1",
        "h1",
    ),
    (
        "two-level-order",
        [("GET", "/api/{x}/{id}"), ("GET", "/api/u/{id}")],
        "GET",
        "/api/u/1",
        "h0",
    ),
    (
        "static-405-dynamic-serves",
        [("GET", "/u/me"), ("DELETE", "/u/{id}")],
        "DELETE",
        "/u/me",
        "h1",
    ),
    ("dynamic-405-later-serves", [("GET", "/u/{a}"), ("POST", "/u/{b}")], "POST", "/u/1", "h1"),
    ("405-union", [("GET", "/u/me"), ("POST", "/u/{id}")], "PUT", "/u/me", (405, "GET,HEAD,POST")),
    (
        "deep-order-short-first",
        [("GET", "/a/b/{x}/d"), ("GET", "/a/b/c/{y}")],
        "GET",
        "/a/b/c/d",
        "h0",
    ),
    (
        "deep-order-long-first",
        [("GET", "/a/b/c/{y}"), ("GET", "/a/b/{x}/d")],
        "GET",
        "/a/b/c/d",
        "h0",
    ),
    (
        "deep-falls-to-shorter",
        [("GET", "/a/b/c/{y}"), ("GET", "/a/{x}/c/e")],
        "GET",
        "/a/z/c/e",
        "h1",
    ),
    (
        "deep-wildcard-merged",
        [("GET", "/{w}/b/c/{x}"), ("GET", "/a/b/c/{x}")],
        "GET",
        "/a/b/c/1",
        "h0",
    ),
    ("deep-no-slash-after", [("GET", "/a/b/c/{y}")], "GET", "/a/b/c", 404),
    (
        "deep-beyond-max",
        [("GET", "/1/2/3/4/5/6/7/8/9/10/{x}")],
        "GET",
        "/1/2/3/4/5/6/7/8/9/10/z",
        "h0",
    ),
    (
        "deep-beyond-max-miss",
        [("GET", "/1/2/3/4/5/6/7/8/9/10/{x}")],
        "GET",
        "/1/2/3/4/5/6/7/8/9/11/z",
        404,
    ),
    ("empty-segment-key", [("GET", "//x/{y}")], "GET", "//x/1", "h0"),
    ("decoded-static", [("GET", "/a b")], "GET", "/a%20b", "h0"),
    ("decoded-dynamic", [("GET", "/hello/{name}")], "GET", "/hello/a%20b", "h0"),
    ("query-ignored", [("GET", "/a")], "GET", "/a?x=1", "h0"),
    ("unicode-static", [("GET", "/café")], "GET", "/caf%C3%A9", "h0"),
    ("empty-path-route", [("GET", "")], "GET", "/", 404),
]


@pytest.mark.parametrize(
    ("specs", "method", "path", "expected"),
    [pytest.param(*case[1:], id=case[0]) for case in CASES],
)
def test_resolution_table(specs: list[Spec], method: str, path: str, expected: object) -> None:
    match = resolve(build(specs), method, path)
    if isinstance(expected, str):
        assert match.http_exception is None
        assert getattr(match.handler, "__name__", None) == expected
        return
    exc = match.http_exception
    if expected == 404:
        assert isinstance(exc, HTTPNotFound)
    else:
        assert isinstance(expected, tuple)
        assert isinstance(exc, HTTPMethodNotAllowed)
        assert exc.status == 405
        assert exc.headers["Allow"] == expected[1]
    with pytest.raises(type(exc)) as info:
        match.handler(Request(method, path))
    assert info.value is exc


def test_table_is_large_enough() -> None:
    assert len(CASES) >= 60


@pytest.mark.parametrize(
    ("pattern", "path", "values"),
    [
        pytest.param("/hello/{name}", "/hello/a%20b", {"name": "a b"}, id="percent-decoded"),
        pytest.param("/hello/{name}", "/hello/caf%C3%A9", {"name": "café"}, id="utf8"),
        pytest.param(r"/u/{id:\d+}/{slug}", "/u/7/x-y", {"id": "7", "slug": "x-y"}, id="two"),
        pytest.param("/{stem}.{ext}", "/archive.tar", {"stem": "archive", "ext": "tar"}, id="dot"),
        pytest.param("/f/{path:.+}", "/f/a/b%2Fc", {"path": "a/b/c"}, id="slash-decoded"),
        pytest.param("/a/{x}", "/a/%7Bx%7D", None, id="braces-not-matched"),
    ],
)
def test_match_values(pattern: str, path: str, values: dict[str, str] | None) -> None:
    router = UrlDispatcher()
    router.add_get(pattern, make_handler("h"))
    match = resolve(router, "GET", path)
    if values is None:
        assert isinstance(match.http_exception, HTTPNotFound)
    else:
        assert dict(match) == values


def test_match_info_carries_route() -> None:
    router = UrlDispatcher()
    route = router.add_get("/a/{x}", make_handler("h"))
    match = resolve(router, "GET", "/a/1")
    assert match.route is route
    assert match.apps == ()
    assert route.method == "GET"
    assert isinstance(route.resource, DynamicResource)


def test_resolve_before_freeze_sees_new_routes() -> None:
    router = UrlDispatcher()
    router.add_get("/a/{x}", make_handler("h0"))
    assert dict(resolve(router, "GET", "/a/1")) == {"x": "1"}
    router.add_get("/b/{y}", make_handler("h1"))
    assert dict(resolve(router, "GET", "/b/2")) == {"y": "2"}


def test_many_routes_bucketed() -> None:
    router = UrlDispatcher()
    for i in range(300):
        router.add_get(f"/api/r{i}/{{id}}", make_handler(f"h{i}"))
        router.add_get(f"/s{i}", make_handler(f"s{i}"))
    router.add_get("/{lang}/api/{x}", make_handler("wild"))
    router.freeze()
    assert handler_name(resolve(router, "GET", "/api/r299/5").handler) == "h299"
    assert dict(resolve(router, "GET", "/api/r150/abc")) == {"id": "abc"}
    assert handler_name(resolve(router, "GET", "/en/api/1").handler) == "wild"
    assert isinstance(resolve(router, "GET", "/api/r300/5").http_exception, HTTPNotFound)


def test_satisfies_abstract_router() -> None:
    router: AbstractRouter = UrlDispatcher()
    assert isinstance(router.resolve(Request("GET", "/")), MatchInfo)


def test_introspection(handler_factory: Callable[[str], Callable[[Request], object]]) -> None:
    router = UrlDispatcher()
    r1 = router.add_get("/a", handler_factory("a"), name="a")
    r2 = router.add_post("/b/{x}", handler_factory("b"), name="b")
    router.add_put("/c", handler_factory("c"))
    assert list(router) == ["a", "b"]
    assert len(router) == 2
    assert "a" in router
    assert "c" not in router
    assert router["a"] is r1.resource
    assert isinstance(router["a"], PlainResource)
    assert dict(router.named_resources()) == {"a": r1.resource, "b": r2.resource}
    assert [res.canonical for res in router.resources()] == ["/a", "/b/{x}", "/c"]
    assert [(r.method, r.resource.canonical) for r in router.routes()] == [
        ("GET", "/a"),
        ("HEAD", "/a"),
        ("POST", "/b/{x}"),
        ("PUT", "/c"),
    ]
    assert r1.resource.get_info() == {"path": "/a"}
    assert r2.resource.get_info()["formatter"] == "/b/{x}"
    assert r1.resource.allowed_methods == {"GET", "HEAD"}
    assert len(r1.resource) == 2
    assert r1.name == "a"
    assert "GET" in repr(r1)
    assert "'a'" in repr(r1.resource)
    with pytest.raises(KeyError):
        router["nope"]


def test_resource_add_route() -> None:
    router = UrlDispatcher()
    res = router.add_resource("/r", name="r")
    assert router.add_resource("/r") is res
    res.add_route("GET", make_handler("g"))
    res.add_route("POST", make_handler("p"))
    assert handler_name(resolve(router, "POST", "/r").handler) == "p"
    assert resolve(router, "HEAD", "/r").http_exception is not None  # no implicit HEAD here
