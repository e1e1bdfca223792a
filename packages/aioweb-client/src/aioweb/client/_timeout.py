"""``ClientTimeout``: the four deadlines of a request."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

__all__ = ["DEFAULT_TIMEOUT", "ClientTimeout"]


@dataclass(frozen=True, slots=True)
class ClientTimeout:
    """Timeouts in seconds; ``None`` disables one.

    Attributes:
        total: The whole request: waiting for a pooled connection, connecting,
            redirects, sending and reading the full response body
            (:class:`ServerTimeoutError`).
        connect: Getting a connection: waiting for a free pool slot plus
            connecting (:class:`ConnectionTimeoutError`).
        sock_connect: One TCP (and TLS) connection attempt
            (:class:`ConnectionTimeoutError`).
        sock_read: The longest silence while waiting for response bytes
            (:class:`SocketTimeoutError`); not counted while the body buffer is
            full and reading is paused.
    """

    total: float | None = None
    connect: float | None = None
    sock_connect: float | None = None
    sock_read: float | None = None

    def __post_init__(self) -> None:
        for name in ("total", "connect", "sock_connect", "sock_read"):
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool) or not value > 0):
                raise ValueError(f"ClientTimeout.{name} must be a positive number or None")


DEFAULT_TIMEOUT: Final = ClientTimeout(total=300.0)
"""The session default: five minutes for the whole request, as in aiohttp."""
