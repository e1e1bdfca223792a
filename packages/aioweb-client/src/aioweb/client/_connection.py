"""``Connection``: a pooled connection lent to one request."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from ._errors import ConnectionKey
from ._protocol import ClientProtocol

if TYPE_CHECKING:
    from ._pool import BaseConnector

__all__ = ["Connection"]


class Connection:
    """A pooled connection lent to one request.

    Args:
        connector: The pool it returns to.
        key: Its pool key.
        protocol: The connection itself.
        reused: Whether it served an earlier request.
    """

    __slots__ = ("_connector", "_released", "key", "protocol", "reused", "writer")

    def __init__(
        self, connector: BaseConnector, key: ConnectionKey, protocol: ClientProtocol, reused: bool
    ) -> None:
        self._connector = connector
        self.key = key
        self.protocol = protocol
        self.reused = reused
        self._released = False
        #: The task writing a streamed request body, if any.
        self.writer: asyncio.Task[None] | None = None

    @property
    def released(self) -> bool:
        """Whether the connection went back to the pool (or was closed)."""
        return self._released

    def release(self) -> None:
        """Give the connection back: pooled if its exchange ended cleanly, else closed."""
        self._give_back(close=False)

    def close(self) -> None:
        """Close the connection and free its slot."""
        self._give_back(close=True)

    def _give_back(self, *, close: bool) -> None:
        if self._released:
            return
        self._released = True
        writer = self.writer
        if writer is not None and not writer.done():
            writer.cancel()
            close = True
        self._connector._release(self.key, self.protocol, close=close)
