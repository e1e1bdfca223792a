"""aioweb HTTP client: ``ClientSession``, connection pool, cookies, redirects, auth, proxies.

The client reuses the sans-IO HTTP/1.1 codec of :mod:`aioweb.http.sansio`.
"""

from ._api import request as request
from ._auth import BasicAuth as BasicAuth
from ._connection import Connection as Connection
from ._connector import TCPConnector as TCPConnector
from ._connector import UnixConnector as UnixConnector
from ._cookiejar import AbstractCookieJar as AbstractCookieJar
from ._cookiejar import Cookie as Cookie
from ._cookiejar import CookieJar as CookieJar
from ._cookiejar import DummyCookieJar as DummyCookieJar
from ._errors import ClientConnectionError as ClientConnectionError
from ._errors import ClientConnectorCertificateError as ClientConnectorCertificateError
from ._errors import ClientConnectorError as ClientConnectorError
from ._errors import ClientConnectorSSLError as ClientConnectorSSLError
from ._errors import ClientError as ClientError
from ._errors import ClientHttpProxyError as ClientHttpProxyError
from ._errors import ClientOSError as ClientOSError
from ._errors import ClientPayloadError as ClientPayloadError
from ._errors import ClientProxyConnectionError as ClientProxyConnectionError
from ._errors import ClientResponseError as ClientResponseError
from ._errors import ClientSSLError as ClientSSLError
from ._errors import ConnectionKey as ConnectionKey
from ._errors import ConnectionTimeoutError as ConnectionTimeoutError
from ._errors import ContentTypeError as ContentTypeError
from ._errors import InvalidURL as InvalidURL
from ._errors import RequestInfo as RequestInfo
from ._errors import ServerConnectionError as ServerConnectionError
from ._errors import ServerDisconnectedError as ServerDisconnectedError
from ._errors import ServerTimeoutError as ServerTimeoutError
from ._errors import SocketTimeoutError as SocketTimeoutError
from ._errors import TooManyRedirects as TooManyRedirects
from ._formdata import FormData as FormData
from ._middleware import ClientHandlerType as ClientHandlerType
from ._middleware import ClientMiddlewareType as ClientMiddlewareType
from ._middleware import ClientRequest as ClientRequest
from ._options import RequestOptions as RequestOptions
from ._pool import BaseConnector as BaseConnector
from ._response import ClientResponse as ClientResponse
from ._session import ClientSession as ClientSession
from ._timeout import ClientTimeout as ClientTimeout
from ._tracing import TraceConfig as TraceConfig
from ._tracing import TraceConnectionCreateEndParams as TraceConnectionCreateEndParams
from ._tracing import TraceConnectionCreateStartParams as TraceConnectionCreateStartParams
from ._tracing import TraceConnectionQueuedEndParams as TraceConnectionQueuedEndParams
from ._tracing import TraceConnectionQueuedStartParams as TraceConnectionQueuedStartParams
from ._tracing import TraceConnectionReuseconnParams as TraceConnectionReuseconnParams
from ._tracing import TraceDnsCacheHitParams as TraceDnsCacheHitParams
from ._tracing import TraceDnsCacheMissParams as TraceDnsCacheMissParams
from ._tracing import TraceDnsResolveHostEndParams as TraceDnsResolveHostEndParams
from ._tracing import TraceDnsResolveHostStartParams as TraceDnsResolveHostStartParams
from ._tracing import TraceRequestChunkSentParams as TraceRequestChunkSentParams
from ._tracing import TraceRequestEndParams as TraceRequestEndParams
from ._tracing import TraceRequestExceptionParams as TraceRequestExceptionParams
from ._tracing import TraceRequestHeadersSentParams as TraceRequestHeadersSentParams
from ._tracing import TraceRequestRedirectParams as TraceRequestRedirectParams
from ._tracing import TraceRequestStartParams as TraceRequestStartParams
from ._tracing import TraceResponseChunkReceivedParams as TraceResponseChunkReceivedParams
from ._tracing import TraceSignal as TraceSignal
from ._version import __getattr__ as __getattr__

__all__ = [
    "AbstractCookieJar",
    "BaseConnector",
    "BasicAuth",
    "ClientConnectionError",
    "ClientConnectorCertificateError",
    "ClientConnectorError",
    "ClientConnectorSSLError",
    "ClientError",
    "ClientHandlerType",
    "ClientHttpProxyError",
    "ClientMiddlewareType",
    "ClientOSError",
    "ClientPayloadError",
    "ClientProxyConnectionError",
    "ClientRequest",
    "ClientResponse",
    "ClientResponseError",
    "ClientSSLError",
    "ClientSession",
    "ClientTimeout",
    "Connection",
    "ConnectionKey",
    "ConnectionTimeoutError",
    "ContentTypeError",
    "Cookie",
    "CookieJar",
    "DummyCookieJar",
    "FormData",
    "InvalidURL",
    "RequestInfo",
    "RequestOptions",
    "ServerConnectionError",
    "ServerDisconnectedError",
    "ServerTimeoutError",
    "SocketTimeoutError",
    "TCPConnector",
    "TooManyRedirects",
    "TraceConfig",
    "TraceConnectionCreateEndParams",
    "TraceConnectionCreateStartParams",
    "TraceConnectionQueuedEndParams",
    "TraceConnectionQueuedStartParams",
    "TraceConnectionReuseconnParams",
    "TraceDnsCacheHitParams",
    "TraceDnsCacheMissParams",
    "TraceDnsResolveHostEndParams",
    "TraceDnsResolveHostStartParams",
    "TraceRequestChunkSentParams",
    "TraceRequestEndParams",
    "TraceRequestExceptionParams",
    "TraceRequestHeadersSentParams",
    "TraceRequestRedirectParams",
    "TraceRequestStartParams",
    "TraceResponseChunkReceivedParams",
    "TraceSignal",
    "UnixConnector",
    "request",
]
