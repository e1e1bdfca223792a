"""The websocket plugin: provides the ``"websocket"`` upgrade handler."""

from __future__ import annotations

from typing import Final

from aioweb.kernel import UPGRADE, PluginSpec, Registry, Request, StreamResponse

from ._connection import WebSocketConnection
from ._response import negotiate
from .sansio import get_masker

__all__ = ["WebSocketUpgrade", "plugin"]


class WebSocketUpgrade:
    """The ``upgrade`` extension point's ``"websocket"`` entry (a kernel ``UpgradeHandler``).

    ``WebSocketResponse.prepare`` reaches it through ``aioweb.kernel.switch_protocols``;
    a handler may also call ``switch_protocols(request, StreamResponse(), "websocket")``
    and drive the returned :class:`WebSocketConnection` itself.
    """

    def negotiate(self, request: Request, response: StreamResponse, /) -> WebSocketConnection:
        """Validate the handshake, add the ``Sec-WebSocket-*`` headers, make the connection.

        Raises:
            HTTPBadRequest: an invalid handshake (the reason says what is wrong; a
                ``Sec-WebSocket-Version`` other than 13 also gets ``Sec-WebSocket-Version: 13``).
        """
        return negotiate(request, response)


def _setup(registry: Registry) -> None:
    # Resolve mask_backend="auto" now, while the application is being set up: importing
    # the speedups extra (~30 ms) must not stall the event loop at the first handshake.
    get_masker("auto")
    registry.provide(UPGRADE, "websocket", WebSocketUpgrade())


plugin: Final = PluginSpec(name="websocket", api_version=(1, 0), setup=_setup)
