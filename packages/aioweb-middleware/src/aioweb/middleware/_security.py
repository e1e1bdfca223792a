"""``security_headers_middleware``: HSTS, nosniff, frame options, referrer policy, CSP."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Final, TypeAlias

from multidict import CIMultiDict

from aioweb.kernel import Handler, HTTPException, Middleware, Request, StreamResponse

from ._errors import MiddlewareConfigError

__all__ = ["CspSource", "security_headers_middleware"]

#: A fixed policy, or ``(request) -> policy`` (``None``: no header), e.g. to add a nonce.
CspSource: TypeAlias = "str | Callable[[Request], str | None] | None"

#: One year and subdomains: what the HSTS preload list asks as a minimum.
DEFAULT_HSTS: Final = "max-age=31536000; includeSubDomains"
_HSTS: Final = re.compile(
    r"max-age=[0-9]{1,10}(?:\s*;\s*includeSubDomains)?(?:\s*;\s*preload)?", re.IGNORECASE
)
_FRAME_OPTIONS: Final = frozenset({"DENY", "SAMEORIGIN"})
# W3C Referrer Policy §3; a comma-separated list lets older browsers fall back.
_REFERRER_POLICIES: Final = frozenset(
    {
        "no-referrer",
        "no-referrer-when-downgrade",
        "same-origin",
        "origin",
        "strict-origin",
        "origin-when-cross-origin",
        "strict-origin-when-cross-origin",
        "unsafe-url",
    }
)
_BAD_CHARS: Final = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")


def _check_value(name: str, value: str) -> str:
    if _BAD_CHARS.search(value):
        raise MiddlewareConfigError(f"{name} contains control characters: {value!r}")
    return value


def _static_headers(
    hsts: str | None,
    content_type_options: bool,
    frame_options: str | None,
    referrer_policy: str | None,
) -> tuple[tuple[tuple[str, str], ...], str | None]:
    """The fixed headers for every response, and the HSTS value (secure requests only)."""
    if hsts is not None and not _HSTS.fullmatch(hsts.strip()):
        raise MiddlewareConfigError(
            f"invalid HSTS value {hsts!r}: want max-age=N[; includeSubDomains][; preload]"
        )
    fixed: list[tuple[str, str]] = []
    if content_type_options:
        fixed.append(("X-Content-Type-Options", "nosniff"))
    if frame_options is not None:
        if frame_options.upper() not in _FRAME_OPTIONS:
            raise MiddlewareConfigError(
                f'frame_options must be "DENY", "SAMEORIGIN" or None, not {frame_options!r}'
            )
        fixed.append(("X-Frame-Options", frame_options.upper()))
    if referrer_policy is not None:
        tokens = [t.strip().lower() for t in referrer_policy.split(",")]
        if not tokens or any(t not in _REFERRER_POLICIES for t in tokens):
            raise MiddlewareConfigError(f"invalid referrer policy {referrer_policy!r}")
        fixed.append(("Referrer-Policy", ", ".join(tokens)))
    return tuple(fixed), hsts.strip() if hsts is not None else None


def security_headers_middleware(
    *,
    hsts: str | None = DEFAULT_HSTS,
    hsts_on_http: bool = False,
    content_type_options: bool = True,
    frame_options: str | None = "DENY",
    referrer_policy: str | None = "strict-origin-when-cross-origin",
    csp: CspSource = None,
    csp_report_only: bool = False,
) -> Middleware:
    """Add security headers to every response, unless the handler set them itself.

    The headers also go on responses of raised ``HTTPException`` s. A response the
    handler already prepared (a streamed body) cannot be changed and is left alone.

    Args:
        hsts: the ``Strict-Transport-Security`` value; ``None`` to send none. RFC 6797
            §7.2 forbids sending it over plain HTTP, so it goes only on ``https``
            requests unless ``hsts_on_http`` is set.
        hsts_on_http: send HSTS on plain-HTTP requests too: for a server behind a TLS
            proxy whose ``request.scheme`` still says ``http``.
        content_type_options: send ``X-Content-Type-Options: nosniff``.
        frame_options: ``"DENY"``, ``"SAMEORIGIN"`` or ``None`` (``X-Frame-Options``).
        referrer_policy: the ``Referrer-Policy`` (``None``: none).
        csp: the ``Content-Security-Policy``: a string, or ``(request) -> str | None``
            called per response (e.g. to put the request's nonce in it).
        csp_report_only: send it as ``Content-Security-Policy-Report-Only``.

    Returns:
        The middleware.

    Raises:
        MiddlewareConfigError: an invalid HSTS value, frame option or referrer policy,
            or a fixed CSP with control characters.
    """
    fixed, hsts_value = _static_headers(hsts, content_type_options, frame_options, referrer_policy)
    csp_name = "Content-Security-Policy" + ("-Report-Only" if csp_report_only else "")
    if isinstance(csp, str):
        fixed += ((csp_name, _check_value("csp", csp)),)
        csp_source: Callable[[Request], str | None] | None = None
    else:
        csp_source = csp

    def apply(request: Request, out: CIMultiDict[str]) -> None:
        for name, value in fixed:
            out.setdefault(name, value)
        if hsts_value is not None and (hsts_on_http or request.secure):
            out.setdefault("Strict-Transport-Security", hsts_value)
        if csp_source is not None and csp_name not in out:
            policy = csp_source(request)
            if policy is not None:
                if _BAD_CHARS.search(policy):
                    raise ValueError(f"the csp callable returned control characters: {policy!r}")
                out[csp_name] = policy

    async def security_headers(request: Request, handler: Handler) -> StreamResponse:
        try:
            response = await handler(request)
        except HTTPException as exc:
            apply(request, exc.headers)
            raise
        if not response.prepared:
            apply(request, response.headers)
        return response

    return security_headers
