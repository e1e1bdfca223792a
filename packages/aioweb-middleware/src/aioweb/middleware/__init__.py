"""aioweb built-in middlewares: each factory returns an ``async (request, handler)`` callable.

``Application(middlewares=[a, b])`` runs them as an onion: ``a`` first on the way in,
last on the way out (see the package README for the picture).
"""

from ._compression import DEFAULT_LEVELS as DEFAULT_LEVELS
from ._compression import available_codings as available_codings
from ._compression import compression_middleware as compression_middleware
from ._compression import select_coding as select_coding
from ._cors import OriginSpec as OriginSpec
from ._cors import cors_middleware as cors_middleware
from ._error_pages import ERROR_KEY as ERROR_KEY
from ._error_pages import error_pages_middleware as error_pages_middleware
from ._error_pages import render_error as render_error
from ._errors import MiddlewareConfigError as MiddlewareConfigError
from ._normalize import normalize_path_middleware as normalize_path_middleware
from ._request_id import REQUEST_ID_KEY as REQUEST_ID_KEY
from ._request_id import RequestIdFilter as RequestIdFilter
from ._request_id import current_request_id as current_request_id
from ._request_id import request_id_middleware as request_id_middleware
from ._security import CspSource as CspSource
from ._security import security_headers_middleware as security_headers_middleware
from ._timeout import timeout_middleware as timeout_middleware
from ._version import __getattr__ as __getattr__

__all__ = [
    "DEFAULT_LEVELS",
    "ERROR_KEY",
    "REQUEST_ID_KEY",
    "CspSource",
    "MiddlewareConfigError",
    "OriginSpec",
    "RequestIdFilter",
    "available_codings",
    "compression_middleware",
    "cors_middleware",
    "current_request_id",
    "error_pages_middleware",
    "normalize_path_middleware",
    "render_error",
    "request_id_middleware",
    "security_headers_middleware",
    "select_coding",
    "timeout_middleware",
]
