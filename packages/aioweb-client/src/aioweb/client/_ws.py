"""``ClientSession.ws_connect``: a WebSocket with the session's headers and cookies.

Without a proxy the connection is aioweb-websocket's ``ws_connect``; through an
``http://`` proxy it is a CONNECT tunnel (``_ws_proxy.py``), for ``ws`` and ``wss`` alike.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Final

from multidict import CIMultiDict
from yarl import URL

from aioweb.http.sansio import Limits

from ._auth import BasicAuth
from ._cookiejar import AbstractCookieJar
from ._errors import ClientConnectorError, ConnectionKey
from ._prepare import RequestBuilder
from ._proxy_env import fixed_proxy, proxy_for

if TYPE_CHECKING:
    from aioweb.websocket import ClientWebSocketResponse
    from aioweb.websocket.sansio import MaskBackend

__all__ = ["WebSocketClient"]

_TO_HTTP: Final = {"ws": "http", "wss": "https"}
_TO_WS: Final = {"http": "ws", "https": "wss"}


def _as_http_url(url: str | URL) -> str | URL:
    """``ws://``/``wss://`` as ``http://``/``https://``, so the session can resolve it."""
    try:
        parsed = URL(url)
    except (ValueError, TypeError):
        return url  # the session reports it as InvalidURL
    scheme = _TO_HTTP.get(parsed.scheme)
    return url if scheme is None else parsed.with_scheme(scheme)


async def _open_websocket(
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
    proxy: tuple[URL, BasicAuth | None] | None,
    trust_env: bool,
    proxy_headers: Mapping[str, str] | None,
    limits: Limits,
    mask_backend: MaskBackend = "auto",
) -> ClientWebSocketResponse:
    """Open a WebSocket to ``target`` with the default headers and the jar's cookies.

    ``proxy`` is the proxy given (URL and credentials) or None; with ``trust_env``
    the environment may name one (``http_proxy`` for ``ws``, ``https_proxy`` for
    ``wss``, ``no_proxy`` exclusions), as for requests.

    Raises:
        aioweb.websocket.WSServerHandshakeError: the server refused the handshake.
        ClientConnectorError: the connection failed (``ClientProxyConnectionError``
            for the proxy).
        ClientHttpProxyError: the proxy refused the tunnel.
    """
    from aioweb.websocket import ws_connect

    http_url = target.with_scheme(_TO_HTTP.get(target.scheme, target.scheme))
    sent: dict[str, str] = dict(defaults)
    cookies = jar.filter_cookies(http_url)
    if cookies:
        sent["Cookie"] = "; ".join(f"{m.key}={m.value}" for m in cookies.values())
    sent.update(headers or {})
    ws_url = target.with_scheme(_TO_WS.get(target.scheme, target.scheme))
    proxy_url, proxy_auth = proxy_for(http_url, proxy, trust_env)
    if proxy_url is not None:
        from ._ws_proxy import open_proxied_websocket  # imports aioweb.websocket

        for_proxy = list((proxy_headers or {}).items())
        for name in [n for n in sent if n.lower() == "proxy-authorization"]:
            # Meant for the proxy: it goes on the CONNECT, never through the tunnel.
            for_proxy.append(("Proxy-Authorization", sent.pop(name)))
        return await open_proxied_websocket(
            ws_url,
            sent,
            proxy_url,
            proxy_auth,
            tuple(for_proxy),
            limits,
            protocols=protocols,
            compress=compress,
            max_msg_size=max_msg_size,
            autoclose=autoclose,
            autoping=autoping,
            heartbeat=heartbeat,
            timeout=timeout,
            receive_timeout=receive_timeout,
            ssl_context=ssl_context,
            mask_backend=mask_backend,
        )
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
            mask_backend=mask_backend,
        )
    except OSError as exc:
        key = ConnectionKey(
            http_url.scheme, ws_url.host or "", ws_url.port or 0, ssl_context or None
        )
        raise ClientConnectorError(key, exc) from exc


class WebSocketClient(RequestBuilder):
    """The WebSocket half of :class:`ClientSession`."""

    _proxy: tuple[URL, BasicAuth | None] | None
    _trust_env: bool

    async def ws_connect(
        self,
        url: str | URL,
        *,
        protocols: Iterable[str] = (),
        headers: Mapping[str, str] | None = None,
        compress: bool = True,
        max_msg_size: int = 4 * 1024 * 1024,
        autoclose: bool = True,
        autoping: bool = True,
        heartbeat: float | None = None,
        timeout: float = 10.0,
        receive_timeout: float | None = None,
        ssl_context: ssl.SSLContext | None = None,
        proxy: str | URL | None = None,
        proxy_auth: BasicAuth | None = None,
        proxy_headers: Mapping[str, str] | None = None,
        mask_backend: MaskBackend = "auto",
    ) -> ClientWebSocketResponse:
        """Open a WebSocket (``http``/``https`` URLs become ``ws``/``wss``).

        Relative URLs resolve against ``base_url``; the session's default headers
        and the cookies its jar holds for the URL are sent with the handshake. The
        connection is the websocket's own (it is not taken from the pool).

        Proxies are chosen as for :meth:`request` (``proxy=``, else the session's,
        else the environment with ``trust_env``). Unlike a plain ``http`` request,
        ``ws://`` goes through a ``CONNECT`` tunnel too, as ``wss://`` does: few
        proxies forward an upgrade sent to them in absolute-form. The proxy's
        credentials and ``proxy_headers`` go on the CONNECT only.

        ``mask_backend`` picks how our frames are masked: ``"auto"`` (the compiled XOR
        of ``aioweb-websocket[speedups]`` when installed), ``"pure"`` or ``"speedups"``.

        Raises:
            aioweb.websocket.WSServerHandshakeError: the server refused the handshake.
            ClientConnectorError: the connection failed.
            ClientProxyConnectionError: the proxy could not be reached.
            ClientHttpProxyError: the proxy refused the tunnel (e.g. 407).
            InvalidURL: ``proxy`` is not an ``http://`` URL.
        """
        return await _open_websocket(
            self._build_url(_as_http_url(url), None),
            self._headers,
            self._cookie_jar,
            headers,
            protocols=protocols,
            compress=compress,
            max_msg_size=max_msg_size,
            autoclose=autoclose,
            autoping=autoping,
            heartbeat=heartbeat,
            timeout=timeout,
            receive_timeout=receive_timeout,
            ssl_context=ssl_context,
            proxy=fixed_proxy(proxy, proxy_auth, self._proxy),
            trust_env=self._trust_env,
            proxy_headers=proxy_headers,
            limits=self._connector.limits,
            mask_backend=mask_backend,
        )
