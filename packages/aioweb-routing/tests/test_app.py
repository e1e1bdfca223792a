"""Through the kernel's Application: redirects, sub-applications, domains, the plugin."""

from __future__ import annotations

import pytest
from routing_testlib import make_handler

from aioweb.kernel import (
    ROUTER,
    Application,
    Handler,
    MissingPluginError,
    Registry,
    Request,
    Response,
    StreamResponse,
)
from aioweb.routing import (
    MatchedSubAppResource,
    PrefixedSubAppResource,
    UrlDispatcher,
    get,
)
from aioweb.routing._plugin import plugin


def new_app() -> tuple[Application, UrlDispatcher]:
    router = UrlDispatcher()
    return Application(router=router), router


def text_of(resp: StreamResponse) -> str:
    assert isinstance(resp, Response)
    assert resp.body is not None
    return resp.body.decode()


@pytest.mark.parametrize(
    ("status", "method"),
    [(301, "GET"), (302, "GET"), (303, "POST"), (307, "PUT"), (308, "DELETE")],
    ids=["301", "302", "303", "307", "308"],
)
async def test_add_redirect(status: int, method: str) -> None:
    app, router = new_app()
    app.add_routes([get("/", make_handler("root"))])
    router.add_redirect("/welcome", "/", status)
    app.freeze()
    resp = await app.handler(Request(method, "/welcome?x=1", app=app))
    assert resp.status == status
    assert resp.headers["Location"] == "/"  # as given: the query string is not carried


async def test_seed_redirect_default_302() -> None:
    app, router = new_app()
    router.add_redirect("/welcome", "/")
    app.freeze()
    resp = await app.handler(Request("GET", "/welcome", app=app))
    assert resp.status == 302
    assert resp.headers["Location"] == "/"


async def test_404_and_405_through_app() -> None:
    app, router = new_app()
    router.add_get("/a", make_handler("a"))
    app.freeze()
    resp = await app.handler(Request("GET", "/nope", app=app))
    assert resp.status == 404
    resp = await app.handler(Request("POST", "/a", app=app))
    assert resp.status == 405
    assert resp.headers["Allow"] == "GET,HEAD"
    resp = await app.handler(Request("GET", "/a", app=app))
    assert text_of(resp) == "a"


def tagging(tag: str, seen: list[str]):  # type: ignore[no-untyped-def]
    async def middleware(request: Request, handler: Handler) -> StreamResponse:
        seen.append(tag)
        return await handler(request)

    return middleware


async def test_add_subapp() -> None:
    seen: list[str] = []
    root = Application(router=UrlDispatcher(), middlewares=[tagging("root", seen)])
    admin = Application(router=UrlDispatcher(), middlewares=[tagging("admin", seen)])
    root.router.add_route("GET", "/", make_handler("home"), name="home")
    admin.router.add_route("GET", "/users/{id}", make_handler("user"), name="user")
    admin.router.add_route("GET", "", make_handler("admin-root"), name="admin-root")
    resource = root.add_subapp("/admin", admin)
    assert isinstance(resource, PrefixedSubAppResource)
    root.freeze()

    async def call(method: str, path: str) -> StreamResponse:
        seen.clear()
        return await root.handler(Request(method, path, app=root))

    resp = await call("GET", "/")
    assert (text_of(resp), seen) == ("home", ["root"])
    resp = await call("GET", "/admin/users/7")
    assert (text_of(resp), seen) == ("user", ["root", "admin"])
    resp = await call("GET", "/admin")
    assert (text_of(resp), seen) == ("admin-root", ["root", "admin"])
    resp = await call("GET", "/admin/nope")
    assert (resp.status, seen) == (404, ["root", "admin"])
    resp = await call("GET", "/administrator")
    assert (resp.status, seen) == (404, ["root"])

    match = root.router.resolve(Request("GET", "/admin/users/7"))
    assert dict(match) == {"id": "7"}
    assert match.apps == (admin,)
    sub = admin.router
    assert isinstance(sub, UrlDispatcher)
    assert str(sub["user"].url_for(id="7")) == "/admin/users/7"
    assert str(sub["admin-root"].url_for()) == "/admin"


async def test_nested_subapps_and_prefix_order() -> None:
    root, router = new_app()
    outer, outer_router = new_app()
    inner, inner_router = new_app()
    other, other_router = new_app()
    inner_router.add_get("/x", make_handler("inner-x"), name="x")
    outer_router.add_get("/y", make_handler("outer-y"))
    other_router.add_get("/b/x", make_handler("other"))
    outer.add_subapp("/in", inner)  # mounted before outer itself is mounted
    root.add_subapp("/a", other)
    root.add_subapp("/a/b", outer)  # longer prefix wins
    root.freeze()
    match = router.resolve(Request("GET", "/a/b/in/x"))
    assert match.apps == (outer, inner)
    assert str(inner_router["x"].url_for()) == "/a/b/in/x"
    assert router.resolve(Request("GET", "/a/b/y")).apps == (outer,)
    assert router.resolve(Request("GET", "/a/c")).apps == (other,)


@pytest.mark.parametrize(
    "prefix",
    ["", "admin", "/admin/", "/", "/{x}"],
    ids=["empty", "no-slash", "trailing", "root", "dyn"],
)
def test_subapp_prefix_validated(prefix: str) -> None:
    root, _ = new_app()
    sub, _ = new_app()
    with pytest.raises(ValueError, match="prefix"):
        root.add_subapp(prefix, sub)


def test_subapp_errors() -> None:
    root, router = new_app()
    sub, _ = new_app()
    root.add_subapp("/s", sub)
    with pytest.raises(ValueError, match="already mounted at '/s'"):
        router.add_subapp("/s", new_app()[0])
    with pytest.raises(RuntimeError, match="already mounted elsewhere"):
        router.add_subapp("/t", sub)
    with pytest.raises(ValueError, match="in itself"):
        router.add_subapp("/self", root)
    frozen, _ = new_app()
    frozen.freeze()
    with pytest.raises(RuntimeError, match="already frozen"):
        router.add_subapp("/f", frozen)


async def test_add_domain() -> None:
    root, router = new_app()
    api, api_router = new_app()
    wild, wild_router = new_app()
    router.add_get("/", make_handler("root"))
    api_router.add_get("/", make_handler("api"))
    wild_router.add_get("/", make_handler("wild"))
    resource = root.add_domain("API.example.com", api)
    assert isinstance(resource, MatchedSubAppResource)
    assert resource.domain == "api.example.com"
    root.add_domain("*.example.com", wild)
    root.freeze()
    for host, expected in [
        ("api.example.com", "api"),
        ("API.Example.com:8080", "api"),
        ("x.example.com", "wild"),
        ("a.b.example.com", "wild"),
        ("example.com", "root"),
        ("other.org", "root"),
    ]:
        req = Request("GET", "/", headers={"Host": host}, app=root)
        assert text_of(await root.handler(req)) == expected, host
    match = router.resolve(Request("GET", "/", headers={"Host": "api.example.com"}))
    assert match.apps == (api,)


@pytest.mark.parametrize("domain", ["", "*", "a.*.com", "*example.com", "a.com:80", "a/b"])
def test_invalid_domains(domain: str) -> None:
    root, _ = new_app()
    with pytest.raises(ValueError, match="invalid domain"):
        root.add_domain(domain, new_app()[0])


def test_plugin_provides_the_router() -> None:
    registry = Registry(discover=False)
    with pytest.raises(MissingPluginError):
        Application(registry=registry)
    registry.add(plugin)
    assert registry.single(ROUTER) is UrlDispatcher
    app = Application(registry=registry)
    assert isinstance(app.router, UrlDispatcher)
    assert plugin.name == "routing"
    assert plugin.api_version == (1, 0)
