"""The seed example app (docs: quickstart), with ``aiohttp`` renamed ``aioweb``.

Serves http://localhost:8080 with ``python3 -m nox -s demo`` (or ``python examples/seed_app.py``):

* ``/``                 "Welcome to aioweb!"
* ``/hello``            "Hello, Anonymous"
* ``/hello/{name}``     "Hello, {name}"
* ``/welcome``          302 redirect to ``/``

The middleware prints before and after every request.  The WebSocket echo (``/ws``)
and the static files (``/static/{filename}``) of the seed join when aioweb-websocket
and aioweb-static exist.
"""

import os

from aioweb import web


# 中间件 (middleware)
async def handle_request(request, handler):
    # 在请求处理前处理请求 (before the handler)
    print("处理请求前")
    response = await handler(request)
    # 在请求处理后处理响应 (after the handler)
    print("处理请求后")
    return response


# 高级路由 (routes)
async def handle_hello(request):
    name = request.match_info.get("name", "Anonymous")
    text = "Hello, " + name
    return web.Response(text=text)


def make_app():
    app = web.Application(middlewares=[handle_request])  # 添加中间件
    app.add_routes(
        [
            web.get("/", lambda _: web.Response(text="Welcome to aioweb!")),
            web.get("/hello", handle_hello),
            web.get("/hello/{name}", handle_hello),
        ]
    )
    app.router.add_redirect("/welcome", "/")  # 具有重定向功能的路由
    return app


app = make_app()

if __name__ == "__main__":
    web.run_app(
        app,
        host=os.environ.get("AIOWEB_DEMO_HOST", "localhost"),
        port=int(os.environ.get("AIOWEB_DEMO_PORT", "8080")),
    )
