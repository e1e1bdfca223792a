"""Connectors that open connections: TCP (with TLS and a DNS cache) and Unix sockets.

The pool itself is :class:`~aioweb.client._pool.BaseConnector`.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
from collections.abc import Awaitable, Callable
from ssl import SSLContext
from typing import TypeVar

from aioweb.http.sansio import DEFAULT_LIMITS, Limits, ParseError

from ._connection import Connection
from ._errors import (
    ClientConnectorCertificateError,
    ClientConnectorError,
    ClientConnectorSSLError,
    ClientError,
    ClientHttpProxyError,
    ClientOSError,
    ClientProxyConnectionError,
    ConnectionKey,
    ConnectionTimeoutError,
)
from ._pool import BaseConnector
from ._protocol import ClientProtocol
from ._tracing import Trace
from ._tunnel import make_tunnel_protocol, open_tunnel

# Connection and BaseConnector are re-exported for the modules that import them from here.
__all__ = ["BaseConnector", "Connection", "TCPConnector", "UnixConnector"]

T = TypeVar("T")


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

    async def _resolve(
        self, host: str, port: int, traces: tuple[Trace, ...] = ()
    ) -> list[tuple[int, str, int]]:
        loop = asyncio.get_running_loop()
        entry = self._dns.get((host, port))
        now = loop.time()
        if entry is not None and (self._ttl_dns_cache is None or entry[0] > now):
            for trace in traces:
                await trace.dns_cache_hit(host)
            return entry[1]
        for trace in traces:
            await trace.dns_cache_miss(host)
            await trace.dns_resolvehost_start(host)
        infos = await loop.getaddrinfo(host, port, family=self._family, type=socket.SOCK_STREAM)
        addrs: list[tuple[int, str, int]] = []
        for family, _, _, _, sockaddr in infos:
            addr = (family, str(sockaddr[0]), int(sockaddr[1]))
            if addr not in addrs:
                addrs.append(addr)
        if self._ttl_dns_cache is None or self._ttl_dns_cache > 0:
            ttl = self._ttl_dns_cache or 0.0
            self._dns[(host, port)] = (now + ttl, addrs)
        for trace in traces:
            await trace.dns_resolvehost_end(host)
        return addrs

    async def _create_connection(
        self, key: ConnectionKey, timeout: float | None, traces: tuple[Trace, ...] = ()
    ) -> ClientProtocol:
        loop = asyncio.get_running_loop()
        setting = self._ssl if key.ssl is None else key.ssl
        ctx = self.ssl_context(setting) if key.is_ssl else None
        deadline = None if timeout is None else loop.time() + timeout
        proxy = key.proxy
        if proxy is None:
            host, port, what = key.host, key.port, "host"
        else:
            host, port, what = proxy.raw_host or "", proxy.port or 80, "proxy"
        error: type[ClientConnectorError] = (
            ClientConnectorError if proxy is None else ClientProxyConnectionError
        )

        def timeout_error() -> BaseException:
            return ConnectionTimeoutError(
                f"Connection timeout to {what} {host}:{port} after {timeout} s"
            )

        try:
            addrs = await _bounded(
                lambda: self._resolve(host, port, traces), timeout, timeout_error, lambda _: None
            )
        except ClientError:
            raise
        except OSError as exc:
            raise error(key, exc) from exc
        tunnel = proxy is not None and ctx is not None
        if tunnel:
            limits = self._limits

            def factory() -> asyncio.Protocol:
                return make_tunnel_protocol(loop, limits)
        else:
            factory = self._make_protocol(f"{key.host}:{key.port}")
        direct_tls = ctx if proxy is None else None
        last: OSError = OSError(f"no address for {host}")
        for family, addr, addr_port in addrs:
            left = None if deadline is None else deadline - loop.time()
            try:
                transport, proto = await _bounded(
                    lambda h=addr, p=addr_port, f=family: loop.create_connection(  # type: ignore[misc]
                        factory,
                        h,
                        p,
                        ssl=direct_tls,
                        server_hostname=key.host if direct_tls is not None else None,
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
            except ClientError:
                raise
            except OSError as exc:
                last = exc
                continue
            if not tunnel:
                assert isinstance(proto, ClientProtocol)
                return proto
            assert ctx is not None
            # No isinstance check on the transport: uvloop's do not subclass asyncio.Transport.
            return await self._through_tunnel(transport, proto, key, ctx, deadline, timeout_error)
        raise error(key, last) from last

    async def _through_tunnel(  # noqa: PLR0917
        self,
        transport: asyncio.Transport,
        tunnel: asyncio.BaseProtocol,
        key: ConnectionKey,
        ctx: SSLContext,
        deadline: float | None,
        timeout_error: Callable[[], BaseException],
    ) -> ClientProtocol:
        loop = asyncio.get_running_loop()
        proto = self._make_protocol(f"{key.host}:{key.port}")()
        left = None if deadline is None else deadline - loop.time()
        try:
            await _bounded(
                lambda: open_tunnel(transport, tunnel, key, proto, ctx),  # type: ignore[arg-type]
                left,
                timeout_error,
                lambda _: None,
            )
        except ParseError as exc:
            raise ClientProxyConnectionError(
                key, OSError(f"invalid answer to CONNECT: {exc.reason}")
            ) from exc
        except (ClientConnectorError, ClientHttpProxyError, ConnectionTimeoutError):
            raise
        except ClientOSError as exc:  # the proxy hung up, or spoke before TLS
            raise ClientProxyConnectionError(key, exc) from exc
        except BaseException:
            transport.abort()
            raise
        return proto


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

    async def _create_connection(
        self, key: ConnectionKey, timeout: float | None, traces: tuple[Trace, ...] = ()
    ) -> ClientProtocol:
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
