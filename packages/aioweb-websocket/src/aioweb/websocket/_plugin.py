"""The websocket plugin: provides the ``"websocket"`` upgrade handler."""

from __future__ import annotations

import asyncio
from typing import Final

from aioweb.http.sansio import response_head
from aioweb.kernel import UPGRADE, PluginSpec, Registry, Request

from ._response import make_server_connection
from .sansio import accept_request

__all__ = ["WebSocketUpgrade", "plugin"]


class WebSocketUpgrade:
    """The ``upgrade`` extension point's ``"websocket"`` entry (kernel ``UpgradeHandler``).

    Validates the handshake, writes the ``101`` answer and returns the
    :class:`WebSocketConnection` that owns the transport from then on. Handlers
    normally use :class:`WebSocketResponse`, which goes through the writer's
    ``take_over`` instead; this entry tells the server the token is supported and
    serves servers that upgrade without a handler.

    Args:
        protocols: the subprotocols spoken.
        compress: accept permessage-deflate.
    """

    def __init__(self, *, protocols: tuple[str, ...] = (), compress: bool = True) -> None:
        self._protocols = protocols
        self._compress = compress

    def __call__(
        self, request: Request, transport: asyncio.Transport, data: bytes, /
    ) -> asyncio.BaseProtocol:
        """Answer the handshake on ``transport`` and return the connection.

        Raises:
            HandshakeError: the request is not a valid handshake (nothing was written).
        """
        accept = accept_request(
            request.method,
            request.headers.items(),
            protocols=self._protocols,
            compress=self._compress,
        )
        transport.write(response_head(101, None, accept.headers))
        conn = make_server_connection(accept)
        transport.set_protocol(conn)
        conn.connection_made(transport)
        if data:
            conn.data_received(data)
        return conn


def _setup(registry: Registry) -> None:
    registry.provide(UPGRADE, "websocket", WebSocketUpgrade())


plugin: Final = PluginSpec(name="websocket", api_version=(1, 0), setup=_setup)
