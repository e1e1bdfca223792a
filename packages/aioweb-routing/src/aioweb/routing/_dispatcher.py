"""``UrlDispatcher``: the default router (the kernel's ``AbstractRouter``)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING

from aioweb.kernel import (
    RESOURCE,
    Application,
    HTTPMethodNotAllowed,
    HTTPNotFound,
    MatchInfo,
    MissingPluginError,
    default_registry,
)

from ._index import DynamicIndex
from ._pattern import match_key, restore_slashes
from ._prefix import PrefixResource
from ._redirect import redirect_handler
from ._resources import (
    METH_ANY,
    AbstractResource,
    DynamicResource,
    MatchedSubAppResource,
    PlainResource,
    PrefixedSubAppResource,
    ResourceRoute,
    check_method,
    host_of,
    make_resource,
    miss,
)
from ._route_def import AbstractRouteDef

if TYPE_CHECKING:
    from aioweb.kernel import Registry, Request

__all__ = ["UrlDispatcher"]

_Handler = Callable[["Request"], object]
_Resource = AbstractResource | PrefixedSubAppResource | MatchedSubAppResource


class UrlDispatcher:
    """Maps request paths and methods to handlers (aiohttp's ``app.router``).

    Static paths are one dict lookup; dynamic patterns go through
    :class:`~aioweb.routing._index.DynamicIndex`, compiled at :meth:`freeze` (or at the
    first resolve after a change).  A static path wins over a dynamic pattern; dynamic
    patterns are tried in registration order; sub-applications come after this
    router's own routes (longest prefix first); a matching domain comes before them.
    Prefix resources (:class:`PrefixResource`, e.g. static files) are tried after the
    static and dynamic routes and before the sub-applications, longest prefix first.
    Matching runs segment by segment on the percent-decoded path: ``request.raw_path``
    (without its query) is split at each real ``/`` and each segment is decoded, so
    ``/hell%6F`` matches ``/hello``, a ``%2F`` never splits a segment (``{name}``
    matches ``a%2Fb`` and reads ``a/b``), and ``match_info`` values are decoded.  Prefix
    resources and sub-applications match whole decoded segments too; a prefix resource
    gets the decoded rest of the path, where an encoded slash is a ``/``.

    Args:
        registry: the application's plugins (the kernel passes it); kinds of resources
            other plugins own, such as static files, are looked up there.
    """

    __slots__ = (
        "_domains",
        "_dynamic",
        "_frozen",
        "_index",
        "_named",
        "_parent",
        "_prefix",
        "_prefixed",
        "_registry",
        "_resources",
        "_static",
        "_subapps",
    )

    def __init__(self, *, registry: Registry | None = None) -> None:
        self._registry = registry
        self._resources: list[_Resource] = []
        self._static: dict[str, AbstractResource] = {}
        self._dynamic: dict[str, DynamicResource] = {}
        self._named: dict[str, AbstractResource] = {}
        self._subapps: list[tuple[str, Application, UrlDispatcher]] = []
        self._prefixed: list[PrefixResource] = []
        self._domains: list[tuple[MatchedSubAppResource, UrlDispatcher]] = []
        self._index: DynamicIndex | None = None
        self._frozen = False
        self._parent: UrlDispatcher | None = None
        self._prefix = ""

    # -- resolving (the hot path) ----------------------------------------------------

    def resolve(self, request: Request, /) -> MatchInfo:
        """Match ``request``; a miss returns a match whose handler raises 404 or 405."""
        raw = request.raw_path
        if "?" in raw:
            raw = raw.partition("?")[0]
        return self._resolve_path(request, match_key(raw) if "%" in raw else raw)

    def _resolve_path(self, request: Request, path: str) -> MatchInfo:
        if self._domains:
            host = host_of(request)
            for domain, router in self._domains:
                if domain.match_host(host):
                    return _mounted(domain.app, router._resolve_path(request, path))
        method = request.method
        res = self._static.get(path)
        if res is not None:
            route = res._methods.get(method) or res._any
            if route is not None:
                return MatchInfo({}, route.handler, route=route)
            return self._resolve_slow(request, method, path, res)
        index = self._index or self._compile()
        found = index.lookup(path)
        if found is not None:
            dyn, values = found
            route = dyn._methods.get(method) or dyn._any
            if route is not None:
                return MatchInfo(values, route.handler, route=route)
            return self._resolve_slow(request, method, path, dyn)
        if self._prefixed:
            match = self._resolve_prefixed(request, path)
            if match is not None:
                return match
        if self._subapps:
            return self._resolve_subapp(request, path)
        return miss(HTTPNotFound())

    def _resolve_slow(
        self, request: Request, method: str, path: str, first: AbstractResource
    ) -> MatchInfo:
        """``first`` matched ``path`` but not ``method``: the first later dynamic match
        serving ``method`` wins, else 405 with the union of the matches' methods."""
        allowed = set(first.allowed_methods)
        index = self._index or self._compile()
        for dyn in index.candidates(path):
            if dyn is first:
                continue
            values = dyn.match(path)
            if values is None:
                continue
            route = dyn.route_for(method)
            if route is not None:
                return MatchInfo(values, route.handler, route=route)
            allowed.update(dyn.allowed_methods)
        return miss(HTTPMethodNotAllowed(method, allowed))

    def _resolve_subapp(self, request: Request, path: str) -> MatchInfo:
        for prefix, app, router in self._subapps:
            if path.startswith(prefix) and path[len(prefix) : len(prefix) + 1] in ("", "/"):
                return _mounted(app, router._resolve_path(request, path[len(prefix) :]))
        return miss(HTTPNotFound())

    def _resolve_prefixed(self, request: Request, path: str) -> MatchInfo | None:
        for res in self._prefixed:
            prefix = res.prefix
            # "/static" serves "/static" and "/static/..." but not "/staticx".
            if path.startswith(prefix) and path[len(prefix) : len(prefix) + 1] in ("", "/"):
                match = res.resolve(request, restore_slashes(path[len(prefix) + 1 :]))
                if match is not None:
                    return match
        return None

    def _compile(self) -> DynamicIndex:
        self._index = index = DynamicIndex(list(self._dynamic.values()))
        self._subapps.sort(key=lambda sub: -len(sub[0]))
        self._prefixed.sort(key=lambda res: -len(res.prefix))  # stable: ties keep order
        return index

    # -- registration ------------------------------------------------------------------

    def _check_frozen(self, what: str) -> None:
        if self._frozen:
            raise RuntimeError(f"cannot {what}: the router is frozen (the application started)")

    def _url_prefix(self) -> str:
        parent = self._parent
        return self._prefix if parent is None else parent._url_prefix() + self._prefix

    def add_resource(self, path: str, *, name: str | None = None) -> AbstractResource:
        """The resource for ``path`` (created, or the one already registered).

        Raises:
            ValueError: the pattern is invalid, or ``name`` is taken or differs from the
                existing resource's name.
            RuntimeError: the router is frozen.
        """
        self._check_frozen(f"add a resource {path!r}")
        res = self._static.get(path)
        if res is None:
            res = self._dynamic.get(path)
        if res is None:
            res = make_resource(path, name=name, owner=self)
            self._claim_name(name, res)
            if isinstance(res, PlainResource):
                self._static[path] = res
            elif isinstance(res, DynamicResource):
                self._dynamic[path] = res
                self._index = None
            self._resources.append(res)
        elif name is not None and name != res.name:
            if res.name is not None:
                raise ValueError(
                    f"{path!r} is already named {res.name!r}; cannot also name it {name!r}"
                )
            self._claim_name(name, res)
            res._set_name(name)
        return res

    def _claim_name(self, name: str | None, res: AbstractResource) -> None:
        if name is None:
            return
        other = self._named.get(name)
        if other is not None:
            raise ValueError(
                f"duplicate route name {name!r}: used by {other.canonical!r}, "
                f"cannot also name {res.canonical!r}"
            )
        self._named[name] = res

    def add_route(
        self, method: str, path: str, handler: _Handler, *, name: str | None = None
    ) -> ResourceRoute:
        """Serve ``method`` (``"*"``: any method) on ``path`` with ``handler``.

        Raises:
            ValueError: invalid pattern or method, duplicate route or name.
            TypeError: ``handler`` is not callable.
            RuntimeError: the router is frozen.
        """
        self._precheck(method, path, handler)
        return self.add_resource(path, name=name).add_route(method, handler)

    def _precheck(self, method: str, path: str, handler: object) -> None:
        """Fail before creating a resource that would stay empty."""
        self._check_frozen(f"add {method} {path!r}")
        check_method(method)
        if not callable(handler):
            raise TypeError(f"handler for {method} {path!r} is not callable: {handler!r}")

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

        ``location`` is sent exactly as given: the request's query string is not
        carried over, and dynamic parts of ``path`` are not substituted into it.

        Args:
            path: the pattern to redirect from.
            location: the ``Location`` value (absolute or relative URL).
            status: 301, 302, 303, 307 or 308 (307/308 keep the method and body).
            name: the resource's name.

        Raises:
            ValueError: ``status`` is not a redirect status, or ``location`` is empty
                or contains CR, LF or NUL.
        """
        self._check_frozen(f"add a redirect {path!r}")
        redirect = redirect_handler(path, location, status)
        return self.add_route(METH_ANY, path, redirect, name=name)

    def add_routes(self, routes: Iterable[object], /) -> list[ResourceRoute]:
        """Register route definitions (``[web.get("/", h), ...]`` or a ``RouteTableDef``).

        Raises:
            TypeError: ``routes`` is not iterable or holds something that is not a
                route definition (it has no ``register(router)``).
        """
        self._check_frozen("add routes")
        if isinstance(routes, AbstractRouteDef) or not isinstance(routes, Iterable):
            raise TypeError(f"add_routes takes an iterable of route definitions, not {routes!r}")
        added: list[ResourceRoute] = []
        for item in routes:
            if not isinstance(item, AbstractRouteDef):
                raise TypeError(f"not a route definition (no register(router)): {item!r}")
            added.extend(item.register(self))
        return added

    def register_resource(self, resource: PrefixResource, /) -> PrefixResource:
        """Add a prefix-matched resource built elsewhere (by a plugin, say).

        Raises:
            TypeError: ``resource`` is not a :class:`PrefixResource`.
            ValueError: its name is taken, or it is registered already.
            RuntimeError: the router is frozen.
        """
        if not isinstance(resource, PrefixResource):
            raise TypeError(f"register_resource takes a PrefixResource, not {resource!r}")
        self._check_frozen(f"add a resource at {resource.canonical!r}")
        if resource.registered:
            raise ValueError(f"{resource!r} is already registered on a router")
        self._claim_name(resource.name, resource)
        resource._bind(self)
        self._prefixed.append(resource)
        self._resources.append(resource)
        self._index = None
        return resource

    def add_static(
        self, prefix: str, path: object, *, name: str | None = None, **options: object
    ) -> PrefixResource:
        """Serve the files under directory ``path`` at ``prefix`` (``/static``).

        The resource comes from the ``"static"`` factory of the ``resource`` extension
        point (``aioweb-static`` provides it); ``options`` are passed to it as they are
        (``show_index``, ``follow_symlinks``, ``append_version``, ``chunk_size``, ...:
        see ``aioweb.static.StaticResource``).

        Raises:
            MissingPluginError: no static-files plugin is installed.
            TypeError: the factory did not build a :class:`PrefixResource`.
            ValueError: invalid prefix, directory or options; name taken.
            RuntimeError: the router is frozen.
        """
        self._check_frozen(f"add static files at {prefix!r}")
        registry = self._registry if self._registry is not None else default_registry()
        factory = registry.items(RESOURCE).get("static")
        if factory is None:
            raise MissingPluginError(
                "no static-files plugin is installed: pip install aioweb-static"
            )
        resource = factory(prefix, path, name=name, **options)
        if not isinstance(resource, PrefixResource):
            raise TypeError(f"the 'static' resource factory returned {resource!r}")
        return self.register_resource(resource)

    def _mount(self, app: Application, what: str) -> UrlDispatcher:
        self._check_frozen(f"add {what}")
        router = app.router
        if not isinstance(router, UrlDispatcher):
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
        router._parent, router._prefix = self, prefix
        self._subapps.append((prefix, subapp, router))
        self._index = None
        resource = PrefixedSubAppResource(prefix, subapp)
        self._resources.append(resource)
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
        router._parent = self
        self._domains.append((resource, router))
        self._resources.append(resource)
        return resource

    def freeze(self) -> None:
        """Compile the dynamic routes and refuse further changes (idempotent)."""
        if not self._frozen:
            self._compile()
            self._frozen = True

    @property
    def frozen(self) -> bool:
        """Whether :meth:`freeze` was called."""
        return self._frozen

    # -- introspection -------------------------------------------------------------------

    def resources(self) -> tuple[_Resource, ...]:
        """Every resource, sub-application and domain, in registration order."""
        return tuple(self._resources)

    def routes(self) -> tuple[ResourceRoute, ...]:
        """Every route of this router's own resources, in registration order."""
        return tuple(r for res in self._resources if isinstance(res, AbstractResource) for r in res)

    def named_resources(self) -> Mapping[str, AbstractResource]:
        """The named resources, ``{name: resource}`` (read-only)."""
        return MappingProxyType(self._named)

    def __getitem__(self, name: str) -> AbstractResource:
        return self._named[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._named)

    def __len__(self) -> int:
        return len(self._named)

    def __contains__(self, name: object) -> bool:
        return name in self._named

    def __repr__(self) -> str:
        return f"<UrlDispatcher {len(self._resources)} resources>"


def _mounted(app: Application, match: MatchInfo) -> MatchInfo:
    match.apps = (app, *match.apps)
    return match
