"""Following a redirect: the next URL and method, and what must not follow to it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from multidict import CIMultiDict
from yarl import URL

from ._errors import ClientResponseError, InvalidURL, TooManyRedirects
from ._payload import Body

if TYPE_CHECKING:
    from ._response import ClientResponse

__all__ = ["REDIRECTS", "redirect_target"]

REDIRECTS: Final = frozenset((301, 302, 303, 307, 308))
_BODY_HEADERS: Final = ("Content-Type", "Content-Length", "Transfer-Encoding", "Content-Encoding")


def _origin(url: URL) -> tuple[str, str | None, int | None]:
    return (url.scheme, url.host, url.port)


def redirect_target(  # noqa: PLR0917
    resp: ClientResponse,
    url: URL,
    location: str,
    method: str,
    body: Body | None,
    extra: CIMultiDict[str],
    history: tuple[ClientResponse, ...],
    max_redirects: int,
) -> tuple[URL, str, Body | None, bool]:
    """Where ``resp`` (a redirect from ``url``) sends the request next.

    Drops from ``extra`` the body headers when the method becomes GET, and the
    ``Authorization`` and ``Cookie`` headers when the origin changes.

    Returns:
        The new URL, the new method, the body to send, and whether the origin
        stayed the same (when it did not, credentials must not follow).

    Raises:
        TooManyRedirects: More than ``max_redirects`` redirects.
        InvalidURL: The Location is invalid or not http(s).
        ClientResponseError: A streamed body would have to be sent again.
    """
    if len(history) > max_redirects:
        raise TooManyRedirects(
            resp.request_info,
            history,
            status=resp.status,
            message=f"more than {max_redirects} redirects",
        )
    try:
        new_url = url.join(URL(location))
    except ValueError as exc:
        raise InvalidURL(location, "invalid redirect Location") from exc
    if new_url.scheme not in ("http", "https") or not new_url.raw_host:
        raise InvalidURL(new_url, "redirect to a URL that is not http(s)")
    # RFC 9110 §15.4.4: 303 means GET; for 301/302 user agents
    # historically change POST to GET (§15.4.2, §15.4.3).
    if (resp.status == 303 and method != "HEAD") or (
        resp.status in (301, 302) and method == "POST"
    ):
        method, body = "GET", None
        for name in _BODY_HEADERS:
            extra.popall(name, None)
    elif body is not None and not body.replayable:
        raise ClientResponseError(
            resp.request_info,
            history,
            status=resp.status,
            message="cannot follow the redirect: the streamed request body cannot be sent again",
            headers=resp.headers,
        )
    same_origin = _origin(new_url) == _origin(url)
    if not same_origin:
        # Credentials and explicit cookies are for the origin they were
        # given for: never forwarded (this covers https -> http too).
        extra.popall("Authorization", None)
        extra.popall("Cookie", None)
    return new_url, method, body, same_origin
