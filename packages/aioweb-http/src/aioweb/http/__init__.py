"""aioweb HTTP/1.1: the server protocol, runners, sites and ``run_app``.

The sans-IO codec lives in :mod:`aioweb.http.sansio`.
"""

from ._access_log import DEFAULT_ACCESS_LOG_FORMAT as DEFAULT_ACCESS_LOG_FORMAT
from ._access_log import AbstractAccessLogger as AbstractAccessLogger
from ._access_log import AccessLogger as AccessLogger
from ._access_log import access_logger as access_logger
from ._protocol import HttpProtocol as HttpProtocol
from ._response_writer import ConnectionWriter as ConnectionWriter
from ._run_app import GracefulExit as GracefulExit
from ._run_app import run_app as run_app
from ._runner import AppRunner as AppRunner
from ._runner import BaseRunner as BaseRunner
from ._runner import BaseSite as BaseSite
from ._runner import RunnerOptions as RunnerOptions
from ._runner import ServerRunner as ServerRunner
from ._runner import SockSite as SockSite
from ._runner import TCPSite as TCPSite
from ._runner import UnixSite as UnixSite
from ._server import DEFAULT_SERVER_HEADER as DEFAULT_SERVER_HEADER
from ._server import Server as Server
from ._version import __getattr__ as __getattr__
from .sansio import DEFAULT_LIMITS as DEFAULT_LIMITS
from .sansio import Limits as Limits
from .sansio import LocalProtocolError as LocalProtocolError
from .sansio import ParseError as ParseError

__all__ = [
    "DEFAULT_ACCESS_LOG_FORMAT",
    "DEFAULT_LIMITS",
    "DEFAULT_SERVER_HEADER",
    "AbstractAccessLogger",
    "AccessLogger",
    "AppRunner",
    "BaseRunner",
    "BaseSite",
    "ConnectionWriter",
    "GracefulExit",
    "HttpProtocol",
    "Limits",
    "LocalProtocolError",
    "ParseError",
    "RunnerOptions",
    "Server",
    "ServerRunner",
    "SockSite",
    "TCPSite",
    "UnixSite",
    "access_logger",
    "run_app",
]
