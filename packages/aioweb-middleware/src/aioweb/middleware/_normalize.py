"""``normalize_path_middleware``: redirect a 404 to the slash-normalized path that exists.

No open redirect: the ``Location`` is always a same-origin absolute path. A browser reads
``//host/x`` (and ``/\\host/x``, since WHATWG URL parsing treats ``\\`` as ``/`` in http
URLs) as a *network-path reference* to another host (RFC 3986 §4.2), so backslashes and
anything outside the RFC 3986 path characters are percent-encoded, and a candidate that
would still start with ``//`` is never offered.
"""

from __future__ import annotations

import re
from typing import Final

from aioweb.kernel import (
    AbstractRouter,
    Application,
    Handler,
    HTTPMove,
    HTTPNotFound,
    HTTPPermanentRedirect,
    Middleware,
    Request,
    StreamResponse,
)

from ._errors import MiddlewareConfigError

__all__ = ["candidate_paths", "normalize_path_middleware", "safe_location"]

_SLASHES: Final = re.compile(r"//+")
# RFC 3986 §3.3 pchar (unreserved / sub-delims / ":" / "@") plus "/" and "%" (the path is
# already percent-encoded as received); §3.4 adds "?" for the query.
_PATH_SAFE: Final = frozenset(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=:@/%"
)
_QUERY_SAFE: Final = _PATH_SAFE | {"?"}


def _encode(text: str, safe: frozenset[str]) -> str:
    if all(c in safe for c in text):
        return text
    return "".join(
        c if c in safe else "".join(f"%{b:02X}" for b in c.encode("utf-8", "surrogateescape"))
        for c in text
    )


def _resolved_path(path: str) -> str:
    """``path`` as a browser resolves it: ``\\`` read as ``/``, ``%2e`` as ``.``, and
    dot segments removed (RFC 3986 §5.2.4; WHATWG URL does the same)."""
    segments = re.sub("%2e", ".", path.replace("\\", "/"), flags=re.IGNORECASE).split("/")
    out: list[str] = []
    for i, seg in enumerate(segments[1:], 1):
        last = i == len(segments) - 1
        if seg == "..":
            if len(out) > 0:
                out.pop()
            if last:
                out.append("")
        elif seg == ".":
            if last:
                out.append("")
        else:
            out.append(seg)
    return "/" + "/".join(out)


def safe_location(path: str, query: str = "") -> str | None:
    """The ``Location`` for a same-origin redirect to ``path``, or ``None`` if unsafe.

    Args:
        path: the percent-encoded absolute path.
        query: the raw query string, without ``?``.

    Returns:
        The path (plus ``?query``) with every character outside RFC 3986's path
        characters percent-encoded, or ``None`` when it does not start with exactly one
        ``/`` (a ``//`` start would name another host), also once dot segments are
        resolved (``/.//evil.com`` resolves to ``//evil.com``).
    """
    location = _encode(path, _PATH_SAFE)
    if location[:1] != "/" or location[:2] == "//" or _resolved_path(location)[:2] == "//":
        return None
    if query:
        location += "?" + _encode(query, _QUERY_SAFE)
    return location


def candidate_paths(
    path: str, *, append_slash: bool, remove_slash: bool, merge_slashes: bool
) -> list[str]:
    """The paths to try for a 404 on ``path``, the smallest change first.

    Args:
        path: the request path as received (percent-encoded, without the query).
        append_slash: try ``path + "/"``.
        remove_slash: try ``path`` without its trailing ``/``.
        merge_slashes: try ``path`` with runs of ``/`` collapsed into one.

    Returns:
        Distinct candidates, none equal to ``path``.
    """
    merged = _SLASHES.sub("/", path) if merge_slashes else path
    found: list[str] = []
    if merged != path:
        found.append(merged)
    for base in dict.fromkeys((path, merged)):
        if append_slash and not base.endswith("/"):
            found.append(base + "/")
        if remove_slash and base.endswith("/") and len(base) > 1:
            found.append(base[:-1])
    return [p for p in dict.fromkeys(found) if p != path]


def _root_router(request: Request) -> AbstractRouter | None:
    """The router of the application the server called (sub-app routers see only
    the part of the path after their prefix, so candidates are resolved at the root)."""
    maps = request.config_dict.maps
    if len(maps) <= len(request.match_info.apps):
        return None  # a request built without an application
    root = maps[-1]
    return root.router if isinstance(root, Application) else None


def normalize_path_middleware(
    *,
    append_slash: bool = True,
    remove_slash: bool = False,
    merge_slashes: bool = True,
    redirect_class: type[HTTPMove] = HTTPPermanentRedirect,
) -> Middleware:
    """Redirect requests the router could not match to a normalized path that it can.

    The middleware acts only when the router missed (``request.match_info`` carries a
    404) *and* the inner chain answered 404 (raised ``HTTPNotFound`` or returned a 404
    response), so inner middlewares and fallbacks get their chance first. It then
    tries the candidates of :func:`candidate_paths` in order, resolving each with the
    application's router, and redirects to the first one that matches a route (a 405
    is not a match). The query string is kept. The ``Location`` is a same-origin path
    (see :func:`safe_location`): ``//evil.com`` never becomes a redirect to another host.

    Args:
        append_slash: try the path with a ``/`` appended.
        remove_slash: try the path without its trailing ``/``.
        merge_slashes: try the path with repeated ``/`` merged.
        redirect_class: the redirect to raise (``HTTPPermanentRedirect``, 308, keeps
            the method and body; ``HTTPMovedPermanently`` is aiohttp's 301).

    Returns:
        The middleware.

    Raises:
        MiddlewareConfigError: both ``append_slash`` and ``remove_slash`` are set, or
            ``redirect_class`` is not an ``HTTPMove`` subclass.
    """
    if append_slash and remove_slash:
        raise MiddlewareConfigError("append_slash and remove_slash cannot both be enabled")
    given: object = redirect_class  # checked at runtime: configuration may come from a file
    if not (isinstance(given, type) and issubclass(given, HTTPMove)):
        raise MiddlewareConfigError(
            f"redirect_class must be an HTTPMove subclass, not {redirect_class!r}"
        )

    def find(request: Request) -> str | None:
        router = _root_router(request)
        if router is None:
            return None
        raw, _, query = request.raw_path.partition("?")
        for path in candidate_paths(
            raw, append_slash=append_slash, remove_slash=remove_slash, merge_slashes=merge_slashes
        ):
            location = safe_location(path, query)
            if location is None:
                continue
            match = router.resolve(request.clone(rel_url=location))
            if match.http_exception is None:
                return location
        return None

    async def normalize_path(request: Request, handler: Handler) -> StreamResponse:
        if not isinstance(request.match_info.http_exception, HTTPNotFound):
            return await handler(request)
        try:
            response = await handler(request)
        except HTTPNotFound:
            location = find(request)
            if location is None:
                raise
            raise redirect_class(location) from None
        if response.status == 404 and not response.prepared:
            location = find(request)
            if location is not None:
                raise redirect_class(location)
        return response

    return normalize_path
