"""The middleware plugin: names each built-in factory in the ``middleware`` extension point."""

from __future__ import annotations

from typing import Final

from aioweb.kernel import MIDDLEWARE, MiddlewareFactory, PluginSpec, Registry

from ._compression import compression_middleware
from ._cors import cors_middleware
from ._error_pages import error_pages_middleware
from ._normalize import normalize_path_middleware
from ._request_id import request_id_middleware
from ._security import security_headers_middleware
from ._timeout import timeout_middleware

__all__ = ["FACTORIES", "plugin"]

#: What configuration can name, and the factory each name builds a middleware with.
FACTORIES: Final[dict[str, MiddlewareFactory]] = {
    "normalize_path": normalize_path_middleware,
    "error_pages": error_pages_middleware,
    "cors": cors_middleware,
    "compression": compression_middleware,
    "security_headers": security_headers_middleware,
    "request_id": request_id_middleware,
    "timeout": timeout_middleware,
}


def _setup(registry: Registry) -> None:
    for name, factory in FACTORIES.items():
        registry.provide(MIDDLEWARE, name, factory)


plugin: Final = PluginSpec(name="middleware", api_version=(1, 0), setup=_setup)
