"""Class-based views: dispatch by method, 405 with Allow from the class's methods."""

from __future__ import annotations

import pytest

from aioweb.kernel import Application, HTTPMethodNotAllowed, Request, Response
from aioweb.routing import UrlDispatcher, View


class Items(View):
    async def get(self) -> Response:
        return Response(text=f"get {self.request.match_info['id']}")

    async def post(self) -> Response:
        return Response(text="post", status=201)


class Bad(View):
    async def get(self) -> Response:
        return "not a response"  # type: ignore[return-value]


def make_app(view: type[View] = Items) -> Application:
    app = Application(router=UrlDispatcher())
    router = app.router
    assert isinstance(router, UrlDispatcher)
    router.add_view("/items/{id}", view, name="items")
    app.freeze()
    return app


@pytest.mark.parametrize(
    ("method", "status", "body"),
    [
        pytest.param("GET", 200, b"get 7", id="get"),
        pytest.param("POST", 201, b"post", id="post"),
        pytest.param("DELETE", 405, None, id="delete-405"),
        pytest.param("HEAD", 405, None, id="head-not-implied"),
        pytest.param("get", 405, None, id="lowercase-405"),
        pytest.param("BREW", 405, None, id="unknown-405"),
    ],
)
async def test_view_dispatch(method: str, status: int, body: bytes | None) -> None:
    app = make_app()
    resp = await app.handler(Request(method, "/items/7", app=app))
    assert resp.status == status
    if status == 405:
        assert resp.headers["Allow"] == "GET,POST"
    elif isinstance(resp, Response):
        assert resp.body == body


async def test_view_allowed_methods() -> None:
    assert Items.allowed_methods() == {"GET", "POST"}
    assert View.allowed_methods() == frozenset()
    view = Items(Request("PUT", "/"))
    with pytest.raises(HTTPMethodNotAllowed) as info:
        await view
    assert info.value.allowed_methods == {"GET", "POST"}


async def test_view_must_return_a_response() -> None:
    with pytest.raises(TypeError, match=r"Bad\.get\(\) returned"):
        await Bad(Request("GET", "/"))
