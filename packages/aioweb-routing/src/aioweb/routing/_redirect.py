"""The handlers behind ``router.add_redirect(path, location, status)``."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Final, NoReturn

from aioweb.kernel import (
    HTTPFound,
    HTTPMove,
    HTTPMovedPermanently,
    HTTPNotFound,
    HTTPPermanentRedirect,
    HTTPSeeOther,
    HTTPTemporaryRedirect,
)

from ._pattern import validate_name
from ._resources import AbstractResource, DynamicResource, PlainResource

if TYPE_CHECKING:
    from aioweb.kernel import Request

__all__ = ["REDIRECTS", "NamedRedirect", "is_route_name", "redirect_handler"]

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


def is_route_name(location: str) -> bool:
    """Whether ``add_redirect`` reads ``location`` as a route name, not a URL.

    A name is identifiers joined by ``.``, ``:`` or ``-`` (``api.user-detail``); such a
    string has no ``/``, so a URL path always reads as a URL.  A bare relative
    reference that looks like a name (``other``) is read as a name; write ``./other``
    to mean the URL.
    """
    try:
        validate_name(location)
    except ValueError:
        return False
    return True


class NamedRedirect:
    """The handler of a redirect to a route *name*, bound to its target at freeze.

    The target's URL is built per request with ``url_for``, from the request's
    ``match_info`` values of the parts the target has (``/old/{id}`` -> ``new`` with
    ``{id}``): every part of the target must be a part of the redirect's path.  A
    value the target refuses (``{id:\\d+}`` and ``abc``) answers 404.

    Args:
        path: the pattern redirected from.
        name: the target route's name.
        status: one of :data:`REDIRECTS`.
        parts: the dynamic part names of ``path``.
        lookup: finds a named resource of the router (``None`` if there is none).
    """

    __slots__ = (
        "__name__",
        "__qualname__",
        "_exc",
        "_lookup",
        "_name",
        "_parts",
        "_path",
        "_target",
    )

    def __init__(
        self,
        path: str,
        name: str,
        status: int,
        parts: tuple[str, ...],
        lookup: Callable[[str], object],
    ) -> None:
        exc_cls = REDIRECTS.get(status)
        if exc_cls is None:
            raise ValueError(
                f"redirect status must be one of {sorted(REDIRECTS)}, not {status!r} ({path!r})"
            )
        self._exc, self._path, self._name, self._parts = exc_cls, path, name, parts
        self._lookup = lookup
        self._target: AbstractResource | None = None
        self.__name__ = self.__qualname__ = f"redirect({status}, route {name!r})"

    def bind(self) -> AbstractResource:
        """Find the target now (the router calls it at freeze).

        Raises:
            ValueError: no route has the name, it is a prefix resource, or it has a
                dynamic part that the redirect's path has not.
        """
        target = self._lookup(self._name)
        where = f"add_redirect({self._path!r}, {self._name!r})"
        if target is None:
            raise ValueError(
                f"{where}: no route is named {self._name!r} (to redirect to the relative "
                f"URL, write './{self._name}')"
            )
        if not isinstance(target, PlainResource | DynamicResource):
            raise ValueError(f"{where}: cannot redirect by name to {target!r}")
        missing = sorted(set(target._pattern.names).difference(self._parts))
        if missing:
            raise ValueError(
                f"{where}: the route {target.canonical!r} needs {missing}, which "
                f"{self._path!r} does not have"
            )
        self._target = target
        return target

    def __call__(self, request: Request) -> NoReturn:
        target = self._target or self.bind()
        info = request.match_info
        try:
            url = target.url_for(**{n: info[n] for n in target._pattern.names})
        except (KeyError, ValueError):
            raise HTTPNotFound() from None
        raise self._exc(str(url))
