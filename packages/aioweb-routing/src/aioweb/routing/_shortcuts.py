"""The registration shortcuts of ``UrlDispatcher`` (``add_get``, ..., ``add_redirect``).

Each one is a thin spelling of :meth:`UrlDispatcher.add_route`; they live here so the
dispatcher module keeps to matching and to the registration core.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from ._pattern import parse_pattern
from ._redirect import NamedRedirect, is_route_name, redirect_handler
from ._resources import METH_ANY, AbstractResource, ResourceRoute

if TYPE_CHECKING:
    from aioweb.kernel import Request

__all__ = ["RouteShortcuts"]

_Handler = Callable[["Request"], object]


class RouteShortcuts:
    """``add_get``, ``add_post``, ..., ``add_view``, ``add_redirect``: built on ``add_route``."""

    __slots__ = ()

    if TYPE_CHECKING:  # provided by UrlDispatcher

        def add_route(
            self, method: str, path: str, handler: _Handler, *, name: str | None = None
        ) -> ResourceRoute: ...

        def add_resource(self, path: str, *, name: str | None = None) -> AbstractResource: ...

        def _precheck(self, method: str, path: str, handler: object) -> None: ...

        def _check_frozen(self, what: str) -> None: ...

        _named: dict[str, AbstractResource]
        _redirects: list[NamedRedirect]

    def add_get(
        self, path: str, handler: _Handler, *, name: str | None = None, allow_head: bool = True
    ) -> ResourceRoute:
        """Serve GET (and HEAD, unless ``allow_head=False``) on ``path``."""
        self._precheck("GET", path, handler)
        res = self.add_resource(path, name=name)
        route = res.add_route("GET", handler)
        if allow_head:
            res._add_route("HEAD", handler, implicit=True)
        return route

    def add_post(self, path: str, handler: _Handler, *, name: str | None = None) -> ResourceRoute:
        """Serve POST on ``path``."""
        return self.add_route("POST", path, handler, name=name)

    def add_put(self, path: str, handler: _Handler, *, name: str | None = None) -> ResourceRoute:
        """Serve PUT on ``path``."""
        return self.add_route("PUT", path, handler, name=name)

    def add_patch(self, path: str, handler: _Handler, *, name: str | None = None) -> ResourceRoute:
        """Serve PATCH on ``path``."""
        return self.add_route("PATCH", path, handler, name=name)

    def add_delete(self, path: str, handler: _Handler, *, name: str | None = None) -> ResourceRoute:
        """Serve DELETE on ``path``."""
        return self.add_route("DELETE", path, handler, name=name)

    def add_head(self, path: str, handler: _Handler, *, name: str | None = None) -> ResourceRoute:
        """Serve HEAD on ``path`` (replaces the HEAD an ``add_get`` added)."""
        return self.add_route("HEAD", path, handler, name=name)

    def add_options(
        self, path: str, handler: _Handler, *, name: str | None = None
    ) -> ResourceRoute:
        """Serve OPTIONS on ``path``."""
        return self.add_route("OPTIONS", path, handler, name=name)

    def add_view(self, path: str, view_cls: _Handler, *, name: str | None = None) -> ResourceRoute:
        """Serve every method on ``path`` with a class-based view (see :class:`View`)."""
        return self.add_route(METH_ANY, path, view_cls, name=name)

    def add_redirect(
        self, path: str, location: str, status: int = 302, *, name: str | None = None
    ) -> ResourceRoute:
        """Answer every method on ``path`` with a redirect to ``location``.

        ``location`` is a URL, sent exactly as given (the request's query string is
        not carried over, and dynamic parts of ``path`` are not substituted into it),
        or the name of a route of this router (identifiers joined by ``.``, ``:`` or
        ``-``, no ``/``): then the ``Location`` is that route's ``url_for``, built per
        request from the values of the parts both paths have (``/old/{id}`` ->
        ``"user"`` at ``/users/{id}``).  The name is looked up at :meth:`freeze`, so
        the target may be added after the redirect.

        Args:
            path: the pattern to redirect from.
            location: the ``Location`` value (absolute or relative URL), or a route name
                (write ``./other`` for the relative URL ``other``).
            status: 301, 302, 303, 307 or 308 (307/308 keep the method and body).
            name: the resource's name.

        Raises:
            ValueError: ``status`` is not a redirect status, or ``location`` is empty
                or contains CR, LF or NUL; at :meth:`freeze`, no route has the name
                ``location``, or that route has a part ``path`` has not.
        """
        self._check_frozen(f"add a redirect {path!r}")
        if not is_route_name(location):
            handler: _Handler = redirect_handler(path, location, status)
            return self.add_route(METH_ANY, path, handler, name=name)
        parts = parse_pattern(path).names
        named = NamedRedirect(path, location, status, parts, self._named.get)
        route = self.add_route(METH_ANY, path, named, name=name)
        self._redirects.append(named)
        return route
