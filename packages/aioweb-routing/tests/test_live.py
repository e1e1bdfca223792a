"""Through a live server and a real client (aioweb-testing's fixtures)."""

from __future__ import annotations

import asyncio

import pytest
from routing_testlib import make_handler

from aioweb.kernel import AppKey, Application, Request, Response
from aioweb.routing import UrlDispatcher
from aioweb.testing import AiowebClient

#: Generous: the point is "not exponential", not a speed figure.
TIMEOUT = 10.0

SLUG = "/s/{slug:[a-z]+(?:-[a-z]+)*}/end"
PAIR = "/f/{a}-{b}/end"  # polynomial across two parts: bounded by the segment length


def app_with(max_segment_length: int = 1024) -> Application:
    router = UrlDispatcher(max_segment_length=max_segment_length)
    router.add_get(SLUG, make_handler("slug"))
    router.add_get(PAIR, make_handler("pair"))
    router.add_get("/v/{v:v\\d+(?:\\.\\d+)*}", make_handler("version"))
    return Application(router=router)


@pytest.mark.loopback
@pytest.mark.parametrize("bound", [1024, 16384], ids=["default-bound", "bound-above-path"])
@pytest.mark.parametrize(
    ("target", "status"),
    [
        pytest.param("/s/" + "a-" * 4000 + "!/end", 404, id="slug-8k"),
        pytest.param("/s/" + "a-" * 4000 + "a/end", 200, id="slug-8k-hit"),
        pytest.param("/v/v" + "1." * 4000 + "x", 404, id="version-8k"),
        pytest.param("/f/" + "-" * 900 + "/x", 404, id="pair-900"),
    ],
)
async def test_adversarial_paths_answer_quickly(
    aioweb_client: AiowebClient, bound: int, target: str, status: int
) -> None:
    client = await aioweb_client(app_with(max_segment_length=bound))
    if len(target) > bound + 10 and status == 200:
        status = 404  # over the bound: no dynamic route is tried
    resp = await asyncio.wait_for(client.get(target), TIMEOUT)
    assert resp.status == status


@pytest.mark.loopback
async def test_long_polynomial_segment_refused_by_the_bound(aioweb_client: AiowebClient) -> None:
    client = await aioweb_client(app_with())
    resp = await asyncio.wait_for(client.get("/f/" + "-" * 8000 + "/end"), TIMEOUT)
    assert resp.status == 404


@pytest.mark.loopback
async def test_routes_served(aioweb_client: AiowebClient) -> None:
    client = await aioweb_client(app_with())
    for target, text in [
        ("/s/ab-cd/end", "slug"),
        ("/f/a-b/end", "pair"),
        ("/v/v1.2.3", "version"),
    ]:
        resp = await asyncio.wait_for(client.get(target), TIMEOUT)
        assert resp.status == 200
        assert await resp.text() == text
    resp = await asyncio.wait_for(client.post("/v/v1"), TIMEOUT)
    assert resp.status == 405
    assert resp.headers["Allow"] == "GET,HEAD"


NAME = AppKey("name", str)


@pytest.mark.loopback
async def test_subapp_and_domain_state_signals_isolation(aioweb_client: AiowebClient) -> None:
    """Each mounted application keeps its own state and runs its own signals."""
    started: list[str] = []

    def app_named(name: str) -> tuple[Application, UrlDispatcher]:
        router = UrlDispatcher()
        app = Application(router=router)
        app[NAME] = name

        async def on_startup(app: Application) -> None:
            started.append(app[NAME])

        app.on_startup.append(on_startup)

        async def whoami(request: Request) -> Response:
            chain = request.config_dict.get(NAME)
            return Response(text=f"{request.app[NAME]}:{chain}")

        router.add_get("/who", whoami)
        return app, router

    root, _ = app_named("root")
    admin, _ = app_named("admin")
    tenant, _ = app_named("tenant")
    root.add_subapp("/admin", admin)
    root.add_domain("*.tenant.test", tenant)
    client = await aioweb_client(root)
    assert sorted(started) == ["admin", "root", "tenant"]

    async def text(path: str, host: str | None = None) -> tuple[int, str]:
        headers = {"Host": host} if host else {}
        resp = await asyncio.wait_for(client.get(path, headers=headers), TIMEOUT)
        return resp.status, await resp.text()

    assert await text("/who") == (200, "root:root")
    assert await text("/admin/who") == (200, "admin:admin")
    assert await text("/who", "a.tenant.test") == (200, "tenant:tenant")
    assert (await text("/admin/who", "a.tenant.test"))[0] == 404  # the domain app only
    assert (await text("/who", "tenant.test"))[0] == 200  # not the mask: the root app
