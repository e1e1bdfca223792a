"""The timers of one client connection: read (silence), total, and keep-alive idle.

Each connection keeps at most one ``TimerHandle`` per kind for its whole life:
a timer that fires early (armed for an earlier exchange, or before the idle
period really ended) re-arms itself for the current due time, so a busy pooled
connection costs no new timers per request.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Final

from ._errors import ServerTimeoutError, SocketTimeoutError

__all__ = ["TimedProtocol"]

# A timer may run up to the loop's clock resolution early.
_TIMER_SLACK: Final = 1e-3


class TimedProtocol(asyncio.Protocol):
    """The timer half of :class:`~aioweb.client._protocol.ClientProtocol`.

    Subclasses keep ``_active``, ``_body_paused``, ``writing`` and ``_broken``
    up to date and implement :meth:`_fail`, which a timeout ends the exchange with.

    Args:
        loop: The running loop.
        peer: ``host:port`` (or the socket path), for error messages.
    """

    _active: bool
    _body_paused: bool
    _broken: bool
    writing: bool

    def __init__(self, loop: asyncio.AbstractEventLoop, peer: str) -> None:
        self._loop = loop
        self.peer = peer
        self._sock_read: float | None = None
        self._last_read = 0.0
        self._read_timer: asyncio.TimerHandle | None = None
        self._total_timer: asyncio.TimerHandle | None = None
        self._total: float | None = None
        self._deadline: float | None = None
        #: The keep-alive timer (see :meth:`park`); cancelled when the connection is lost.
        self.idle_handle: asyncio.TimerHandle | None = None
        self._idle_since: float | None = None
        self._idle_timeout = 0.0
        self._on_idle_expired: Callable[[], None] | None = None

    def _fail(self, exc: BaseException) -> None:  # pragma: no cover - always overridden
        raise NotImplementedError

    # -- keep-alive in the pool -----------------------------------------------------

    def park(self, timeout: float, on_expired: Callable[[], None]) -> None:
        """The connection went idle: call ``on_expired`` once it stays idle ``timeout`` s.

        The timer is armed once and re-armed lazily when it fires early, so a
        connection that is reused all the time costs no timer per request.
        """
        self._idle_since = now = self._loop.time()
        self._idle_timeout = timeout
        self._on_idle_expired = on_expired
        if self.idle_handle is None:
            self.idle_handle = self._loop.call_at(now + timeout, self._on_idle_timer)

    def unpark(self) -> None:
        """The connection left the pool: its idle time stops counting."""
        self._idle_since = None
        self._on_idle_expired = None

    def _on_idle_timer(self) -> None:
        self.idle_handle = None
        since = self._idle_since
        if since is None:
            return  # in use: the next park() arms it again
        due = since + self._idle_timeout
        if due > self._loop.time() + _TIMER_SLACK:
            self.idle_handle = self._loop.call_at(due, self._on_idle_timer)
            return
        callback, self._on_idle_expired = self._on_idle_expired, None
        self._idle_since = None
        if callback is not None:
            callback()

    # -- the exchange's timers -------------------------------------------------------

    def _arm_timers(
        self, sock_read: float | None, deadline: float | None, total: float | None
    ) -> None:
        """Start the read and total timers of a new exchange (reusing armed ones)."""
        self._sock_read = sock_read
        self._total = total
        self._deadline = deadline
        # The timers outlive an exchange and are re-armed lazily when they fire
        # early: one TimerHandle per connection rather than two per request.
        if sock_read is not None:
            self._last_read = now = self._loop.time()
            timer = self._read_timer
            if timer is None or timer.when() > now + sock_read:
                if timer is not None:
                    timer.cancel()
                self._read_timer = self._loop.call_at(now + sock_read, self._on_read_timer)
        if deadline is not None:
            timer = self._total_timer
            if timer is None or timer.when() > deadline:
                if timer is not None:
                    timer.cancel()
                self._total_timer = self._loop.call_at(deadline, self._on_total_timer)

    def _stop_timers(self) -> None:
        # The exchange ended: its timers become inert (they check _active when they
        # fire and are reused by the next exchange); closing cancels them.
        self._deadline = None
        if self._broken:
            self._cancel_timers()

    def _cancel_timers(self, *, idle: bool = False) -> None:
        if self._read_timer is not None:
            self._read_timer.cancel()
            self._read_timer = None
        if self._total_timer is not None:
            self._total_timer.cancel()
            self._total_timer = None
        if idle and self.idle_handle is not None:
            self.idle_handle.cancel()
            self.idle_handle = None

    def _on_read_timer(self) -> None:
        self._read_timer = None
        sock_read = self._sock_read
        if not self._active or sock_read is None:
            return
        now = self._loop.time()
        if self._body_paused or self.writing:
            # Our side is the slow one: the server is not silent.
            self._last_read = now
        due = self._last_read + sock_read
        if now < due:
            self._read_timer = self._loop.call_at(due, self._on_read_timer)
            return
        self._fail(
            SocketTimeoutError(
                f"Timeout on reading data from {self.peer}: nothing received for {sock_read} s"
            )
        )

    def _on_total_timer(self) -> None:
        self._total_timer = None
        deadline = self._deadline
        if not self._active or deadline is None:
            return
        if deadline > self._loop.time() + _TIMER_SLACK:
            # Armed for an earlier exchange: wait for this one's deadline.
            self._total_timer = self._loop.call_at(deadline, self._on_total_timer)
            return
        if self._active:
            self._fail(
                ServerTimeoutError(
                    f"Total timeout of {self._total} s expired for the request to {self.peer}"
                )
            )
