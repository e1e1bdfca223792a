"""The aiohttp-compatible ``HTTPException`` family: one class per standard status.

Decision (docs/decisions.rst): an ``HTTPException`` is an ``Exception`` that *carries*
a response (status, reason, headers, body) -- it is not itself a response object.
Raise it from a handler or a middleware; the application turns it into a response
after the middleware chain, so middlewares see it as an exception first.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import ClassVar

from multidict import CIMultiDict

from ._status import reason_phrase

__all__ = [
    "HTTPAccepted",
    "HTTPBadGateway",
    "HTTPBadRequest",
    "HTTPClientError",
    "HTTPConflict",
    "HTTPCreated",
    "HTTPError",
    "HTTPException",
    "HTTPExpectationFailed",
    "HTTPFailedDependency",
    "HTTPForbidden",
    "HTTPFound",
    "HTTPGatewayTimeout",
    "HTTPGone",
    "HTTPImATeapot",
    "HTTPInsufficientStorage",
    "HTTPInternalServerError",
    "HTTPLengthRequired",
    "HTTPLocked",
    "HTTPLoopDetected",
    "HTTPMethodNotAllowed",
    "HTTPMisdirectedRequest",
    "HTTPMove",
    "HTTPMovedPermanently",
    "HTTPMultipleChoices",
    "HTTPNetworkAuthenticationRequired",
    "HTTPNoContent",
    "HTTPNonAuthoritativeInformation",
    "HTTPNotAcceptable",
    "HTTPNotExtended",
    "HTTPNotFound",
    "HTTPNotImplemented",
    "HTTPNotModified",
    "HTTPOk",
    "HTTPPartialContent",
    "HTTPPaymentRequired",
    "HTTPPermanentRedirect",
    "HTTPPreconditionFailed",
    "HTTPPreconditionRequired",
    "HTTPProxyAuthenticationRequired",
    "HTTPRedirection",
    "HTTPRequestEntityTooLarge",
    "HTTPRequestHeaderFieldsTooLarge",
    "HTTPRequestRangeNotSatisfiable",
    "HTTPRequestTimeout",
    "HTTPRequestURITooLong",
    "HTTPResetContent",
    "HTTPSeeOther",
    "HTTPServerError",
    "HTTPServiceUnavailable",
    "HTTPSuccessful",
    "HTTPTemporaryRedirect",
    "HTTPTooEarly",
    "HTTPTooManyRequests",
    "HTTPUnauthorized",
    "HTTPUnavailableForLegalReasons",
    "HTTPUnprocessableEntity",
    "HTTPUnsupportedMediaType",
    "HTTPUpgradeRequired",
    "HTTPUseProxy",
    "HTTPVariantAlsoNegotiates",
    "HTTPVersionNotSupported",
    "LooseHeaders",
]

#: Headers as callers pass them: a mapping or an iterable of pairs.
LooseHeaders = Mapping[str, str] | Iterable[tuple[str, str]]


class HTTPException(Exception):
    """Base of the family; ``status_code`` is set by each concrete class.

    Args:
        headers: extra response headers.
        reason: the reason phrase (default: the standard one).
        text: a text body (``text/plain; charset=utf-8`` unless ``content_type``).
        body: a bytes body (takes precedence over ``text``).
        content_type: the body's media type.
    """

    status_code: ClassVar[int] = -1
    empty_body: ClassVar[bool] = False

    def __init__(
        self,
        *,
        headers: LooseHeaders | None = None,
        reason: str | None = None,
        text: str | None = None,
        body: bytes | None = None,
        content_type: str | None = None,
    ) -> None:
        if reason is None:
            reason = reason_phrase(self.status_code)
        self.status: int = self.status_code
        self.reason: str = reason
        self.headers: CIMultiDict[str] = CIMultiDict(headers or ())
        if body is None and text is None and not self.empty_body:
            text = f"{self.status}: {reason}"
        self.text: str | None = text
        if body is None and text is not None:
            body = text.encode("utf-8")
            content_type = content_type or "text/plain; charset=utf-8"
        self.body: bytes | None = None if self.empty_body else body
        self.content_type: str | None = content_type
        super().__init__(reason)

    def __str__(self) -> str:
        return self.text or self.reason

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.status} {self.reason!r}>"


class HTTPError(HTTPException):
    """Base of the 4xx and 5xx statuses."""


class HTTPSuccessful(HTTPException):
    """Base of the 2xx statuses."""


class HTTPRedirection(HTTPException):
    """Base of the 3xx statuses."""


class HTTPMove(HTTPRedirection):
    """A redirection carrying a ``Location``.

    Args:
        location: the target URL (stored in ``.location`` and the ``Location`` header).
    """

    def __init__(
        self,
        location: object,
        *,
        headers: LooseHeaders | None = None,
        reason: str | None = None,
        text: str | None = None,
        body: bytes | None = None,
        content_type: str | None = None,
    ) -> None:
        if not str(location):
            raise ValueError("a redirection needs a non-empty location")
        super().__init__(
            headers=headers, reason=reason, text=text, body=body, content_type=content_type
        )
        self.location: str = str(location)
        self.headers["Location"] = self.location


class HTTPClientError(HTTPError):
    """Base of the 4xx statuses."""


class HTTPServerError(HTTPError):
    """Base of the 5xx statuses."""


class HTTPMethodNotAllowed(HTTPClientError):
    """405 Method Not Allowed, with the ``Allow`` header.

    Args:
        method: the method that was refused.
        allowed_methods: the methods the resource does accept.
    """

    status_code = 405

    def __init__(
        self,
        method: str,
        allowed_methods: Iterable[str],
        *,
        headers: LooseHeaders | None = None,
        reason: str | None = None,
        text: str | None = None,
        body: bytes | None = None,
        content_type: str | None = None,
    ) -> None:
        allowed = frozenset(m.upper() for m in allowed_methods)
        super().__init__(
            headers=headers, reason=reason, text=text, body=body, content_type=content_type
        )
        self.method: str = method.upper()
        self.allowed_methods: frozenset[str] = allowed
        self.headers["Allow"] = ",".join(sorted(allowed))


class HTTPRequestEntityTooLarge(HTTPClientError):
    """413 Content Too Large.

    Args:
        max_size: the configured limit in bytes.
        actual_size: how much the client sent (or announced).
    """

    status_code = 413

    def __init__(
        self,
        max_size: int,
        actual_size: int,
        *,
        headers: LooseHeaders | None = None,
        reason: str | None = None,
        text: str | None = None,
    ) -> None:
        text = text or (
            f"Maximum request body size {max_size} exceeded, actual body size {actual_size}"
        )
        super().__init__(headers=headers, reason=reason, text=text)
        self.max_size: int = max_size
        self.actual_size: int = actual_size


class HTTPUnavailableForLegalReasons(HTTPClientError):
    """451 Unavailable For Legal Reasons, with a ``Link`` to the blocking authority.

    Args:
        link: URL of the authority (sent as ``Link: <link>; rel="blocked-by"``).
    """

    status_code = 451

    def __init__(
        self,
        link: str | None,
        *,
        headers: LooseHeaders | None = None,
        reason: str | None = None,
        text: str | None = None,
    ) -> None:
        super().__init__(headers=headers, reason=reason, text=text)
        self.link: str | None = link
        if link:
            self.headers["Link"] = f'<{link}>; rel="blocked-by"'


class HTTPOk(HTTPSuccessful):
    """200 OK."""

    status_code = 200


class HTTPCreated(HTTPSuccessful):
    """201 Created."""

    status_code = 201


class HTTPAccepted(HTTPSuccessful):
    """202 Accepted."""

    status_code = 202


class HTTPNonAuthoritativeInformation(HTTPSuccessful):
    """203 Non-Authoritative Information."""

    status_code = 203


class HTTPNoContent(HTTPSuccessful):
    """204 No Content."""

    status_code = 204
    empty_body = True


class HTTPResetContent(HTTPSuccessful):
    """205 Reset Content."""

    status_code = 205
    empty_body = True


class HTTPPartialContent(HTTPSuccessful):
    """206 Partial Content."""

    status_code = 206


class HTTPNotModified(HTTPRedirection):
    """304 Not Modified."""

    status_code = 304
    empty_body = True


class HTTPMultipleChoices(HTTPMove):
    """300 Multiple Choices."""

    status_code = 300


class HTTPMovedPermanently(HTTPMove):
    """301 Moved Permanently."""

    status_code = 301


class HTTPFound(HTTPMove):
    """302 Found."""

    status_code = 302


class HTTPSeeOther(HTTPMove):
    """303 See Other."""

    status_code = 303


class HTTPUseProxy(HTTPMove):
    """305 Use Proxy."""

    status_code = 305


class HTTPTemporaryRedirect(HTTPMove):
    """307 Temporary Redirect."""

    status_code = 307


class HTTPPermanentRedirect(HTTPMove):
    """308 Permanent Redirect."""

    status_code = 308


class HTTPBadRequest(HTTPClientError):
    """400 Bad Request."""

    status_code = 400


class HTTPUnauthorized(HTTPClientError):
    """401 Unauthorized."""

    status_code = 401


class HTTPPaymentRequired(HTTPClientError):
    """402 Payment Required."""

    status_code = 402


class HTTPForbidden(HTTPClientError):
    """403 Forbidden."""

    status_code = 403


class HTTPNotFound(HTTPClientError):
    """404 Not Found."""

    status_code = 404


class HTTPNotAcceptable(HTTPClientError):
    """406 Not Acceptable."""

    status_code = 406


class HTTPProxyAuthenticationRequired(HTTPClientError):
    """407 Proxy Authentication Required."""

    status_code = 407


class HTTPRequestTimeout(HTTPClientError):
    """408 Request Timeout."""

    status_code = 408


class HTTPConflict(HTTPClientError):
    """409 Conflict."""

    status_code = 409


class HTTPGone(HTTPClientError):
    """410 Gone."""

    status_code = 410


class HTTPLengthRequired(HTTPClientError):
    """411 Length Required."""

    status_code = 411


class HTTPPreconditionFailed(HTTPClientError):
    """412 Precondition Failed."""

    status_code = 412


class HTTPRequestURITooLong(HTTPClientError):
    """414 Request-URI Too Long."""

    status_code = 414


class HTTPUnsupportedMediaType(HTTPClientError):
    """415 Unsupported Media Type."""

    status_code = 415


class HTTPRequestRangeNotSatisfiable(HTTPClientError):
    """416 Requested Range Not Satisfiable."""

    status_code = 416


class HTTPExpectationFailed(HTTPClientError):
    """417 Expectation Failed."""

    status_code = 417


class HTTPImATeapot(HTTPClientError):
    """418 I'm a Teapot."""

    status_code = 418


class HTTPMisdirectedRequest(HTTPClientError):
    """421 Misdirected Request."""

    status_code = 421


class HTTPUnprocessableEntity(HTTPClientError):
    """422 Unprocessable Entity."""

    status_code = 422


class HTTPLocked(HTTPClientError):
    """423 Locked."""

    status_code = 423


class HTTPFailedDependency(HTTPClientError):
    """424 Failed Dependency."""

    status_code = 424


class HTTPTooEarly(HTTPClientError):
    """425 Too Early."""

    status_code = 425


class HTTPUpgradeRequired(HTTPClientError):
    """426 Upgrade Required."""

    status_code = 426


class HTTPPreconditionRequired(HTTPClientError):
    """428 Precondition Required."""

    status_code = 428


class HTTPTooManyRequests(HTTPClientError):
    """429 Too Many Requests."""

    status_code = 429


class HTTPRequestHeaderFieldsTooLarge(HTTPClientError):
    """431 Request Header Fields Too Large."""

    status_code = 431


class HTTPInternalServerError(HTTPServerError):
    """500 Internal Server Error."""

    status_code = 500


class HTTPNotImplemented(HTTPServerError):
    """501 Not Implemented."""

    status_code = 501


class HTTPBadGateway(HTTPServerError):
    """502 Bad Gateway."""

    status_code = 502


class HTTPServiceUnavailable(HTTPServerError):
    """503 Service Unavailable."""

    status_code = 503


class HTTPGatewayTimeout(HTTPServerError):
    """504 Gateway Timeout."""

    status_code = 504


class HTTPVersionNotSupported(HTTPServerError):
    """505 HTTP Version Not Supported."""

    status_code = 505


class HTTPVariantAlsoNegotiates(HTTPServerError):
    """506 Variant Also Negotiates."""

    status_code = 506


class HTTPInsufficientStorage(HTTPServerError):
    """507 Insufficient Storage."""

    status_code = 507


class HTTPLoopDetected(HTTPServerError):
    """508 Loop Detected."""

    status_code = 508


class HTTPNotExtended(HTTPServerError):
    """510 Not Extended."""

    status_code = 510


class HTTPNetworkAuthenticationRequired(HTTPServerError):
    """511 Network Authentication Required."""

    status_code = 511
