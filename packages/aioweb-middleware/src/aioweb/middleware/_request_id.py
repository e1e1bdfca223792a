"""``request_id_middleware``: one id per request, propagated, echoed and logged."""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from typing import Final

from aioweb.kernel import Handler, HTTPException, Middleware, Request, StreamResponse

from ._errors import MiddlewareConfigError

__all__ = [
    "REQUEST_ID_KEY",
    "RequestIdFilter",
    "current_request_id",
    "request_id_middleware",
]

#: ``request[REQUEST_ID_KEY]`` holds the request's id.
REQUEST_ID_KEY: Final = "request_id"

_current: ContextVar[str | None] = ContextVar("aioweb.middleware.request_id", default=None)
_HEADER_NAME: Final = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
# Letters, digits and a few separators: enough for UUIDs, ULIDs, base64url and the
# dotted/colon ids tracing systems use; nothing that could break a log line or a header.
_SAFE_ID: Final = re.compile(r"[A-Za-z0-9._:+=/@-]+")


def _uuid4_hex() -> str:
    return uuid.uuid4().hex


def current_request_id() -> str | None:
    """The id of the request being handled in this context (``None`` outside one)."""
    return _current.get()


class RequestIdFilter(logging.Filter):
    """Adds ``record.request_id`` (``"-"`` outside a request) to every log record.

    Attach it to a handler and use ``%(request_id)s`` in the format::

        handler.addFilter(RequestIdFilter())
        handler.setFormatter(logging.Formatter("%(request_id)s %(message)s"))

    The id comes from a context variable that :func:`request_id_middleware` sets
    while the rest of the chain runs, so it follows tasks the handler starts too.

    Args:
        name: as for ``logging.Filter``.
        default: the value used outside a request.
    """

    def __init__(self, name: str = "", *, default: str = "-") -> None:
        super().__init__(name)
        self.default = default

    def filter(self, record: logging.LogRecord) -> bool:
        """Set ``record.request_id``; never drops a record."""
        record.request_id = _current.get() or self.default
        return True


def request_id_middleware(
    *,
    header: str = "X-Request-ID",
    generator: Callable[[], str] = _uuid4_hex,
    trust_incoming: bool = True,
    max_length: int = 128,
) -> Middleware:
    """Give every request an id: the client's (when well formed) or a new one.

    An incoming ``header`` is used when there is exactly one, it is at most
    ``max_length`` characters long and uses only letters, digits and ``._:+=/@-``;
    otherwise (or with ``trust_incoming=False``) ``generator()`` makes one. The id is
    stored in ``request["request_id"]``, set in :func:`current_request_id` (and so in
    :class:`RequestIdFilter` log records) while the inner chain runs, and sent back in
    ``header`` on the response, including one from a raised ``HTTPException``.

    Args:
        header: the request and response header carrying the id.
        generator: makes a new id (default: a random UUID as 32 hex digits).
        trust_incoming: use a well-formed incoming id; turn it off when clients are
            not trusted to choose ids (e.g. no proxy in front sets the header).
        max_length: the longest incoming id accepted.

    Returns:
        The middleware.

    Raises:
        MiddlewareConfigError: an invalid header name or a ``max_length`` below 1.
    """
    if not _HEADER_NAME.fullmatch(header):
        raise MiddlewareConfigError(f"invalid header name {header!r}")
    if max_length < 1:
        raise MiddlewareConfigError(f"max_length must be at least 1, not {max_length}")

    def pick(request: Request) -> str:
        if trust_incoming:
            values = request.headers.getall(header, ())
            if len(values) == 1:
                value = values[0].strip()
                if len(value) <= max_length and _SAFE_ID.fullmatch(value):
                    return value
        return generator()

    async def request_id(request: Request, handler: Handler) -> StreamResponse:
        rid = pick(request)
        request[REQUEST_ID_KEY] = rid
        token = _current.set(rid)
        try:
            response = await handler(request)
        except HTTPException as exc:
            exc.headers[header] = rid
            raise
        finally:
            _current.reset(token)
        if not response.prepared:
            response.headers[header] = rid
        return response

    return request_id
