"""``error_pages_middleware``: custom pages per status and a negotiated default body."""

from __future__ import annotations

import html
import json
import logging
import traceback
from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

from aioweb.kernel import (
    Handler,
    HTTPException,
    Middleware,
    Request,
    Response,
    StreamResponse,
    add_vary,
    reason_phrase,
)

from ._errors import MiddlewareConfigError
from ._negotiate import best_media_type

__all__ = ["ERROR_KEY", "error_pages_middleware", "render_error"]

#: ``request[ERROR_KEY]`` holds the exception a custom error page is rendering.
ERROR_KEY: Final = "aioweb.middleware.error"

_logger = logging.getLogger("aioweb.middleware")
#: Server preference on ties (``Accept: */*`` or none): plain text first.
_OFFERS: Final = ("text/plain", "application/json", "text/html")
#: Headers of an ``HTTPException`` that describe its own body, not the new one.
_BODY_HEADERS: Final = ("Content-Type", "Content-Length", "Content-Encoding")
_NO_PAGES: Final[Mapping[int, Handler]] = MappingProxyType({})


def render_error(
    request: Request,
    status: int,
    reason: str | None = None,
    *,
    detail: str | None = None,
) -> Response:
    """The default error response, in the media type ``Accept`` weighs highest.

    ``application/json`` gets ``{"status": 404, "reason": "Not Found"}``, ``text/html``
    a small page, anything else ``404: Not Found`` as plain text. ``detail`` (a
    traceback in debug mode) is added as ``"detail"``, a ``<pre>`` block or more lines.
    The response carries ``Vary: Accept``.

    Args:
        request: the request being answered (for its ``Accept`` header).
        status: the status code.
        reason: the reason phrase (default: the standard one).
        detail: extra text to show.

    Returns:
        The response.
    """
    reason = reason or reason_phrase(status)
    kind = best_media_type(request.headers.get("Accept"), _OFFERS)
    if kind == "application/json":
        data: dict[str, object] = {"status": status, "reason": reason}
        if detail is not None:
            data["detail"] = detail
        response = Response(text=json.dumps(data), status=status, content_type=kind)
    elif kind == "text/html":
        title = html.escape(f"{status} {reason}")
        extra = f"<pre>{html.escape(detail)}</pre>" if detail is not None else ""
        page = (
            f"<!DOCTYPE html>\n<html><head><meta charset=utf-8><title>{title}</title></head>"
            f"<body><h1>{title}</h1>{extra}</body></html>\n"
        )
        response = Response(text=page, status=status, content_type=kind)
    else:
        text = f"{status}: {reason}\n" + (f"\n{detail}" if detail is not None else "")
        response = Response(text=text, status=status)
    add_vary(response.headers, "Accept")
    return response


def _has_default_body(exc: HTTPException) -> bool:
    """Whether ``exc`` carries the family's generic ``"404: Not Found"`` body (which a
    negotiated page replaces) rather than a body the application chose (kept)."""
    return exc.body is None or exc.text == f"{exc.status}: {exc.reason}"


def _from_exception(request: Request, exc: HTTPException) -> Response:
    response = render_error(request, exc.status, exc.reason)
    for name, value in exc.headers.items():
        if name.title() not in _BODY_HEADERS:
            response.headers.add(name, value)
    return response


def error_pages_middleware(
    handlers: Mapping[int, Handler] = _NO_PAGES, *, debug: bool = False
) -> Middleware:
    """Turn errors into pages: custom handlers per status, else a negotiated default.

    - An ``HTTPException`` with a status >= 400 (raised by the handler or an inner
      middleware) goes to ``handlers[status]`` when there is one; else, if it carries
      the generic body, it becomes :func:`render_error`'s page (its headers, such as
      ``Allow``, are kept); an exception with a body of its own passes unchanged.
      Redirects and other statuses below 400 always pass unchanged.
    - Any other ``Exception`` is logged once (logger ``aioweb.middleware``, with the
      traceback) and becomes a 500: ``handlers[500]`` when given, else the default
      page, which shows the traceback only when ``debug`` is true.
    - A custom handler reads the exception from ``request[ERROR_KEY]``; if it fails
      itself, that is logged and the default page for the original status is sent.

    Returned responses are never rewritten, whatever their status: they are what the
    application chose to send.

    Args:
        handlers: ``{status: async (request) -> response}``.
        debug: include the traceback of unhandled exceptions in the 500 body. Never
            enable it in production: a traceback tells an attacker a lot.

    Returns:
        The middleware.

    Raises:
        MiddlewareConfigError: a key is not an error status (400-599) or a value is not
            callable.
    """
    pages = dict(handlers)
    for status, page in pages.items():
        key: object = status  # checked at runtime: configuration may come from a file
        if not (isinstance(key, int) and 400 <= key <= 599):
            raise MiddlewareConfigError(f"error page keys must be statuses 400-599: {status!r}")
        if not callable(page):
            raise MiddlewareConfigError(f"the error page for {status} is not callable: {page!r}")

    async def custom(request: Request, exc: Exception, status: int) -> StreamResponse | None:
        page = pages.get(status)
        if page is None:
            return None
        request[ERROR_KEY] = exc
        try:
            return await page(request)
        except Exception:
            _logger.exception(
                "the error page for %d failed on %s %r", status, request.method, request.path
            )
            return None

    async def error_pages(request: Request, handler: Handler) -> StreamResponse:
        try:
            return await handler(request)
        except HTTPException as exc:
            if exc.status < 400:
                raise
            response = await custom(request, exc, exc.status)
            if response is not None:
                return response
            if not _has_default_body(exc):
                raise
            return _from_exception(request, exc)
        except Exception as exc:
            _logger.exception("unhandled error on %s %r", request.method, request.path)
            response = await custom(request, exc, 500)
            if response is not None:
                return response
            detail = "".join(traceback.format_exception(exc)) if debug else None
            return render_error(request, 500, detail=detail)

    return error_pages
