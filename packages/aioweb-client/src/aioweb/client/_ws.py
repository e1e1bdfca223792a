"""``ClientSession.ws_connect``: a WebSocket with the session's headers and cookies."""

from __future__ import annotations

import ssl
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Final

from multidict import CIMultiDict
from yarl import URL

from ._cookiejar import AbstractCookieJar
from ._errors import ClientConnectorError, ConnectionKey

if TYPE_CHECKING:
    from aioweb.websocket import ClientWebSocketResponse

__all__ = ["open_websocket"]

_TO_HTTP: Final = {"ws": "http", "wss": "https"}
_TO_WS: Final = {"http": "ws", "https": "wss"}


async def open_websocket(
    target: URL,
    defaults: CIMultiDict[str],
    jar: AbstractCookieJar,
    headers: Mapping[str, str] | None,
    *,
    protocols: Iterable[str],
    compress: bool,
    max_msg_size: int,
    autoclose: bool,
    autoping: bool,
    heartbeat: float | None,
    timeout: float,
    receive_timeout: float | None,
    ssl_context: ssl.SSLContext | None,
) -> ClientWebSocketResponse:
    """Open a WebSocket to ``target`` with the default headers and the jar's cookies.

    Raises:
        aioweb.websocket.WSServerHandshakeError: the server refused the handshake.
        ClientConnectorError: the connection failed.
    """
    from aioweb.websocket import ws_connect

    http_url = target.with_scheme(_TO_HTTP.get(target.scheme, target.scheme))
    sent: dict[str, str] = dict(defaults)
    cookies = jar.filter_cookies(http_url)
    if cookies:
        sent["Cookie"] = "; ".join(f"{m.key}={m.value}" for m in cookies.values())
    sent.update(headers or {})
    ws_url = target.with_scheme(_TO_WS.get(target.scheme, target.scheme))
    try:
        return await ws_connect(
            ws_url,
            protocols=protocols,
            headers=sent,
            compress=compress,
            max_msg_size=max_msg_size,
            autoclose=autoclose,
            autoping=autoping,
            heartbeat=heartbeat,
            timeout=timeout,
            receive_timeout=receive_timeout,
            ssl_context=ssl_context,
        )
    except OSError as exc:
        key = ConnectionKey(
            http_url.scheme, ws_url.host or "", ws_url.port or 0, ssl_context or None
        )
        raise ClientConnectorError(key, exc) from exc
