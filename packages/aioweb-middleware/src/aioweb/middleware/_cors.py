"""``cors_middleware``: Cross-Origin Resource Sharing (the Fetch standard's CORS protocol).

A preflight (``OPTIONS`` with ``Origin`` and ``Access-Control-Request-Method``) is
answered here, without reaching the handler; other requests with an allowed ``Origin``
get ``Access-Control-Allow-Origin`` added to their response.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Final, TypeAlias

from multidict import CIMultiDict

from aioweb.kernel import (
    Handler,
    HTTPException,
    Middleware,
    Request,
    Response,
    StreamResponse,
    add_vary,
)

from ._errors import MiddlewareConfigError

__all__ = ["OriginSpec", "cors_middleware"]

#: Which origins may read responses: ``"*"``, one origin, several, a pattern matched
#: against the whole ``Origin`` value, or a predicate.
OriginSpec: TypeAlias = "str | Sequence[str] | re.Pattern[str] | Callable[[str], bool]"

# An origin as browsers serialize it (scheme "://" host [":" port]), or "null". Checked
# before any configured pattern or predicate sees the value, so a loose regex can never
# make us echo a path, spaces or CR/LF.
_ORIGIN: Final = re.compile(r"[a-z][a-z0-9+.-]*://(?:\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::[0-9]{1,5})?")
_TOKEN: Final = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
_DEFAULT_METHODS: Final = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")
# Fetch: the CORS-safelisted response headers need no Access-Control-Expose-Headers.
_MAX_ORIGIN: Final = 2048


def _origin_matcher(origins: OriginSpec) -> tuple[Callable[[str], bool], bool]:
    """A predicate over well-formed origins, and whether every origin is allowed."""
    if isinstance(origins, re.Pattern):
        pattern = origins
        return (lambda origin: pattern.fullmatch(origin) is not None), False
    if callable(origins):
        return origins, False
    listed = [origins] if isinstance(origins, str) else list(origins)
    if not listed:
        raise MiddlewareConfigError("cors_middleware needs at least one allowed origin")
    if "*" in listed:
        if len(listed) > 1:
            raise MiddlewareConfigError('"*" already allows every origin: list it alone')
        return (lambda origin: True), True
    allowed: set[str] = set()
    for origin in listed:
        if not isinstance(origin, str):
            raise MiddlewareConfigError(f"an origin must be a string, not {origin!r}")
        value = origin.lower()
        if value != "null" and not _ORIGIN.fullmatch(value):
            raise MiddlewareConfigError(
                f"{origin!r} is not an origin: give scheme://host[:port], no path or slash"
            )
        allowed.add(value)
    return allowed.__contains__, False


def _tokens(values: str | Sequence[str], what: str) -> tuple[str, ...]:
    items = (values,) if isinstance(values, str) else tuple(values)
    for item in items:
        if item != "*" and not _TOKEN.fullmatch(item):
            raise MiddlewareConfigError(f"invalid {what} {item!r}")
    if "*" in items and len(items) > 1:
        raise MiddlewareConfigError(f'"*" already allows every {what}: list it alone')
    return items


def cors_middleware(
    *,
    origins: OriginSpec,
    allow_methods: str | Sequence[str] = _DEFAULT_METHODS,
    allow_headers: str | Sequence[str] = (),
    expose_headers: str | Sequence[str] = (),
    allow_credentials: bool = False,
    max_age: int | None = None,
    preflight_status: int = 204,
) -> Middleware:
    """Answer CORS preflights and add the CORS headers to cross-origin responses.

    Origins are compared case-insensitively with the ``Origin`` header, which must be
    a serialized origin (``scheme://host[:port]``) or ``null``; anything else is
    treated as not allowed. ``"null"`` is allowed only when listed (or matched).

    A preflight is answered with ``preflight_status`` and the ``Access-Control-Allow-*``
    headers; one whose origin, method or headers are not allowed gets a 403 without
    them. An allowed non-preflight request runs normally and its response (also one
    from a raised ``HTTPException``) gets ``Access-Control-Allow-Origin``,
    ``-Allow-Credentials`` and ``-Expose-Headers``. Unless every origin is allowed,
    every response gets ``Vary: Origin``, so caches keep the answers apart.

    Args:
        origins: ``"*"``, an origin, a sequence of them, a compiled pattern the whole
            origin must match, or a predicate ``(origin) -> bool``.
        allow_methods: methods a cross-origin request may use (``"*"``: any).
        allow_headers: request headers it may send, beyond the safelisted ones
            (``"*"``: any).
        expose_headers: response headers scripts may read, beyond the safelisted ones.
        allow_credentials: let cookies and HTTP authentication be sent and the response
            read (``Access-Control-Allow-Credentials: true``).
        max_age: seconds a browser may cache a preflight answer.
        preflight_status: 204 or 200 (some old clients insist on 200).

    Returns:
        The middleware.

    Raises:
        MiddlewareConfigError: an invalid origin, method or header name; an empty origin
            list; a negative ``max_age``; or ``"*"`` combined with ``allow_credentials``
            (browsers then treat ``*`` literally, or refuse the response).
    """
    matches, any_origin = _origin_matcher(origins)
    methods = _tokens(allow_methods, "method")
    headers = _tokens(allow_headers, "header name")
    exposed = _tokens(expose_headers, "header name")
    if allow_credentials and (any_origin or "*" in methods or "*" in headers or "*" in exposed):
        raise MiddlewareConfigError(
            '"*" cannot be combined with allow_credentials=True: list the origins, '
            "methods and headers explicitly"
        )
    age: object = max_age  # checked at runtime: configuration may come from a file
    if age is not None and (isinstance(age, bool) or not isinstance(age, int) or age < 0):
        raise MiddlewareConfigError(f"max_age must be a non-negative int, not {max_age!r}")
    if preflight_status not in (200, 204):
        raise MiddlewareConfigError(f"preflight_status must be 200 or 204, not {preflight_status}")
    method_set = {m.upper() for m in methods}
    header_set = {h.lower() for h in headers}
    allow_methods_value = ", ".join(methods)
    expose_value = ", ".join(exposed)

    def allowed_origin(request: Request) -> str | None:
        values = request.headers.getall("Origin", ())
        if len(values) != 1 or len(values[0]) > _MAX_ORIGIN:
            return None
        origin = values[0].strip()
        lowered = origin.lower()
        if lowered != "null" and not _ORIGIN.fullmatch(lowered):
            return None
        return origin if matches(lowered) else None

    def decorate(out: CIMultiDict[str], origin: str) -> None:
        out["Access-Control-Allow-Origin"] = "*" if any_origin else origin
        if allow_credentials:
            out["Access-Control-Allow-Credentials"] = "true"

    def preflight(request: Request, origin: str | None) -> Response:
        response = Response(status=preflight_status)
        for name in ("Origin", "Access-Control-Request-Method", "Access-Control-Request-Headers"):
            add_vary(response.headers, name)
        method = request.headers.get("Access-Control-Request-Method", "").strip()
        asked = [
            h.strip().lower()
            for h in request.headers.get("Access-Control-Request-Headers", "").split(",")
            if h.strip()
        ]
        if (
            origin is None
            or not _TOKEN.fullmatch(method)
            or ("*" not in method_set and method.upper() not in method_set)
            or ("*" not in header_set and not header_set.issuperset(asked))
        ):
            return Response(
                status=403, text="403: CORS preflight refused", headers=response.headers
            )
        decorate(response.headers, origin)
        response.headers["Access-Control-Allow-Methods"] = allow_methods_value
        if asked:
            response.headers["Access-Control-Allow-Headers"] = (
                "*" if "*" in header_set else ", ".join(asked)
            )
        if max_age is not None:
            response.headers["Access-Control-Max-Age"] = str(max_age)
        return response

    def finish(out: CIMultiDict[str], origin: str | None) -> None:
        if not any_origin:
            add_vary(out, "Origin")
        if origin is not None:
            decorate(out, origin)
            if expose_value:
                out["Access-Control-Expose-Headers"] = expose_value

    async def cors(request: Request, handler: Handler) -> StreamResponse:
        origin = allowed_origin(request) if "Origin" in request.headers else None
        if (
            request.method == "OPTIONS"
            and "Origin" in request.headers
            and "Access-Control-Request-Method" in request.headers
        ):
            return preflight(request, origin)
        try:
            response = await handler(request)
        except HTTPException as exc:
            finish(exc.headers, origin)
            raise
        if not response.prepared:
            finish(response.headers, origin)
        return response

    return cors
