"""Sending one request over a pooled connection and reading its response head.

A reused connection may have been closed by the server while it sat idle; when
such a connection fails before any response byte arrives, an idempotent
request with a replayable body is sent once more on a new connection
(RFC 9110 §9.2.2 allows retrying idempotent requests automatically).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass
from typing import Final, cast

from multidict import CIMultiDict, CIMultiDictProxy, getversion
from yarl import URL

from aioweb.http.sansio import LAST_CHUNK, ParseError, encode_chunk, request_head

from ._auth import BasicAuth
from ._connection import Connection
from ._errors import (
    ClientError,
    ClientOSError,
    ClientResponseError,
    ConnectionKey,
    RequestInfo,
    ServerDisconnectedError,
)
from ._payload import Body
from ._pool import BaseConnector
from ._protocol import ClientProtocol
from ._response import ClientResponse
from ._timeout import ClientTimeout
from ._tracing import Trace
from ._tunnel import proxy_request_headers

__all__ = [
    "IDEMPOTENT",
    "Exchange",
    "ReadOptions",
    "headers_version",
    "host_header",
    "send",
    "serialized_fields",
]

IDEMPOTENT: Final = frozenset(("GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"))
#: Request lines remembered by :func:`_request_line`; the cache restarts when full.
_LINE_CACHE_SIZE: Final = 256
_request_lines: dict[tuple[str, str], bytes] = {}

#: ``multidict.getversion``: changes whenever the multidict is modified (and is
#: unique among live multidicts). Its stub wants ``MultiDict[object]``, which an
#: invariant ``CIMultiDict[str]`` is not, hence the cast.
headers_version: Final = cast("Callable[[CIMultiDict[str]], int]", getversion)


# Exchange and ReadOptions are internal and built for every request: plain slotted
# classes, since a frozen dataclass's __init__ (object.__setattr__ per field) costs
# about four times as much. Nothing mutates them after construction.
@dataclass(slots=True)
class Exchange:
    """Everything needed to send one request (one hop of a redirect chain).

    Attributes:
        method: The method.
        url: The URL, without credentials or fragment.
        real_url: The URL as requested, fragment included.
        headers: Every header to send, framing included.
        body: The body, if any.
        chunked: Send the body with chunked transfer coding.
        ssl: The TLS setting for the pool key.
        proxy: The ``http://`` proxy to go through, or None.
        proxy_auth: Credentials for the proxy.
        proxy_headers: Extra headers for the proxy.
        prebuilt: ``(multidict version of headers, their serialized field
            lines)`` when the session had them ready; used only while
            ``headers`` is unchanged (a middleware may edit it).
    """

    method: str
    url: URL
    real_url: URL
    headers: CIMultiDict[str]
    body: Body | None
    chunked: bool
    ssl: object
    proxy: URL | None = None
    proxy_auth: BasicAuth | None = None
    proxy_headers: tuple[tuple[str, str], ...] = ()
    prebuilt: tuple[int, bytes] | None = None


@dataclass(slots=True)
class ReadOptions:
    """How the response is read.

    Attributes:
        timeout: The timeouts in force.
        deadline: Loop time of the total timeout, or None.
        auto_decompress: Decode gzip/deflate bodies.
        max_size: The most body bytes accepted, or None.
        read_bufsize: Buffered body bytes that pause reading.
    """

    timeout: ClientTimeout
    deadline: float | None
    auto_decompress: bool
    max_size: int | None
    read_bufsize: int


def host_header(url: URL) -> str:
    """The Host header for ``url``: host, and the port unless it is the scheme's default."""
    host = url.raw_host or ""
    if ":" in host:
        host = f"[{host}]"  # RFC 3986 §3.2.2: IPv6 literals in brackets
    return host if url.is_default_port() else f"{host}:{url.port}"


def _target(url: URL) -> str:
    return url.raw_path_qs or "/"


def serialized_fields(headers: Iterable[tuple[str, str]]) -> bytes:
    """The header field lines of a request head and the blank line ending it.

    Raises:
        LocalProtocolError: A bad header name or value.
    """
    return request_head("GET", "/", headers)[16:]  # past "GET / HTTP/1.1\r\n"


def _request_line(method: str, target: str) -> bytes:
    """``method SP target SP HTTP/1.1 CRLF``, validated once per (method, target)."""
    key = (method, target)
    line = _request_lines.get(key)
    if line is None:
        line = request_head(method, target, ())[:-2]
        if len(_request_lines) >= _LINE_CACHE_SIZE:
            _request_lines.clear()
        _request_lines[key] = line
    return line


def _head(exchange: Exchange, key: ConnectionKey) -> bytes:
    url = exchange.url
    if key.proxy is None or key.is_ssl:
        # Direct, or through a CONNECT tunnel: the proxy's headers went on the CONNECT.
        prebuilt = exchange.prebuilt
        if prebuilt is not None and headers_version(exchange.headers) == prebuilt[0]:
            return _request_line(exchange.method, _target(url)) + prebuilt[1]
        return request_head(exchange.method, _target(url), exchange.headers.items())
    # RFC 9112 §3.2.2: a request to a proxy uses the absolute-form target.
    headers = CIMultiDict(exchange.headers)
    for name, value in proxy_request_headers(key):
        headers[name] = value
    target = str(url.with_user(None).with_fragment(None))
    return request_head(exchange.method, target, headers.items())


async def send(
    connector: BaseConnector,
    exchange: Exchange,
    options: ReadOptions,
    history: tuple[ClientResponse, ...],
    traces: tuple[Trace, ...] = (),
) -> ClientResponse:
    """Send ``exchange`` and return its response once the head has arrived.

    Raises:
        ClientResponseError: The server's response is not valid HTTP/1.1.
        ClientConnectionError: Connecting, writing or reading failed.
    """
    url = exchange.url
    key = connector._key_for(
        url.scheme,
        url.raw_host or "",
        url.port or 0,
        exchange.ssl,
        exchange.proxy,
        exchange.proxy_auth,
        exchange.proxy_headers,
    )
    head = _head(exchange, key)
    # The headers meant for the proxy (its credentials) are left out of request_info,
    # which is built only when used.
    parts = (url, exchange.method, exchange.headers, exchange.real_url)
    body = exchange.body
    loop = asyncio.get_running_loop()
    timeout = options.timeout
    for attempt in (0, 1):
        connect = timeout.connect
        if options.deadline is not None:
            left = options.deadline - loop.time()
            connect = left if connect is None else min(connect, left)
        conn = await connector.connect(
            key,
            timeout=connect,
            sock_connect=timeout.sock_connect,
            fresh=attempt > 0,
            traces=traces,
        )
        proto = conn.protocol
        try:
            proto.start_exchange(
                exchange.method,
                conn.release,
                auto_decompress=options.auto_decompress,
                max_size=options.max_size,
                read_bufsize=options.read_bufsize,
                sock_read=timeout.sock_read,
                deadline=options.deadline,
                total=timeout.total,
            )
            _write(conn, head, exchange, traces)
            for trace in traces:
                await trace.request_headers_sent(exchange.method, url, exchange.headers)
            resp_head, payload = await proto.read_head()
        except ParseError as exc:
            conn.close()
            raise ClientResponseError(
                RequestInfo(
                    url, exchange.method, CIMultiDictProxy(exchange.headers), exchange.real_url
                ),
                history,
                status=exc.status,
                message=f"Invalid response from {proto.peer}: {exc.reason}",
            ) from exc
        except (ServerDisconnectedError, ClientOSError):
            conn.close()
            if (
                attempt == 0
                and conn.reused
                and not proto.got_bytes
                and exchange.method in IDEMPOTENT
                and (body is None or body.replayable)
            ):
                continue  # a stale pooled connection: once more on a new one
            raise
        except BaseException:
            conn.close()
            raise
        return ClientResponse(
            exchange.method,
            url,
            resp_head,
            payload,
            conn,
            parts,
            history,
            options.max_size,
        )
    raise AssertionError("unreachable")  # pragma: no cover


def _write(conn: Connection, head: bytes, exchange: Exchange, traces: tuple[Trace, ...]) -> None:
    proto = conn.protocol
    body = exchange.body
    if body is None:
        proto.write(head)
    elif body.data is not None and not traces:
        if exchange.chunked:
            proto.write(head + encode_chunk(body.data) + LAST_CHUNK)
        else:
            proto.write(head + body.data)
    else:
        proto.write(head)
        proto.writing = True
        conn.writer = asyncio.ensure_future(_stream(proto, body, exchange, traces))


async def _chunks(body: Body) -> AsyncIterator[bytes]:
    if body.data is not None:
        yield body.data
    elif body.source is not None:
        async for chunk in body.source():
            yield chunk


async def _stream(
    proto: ClientProtocol, body: Body, exchange: Exchange, traces: tuple[Trace, ...]
) -> None:
    sent = 0
    chunked = exchange.chunked
    try:
        async for chunk in _chunks(body):
            if not chunk:
                continue
            sent += len(chunk)
            proto.write(encode_chunk(chunk) if chunked else chunk)
            for trace in traces:
                await trace.request_chunk_sent(exchange.method, exchange.url, chunk)
            await proto.drain()
        if chunked:
            proto.write(LAST_CHUNK)
        elif body.length is not None and sent != body.length:
            raise ValueError(
                f"the request body had {sent} bytes, Content-Length said {body.length}"
            )
    except asyncio.CancelledError:
        raise
    except ClientError:
        proto.close()  # the connection failed; the reader reports it
    except Exception as exc:
        proto.fail(exc)
    finally:
        proto.writing = False
