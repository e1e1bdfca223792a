"""The request path through ``Application.handler``: routing, middleware chain, HTTP errors."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from kernel_testlib import TinyRouter, make_app, make_request, serve

from aioweb.kernel import (
    Application,
    Handler,
    HTTPBadRequest,
    HTTPException,
    HTTPForbidden,
    HTTPFound,
    HTTPMethodNotAllowed,
    HTTPMovedPermanently,
    HTTPNoContent,
    HTTPNotFound,
    HTTPPermanentRedirect,
    HTTPSeeOther,
    HTTPTemporaryRedirect,
    HTTPUnauthorized,
    MatchInfo,
    Middleware,
    Request,
    Response,
    StreamResponse,
    middleware,
)

Log = list[str]


def tracing(log: Log, name: str) -> Middleware:
    async def mw(request: Request, handler: Handler) -> StreamResponse:
        log.append(f"{name} before")
        response = await handler(request)
        log.append(f"{name} after")
        return response

    return mw


def ok_handler(
    log: Log | None = None, text: str = "ok"
) -> Callable[[Request], Awaitable[Response]]:
    async def handler(request: Request) -> Response:
        if log is not None:
            log.append("handler")
        return Response(text=text)

    return handler


def app_with(
    handler: Callable[[Request], object], *middlewares: Middleware, path: str = "/"
) -> Application:
    router = TinyRouter()
    router.add_route("GET", path, handler, name=None)
    return make_app(router, middlewares=middlewares)


# -- plain dispatch ---------------------------------------------------------------------


async def test_async_handler() -> None:
    response = await serve(app_with(ok_handler()), make_request())
    assert isinstance(response, Response)
    assert (response.status, response.text) == (200, "ok")


async def test_plain_function_handler() -> None:
    app = app_with(lambda _: Response(text="plain"))
    response = await serve(app, make_request())
    assert isinstance(response, Response)
    assert response.text == "plain"


async def test_match_info_is_set_on_the_request() -> None:
    seen: list[MatchInfo] = []

    async def handler(request: Request) -> Response:
        seen.append(request.match_info)
        return Response()

    await serve(app_with(handler), make_request())
    assert seen[0].route == ("GET", "/")
    assert seen[0].http_exception is None
    assert seen[0].current_app is None


@pytest.mark.parametrize(
    "result",
    [None, "text", b"bytes", 200, {"a": 1}],
    ids=["none", "str", "bytes", "int", "dict"],
)
@pytest.mark.parametrize("kind", ["async", "plain"])
async def test_non_response_is_a_type_error(result: object, kind: str) -> None:
    async def async_handler(_: Request) -> object:
        return result

    def plain_handler(_: Request) -> object:
        return result

    app = app_with(async_handler if kind == "async" else plain_handler)
    with pytest.raises(TypeError, match=r"returned .* not a response"):
        await serve(app, make_request())


async def test_returning_an_http_exception_is_a_type_error() -> None:
    async def handler(_: Request) -> object:
        return HTTPNotFound()

    with pytest.raises(TypeError, match="not a response"):
        await serve(app_with(handler), make_request())


async def test_other_exceptions_propagate() -> None:
    async def handler(_: Request) -> Response:
        raise ZeroDivisionError

    with pytest.raises(ZeroDivisionError):
        await serve(app_with(handler), make_request())


# -- middleware chain --------------------------------------------------------------------


async def test_onion_order() -> None:
    log: Log = []
    app = app_with(ok_handler(log), tracing(log, "m1"), tracing(log, "m2"))
    await serve(app, make_request())
    assert log == ["m1 before", "m2 before", "handler", "m2 after", "m1 after"]


@pytest.mark.parametrize(
    "decorate", [(False, False), (True, True), (True, False)], ids=["none", "both", "first"]
)
async def test_middleware_decorator_is_optional(decorate: tuple[bool, bool]) -> None:
    log: Log = []
    mws = [tracing(log, "m1"), tracing(log, "m2")]
    mws = [middleware(m) if d else m for m, d in zip(mws, decorate, strict=True)]
    await serve(app_with(ok_handler(log), *mws), make_request())
    assert log == ["m1 before", "m2 before", "handler", "m2 after", "m1 after"]


def test_middleware_decorator_returns_the_function() -> None:
    async def mw(request: Request, handler: Handler) -> StreamResponse:
        return await handler(request)

    assert middleware(mw) is mw


async def test_middleware_appended_before_freeze_is_used() -> None:
    log: Log = []
    app = app_with(ok_handler(log))
    app.middlewares.append(tracing(log, "late"))
    await serve(app, make_request())
    assert log == ["late before", "handler", "late after"]


async def test_short_circuit() -> None:
    log: Log = []

    async def gate(request: Request, handler: Handler) -> StreamResponse:
        log.append("gate")
        return Response(text="denied", status=403)

    app = app_with(ok_handler(log), tracing(log, "outer"), gate, tracing(log, "inner"))
    response = await serve(app, make_request())
    assert response.status == 403
    assert log == ["outer before", "gate", "outer after"]


async def test_middleware_can_replace_the_response() -> None:
    async def wrap(request: Request, handler: Handler) -> StreamResponse:
        response = await handler(request)
        response.headers["X-Wrapped"] = "1"
        return response

    response = await serve(app_with(ok_handler(), wrap), make_request())
    assert response.headers["X-Wrapped"] == "1"


async def test_middleware_can_change_the_request() -> None:
    async def handler(request: Request) -> Response:
        return Response(text=request["user"])

    async def auth(request: Request, handler: Handler) -> StreamResponse:
        request["user"] = "bob"
        return await handler(request)

    response = await serve(app_with(handler, auth), make_request())
    assert isinstance(response, Response)
    assert response.text == "bob"


async def test_chain_is_composed_once() -> None:
    app = app_with(ok_handler(), tracing([], "m"))
    app.freeze()
    chain = app._chains[(app,)]
    await app.handler(make_request())
    await app.handler(make_request())
    assert app._chains == {(app,): chain}


async def test_middleware_sees_http_exception_first() -> None:
    seen: list[HTTPException] = []

    async def handler(_: Request) -> Response:
        raise HTTPForbidden

    async def catcher(request: Request, handler: Handler) -> StreamResponse:
        try:
            return await handler(request)
        except HTTPException as exc:
            seen.append(exc)
            raise

    response = await serve(app_with(handler, catcher), make_request())
    assert response.status == 403
    assert [type(e) for e in seen] == [HTTPForbidden]


async def test_middleware_can_turn_http_exception_into_response() -> None:
    async def handler(_: Request) -> Response:
        raise HTTPNotFound

    async def pages(request: Request, handler: Handler) -> StreamResponse:
        try:
            return await handler(request)
        except HTTPNotFound:
            return Response(text="custom 404", status=404)

    response = await serve(app_with(handler, pages), make_request())
    assert isinstance(response, Response)
    assert response.text == "custom 404"


# -- HTTP exceptions become responses -------------------------------------------------------


def raising(exc: HTTPException) -> Callable[[Request], Awaitable[Response]]:
    async def handler(_: Request) -> Response:
        raise exc

    return handler


HTTP_ERRORS = [
    pytest.param(HTTPNotFound(), 404, "Not Found", {}, b"404: Not Found", id="404"),
    pytest.param(HTTPBadRequest(), 400, "Bad Request", {}, b"400: Bad Request", id="400"),
    pytest.param(
        HTTPUnauthorized(reason="Go Away"), 401, "Go Away", {}, b"401: Go Away", id="401-reason"
    ),
    pytest.param(HTTPForbidden(text="no way"), 403, "Forbidden", {}, b"no way", id="403-text"),
    pytest.param(
        HTTPFound("/there"), 302, "Found", {"Location": "/there"}, b"302: Found", id="302"
    ),
    pytest.param(
        HTTPMovedPermanently("https://x.example/"),
        301,
        "Moved Permanently",
        {"Location": "https://x.example/"},
        b"301: Moved Permanently",
        id="301",
    ),
    pytest.param(HTTPSeeOther("/o"), 303, "See Other", {"Location": "/o"}, None, id="303"),
    pytest.param(
        HTTPTemporaryRedirect("/t"), 307, "Temporary Redirect", {"Location": "/t"}, None, id="307"
    ),
    pytest.param(
        HTTPPermanentRedirect("/p"), 308, "Permanent Redirect", {"Location": "/p"}, None, id="308"
    ),
    pytest.param(
        HTTPMethodNotAllowed("delete", ["post", "GET"]),
        405,
        "Method Not Allowed",
        {"Allow": "GET,POST"},
        b"405: Method Not Allowed",
        id="405",
    ),
    pytest.param(
        HTTPForbidden(headers={"X-Why": "policy"}),
        403,
        "Forbidden",
        {"X-Why": "policy"},
        None,
        id="403-headers",
    ),
    pytest.param(
        HTTPBadRequest(body=b'{"e":1}', content_type="application/json"),
        400,
        "Bad Request",
        {"Content-Type": "application/json"},
        b'{"e":1}',
        id="400-json-body",
    ),
]


@pytest.mark.parametrize(("exc", "status", "reason", "headers", "body"), HTTP_ERRORS)
@pytest.mark.parametrize("where", ["handler", "middleware"])
async def test_http_exception_becomes_the_response(
    exc: HTTPException,
    *,
    status: int,
    reason: str,
    headers: dict[str, str],
    body: bytes | None,
    where: str,
) -> None:
    async def raiser(request: Request, handler: Handler) -> StreamResponse:
        raise exc

    if where == "handler":
        app = app_with(raising(exc), tracing([], "m"))
    else:
        app = app_with(ok_handler(), tracing([], "m"), raiser)
    response = await serve(app, make_request())
    assert isinstance(response, Response)
    assert (response.status, response.reason) == (status, reason)
    for name, value in headers.items():
        assert response.headers[name] == value
    if body is not None:
        assert response.body == body
    if "Content-Type" not in headers:
        assert response.headers["Content-Type"] == "text/plain; charset=utf-8"


async def test_no_content_exception_has_no_body() -> None:
    response = await serve(app_with(raising(HTTPNoContent())), make_request())
    assert isinstance(response, Response)
    assert (response.status, response.body) == (204, b"")
    assert "Content-Type" not in response.headers


@pytest.mark.parametrize(
    ("method", "path", "status", "allow"),
    [("GET", "/missing", 404, None), ("POST", "/", 405, "GET")],
    ids=["miss-404", "wrong-method-405"],
)
async def test_router_miss(method: str, path: str, status: int, allow: str | None) -> None:
    log: Log = []
    app = app_with(ok_handler(log), tracing(log, "m"))
    response = await serve(app, make_request(method, path))
    assert response.status == status
    assert response.headers.get("Allow") == allow
    assert log == ["m before"]  # middlewares run for misses too


# -- sub-applications ------------------------------------------------------------------------


async def test_subapp_middleware_chain() -> None:
    log: Log = []
    sub_router = TinyRouter()
    sub = make_app(sub_router, middlewares=[tracing(log, "sub")])
    seen: list[Application] = []

    async def handler(request: Request) -> Response:
        log.append("handler")
        seen.append(request.app)
        return Response(text="sub")

    sub_router.add_route("GET", "/x", handler, name=None)
    app = app_with(ok_handler(log), tracing(log, "root"))
    app.add_subapp("/sub", sub)
    response = await serve(app, make_request("GET", "/sub/x"))
    assert isinstance(response, Response)
    assert response.text == "sub"
    assert log == ["root before", "sub before", "handler", "sub after", "root after"]
    assert seen == [sub]
    assert (app, sub) in app._chains
    # the root's own routes still use only the root chain
    log.clear()
    await app.handler(make_request("GET", "/"))
    assert log == ["root before", "handler", "root after"]


async def test_match_info_apps_picks_the_chain() -> None:
    """A router hands the sub-app in ``MatchInfo.apps``; the kernel builds that chain."""
    log: Log = []
    sub = make_app(middlewares=[tracing(log, "sub")])

    class Fixed(TinyRouter):
        def resolve(self, request: Request, /) -> MatchInfo:
            return MatchInfo({"id": "7"}, ok_handler(log), apps=(sub,))

    app = make_app(Fixed(), middlewares=[tracing(log, "root")])
    await serve(app, make_request())
    assert log == ["root before", "sub before", "handler", "sub after", "root after"]


async def test_nested_subapps_config_dict() -> None:
    inner_router = TinyRouter()
    inner = make_app(inner_router)
    mid_router = TinyRouter()
    mid = make_app(mid_router)
    root = make_app()
    root["level"] = "root"
    root["only_root"] = 1
    mid["level"] = "mid"
    inner["level"] = "inner"
    seen: list[tuple[object, object, Application]] = []

    async def handler(request: Request) -> Response:
        config = request.config_dict
        seen.append((config["level"], config["only_root"], request.app))
        return Response()

    inner_router.add_route("GET", "/h", handler, name=None)
    mid.add_subapp("/in", inner)
    root.add_subapp("/mid", mid)
    await serve(root, make_request("GET", "/mid/in/h", app=root))
    assert seen == [("inner", 1, inner)]


async def test_subapp_http_exception_is_converted() -> None:
    sub = make_app(middlewares=[tracing([], "sub")])
    app = make_app()
    app.add_subapp("/sub", sub)
    response = await serve(app, make_request("GET", "/sub/nothing"))
    assert response.status == 404
