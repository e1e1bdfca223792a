"""The ``ClientError`` family, with aiohttp's names and hierarchy."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from multidict import CIMultiDictProxy
from yarl import URL

from aioweb.kernel import AiowebError

if TYPE_CHECKING:
    from ._auth import BasicAuth
    from ._response import ClientResponse

__all__ = [
    "ClientConnectionError",
    "ClientConnectorCertificateError",
    "ClientConnectorError",
    "ClientConnectorSSLError",
    "ClientError",
    "ClientHttpProxyError",
    "ClientOSError",
    "ClientPayloadError",
    "ClientProxyConnectionError",
    "ClientResponseError",
    "ClientSSLError",
    "ConnectionKey",
    "ConnectionTimeoutError",
    "ContentTypeError",
    "InvalidURL",
    "RequestInfo",
    "ServerConnectionError",
    "ServerDisconnectedError",
    "ServerTimeoutError",
    "SocketTimeoutError",
    "TooManyRedirects",
]


@dataclass(frozen=True, slots=True)
class ConnectionKey:
    """What makes two requests share a pooled connection.

    Attributes:
        scheme: ``http`` or ``https``.
        host: The host name or address as in the URL.
        port: The TCP port.
        ssl: The TLS setting (``None`` is the verified default, ``False`` no
            verification, or an ``ssl.SSLContext``); irrelevant for ``http``.
        proxy: The ``http://`` proxy the connection goes through, or None, so
            proxied and direct connections never share a pool entry.
        proxy_auth: The credentials sent to the proxy, if any.
        proxy_headers: Extra headers sent to the proxy (on CONNECT, or with
            each request for plain ``http``).
    """

    scheme: str
    host: str
    port: int
    ssl: object
    proxy: URL | None = None
    proxy_auth: BasicAuth | None = None
    proxy_headers: tuple[tuple[str, str], ...] = ()
    # The pool hashes a key about six times per request: hash the fields once.
    _hash: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(
            self,
            "_hash",
            hash(
                (
                    self.scheme,
                    self.host,
                    self.port,
                    self.ssl,
                    self.proxy,
                    self.proxy_auth,
                    self.proxy_headers,
                )
            ),
        )

    def __hash__(self) -> int:
        return self._hash

    @property
    def is_ssl(self) -> bool:
        """Whether the connection uses TLS."""
        return self.scheme == "https"


@dataclass(frozen=True, slots=True)
class RequestInfo:
    """The request a response answers, as sent.

    Attributes:
        url: The URL requested (without credentials).
        method: The request method.
        headers: The request headers sent.
        real_url: The URL including its fragment.
    """

    url: URL
    method: str
    headers: CIMultiDictProxy[str]
    real_url: URL


class ClientError(AiowebError):
    """Base class of every error the client raises."""


class ClientConnectionError(ClientError):
    """The connection to the server failed, or broke."""


class ClientOSError(ClientConnectionError, OSError):
    """An OS-level error on the connection (reset, refused, unreachable...)."""


class ClientConnectorError(ClientOSError):
    """Connecting to ``host:port`` failed.

    Args:
        connection_key: Where the client tried to connect.
        os_error: The underlying error.

    Attributes:
        host: The host name.
        port: The port.
        ssl: The TLS setting used.
        os_error: The underlying error.
    """

    def __init__(self, connection_key: ConnectionKey, os_error: OSError) -> None:
        self._conn_key = connection_key
        self._os_error = os_error
        super().__init__(os_error.errno, os_error.strerror)
        self.args = (connection_key, os_error)

    @property
    def host(self) -> str:
        """The host the client tried to connect to."""
        return self._conn_key.host

    @property
    def port(self) -> int:
        """The port the client tried to connect to."""
        return self._conn_key.port

    @property
    def ssl(self) -> object:
        """The TLS setting used."""
        return self._conn_key.ssl

    @property
    def os_error(self) -> OSError:
        """The underlying error."""
        return self._os_error

    def __str__(self) -> str:
        cause = self._os_error.strerror or str(self._os_error) or type(self._os_error).__name__
        return f"Cannot connect to host {self.host}:{self.port} ssl:{self._ssl_label()} [{cause}]"

    def _ssl_label(self) -> str:
        if not self._conn_key.is_ssl:
            return "no"
        ssl = self._conn_key.ssl
        return "default" if ssl is None else ("no verification" if ssl is False else "context")


class ClientProxyConnectionError(ClientConnectorError):
    """Connecting to the proxy failed.

    ``host`` and ``port`` are the origin's; the message names the proxy.
    """

    def __str__(self) -> str:
        proxy = self._conn_key.proxy
        where = f"{proxy.host}:{proxy.port}" if proxy is not None else "?"
        cause = self._os_error.strerror or str(self._os_error) or type(self._os_error).__name__
        return f"Cannot connect to proxy {where} (for host {self.host}:{self.port}) [{cause}]"


class ClientSSLError(ClientConnectorError):
    """The TLS handshake with the server failed."""


class ClientConnectorSSLError(ClientSSLError):
    """The TLS handshake failed for a reason other than certificate verification."""


class ClientConnectorCertificateError(ClientSSLError):
    """The server's certificate did not verify (TLS verification is on by default)."""


class ServerConnectionError(ClientConnectionError):
    """The server misbehaved at the connection level."""


class ServerDisconnectedError(ServerConnectionError):
    """The server closed the connection before sending a complete response head.

    Args:
        message: What happened, naming the server.
    """

    def __init__(self, message: str = "Server disconnected") -> None:
        super().__init__(message)
        self.message = message


class ServerTimeoutError(ServerConnectionError, asyncio.TimeoutError):
    """A timeout of :class:`ClientTimeout` expired (``total`` raises this class)."""


class ConnectionTimeoutError(ServerTimeoutError):
    """``connect`` or ``sock_connect`` expired while connecting."""


class SocketTimeoutError(ServerTimeoutError):
    """``sock_read`` expired: the server sent nothing for that long."""


class ClientPayloadError(ClientError):
    """The response body could not be read completely and correctly.

    Raised for a connection closed mid-body, bad chunked framing, a body over
    ``max_response_size`` and a compressed body that does not decode.
    """


class InvalidURL(ClientError, ValueError):  # noqa: N818 - aiohttp's public name
    """The URL cannot be requested (bad syntax, no host, unsupported scheme).

    Args:
        url: The offending URL.
        description: Why it is refused.
    """

    def __init__(self, url: object, description: str | None = None) -> None:
        self.url = url
        self.description = description
        super().__init__(url, description) if description else super().__init__(url)

    def __str__(self) -> str:
        return f"{self.url} ({self.description})" if self.description else str(self.url)


class ClientResponseError(ClientError):
    """The response is an error, or is not what the request can accept.

    Args:
        request_info: The request the response answers.
        history: The redirect responses that led to it.
        status: The HTTP status (for an unparseable response: the parser's status).
        message: The reason phrase or a description of the problem.
        headers: The response headers, when there was a head.
    """

    def __init__(
        self,
        request_info: RequestInfo,
        history: Sequence[ClientResponse],
        *,
        status: int = 0,
        message: str = "",
        headers: CIMultiDictProxy[str] | None = None,
    ) -> None:
        self.request_info = request_info
        self.history = tuple(history)
        self.status = status
        self.message = message
        self.headers = headers
        super().__init__(request_info, self.history)

    def __str__(self) -> str:
        return f"{self.status}, message={self.message!r}, url={str(self.request_info.real_url)!r}"


class ClientHttpProxyError(ClientResponseError):
    """The proxy answered a CONNECT with a status other than 2xx (407: it wants credentials).

    ``status`` and ``headers`` are the proxy's; ``request_info`` describes the CONNECT.
    """


class ContentTypeError(ClientResponseError):
    """``json()`` was called on a response whose Content-Type is not the expected one."""


class TooManyRedirects(ClientResponseError):  # noqa: N818 - aiohttp's public name
    """More than ``max_redirects`` redirects were followed."""
