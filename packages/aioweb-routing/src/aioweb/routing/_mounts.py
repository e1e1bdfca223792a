"""Sub-applications of ``UrlDispatcher``: mounted under a path prefix or for a domain.

A mixin, so the dispatcher module keeps to its own table: this holds ``add_subapp``,
``add_domain``, the checks a mounted application must pass, and the lookups that hand
a request on to a mounted application's router.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aioweb.kernel import HTTPNotFound, MatchInfo

from ._resources import MatchedSubAppResource, PrefixedSubAppResource, host_of, miss

if TYPE_CHECKING:
    from aioweb.kernel import Application, Request

__all__ = ["SubAppMounts", "mounted"]


class SubAppMounts:
    """``add_subapp`` and ``add_domain``, and resolving into the mounted applications."""

    __slots__ = ()

    if TYPE_CHECKING:  # state and methods UrlDispatcher provides
        _subapps: list[tuple[str, Application, SubAppMounts]]
        _domains: list[tuple[MatchedSubAppResource, SubAppMounts]]
        _parent: SubAppMounts | None

        def _check_frozen(self, what: str) -> None: ...

        def _url_prefix(self) -> str: ...

        def _attach(self, parent: SubAppMounts, prefix: str) -> None: ...

        def _remember(self, resource: PrefixedSubAppResource | MatchedSubAppResource) -> None: ...

        def _resolve_path(self, request: Request, path: str) -> MatchInfo: ...

    def _resolve_domain(self, request: Request, path: str) -> MatchInfo | None:
        host = host_of(request)
        for domain, router in self._domains:
            if domain.match_host(host):
                return mounted(domain.app, router._resolve_path(request, path))
        return None

    def _resolve_subapp(self, request: Request, path: str) -> MatchInfo:
        for prefix, app, router in self._subapps:
            if path.startswith(prefix) and path[len(prefix) : len(prefix) + 1] in ("", "/"):
                return mounted(app, router._resolve_path(request, path[len(prefix) :]))
        return miss(HTTPNotFound())

    def _mount(self, app: Application, what: str) -> SubAppMounts:
        self._check_frozen(f"add {what}")
        router = app.router
        if not isinstance(router, SubAppMounts):
            raise TypeError(f"{what}: the sub-application's router must be a UrlDispatcher")
        if router is self:
            raise ValueError(f"{what}: an application cannot be mounted in itself")
        if app.frozen:
            raise RuntimeError(f"{what}: the sub-application is already frozen")
        if router._parent is not None:
            raise RuntimeError(f"{what}: the sub-application is already mounted elsewhere")
        return router

    def add_subapp(self, prefix: str, subapp: Application, /) -> PrefixedSubAppResource:
        """Mount ``subapp`` under ``prefix`` (``/admin``); it sees the path after it.

        Raises:
            ValueError: ``prefix`` does not start with ``/``, ends with ``/``, has
                dynamic parts, or is mounted already.
            TypeError: the sub-application's router is not a ``UrlDispatcher``.
            RuntimeError: this router is frozen, or the sub-application is frozen or
                already mounted.
        """
        if not prefix.startswith("/") or prefix.endswith("/"):
            raise ValueError(f"a sub-app prefix must start and not end with '/': {prefix!r}")
        if "{" in prefix or "}" in prefix:
            raise ValueError(f"a sub-app prefix cannot have dynamic parts: {prefix!r}")
        if any(p == prefix for p, _, _ in self._subapps):
            raise ValueError(f"a sub-application is already mounted at {prefix!r}")
        router = self._mount(subapp, f"a sub-application at {prefix!r}")
        router._attach(self, prefix)
        self._subapps.append((prefix, subapp, router))
        resource = PrefixedSubAppResource(prefix, subapp)
        self._remember(resource)
        return resource

    def add_domain(self, domain: str, subapp: Application, /) -> MatchedSubAppResource:
        """Serve ``subapp`` for hosts matching ``domain`` (``example.com``, ``*.example.com``).

        The port of ``Host`` is ignored; a matching domain takes the request even if
        this router has a route for its path.

        Raises:
            ValueError: ``domain`` is invalid or already mounted.
            TypeError: the sub-application's router is not a ``UrlDispatcher``.
            RuntimeError: as for :meth:`add_subapp`.
        """
        resource = MatchedSubAppResource(domain, subapp)
        if any(d.domain == resource.domain for d, _ in self._domains):
            raise ValueError(f"a sub-application is already mounted for {resource.domain!r}")
        router = self._mount(subapp, f"a domain {resource.domain!r}")
        router._attach(self, "")
        self._domains.append((resource, router))
        self._remember(resource)
        return resource


def mounted(app: Application, match: MatchInfo) -> MatchInfo:
    """``match`` as seen from the application that mounts ``app``."""
    match.apps = (app, *match.apps)
    return match
