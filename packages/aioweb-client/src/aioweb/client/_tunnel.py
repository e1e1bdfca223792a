"""CONNECT tunnels through an ``http://`` proxy for ``https`` origins (RFC 9110 §9.3.6).

The client connects to the proxy, sends ``CONNECT host:port`` (with
``Proxy-Authorization`` and the proxy headers, which therefore never reach the
origin), waits for a 2xx, then runs TLS over the tunnel with ``loop.start_tls``,
verifying the *origin's* certificate and host name. The proxy's answer is read
with the sans-IO ``ResponseParser`` of aioweb-http.
"""

from __future__ import annotations

import asyncio
import ssl
from typing import Final, cast

from multidict import CIMultiDict, CIMultiDictProxy
from yarl import URL

from aioweb.http.sansio import NEED_DATA, PAUSED, Limits, ParseError, ResponseHead, ResponseParser
from aioweb.http.sansio import request_head as _request_head

from ._errors import (
    ClientConnectorCertificateError,
    ClientConnectorSSLError,
    ClientHttpProxyError,
    ClientOSError,
    ConnectionKey,
    RequestInfo,
)

__all__ = [
    "TunnelProtocol",
    "authority",
    "connect_request",
    "make_tunnel_protocol",
    "open_tunnel",
    "proxy_request_headers",
    "request_tunnel",
]

_CONNECT: Final = "CONNECT"


def authority(host: str, port: int) -> str:
    """``host:port`` as in an authority-form target (IPv6 literals in brackets)."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def proxy_request_headers(key: ConnectionKey) -> list[tuple[str, str]]:
    """The headers meant for the proxy: its credentials and the proxy headers."""
    if key.proxy_auth is None:
        return list(key.proxy_headers)
    # proxy_auth= wins over a Proxy-Authorization given as a header.
    headers = [(n, v) for n, v in key.proxy_headers if n.lower() != "proxy-authorization"]
    headers.append(("Proxy-Authorization", key.proxy_auth.encode()))
    return headers


def connect_request(key: ConnectionKey) -> tuple[bytes, CIMultiDict[str]]:
    """The CONNECT request head for ``key``'s origin, and its headers."""
    target = authority(key.host, key.port)
    headers: CIMultiDict[str] = CIMultiDict([("Host", target)])
    headers.extend(proxy_request_headers(key))
    return _request_head(_CONNECT, target, headers.items()), headers


class TunnelProtocol(asyncio.Protocol):
    """Reads the proxy's answer to CONNECT; nothing else happens on it."""

    def __init__(self, loop: asyncio.AbstractEventLoop, limits: Limits) -> None:
        self._parser = ResponseParser(limits)
        self._parser.expect_response(_CONNECT)
        self.head: asyncio.Future[ResponseHead] = loop.create_future()
        self.transport: asyncio.Transport | None = None
        self.extra = b""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # No isinstance check: uvloop's transports implement the interface without
        # subclassing asyncio.Transport.
        self.transport = cast("asyncio.Transport", transport)

    def data_received(self, data: bytes) -> None:
        if self.head.done():
            self.extra += data  # the proxy must wait for our TLS ClientHello
            return
        self._parser.feed(data)
        self._process()

    def eof_received(self) -> bool:
        if not self.head.done():
            self._parser.feed(b"")
            self._process()
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.head.done():
            cause = f": {exc}" if exc else ""
            self.head.set_exception(
                ClientOSError(f"the proxy closed the connection before answering CONNECT{cause}")
            )

    def _process(self) -> None:
        try:
            event = self._parser.next_event()
            while event is not NEED_DATA and event is not PAUSED:
                if isinstance(event, ResponseHead) and event.status >= 200:
                    self.head.set_result(event)
                    if self.transport is not None:
                        self.transport.pause_reading()
                    rest = self._parser.next_event()
                    while rest is not NEED_DATA and rest is not PAUSED:
                        rest = self._parser.next_event()
                    if rest is PAUSED:  # a 2xx: bytes after it belong to the tunnel
                        self.extra = self._parser.trailing_data
                    return
                event = self._parser.next_event()
        except ParseError as exc:
            if not self.head.done():
                self.head.set_exception(exc)


async def request_tunnel(
    transport: asyncio.Transport, tunnel: TunnelProtocol, key: ConnectionKey
) -> None:
    """Send CONNECT for ``key``'s origin over ``transport`` and wait for a 2xx answer.

    The transport's reading is paused once the answer arrived; its protocol is
    still ``tunnel``. The caller aborts the transport on failure.

    Raises:
        ClientHttpProxyError: The proxy answered with a non-2xx status.
        ClientOSError: The proxy closed the connection or sent bytes too early.
        ParseError: The proxy's answer is not valid HTTP.
    """
    head_bytes, headers = connect_request(key)
    transport.write(head_bytes)
    head = await tunnel.head
    if not 200 <= head.status < 300:
        proxy = key.proxy or URL()
        raise ClientHttpProxyError(
            RequestInfo(proxy, _CONNECT, CIMultiDictProxy(headers), proxy),
            (),
            status=head.status,
            message=f"{head.reason} (proxy {proxy.host}:{proxy.port} refused "
            f"CONNECT {authority(key.host, key.port)})",
            headers=CIMultiDictProxy(
                CIMultiDict((n.decode("latin-1"), v.decode("latin-1")) for n, v in head.headers)
            ),
        )
    if tunnel.extra:
        # The origin speaks only after our first bytes (TLS ClientHello, or the
        # WebSocket handshake): anything earlier came from the proxy.
        raise ClientOSError("the proxy sent data before the first request through the tunnel")


async def open_tunnel(
    transport: asyncio.Transport,
    tunnel: TunnelProtocol,
    key: ConnectionKey,
    proto: asyncio.BaseProtocol,
    ctx: ssl.SSLContext,
) -> asyncio.Transport:
    """Ask the proxy behind ``transport`` for a tunnel, then start TLS for ``proto``.

    On any failure the transport is aborted before the error propagates. On
    success ``proto.connection_made`` has been called with the TLS transport,
    which is also returned.

    Raises:
        ClientHttpProxyError: The proxy answered with a non-2xx status.
        ClientConnectorCertificateError: The origin's certificate did not verify.
        ClientConnectorSSLError: The TLS handshake failed otherwise.
        ClientOSError: The proxy closed the connection or sent bytes too early.
        ParseError: The proxy's answer is not valid HTTP.
    """
    loop = asyncio.get_running_loop()
    try:
        await request_tunnel(transport, tunnel, key)
        try:
            tls = await loop.start_tls(transport, proto, ctx, server_hostname=key.host)
        except ssl.SSLCertVerificationError as exc:
            raise ClientConnectorCertificateError(key, exc) from exc
        except ssl.SSLError as exc:
            raise ClientConnectorSSLError(key, exc) from exc
        if tls is None:  # pragma: no cover - start_tls returns None only for a closed loop
            raise ClientOSError("TLS could not start over the proxy tunnel")
    except BaseException:
        transport.abort()
        raise
    proto.connection_made(tls)
    return tls


def make_tunnel_protocol(loop: asyncio.AbstractEventLoop, limits: Limits) -> TunnelProtocol:
    """A protocol that reads the proxy's answer to CONNECT."""
    return TunnelProtocol(loop, limits)
