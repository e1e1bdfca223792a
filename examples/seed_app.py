"""The seed example app (docs: quickstart), with ``aiohttp`` renamed ``aioweb``.

Serves http://localhost:8080 with ``python3 -m nox -s demo`` (or ``python examples/seed_app.py``):

* ``/``                    "Welcome to aioweb!"
* ``/hello``               "Hello, Anonymous"
* ``/hello/{name}``        "Hello, {name}"
* ``/welcome``             302 redirect to ``/``
* ``/ws``                  the seed's WebSocket echo ("Hello, <message>"; "close" closes)
* ``/static/{filename}``   the seed's static-file handler, serving ``examples/static/``
* ``/files/``              the same directory through ``app.router.add_static``

The middleware prints before and after every request.  One change from the seed's
text besides the rename: it writes ``web.WSMsgType`` where the seed writes
``aiohttp.WSMsgType``, because ``aioweb`` is a namespace package with no attributes of
its own (``from aioweb.websocket import WSMsgType`` works too).
"""

import os
from pathlib import Path

from aioweb import web

HERE = Path(__file__).resolve().parent


# 中间件 (middleware)
async def handle_request(request, handler):
    # 在请求处理前处理请求 (before the handler)
    print("处理请求前")
    response = await handler(request)
    # 在请求处理后处理响应 (after the handler)
    print("处理请求后")
    return response


# WebSocket
async def websocket_handler(request):
    ws = web.WebSocketResponse()
    await ws.prepare(request)
    async for msg in ws:
        if msg.type == web.WSMsgType.TEXT:
            if msg.data == "close":
                await ws.close()
            else:
                await ws.send_str("Hello, {}".format(msg.data))
        elif msg.type == web.WSMsgType.ERROR:
            print("ws connection closed with exception %s" % ws.exception())
    print("websocket connection closed")
    return ws


# 静态文件 (static files)
async def handle_static(request):
    filename = request.match_info.get("filename", None)
    if not filename:
        return web.Response(status=404)
    path = str(HERE / "static") + "/" + filename
    try:
        return web.FileResponse(path)
    except FileNotFoundError:
        return web.Response(status=404)


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
            web.get("/ws", websocket_handler),
            web.get("/static/{filename}", handle_static),  # 处理静态文件
        ]
    )
    app.router.add_redirect("/welcome", "/")  # 具有重定向功能的路由
    app.router.add_static("/files", HERE / "static", show_index=True)
    return app


app = make_app()

if __name__ == "__main__":
    web.run_app(
        app,
        host=os.environ.get("AIOWEB_DEMO_HOST", "localhost"),
        port=int(os.environ.get("AIOWEB_DEMO_PORT", "8080")),
    )
