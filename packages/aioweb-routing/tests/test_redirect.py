"""``add_redirect`` to a route name: resolved at freeze, built per request."""

from __future__ import annotations

import pytest
from routing_testlib import make_handler

from aioweb.kernel import Application, HTTPFound, Request
from aioweb.routing import UrlDispatcher


def new_app() -> tuple[Application, UrlDispatcher]:
    router = UrlDispatcher()
    return Application(router=router), router


async def location(app: Application, method: str, target: str) -> tuple[int, str | None]:
    resp = await app.handler(Request(method, target, app=app))
    return resp.status, resp.headers.get("Location")


async def test_redirect_to_a_static_route_name() -> None:
    app, router = new_app()
    router.add_redirect("/old", "home", 301)  # the target may come later
    router.add_get("/home/", make_handler("home"), name="home")
    app.freeze()
    assert await location(app, "GET", "/old?x=1") == (301, "/home/")


async def test_match_info_passed_on() -> None:
    app, router = new_app()
    router.add_get("/users/{id:\\d+}/posts/{post}", make_handler("p"), name="api.post")
    router.add_redirect("/u/{id}/p/{post}", "api.post", 308)
    app.freeze()
    assert await location(app, "POST", "/u/42/p/a%20b") == (308, "/users/42/posts/a%20b")
    # A value the target's regex refuses: no such target, 404.
    assert await location(app, "GET", "/u/abc/p/x") == (404, None)


async def test_extra_parts_are_dropped() -> None:
    app, router = new_app()
    router.add_get("/users/{id}", make_handler("u"), name="user")
    router.add_redirect("/{lang}/users/{id}", "user")
    app.freeze()
    assert await location(app, "GET", "/en/users/7") == (302, "/users/7")


async def test_subapp_prefix_included() -> None:
    app, _ = new_app()
    admin_router = UrlDispatcher()
    admin = Application(router=admin_router)
    admin_router.add_get("/panel", make_handler("panel"), name="panel")
    admin_router.add_redirect("/", "panel")
    app.add_subapp("/admin", admin)
    app.freeze()
    assert await location(app, "GET", "/admin/") == (302, "/admin/panel")


def test_unknown_name_fails_at_freeze() -> None:
    router = UrlDispatcher()
    router.add_redirect("/old", "nowhere")
    with pytest.raises(ValueError, match=r"add_redirect\('/old', 'nowhere'\).*'\./nowhere'"):
        router.freeze()
    assert not router.frozen


def test_target_needing_missing_part_fails_at_freeze() -> None:
    router = UrlDispatcher()
    router.add_get("/users/{id}", make_handler("u"), name="user")
    router.add_redirect("/me", "user")
    with pytest.raises(ValueError, match=r"'/users/\{id\}' needs \['id'\].*'/me'"):
        router.freeze()


async def test_url_locations_unchanged() -> None:
    app, router = new_app()
    router.add_get("/home", make_handler("home"), name="home")
    router.add_redirect("/a", "/home")
    router.add_redirect("/b", "./home")  # a relative URL, not the name
    router.add_redirect("/c", "https://example.com/x")
    app.freeze()
    assert await location(app, "GET", "/a") == (302, "/home")
    assert await location(app, "GET", "/b") == (302, "./home")
    assert await location(app, "GET", "/c") == (302, "https://example.com/x")


def test_named_redirect_status_checked() -> None:
    with pytest.raises(ValueError, match="redirect status"):
        UrlDispatcher().add_redirect("/a", "home", 200)


async def test_unfrozen_router_resolves_lazily() -> None:
    router = UrlDispatcher()
    router.add_get("/home", make_handler("home"), name="home")
    route = router.add_redirect("/old", "home")
    with pytest.raises(HTTPFound) as info:
        route.handler(Request("GET", "/old"))
    assert info.value.headers["Location"] == "/home"
