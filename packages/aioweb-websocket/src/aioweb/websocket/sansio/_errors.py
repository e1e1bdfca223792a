"""The errors of the WebSocket codec and handshake."""

from __future__ import annotations

from aioweb.kernel import AiowebError

__all__ = ["HandshakeError", "WebSocketProtocolError"]


class WebSocketProtocolError(AiowebError):
    """The peer broke RFC 6455 (or a limit): the connection must close with ``close_code``.

    Args:
        close_code: the close code to send (1002, 1007, 1009, ...).
        reason: what was wrong, for logs and the close frame.
    """

    def __init__(self, close_code: int, reason: str) -> None:
        super().__init__(reason)
        self.close_code = close_code
        self.reason = reason


class HandshakeError(AiowebError):
    """An opening handshake was refused or is invalid.

    On the server side ``status`` is the HTTP status to answer with (400) and
    ``headers`` the fields that go with it; on the client side ``status`` is the
    status the server answered.

    Args:
        status: the HTTP status.
        reason: what was wrong.
        headers: extra response fields (``Sec-WebSocket-Version: 13`` for a wrong version).
    """

    def __init__(self, status: int, reason: str, headers: tuple[tuple[str, str], ...] = ()) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason
        self.headers = headers
