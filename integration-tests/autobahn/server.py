"""Echo server for Autobahn|Testsuite's fuzzing client (``wstest -m fuzzingclient``).

Usage: ``python server.py PORT [MASK_BACKEND]`` (``pure``, ``speedups``; default
``auto``). Serves ``ws://127.0.0.1:PORT/`` with aioweb's
``WebSocketResponse`` (16 MiB messages, permessage-deflate) and echoes every text and
binary message back as it came.
"""

from __future__ import annotations

import sys
from typing import cast

from aioweb import web
from aioweb.websocket.sansio import MaskBackend

MAX_MSG_SIZE = 16 * 1024 * 1024  # the 9.x cases send messages of up to 16 MiB


MASK = cast(MaskBackend, sys.argv[2] if len(sys.argv) > 2 else "auto")


async def echo(request: web.Request) -> web.WebSocketResponse:
    ws = web.WebSocketResponse(max_msg_size=MAX_MSG_SIZE, compress=True, mask_backend=MASK)
    await ws.prepare(request)
    async for msg in ws:
        if msg.type is web.WSMsgType.TEXT:
            await ws.send_str(msg.data)
        elif msg.type is web.WSMsgType.BINARY:
            await ws.send_bytes(msg.data)
    return ws


def main() -> None:
    port = int(sys.argv[1])
    app = web.Application()
    app.router.add_get("/", echo)
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)


if __name__ == "__main__":
    main()
