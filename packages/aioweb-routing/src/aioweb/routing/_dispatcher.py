"""``UrlDispatcher``: the default router (the kernel's ``AbstractRouter``)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING

from aioweb.kernel import (
    RESOURCE,
    HTTPMethodNotAllowed,
    HTTPNotFound,
    MatchInfo,
    MissingPluginError,
    default_registry,
)

from ._index import DynamicIndex
from ._mounts import SubAppMounts
from ._pattern import ENCODED_SLASH, match_key, restore_slashes
from ._prefix import PrefixResource
from ._redirect import NamedRedirect
from ._resources import (
    AbstractResource,
    DynamicResource,
    MatchedSubAppResource,
    PlainResource,
    PrefixedSubAppResource,
    ResourceRoute,
    check_method,
    make_resource,
    miss,
)
from ._route_def import AbstractRouteDef
from ._shortcuts import RouteShortcuts

if TYPE_CHECKING:
    from aioweb.kernel import Application, Registry, Request

__all__ = ["UrlDispatcher"]

_Handler = Callable[["Request"], object]
_Resource = AbstractResource | PrefixedSubAppResource | MatchedSubAppResource


class UrlDispatcher(RouteShortcuts, SubAppMounts):
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

    A path with a segment longer than ``max_segment_length`` matches no dynamic route
    (the regexes never see it): it bounds the work any part regex can do per segment.

    Args:
        registry: the application's plugins (the kernel passes it); kinds of resources
            other plugins own, such as static files, are looked up there.
        max_segment_length: the longest path segment (decoded characters) dynamic
            routes are tried on.

    Raises:
        TypeError: ``max_segment_length`` is not an int.
        ValueError: ``max_segment_length`` is not positive.
    """

    __slots__ = (
        "_domains",
        "_dynamic",
        "_frozen",
        "_index",
        "_max_segment",
        "_named",
        "_parent",
        "_prefix",
        "_prefixed",
        "_redirects",
        "_registry",
        "_resources",
        "_static",
        "_subapps",
    )

    def __init__(self, *, registry: Registry | None = None, max_segment_length: int = 1024) -> None:
        if isinstance(max_segment_length, bool) or not isinstance(max_segment_length, int):
            raise TypeError(f"max_segment_length must be an int, not {max_segment_length!r}")
        if max_segment_length < 1:
            raise ValueError(f"max_segment_length must be positive, not {max_segment_length}")
        self._registry = registry
        self._max_segment = max_segment_length
        self._redirects: list[NamedRedirect] = []
        self._resources: list[_Resource] = []
        self._static: dict[str, AbstractResource] = {}
        self._dynamic: dict[str, DynamicResource] = {}
        self._named: dict[str, AbstractResource] = {}
        self._subapps: list[tuple[str, Application, SubAppMounts]] = []
        self._prefixed: list[PrefixResource] = []
        self._domains: list[tuple[MatchedSubAppResource, SubAppMounts]] = []
        self._index: DynamicIndex | None = None
        self._frozen = False
        self._parent: SubAppMounts | None = None
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
            match = self._resolve_domain(request, path)
            if match is not None:
                return match
        res = self._static.get(path)
        if res is not None:
            route = res._methods.get(request.method) or res._any
            if route is not None:
                match = MatchInfo({}, route.handler)
                match.route = route
                return match
            return self._resolve_slow(request, request.method, path, res)
        found = None
        if len(path) <= self._max_segment or not self._too_long(path):
            found = (self._index or self._compile()).lookup(path)
        if found is not None:
            dyn = found[1]
            route = dyn._methods.get(request.method) or dyn._any
            if route is None:
                return self._resolve_slow(request, request.method, path, dyn)
            values = found[2]
            if ENCODED_SLASH in path:  # rare: a "%2F" in the request; values read "/"
                values = {name: restore_slashes(value) for name, value in values.items()}
            # Positional arguments only, then the route: a call with keywords costs
            # more (3.13 does not specialise it), on every dynamic hit.
            match = MatchInfo(values, route.handler)
            match.route = route
            return match
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
        for dyn in () if self._too_long(path) else index.candidates(path):
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

    def _too_long(self, path: str) -> bool:
        """Whether a segment of ``path`` is longer than dynamic routes may see."""
        limit = self._max_segment
        return len(path) > limit and max(map(len, path.split("/"))) > limit

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

    def _attach(self, parent: SubAppMounts, prefix: str) -> None:
        self._parent, self._prefix = parent, prefix

    def _remember(self, resource: _Resource) -> None:
        self._resources.append(resource)
        self._index = None

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

    def freeze(self) -> None:
        """Compile the dynamic routes, bind redirects to route names, refuse changes.

        Idempotent.

        Raises:
            ValueError: a redirect names a route that does not exist or does not fit
                (see :meth:`add_redirect`); the router stays unfrozen.
        """
        if not self._frozen:
            for redirect in self._redirects:
                redirect.bind()
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
