"""aioweb testing: ``TestServer``, ``TestClient``, ``make_mocked_request`` and the pytest plugin.

The pytest plugin (``aioweb.testing.pytest_plugin``, loaded through the ``pytest11``
entry point) provides the ``aioweb_client``, ``aioweb_server``, ``aioweb_raw_server``
and ``aioweb_unused_port`` fixtures.
"""

from ._client import ClientOptions as ClientOptions
from ._client import TestClient as TestClient
from ._client import WSConnectOptions as WSConnectOptions
from ._factories import AiowebClient as AiowebClient
from ._factories import AiowebRawServer as AiowebRawServer
from ._factories import AiowebServer as AiowebServer
from ._factories import AiowebUnusedPort as AiowebUnusedPort
from ._factories import ServerOptions as ServerOptions
from ._mocked import MockedWriter as MockedWriter
from ._mocked import make_mocked_request as make_mocked_request
from ._port import unused_port as unused_port
from ._server import BaseTestServer as BaseTestServer
from ._server import RawHandler as RawHandler
from ._server import RawTestServer as RawTestServer
from ._server import TestServer as TestServer
from ._version import __getattr__ as __getattr__

__all__ = [
    "AiowebClient",
    "AiowebRawServer",
    "AiowebServer",
    "AiowebUnusedPort",
    "BaseTestServer",
    "ClientOptions",
    "MockedWriter",
    "RawHandler",
    "RawTestServer",
    "ServerOptions",
    "TestClient",
    "TestServer",
    "WSConnectOptions",
    "make_mocked_request",
    "unused_port",
]
