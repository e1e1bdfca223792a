"""``timeout_middleware``: a 503 when the rest of the chain takes too long."""

from __future__ import annotations

import asyncio
import math
import sys

from aioweb.kernel import Handler, HTTPServiceUnavailable, Middleware, Request, StreamResponse

from ._errors import MiddlewareConfigError

__all__ = ["timeout_middleware"]


class _HandlerTimeoutError(Exception):
    """Carries a ``TimeoutError`` the handler raised itself through ``wait_for``
    (on 3.10 ``asyncio.TimeoutError`` is not the builtin, and the two would mix)."""

    def __init__(self, original: BaseException) -> None:
        super().__init__(original)
        self.original = original


async def _guard(handler: Handler, request: Request) -> StreamResponse:
    try:
        return await handler(request)
    except asyncio.TimeoutError as exc:
        raise _HandlerTimeoutError(exc) from exc


def timeout_middleware(seconds: float) -> Middleware:
    """Cancel the inner chain after ``seconds`` and answer 503 Service Unavailable.

    The 503 is raised as ``HTTPServiceUnavailable``, so an outer
    ``error_pages_middleware`` renders it. A ``TimeoutError`` the handler raises
    itself is not mistaken for the deadline: it propagates unchanged. The deadline
    covers the handler until it returns its response; a handler that already streamed
    part of a body when the deadline hits is cancelled and the server cuts the
    connection short.

    Uses ``asyncio.timeout`` on Python 3.11+ (no extra task) and ``asyncio.wait_for``
    on 3.10 (the handler then runs in a task of its own).

    Args:
        seconds: the deadline, a finite number above 0.

    Returns:
        The middleware.

    Raises:
        MiddlewareConfigError: ``seconds`` is not a finite positive number.
    """
    given: object = seconds  # checked at runtime: configuration may come from a file
    if (
        isinstance(given, bool)
        or not isinstance(given, int | float)
        or not math.isfinite(given)
        or given <= 0
    ):
        raise MiddlewareConfigError(f"timeout seconds must be finite and > 0, not {seconds!r}")
    delay = float(seconds)

    if sys.version_info >= (3, 11):

        async def timeout(request: Request, handler: Handler) -> StreamResponse:
            deadline = asyncio.timeout(delay)
            try:
                async with deadline:
                    return await handler(request)
            except TimeoutError:
                if deadline.expired():
                    raise HTTPServiceUnavailable() from None
                raise

    else:  # pragma: no cover - runs on Python 3.10 only

        async def timeout(request: Request, handler: Handler) -> StreamResponse:
            try:
                return await asyncio.wait_for(_guard(handler, request), delay)
            except _HandlerTimeoutError as exc:
                raise exc.original from None
            except asyncio.TimeoutError:
                raise HTTPServiceUnavailable() from None

    return timeout
