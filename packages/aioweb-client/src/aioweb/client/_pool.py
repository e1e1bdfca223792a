"""``BaseConnector``: a pool of keep-alive connections with total and per-host limits.

A *slot* is a connection in use or being established. ``limit`` bounds all
slots, ``limit_per_host`` the slots of one :class:`ConnectionKey` (0: no bound).
A request that finds no free slot waits in one FIFO queue; a freed slot is
handed to the first waiter that may use it and reserved for it at once, so a
newcomer cannot overtake the queue and a waiter cancelled after being handed a
slot gives it back. Idle connections are kept per key, most recent first, and
closed after ``keepalive_timeout`` seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import warnings
from collections import deque
from collections.abc import Callable
from typing import Final

from yarl import URL

from aioweb.http.sansio import DEFAULT_LIMITS, Limits

from ._auth import BasicAuth
from ._connection import Connection
from ._errors import ClientConnectionError, ConnectionKey, ConnectionTimeoutError
from ._protocol import ClientProtocol
from ._tracing import Trace

__all__ = ["BaseConnector"]

_CLOSE_WAIT: Final = 1.0
#: Keys remembered by :meth:`BaseConnector._key_for`; the cache restarts when full.
_KEY_CACHE_SIZE: Final = 256


class BaseConnector:
    """The connection pool; subclasses say how to open a connection.

    Args:
        limit: Most connections in use at once (0: no bound).
        limit_per_host: Most connections in use per (scheme, host, port, ssl)
            (0: no bound).
        keepalive_timeout: Seconds an idle connection is kept for reuse.
        force_close: Close every connection after one request.
        limits: Limits for parsing response heads.
    """

    def __init__(
        self,
        *,
        limit: int = 100,
        limit_per_host: int = 0,
        keepalive_timeout: float = 15.0,
        force_close: bool = False,
        limits: Limits = DEFAULT_LIMITS,
    ) -> None:
        if limit < 0 or limit_per_host < 0:
            raise ValueError("limit and limit_per_host must be >= 0 (0 means no bound)")
        if keepalive_timeout < 0:
            raise ValueError("keepalive_timeout must be >= 0")
        self._limit = limit
        self._limit_per_host = limit_per_host
        self._keepalive_timeout = keepalive_timeout
        self._force_close = force_close
        self._limits = limits
        self._closed = False
        self._in_use = 0
        self._in_use_per_key: dict[ConnectionKey, int] = {}
        self._acquired: set[ClientProtocol] = set()
        self._idle: dict[ConnectionKey, deque[ClientProtocol]] = {}
        self._waiters: deque[tuple[ConnectionKey, asyncio.Future[None]]] = deque()
        self._keys: dict[tuple[object, ...], ConnectionKey] = {}

    @property
    def limit(self) -> int:
        """Most connections in use at once (0: no bound)."""
        return self._limit

    @property
    def limit_per_host(self) -> int:
        """Most connections in use per key (0: no bound)."""
        return self._limit_per_host

    @property
    def force_close(self) -> bool:
        """Whether connections are closed after each request."""
        return self._force_close

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called."""
        return self._closed

    @property
    def limits(self) -> Limits:
        """Limits for parsing response heads."""
        return self._limits

    def idle_count(self, key: ConnectionKey | None = None) -> int:
        """Idle pooled connections (of ``key``, or all)."""
        if key is not None:
            return len(self._idle.get(key, ()))
        return sum(map(len, self._idle.values()))

    def in_use_count(self, key: ConnectionKey | None = None) -> int:
        """Slots in use or being connected (of ``key``, or all)."""
        return self._in_use if key is None else self._in_use_per_key.get(key, 0)

    def _key_for(  # noqa: PLR0917
        self,
        scheme: str,
        host: str,
        port: int,
        ssl: object,
        proxy: URL | None,
        proxy_auth: BasicAuth | None,
        proxy_headers: tuple[tuple[str, str], ...],
    ) -> ConnectionKey:
        """The (shared) key for these fields: building a frozen key per request costs ~1 µs."""
        fields = (scheme, host, port, ssl, proxy, proxy_auth, proxy_headers)
        key = self._keys.get(fields)
        if key is None:
            if len(self._keys) >= _KEY_CACHE_SIZE:
                self._keys.clear()
            key = ConnectionKey(scheme, host, port, ssl, proxy, proxy_auth, proxy_headers)
            self._keys[fields] = key
        return key

    async def connect(
        self,
        key: ConnectionKey,
        *,
        timeout: float | None = None,
        sock_connect: float | None = None,
        fresh: bool = False,
        traces: tuple[Trace, ...] = (),
    ) -> Connection:
        """Lend a connection for ``key``: an idle one, or a new one.

        Args:
            key: Where to connect.
            timeout: Seconds to wait for a slot and connect, or None.
            sock_connect: Seconds for one connection attempt, or None.
            fresh: Do not reuse an idle connection.
            traces: The request's trace hooks (queued, create, reuse, DNS).

        Raises:
            ConnectionTimeoutError: ``timeout`` or ``sock_connect`` expired.
            ClientConnectorError: The connection could not be made.
            ClientConnectionError: The connector is closed.
        """
        if self._closed:
            raise ClientConnectionError("the connector is closed")
        loop = asyncio.get_running_loop()
        deadline = None if timeout is None else loop.time() + timeout
        if self._available(key):  # the common case: no need to await anything
            self._reserve(key)
        else:
            await self._acquire_slot(key, deadline, traces)
        try:
            proto = None if fresh else self._pop_idle(key)
            reused = proto is not None
            if proto is None:
                attempt = sock_connect
                if deadline is not None:
                    left = deadline - loop.time()
                    attempt = left if attempt is None else min(attempt, left)
                for trace in traces:
                    await trace.connection_create_start()
                proto = await self._open(key, attempt, traces)
            if self.closed:  # closed while we were connecting
                proto.abort()
                raise ClientConnectionError("the connector was closed while connecting")
        except BaseException:
            self._release_slot(key)
            raise
        self._acquired.add(proto)
        conn = Connection(self, key, proto, reused)
        if traces:
            try:
                for trace in traces:
                    await (
                        trace.connection_reuseconn() if reused else trace.connection_create_end()
                    )
            except BaseException:
                conn.close()
                raise
        return conn

    async def _open(
        self, key: ConnectionKey, timeout: float | None, traces: tuple[Trace, ...]
    ) -> ClientProtocol:
        proto = await self._create_connection(key, timeout, traces)
        proto.on_lost = self._on_lost
        return proto

    async def _create_connection(
        self, key: ConnectionKey, timeout: float | None, traces: tuple[Trace, ...]
    ) -> ClientProtocol:  # pragma: no cover - abstract
        raise NotImplementedError

    def _make_protocol(self, peer: str) -> Callable[[], ClientProtocol]:
        loop = asyncio.get_running_loop()
        return lambda: ClientProtocol(loop, peer, self._limits)

    # -- slots -----------------------------------------------------------------------

    def _available(self, key: ConnectionKey) -> bool:
        if self._limit and self._in_use >= self._limit:
            return False
        return not self._limit_per_host or self._in_use_per_key.get(key, 0) < self._limit_per_host

    def _reserve(self, key: ConnectionKey) -> None:
        self._in_use += 1
        self._in_use_per_key[key] = self._in_use_per_key.get(key, 0) + 1

    async def _acquire_slot(
        self, key: ConnectionKey, deadline: float | None, traces: tuple[Trace, ...]
    ) -> None:
        # connect() took the free slot itself: here there is none (yet).
        if traces:
            for trace in traces:
                await trace.connection_queued_start()
            await self._wait_slot(key, deadline)
            try:
                for trace in traces:
                    await trace.connection_queued_end()
            except BaseException:
                self._release_slot(key)
                raise
            return
        await self._wait_slot(key, deadline)

    async def _wait_slot(self, key: ConnectionKey, deadline: float | None) -> None:
        if self._available(key):  # freed while a trace hook ran
            self._reserve(key)
            return
        loop = asyncio.get_running_loop()
        fut: asyncio.Future[None] = loop.create_future()
        entry = (key, fut)
        self._waiters.append(entry)
        timer = None
        if deadline is not None:
            timer = loop.call_at(deadline, _expire_waiter, fut, key)
        try:
            await fut
        except BaseException:
            if fut.done() and not fut.cancelled() and fut.exception() is None:
                # Handed a slot, then cancelled before using it: pass it on.
                self._release_slot(key)
            else:
                with contextlib.suppress(ValueError):
                    self._waiters.remove(entry)
            raise
        finally:
            if timer is not None:
                timer.cancel()

    def _release_slot(self, key: ConnectionKey) -> None:
        self._in_use -= 1
        left = self._in_use_per_key[key] - 1
        if left:
            self._in_use_per_key[key] = left
        else:
            del self._in_use_per_key[key]
        self._wake()

    def _wake(self) -> None:
        waiters = self._waiters
        if not waiters:
            return
        kept: deque[tuple[ConnectionKey, asyncio.Future[None]]] = deque()
        while waiters:
            if self._limit and self._in_use >= self._limit:
                kept.extend(waiters)
                break
            key, fut = waiters.popleft()
            if fut.done():
                continue
            if self._available(key):
                self._reserve(key)
                fut.set_result(None)
            else:
                kept.append((key, fut))
        self._waiters = kept

    # -- pooling ---------------------------------------------------------------------

    def _pop_idle(self, key: ConnectionKey) -> ClientProtocol | None:
        conns = self._idle.get(key)
        while conns:
            proto = conns.pop()
            proto.unpark()
            if proto.usable:
                if not conns:
                    del self._idle[key]
                return proto
            proto.close()
        self._idle.pop(key, None)
        return None

    def _release(self, key: ConnectionKey, proto: ClientProtocol, *, close: bool) -> None:
        self._acquired.discard(proto)
        self._release_slot(key)
        if close or self._force_close or self._closed or not proto.reusable:
            proto.close()
            return
        self._idle.setdefault(key, deque()).append(proto)
        proto.park(self._keepalive_timeout, lambda: self._expire(key, proto))

    def _expire(self, key: ConnectionKey, proto: ClientProtocol) -> None:
        self._discard_idle(key, proto)
        proto.close()

    def _discard_idle(self, key: ConnectionKey, proto: ClientProtocol) -> None:
        conns = self._idle.get(key)
        if conns is not None and proto in conns:
            conns.remove(proto)
            if not conns:
                del self._idle[key]

    def _on_lost(self, proto: ClientProtocol) -> None:
        for key, conns in list(self._idle.items()):
            if proto in conns:
                self._discard_idle(key, proto)
                return

    async def close(self) -> None:
        """Close every connection, idle or in use, and fail waiting requests."""
        if self._closed:
            return
        self._closed = True
        idle = [p for conns in self._idle.values() for p in conns]
        self._idle.clear()
        for proto in idle:
            if proto.idle_handle is not None:
                proto.idle_handle.cancel()
                proto.idle_handle = None
            proto.close()  # graceful: the server sees a clean close (TLS close_notify)
        busy = list(self._acquired)
        for proto in busy:
            proto.abort()
        protos = idle + busy
        waiters, self._waiters = self._waiters, deque()
        for _, fut in waiters:
            if not fut.done():
                fut.set_exception(ClientConnectionError("the connector is closed"))
        if protos:
            closing = [asyncio.ensure_future(p.wait_closed()) for p in protos]
            _, pending = await asyncio.wait(closing, timeout=_CLOSE_WAIT)
            for task in pending:  # pragma: no cover - a transport that never closes
                task.cancel()

    def __del__(self, _warn: Callable[..., None] = warnings.warn) -> None:
        if not self._closed and (self._idle or self._acquired):
            _warn(f"Unclosed connector {self!r}", ResourceWarning, stacklevel=1)


def _expire_waiter(fut: asyncio.Future[None], key: ConnectionKey) -> None:
    if not fut.done():
        fut.set_exception(
            ConnectionTimeoutError(
                f"Connection timeout to host {key.host}:{key.port}: no free connection slot"
            )
        )
