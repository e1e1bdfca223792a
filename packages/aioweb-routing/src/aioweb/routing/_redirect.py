"""The handler behind ``router.add_redirect(path, location, status)``."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Final, NoReturn

from aioweb.kernel import (
    HTTPFound,
    HTTPMove,
    HTTPMovedPermanently,
    HTTPPermanentRedirect,
    HTTPSeeOther,
    HTTPTemporaryRedirect,
)

if TYPE_CHECKING:
    from aioweb.kernel import Request

__all__ = ["REDIRECTS", "redirect_handler"]

#: The statuses ``add_redirect`` accepts and the exception each one raises.  RFC 9110
#: §15.4: 307 and 308 keep the method and body; 301 and 302 may turn POST into GET.
REDIRECTS: Final[dict[int, type[HTTPMove]]] = {
    301: HTTPMovedPermanently,
    302: HTTPFound,
    303: HTTPSeeOther,
    307: HTTPTemporaryRedirect,
    308: HTTPPermanentRedirect,
}


def redirect_handler(path: str, location: str, status: int) -> Callable[[Request], NoReturn]:
    """A handler raising the ``status`` redirect to ``location`` (used as given).

    Raises:
        ValueError: ``status`` is not in :data:`REDIRECTS`, or ``location`` is empty
            or holds CR, LF or NUL (it goes into a header); the message names ``path``.
    """
    exc_cls = REDIRECTS.get(status)
    if exc_cls is None:
        raise ValueError(
            f"redirect status must be one of {sorted(REDIRECTS)}, not {status!r} ({path!r})"
        )
    location = str(location)
    if not location or any(c in location for c in "\r\n\0"):
        raise ValueError(f"invalid redirect location {location!r} for {path!r}")

    def redirect(request: Request) -> NoReturn:
        raise exc_cls(location)

    redirect.__qualname__ = redirect.__name__ = f"redirect({status}, {location!r})"
    return redirect
