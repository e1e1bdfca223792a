"""``aioweb.web`` offers the aiohttp-style names DESIGN.md lists (those that exist so far)."""

from __future__ import annotations

import asyncio

import pytest

import aioweb.http
import aioweb.kernel
import aioweb.middleware
import aioweb.routing
import aioweb.static
import aioweb.websocket
from aioweb import web

# DESIGN.md "Names that must exist" in the web namespace.
REQUIRED = [
    "Application", "AppKey", "Request", "StreamResponse", "Response", "json_response",
    "FileResponse", "WebSocketResponse", "WSMsgType", "WSCloseCode", "HTTPException",
    "HTTPFound", "HTTPNotFound", "HTTPMethodNotAllowed", "RouteTableDef", "View", "get",
    "post", "put", "patch", "delete", "head", "options", "route", "view", "static",
    "middleware", "normalize_path_middleware", "run_app", "AppRunner", "TCPSite",
    "UnixSite", "SockSite", "Server",
]  # fmt: skip


@pytest.mark.parametrize("name", REQUIRED)
def test_required_name_exists(name: str) -> None:
    assert name in web.__all__
    assert getattr(web, name) is not None


def test_every_http_status_class_is_offered() -> None:
    statuses = [n for n in aioweb.kernel.__all__ if n.startswith("HTTP")]
    assert len(statuses) > 55
    assert set(statuses) <= set(web.__all__)


@pytest.mark.parametrize(
    ("name", "owner"),
    [
        ("Application", aioweb.kernel),
        ("Response", aioweb.kernel),
        ("run_app", aioweb.http),
        ("AppRunner", aioweb.http),
        ("get", aioweb.routing),
        ("RouteTableDef", aioweb.routing),
        ("static", aioweb.routing),
        ("FileResponse", aioweb.static),
        ("WebSocketResponse", aioweb.websocket),
        ("WSMsgType", aioweb.websocket),
        ("normalize_path_middleware", aioweb.middleware),
    ],
)
def test_names_are_the_owners_objects(name: str, owner: object) -> None:
    # The facade re-exports; it never wraps (isinstance checks work across imports).
    assert getattr(web, name) is getattr(owner, name)


def test_application_gets_the_routing_router() -> None:
    app = web.Application()
    assert isinstance(app.router, aioweb.routing.UrlDispatcher)
    assert isinstance(app, aioweb.kernel.Application)


def test_version() -> None:
    assert isinstance(web.__version__, str)


async def test_seed_hello_world_through_the_handler() -> None:
    async def hello(request: web.Request) -> web.Response:
        return web.Response(text="Hello, World")

    app = web.Application()
    app.add_routes([web.get("/", hello)])
    app.freeze()
    response = await app.handler(web.Request("GET", "/", app=app))
    assert isinstance(response, web.Response)
    assert (response.status, response.text) == (200, "Hello, World")
    await asyncio.sleep(0)


def test_content_coding_is_the_kernels() -> None:
    assert web.ContentCoding is aioweb.kernel.ContentCoding
    assert web.ContentCoding("gzip") is web.ContentCoding.gzip
