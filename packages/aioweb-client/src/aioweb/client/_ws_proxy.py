"""A WebSocket through an ``http://`` proxy: a CONNECT tunnel, then the opening handshake.

Both ``ws://`` and ``wss://`` go through ``CONNECT host:port`` (RFC 9110 §9.3.6).
Sending the upgrade to the proxy in absolute-form would work only with proxies
that forward ``Upgrade`` (RFC 9110 §7.8 makes it hop-by-hop, and tinyproxy,
squid's defaults and most corporate proxies drop it), so the tunnel is the one
way that works in practice. The proxy credentials and proxy headers go on the
CONNECT only; the origin never sees them. For ``wss`` TLS is started over the
tunnel and verifies the origin's certificate and host name.

The handshake itself uses the sans-IO pieces of aioweb-websocket
(``client_request``/``check_response``) and its public ``WebSocketConnection``.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Iterable, Mapping

from yarl import URL

from aioweb.http.sansio import Limits, ParseError, ResponseHead
from aioweb.http.sansio import request_head as _request_head
from aioweb.websocket import (
    ClientWebSocketResponse,
    HandshakeReader,
    WSServerHandshakeError,
    client_connection,
)
from aioweb.websocket.sansio import (
    HandshakeError,
    MaskBackend,
    check_response,
    client_request,
)

from ._auth import BasicAuth
from ._errors import (
    ClientConnectorError,
    ClientHttpProxyError,
    ClientOSError,
    ClientProxyConnectionError,
    ConnectionKey,
    ConnectionTimeoutError,
)
from ._request import host_header
from ._tunnel import TunnelProtocol, make_tunnel_protocol, open_tunnel, request_tunnel

__all__ = ["open_proxied_websocket"]


async def open_proxied_websocket(  # noqa: PLR0917 - mirrors ws_connect's options
    ws_url: URL,
    fields: Mapping[str, str],
    proxy: URL,
    proxy_auth: BasicAuth | None,
    proxy_headers: tuple[tuple[str, str], ...],
    limits: Limits,
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
    mask_backend: MaskBackend = "auto",
) -> ClientWebSocketResponse:
    """Open a WebSocket to ``ws_url`` through a CONNECT tunnel of ``proxy``.

    ``timeout`` bounds the connection to the proxy, the tunnel (and TLS) and
    the handshake, each.

    Raises:
        ClientProxyConnectionError: The proxy cannot be reached or hung up.
        ClientHttpProxyError: The proxy refused CONNECT (e.g. 407).
        ClientConnectorCertificateError: The origin's certificate did not verify.
        ConnectionTimeoutError: A step took longer than ``timeout``.
        aioweb.websocket.WSServerHandshakeError: The origin refused the handshake.
    """
    secure = ws_url.scheme == "wss"
    host = ws_url.raw_host or ""
    port = ws_url.port or (443 if secure else 80)
    key = ConnectionKey(
        "https" if secure else "http", host, port, ssl_context, proxy, proxy_auth, proxy_headers
    )
    loop = asyncio.get_running_loop()
    proxy_host, proxy_port = proxy.raw_host or "", proxy.port or 80

    def timed_out(what: str) -> ConnectionTimeoutError:
        return ConnectionTimeoutError(
            f"Connection timeout: {what} to {host}:{port} through proxy "
            f"{proxy_host}:{proxy_port} took more than {timeout} s"
        )

    try:
        transport, tunnel = await asyncio.wait_for(
            loop.create_connection(
                lambda: make_tunnel_protocol(loop, limits), proxy_host, proxy_port
            ),
            timeout,
        )
    except asyncio.TimeoutError as exc:
        raise timed_out("connecting") from exc
    except OSError as exc:
        raise ClientProxyConnectionError(key, exc) from exc
    done: asyncio.Future[tuple[ResponseHead, bytes]] = loop.create_future()
    reader = HandshakeReader(done, limits)
    try:
        stream = await _through_tunnel(transport, tunnel, key, reader, ssl_context, timeout)
        handshake = client_request(protocols=tuple(protocols), compress=compress)
        sent = [("Host", host_header(ws_url)), *handshake.headers, *fields.items()]
        stream.write(_request_head("GET", ws_url.raw_path_qs or "/", sent))
        try:
            head, rest = await asyncio.wait_for(done, timeout)
        except asyncio.TimeoutError as exc:
            raise timed_out("the WebSocket handshake") from exc
        answer = tuple((n.decode("latin-1"), v.decode("latin-1")) for n, v in head.headers)
        try:
            chosen, deflate = check_response(handshake, head.status, answer)
        except HandshakeError as exc:
            raise WSServerHandshakeError(head.status, exc.reason) from exc
    except BaseException:
        transport.abort()
        raise
    return client_connection(
        stream,
        rest,
        protocol=chosen,
        deflate=deflate,
        answer=answer,
        max_msg_size=max_msg_size,
        autoclose=autoclose,
        autoping=autoping,
        heartbeat=heartbeat,
        timeout=timeout,
        receive_timeout=receive_timeout,
        mask_backend=mask_backend,
    )


async def _through_tunnel(  # noqa: PLR0917
    transport: asyncio.Transport,
    tunnel: TunnelProtocol,
    key: ConnectionKey,
    reader: asyncio.Protocol,
    ssl_context: ssl.SSLContext | None,
    timeout: float,
) -> asyncio.Transport:
    """The tunnel's stream, ``reader`` its protocol (TLS on it for ``wss``)."""
    try:
        if key.is_ssl:
            ctx = ssl_context or ssl.create_default_context()
            return await asyncio.wait_for(open_tunnel(transport, tunnel, key, reader, ctx), timeout)
        await asyncio.wait_for(request_tunnel(transport, tunnel, key), timeout)
    except asyncio.TimeoutError as exc:
        raise ConnectionTimeoutError(
            f"Connection timeout: the proxy tunnel to {key.host}:{key.port} took more "
            f"than {timeout} s"
        ) from exc
    except ParseError as exc:
        raise ClientProxyConnectionError(
            key, OSError(f"invalid answer to CONNECT: {exc.reason}")
        ) from exc
    except (ClientConnectorError, ClientHttpProxyError):
        raise
    except ClientOSError as exc:  # the proxy hung up, or spoke first
        raise ClientProxyConnectionError(key, exc) from exc
    transport.set_protocol(reader)
    reader.connection_made(transport)
    transport.resume_reading()  # the tunnel paused it after the 2xx
    return transport
