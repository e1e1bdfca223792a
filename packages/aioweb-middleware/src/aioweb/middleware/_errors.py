"""The errors of aioweb-middleware."""

from __future__ import annotations

from aioweb.kernel import AiowebError

__all__ = ["MiddlewareConfigError"]


class MiddlewareConfigError(AiowebError, ValueError):
    """A middleware factory was given a configuration that cannot work.

    Raised when the middleware is built (at setup), never while serving a request.
    It is a ``ValueError`` too, so ``except ValueError`` catches it.
    """
