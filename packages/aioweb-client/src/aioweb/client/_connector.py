"""Connectors: a pool of keep-alive connections with total and per-host limits.

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
import socket
import ssl
import warnings
from collections import deque
from collections.abc import Awaitable, Callable
from ssl import SSLContext
from typing import Final, TypeVar

from aioweb.http.sansio import DEFAULT_LIMITS, Limits

from ._errors import (
    ClientConnectionError,
    ClientConnectorCertificateError,
    ClientConnectorError,
    ClientConnectorSSLError,
    ConnectionKey,
    ConnectionTimeoutError,
)
from ._protocol import ClientProtocol

__all__ = ["BaseConnector", "Connection", "TCPConnector", "UnixConnector"]

T = TypeVar("T")
_CLOSE_WAIT: Final = 1.0


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

    async def connect(
        self,
        key: ConnectionKey,
        *,
        timeout: float | None = None,
        sock_connect: float | None = None,
        fresh: bool = False,
    ) -> Connection:
        """Lend a connection for ``key``: an idle one, or a new one.

        Args:
            key: Where to connect.
            timeout: Seconds to wait for a slot and connect, or None.
            sock_connect: Seconds for one connection attempt, or None.
            fresh: Do not reuse an idle connection.

        Raises:
            ConnectionTimeoutError: ``timeout`` or ``sock_connect`` expired.
            ClientConnectorError: The connection could not be made.
            ClientConnectionError: The connector is closed.
        """
        if self._closed:
            raise ClientConnectionError("the connector is closed")
        loop = asyncio.get_running_loop()
        deadline = None if timeout is None else loop.time() + timeout
        await self._acquire_slot(key, deadline)
        try:
            proto = None if fresh else self._pop_idle(key)
            reused = proto is not None
            if proto is None:
                attempt = sock_connect
                if deadline is not None:
                    left = deadline - loop.time()
                    attempt = left if attempt is None else min(attempt, left)
                proto = await self._open(key, attempt)
            if self.closed:  # closed while we were connecting
                proto.abort()
                raise ClientConnectionError("the connector was closed while connecting")
        except BaseException:
            self._release_slot(key)
            raise
        self._acquired.add(proto)
        return Connection(self, key, proto, reused)

    async def _open(self, key: ConnectionKey, timeout: float | None) -> ClientProtocol:
        proto = await self._create_connection(key, timeout)
        proto.on_lost = self._on_lost
        return proto

    async def _create_connection(
        self, key: ConnectionKey, timeout: float | None
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

    async def _acquire_slot(self, key: ConnectionKey, deadline: float | None) -> None:
        if self._available(key):
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
            if proto.idle_handle is not None:
                proto.idle_handle.cancel()
                proto.idle_handle = None
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
        loop = asyncio.get_running_loop()
        proto.idle_handle = loop.call_later(self._keepalive_timeout, self._expire, key, proto)

    def _expire(self, key: ConnectionKey, proto: ClientProtocol) -> None:
        proto.idle_handle = None
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


async def _bounded(
    make: Callable[[], Awaitable[T]],
    timeout: float | None,
    on_timeout: Callable[[], BaseException],
    cleanup: Callable[[T], None],
) -> T:
    """Await ``make()`` for at most ``timeout`` seconds without leaking its result.

    ``asyncio.wait_for`` can drop a result that arrives as the timeout fires
    (Python < 3.12); here a late result is handed to ``cleanup`` instead.
    """
    task = asyncio.ensure_future(make())
    if timeout is None:
        return await task
    loop = asyncio.get_running_loop()
    timed_out = False

    def expire() -> None:
        nonlocal timed_out
        if not task.done():
            timed_out = True
            task.cancel()

    timer = loop.call_later(max(timeout, 0.0), expire)
    try:
        return await task
    except asyncio.CancelledError:
        if timed_out:
            raise on_timeout() from None
        raise
    finally:
        timer.cancel()
        if task.done() and not task.cancelled() and task.exception() is None and timed_out:
            cleanup(task.result())  # pragma: no cover - needs an exact race


class TCPConnector(BaseConnector):
    """Connections over TCP, with TLS for ``https`` and a DNS cache.

    Args:
        limit: Most connections in use at once (0: no bound).
        limit_per_host: Most connections in use per key (0: no bound).
        keepalive_timeout: Seconds an idle connection is kept.
        force_close: Close every connection after one request.
        ssl: ``None`` verifies certificates with the system CAs (the default),
            ``False`` turns verification off, or an ``ssl.SSLContext`` to use.
        family: ``socket.AF_INET``, ``AF_INET6`` or 0 for both.
        local_addr: ``(host, port)`` to bind the local side to.
        ttl_dns_cache: Seconds a DNS answer is cached (None: forever, 0: never).
        limits: Limits for parsing response heads.
    """

    def __init__(
        self,
        *,
        limit: int = 100,
        limit_per_host: int = 0,
        keepalive_timeout: float = 15.0,
        force_close: bool = False,
        ssl: SSLContext | bool | None = None,
        family: int = 0,
        local_addr: tuple[str, int] | None = None,
        ttl_dns_cache: float | None = 10.0,
        limits: Limits = DEFAULT_LIMITS,
    ) -> None:
        super().__init__(
            limit=limit,
            limit_per_host=limit_per_host,
            keepalive_timeout=keepalive_timeout,
            force_close=force_close,
            limits=limits,
        )
        if ssl is True:
            ssl = None
        self._ssl = ssl
        self._family = family
        self._local_addr = local_addr
        self._ttl_dns_cache = ttl_dns_cache
        self._dns: dict[tuple[str, int], tuple[float, list[tuple[int, str, int]]]] = {}
        self._contexts: dict[object, SSLContext] = {}

    @property
    def ssl(self) -> SSLContext | bool | None:
        """The default TLS setting of this connector."""
        return self._ssl

    def clear_dns_cache(self, host: str | None = None, port: int | None = None) -> None:
        """Forget cached DNS answers (for ``host:port``, or all)."""
        if host is None:
            self._dns.clear()
        elif port is not None:
            self._dns.pop((host, port), None)

    def ssl_context(self, setting: object) -> SSLContext:
        """The context for a TLS setting (None: verified default, False: unverified)."""
        if isinstance(setting, SSLContext):
            return setting
        ctx = self._contexts.get(setting)
        if ctx is None:
            ctx = ssl.create_default_context()
            if setting is False:
                ctx.check_hostname = False
                ctx.verify_mode = ssl.CERT_NONE
            self._contexts[setting] = ctx
        return ctx

    async def _resolve(self, host: str, port: int) -> list[tuple[int, str, int]]:
        loop = asyncio.get_running_loop()
        entry = self._dns.get((host, port))
        now = loop.time()
        if entry is not None and (self._ttl_dns_cache is None or entry[0] > now):
            return entry[1]
        infos = await loop.getaddrinfo(host, port, family=self._family, type=socket.SOCK_STREAM)
        addrs: list[tuple[int, str, int]] = []
        for family, _, _, _, sockaddr in infos:
            addr = (family, str(sockaddr[0]), int(sockaddr[1]))
            if addr not in addrs:
                addrs.append(addr)
        if self._ttl_dns_cache is None or self._ttl_dns_cache > 0:
            ttl = self._ttl_dns_cache or 0.0
            self._dns[(host, port)] = (now + ttl, addrs)
        return addrs

    async def _create_connection(self, key: ConnectionKey, timeout: float | None) -> ClientProtocol:
        loop = asyncio.get_running_loop()
        setting = self._ssl if key.ssl is None else key.ssl
        ctx = self.ssl_context(setting) if key.is_ssl else None
        factory = self._make_protocol(f"{key.host}:{key.port}")
        deadline = None if timeout is None else loop.time() + timeout

        def timeout_error() -> BaseException:
            return ConnectionTimeoutError(
                f"Connection timeout to host {key.host}:{key.port} after {timeout} s"
            )

        try:
            addrs = await _bounded(
                lambda: self._resolve(key.host, key.port), timeout, timeout_error, lambda _: None
            )
        except OSError as exc:
            raise ClientConnectorError(key, exc) from exc
        last: OSError = OSError(f"no address for {key.host}")
        for family, host, port in addrs:
            left = None if deadline is None else deadline - loop.time()
            try:
                _, proto = await _bounded(
                    lambda h=host, p=port, f=family: loop.create_connection(  # type: ignore[misc]
                        factory,
                        h,
                        p,
                        ssl=ctx,
                        server_hostname=key.host if ctx is not None else None,
                        family=f,
                        local_addr=self._local_addr,
                    ),
                    left,
                    timeout_error,
                    lambda pair: pair[0].abort(),
                )
            except ssl.SSLCertVerificationError as exc:
                raise ClientConnectorCertificateError(key, exc) from exc
            except ssl.SSLError as exc:
                raise ClientConnectorSSLError(key, exc) from exc
            except OSError as exc:
                last = exc
                continue
            return proto
        raise ClientConnectorError(key, last) from last


class UnixConnector(BaseConnector):
    """Connections to a Unix domain socket, whatever the URL's host.

    Args:
        path: The socket path.
        limit: Most connections in use at once (0: no bound).
        limit_per_host: Most connections in use per key (0: no bound).
        keepalive_timeout: Seconds an idle connection is kept.
        force_close: Close every connection after one request.
        limits: Limits for parsing response heads.
    """

    def __init__(
        self,
        path: str,
        *,
        limit: int = 100,
        limit_per_host: int = 0,
        keepalive_timeout: float = 15.0,
        force_close: bool = False,
        limits: Limits = DEFAULT_LIMITS,
    ) -> None:
        super().__init__(
            limit=limit,
            limit_per_host=limit_per_host,
            keepalive_timeout=keepalive_timeout,
            force_close=force_close,
            limits=limits,
        )
        self._path = path

    @property
    def path(self) -> str:
        """The socket path."""
        return self._path

    async def _create_connection(self, key: ConnectionKey, timeout: float | None) -> ClientProtocol:
        loop = asyncio.get_running_loop()
        factory = self._make_protocol(self._path)
        try:
            _, proto = await _bounded(
                lambda: loop.create_unix_connection(factory, self._path),
                timeout,
                lambda: ConnectionTimeoutError(f"Connection timeout to {self._path}"),
                lambda pair: pair[0].abort(),
            )
        except OSError as exc:
            raise ClientConnectorError(key, exc) from exc
        return proto
