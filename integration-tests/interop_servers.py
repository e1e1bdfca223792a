"""Servers that are not aioweb, for ``test_client_interop.py``; each runs as a subprocess.

    python interop_servers.py stdlib --port P --http 1.1   # http.server, keep-alive handler
    python interop_servers.py stdlib --port P --http 1.0   # http.server, one request per connection
    python interop_servers.py aiohttp --port P             # aiohttp.web

Every response carries ``X-Conn``: the client's source port, so a test can tell whether two
requests shared one connection. Both listen on 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import gzip
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

TEXT = "hello from the interop server\n"
GZIP_TEXT = "compressible line of text\n" * 2000
LATIN1_TEXT = "café, naïve, déjà vu"
STREAM_PARTS = [bytes([65 + i]) * 1000 for i in range(8)]  # b"AAA...", b"BBB...", ...


# --------------------------------------------------------------------------- http.server


class StdlibHandler(BaseHTTPRequestHandler):
    """GET/HEAD/POST routes of the stdlib server (``protocol_version`` set by ``main``)."""

    server_version = "interop-stdlib/1"

    def log_message(self, format: str, *args: Any) -> None:  # the stdlib's signature
        pass  # keep the test output quiet

    def _send(
        self,
        status: int,
        body: bytes,
        ctype: str = "text/plain; charset=utf-8",
        headers: dict[str, str] | None = None,
        *,
        length: bool = True,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("X-Conn", str(self.client_address[1]))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if length:
            self.send_header("Content-Length", str(len(body)))
        else:  # the body ends when the connection does (RFC 9112 §6.3 rule 8)
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _route(self) -> None:
        path = self.path
        # Read any request body first: left unread it would be taken for the next request.
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else b""
        if path == "/text":
            self._send(200, TEXT.encode())
        elif path == "/gzip":
            self._send(200, gzip.compress(GZIP_TEXT.encode()), headers={"Content-Encoding": "gzip"})
        elif path == "/latin1":
            self._send(200, LATIN1_TEXT.encode("latin-1"), "text/plain; charset=latin-1")
        elif path == "/until-close":
            self._send(200, TEXT.encode() * 100, length=False)
        elif path == "/redirect":
            self._send(302, b"", headers={"Location": "/text"})
        elif path == "/redirect307":
            self._send(307, b"", headers={"Location": "/echo"})
        elif path == "/setcookie":
            self._send(200, b"ok", headers={"Set-Cookie": "sid=std123; Path=/"})
        elif path == "/cookies":
            self._send(200, (self.headers.get("Cookie") or "").encode())
        elif path == "/echo":
            self._send(200, body, "application/octet-stream", {"X-Method": self.command})
        else:
            self._send(404, b"not found")

    do_GET = do_HEAD = do_POST = do_PUT = _route  # noqa: N815 - the stdlib's hook names


def run_stdlib(port: int, version: str) -> None:
    StdlibHandler.protocol_version = f"HTTP/{version}"
    server = ThreadingHTTPServer(("127.0.0.1", port), StdlibHandler)
    server.daemon_threads = True
    try:
        server.serve_forever(poll_interval=0.1)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


# --------------------------------------------------------------------------- aiohttp


def run_aiohttp(port: int) -> None:
    import asyncio

    from aiohttp import WSMsgType, web

    def conn(request: web.Request) -> dict[str, str]:
        peer = request.transport.get_extra_info("peername") if request.transport else None
        return {"X-Conn": str(peer[1]) if peer else "?"}

    async def text(request: web.Request) -> web.Response:
        return web.Response(text=TEXT, headers=conn(request))

    async def json_(request: web.Request) -> web.Response:
        return web.json_response({"framework": "aiohttp", "n": [1, 2, 3]}, headers=conn(request))

    async def stream(request: web.Request) -> web.StreamResponse:
        resp = web.StreamResponse(headers=conn(request))
        resp.content_type = "application/octet-stream"
        resp.enable_chunked_encoding()
        await resp.prepare(request)
        for part in STREAM_PARTS:
            await resp.write(part)
            await asyncio.sleep(0)  # separate writes, so the chunks arrive apart
        await resp.write_eof()
        return resp

    async def gzipped(request: web.Request) -> web.Response:
        resp = web.Response(text=GZIP_TEXT, headers=conn(request))
        resp.enable_compression()
        return resp

    async def setcookie(request: web.Request) -> web.Response:
        resp = web.Response(text="ok", headers=conn(request))
        resp.set_cookie("sid", "aio456", path="/")
        resp.set_cookie("theme", "dark", path="/")
        return resp

    async def cookies(request: web.Request) -> web.Response:
        return web.json_response(dict(request.cookies), headers=conn(request))

    async def redirect(request: web.Request) -> web.Response:
        raise web.HTTPFound("/text")

    async def redirect307(request: web.Request) -> web.Response:
        raise web.HTTPTemporaryRedirect("/echo")

    async def echo(request: web.Request) -> web.Response:
        body = await request.read()
        headers = {**conn(request), "X-Method": request.method}
        return web.Response(body=body, headers=headers, content_type="application/octet-stream")

    async def ws(request: web.Request) -> web.WebSocketResponse:
        sock = web.WebSocketResponse()
        await sock.prepare(request)
        async for msg in sock:
            if msg.type == WSMsgType.TEXT:
                if msg.data == "close":
                    await sock.close()
                else:
                    await sock.send_str("echo:" + msg.data)
            elif msg.type == WSMsgType.BINARY:
                await sock.send_bytes(msg.data[::-1])
        return sock

    app = web.Application()
    app.router.add_get("/text", text)
    app.router.add_get("/json", json_)
    app.router.add_get("/stream", stream)
    app.router.add_get("/gzip", gzipped)
    app.router.add_get("/setcookie", setcookie)
    app.router.add_get("/cookies", cookies)
    app.router.add_route("*", "/redirect", redirect)
    app.router.add_route("*", "/redirect307", redirect307)
    app.router.add_route("*", "/echo", echo)
    app.router.add_get("/ws", ws)
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("kind", choices=["stdlib", "aiohttp"])
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--http", choices=["1.0", "1.1"], default="1.1")
    a = ap.parse_args()
    if a.kind == "stdlib":
        run_stdlib(a.port, a.http)
    else:
        run_aiohttp(a.port)


if __name__ == "__main__":
    main()
