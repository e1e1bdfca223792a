"""Headless Chromium as the WebSocket client of an aioweb server (text and binary)."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import tempfile
import textwrap

import pytest

from aioweb import web
from aioweb.testing import TestServer

pytestmark = pytest.mark.loopback

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

PAGE = textwrap.dedent(
    """
    <!doctype html>
    <html><head><meta charset="utf-8"><title>pending</title></head>
    <body><pre id="out"></pre>
    <script>
    const out = [];
    const ws = new WebSocket(`ws://${location.host}/ws`);
    ws.binaryType = "arraybuffer";
    ws.onopen = () => { ws.send("hello"); ws.send(new Uint8Array([1, 2, 3, 250])); };
    ws.onmessage = (e) => {
      if (typeof e.data === "string") { out.push("text:" + e.data); }
      else { out.push("binary:" + Array.from(new Uint8Array(e.data)).join(",")); }
      if (out.length === 2) { ws.close(1000, "done"); }
    };
    ws.onclose = (e) => {
      out.push("close:" + e.code);
      fetch("/report", {method: "POST", body: out.join("\\n")});
    };
    ws.onerror = () => { out.push("error"); };
    </script></body></html>
    """
)


async def page(request: web.Request) -> web.Response:
    return web.Response(text=PAGE, content_type="text/html")


REPORTS = web.AppKey("reports", "asyncio.Queue[str]")


async def report(request: web.Request) -> web.Response:
    await request.app[REPORTS].put(await request.text())
    return web.Response(text="thanks")


async def echo(request: web.Request) -> web.WebSocketResponse:
    ws = web.WebSocketResponse()
    await ws.prepare(request)
    async for msg in ws:
        if msg.type == web.WSMsgType.TEXT:
            await ws.send_str(msg.data.upper())
        elif msg.type == web.WSMsgType.BINARY:
            await ws.send_bytes(bytes(reversed(msg.data)))
    return ws


async def test_chromium_websocket_text_and_binary() -> None:
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("CI must have chromium: .ci/run installs it with apt-get")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    app = web.Application()
    reports: asyncio.Queue[str] = asyncio.Queue()
    app[REPORTS] = reports
    app.router.add_get("/", page)
    app.router.add_get("/ws", echo)
    app.router.add_post("/report", report)
    async with TestServer(app) as server:
        with tempfile.TemporaryDirectory() as profile:
            proc = await asyncio.create_subprocess_exec(
                CHROMIUM,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                f"--user-data-dir={profile}",
                str(server.make_url("/")),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            try:
                # The page posts what it saw once its WebSocket closed (bounded wait).
                dom = await asyncio.wait_for(reports.get(), 60)
            finally:
                proc.kill()
                await proc.wait()
    assert "text:HELLO" in dom
    assert "binary:250,3,2,1" in dom
    assert "close:1000" in dom
