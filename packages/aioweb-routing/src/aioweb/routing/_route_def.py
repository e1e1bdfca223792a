"""Route definitions: ``web.get("/", handler)`` and friends, and ``RouteTableDef``.

A definition is a value describing a route; ``app.add_routes([...])`` (or
``router.add_routes``) registers it.  Keywords are explicit (``name``, and
``allow_head`` for GET) rather than an untyped ``**kwargs``; they are stored in
:attr:`RouteDef.kwargs` as aiohttp does.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Protocol, TypeVar, overload, runtime_checkable

from ._resources import METH_ANY, ResourceRoute, check_method

if TYPE_CHECKING:
    from aioweb.kernel import Request

    from ._dispatcher import UrlDispatcher
    from ._view import View

__all__ = [
    "AbstractRouteDef",
    "RouteDef",
    "RouteTableDef",
    "StaticDef",
    "delete",
    "get",
    "head",
    "options",
    "patch",
    "post",
    "put",
    "route",
    "static",
    "view",
]

H = TypeVar("H", bound=Callable[["Request"], object])
V = TypeVar("V", bound="type[View]")
_Handler = Callable[["Request"], object]


@runtime_checkable
class AbstractRouteDef(Protocol):
    """What ``add_routes`` accepts: anything that can register itself on a router."""

    def register(self, router: UrlDispatcher, /) -> list[ResourceRoute]:
        """Add the definition's routes to ``router``; return them."""
        ...


@dataclass(frozen=True, slots=True)
class RouteDef:
    """A route waiting to be registered: ``RouteDef("GET", "/", handler, {})``.

    Attributes:
        method: the method (``"*"``: any).
        path: the path pattern.
        handler: the handler (or ``View`` subclass).
        kwargs: registration keywords: ``name``, and ``allow_head`` for GET.
    """

    method: str
    path: str
    handler: _Handler
    kwargs: Mapping[str, object] = field(default_factory=lambda: MappingProxyType({}))

    def __post_init__(self) -> None:
        unknown = set(self.kwargs).difference({"name", "allow_head"})
        if unknown or ("allow_head" in self.kwargs and self.method.upper() != "GET"):
            raise TypeError(f"unexpected route keyword(s) {sorted(self.kwargs)} for {self!r}")

    def register(self, router: UrlDispatcher, /) -> list[ResourceRoute]:
        """Add this route to ``router``; return the routes created."""
        name = self.kwargs.get("name")
        if name is not None and not isinstance(name, str):
            raise TypeError(f"route name must be a str, not {name!r}")
        if check_method(self.method) == "GET":
            allow_head = self.kwargs.get("allow_head", True) is True
            return [router.add_get(self.path, self.handler, name=name, allow_head=allow_head)]
        return [router.add_route(self.method, self.path, self.handler, name=name)]

    def __repr__(self) -> str:
        handler = getattr(self.handler, "__qualname__", repr(self.handler))
        extra = "".join(f", {k}={v!r}" for k, v in self.kwargs.items())
        return f"<RouteDef {self.method} {self.path} -> {handler}{extra}>"


@dataclass(frozen=True, slots=True)
class StaticDef:
    """Static files waiting to be registered: ``web.static("/static", "./static")``.

    Attributes:
        prefix: the URL prefix.
        path: the directory served.
        kwargs: the keywords for ``router.add_static`` (``name``, ``show_index``, ...).
    """

    prefix: str
    path: object
    kwargs: Mapping[str, object] = field(default_factory=lambda: MappingProxyType({}))

    def register(self, router: UrlDispatcher, /) -> list[ResourceRoute]:
        """Call ``router.add_static`` (needs aioweb-static); return the routes created."""
        options = dict(self.kwargs)
        name = options.pop("name", None)
        if name is not None and not isinstance(name, str):
            raise TypeError(f"route name must be a str, not {name!r}")
        return list(router.add_static(self.prefix, self.path, name=name, **options))

    def __repr__(self) -> str:
        extra = "".join(f", {k}={v!r}" for k, v in self.kwargs.items())
        return f"<StaticDef {self.prefix} -> {self.path!r}{extra}>"


def static(prefix: str, path: object, *, name: str | None = None, **kwargs: object) -> StaticDef:
    """Static files under directory ``path``, served at ``prefix`` (see ``add_static``)."""
    return StaticDef(prefix, path, _kwargs(name, **kwargs))


def _kwargs(name: str | None, **more: object) -> Mapping[str, object]:
    found: dict[str, object] = {"name": name} if name is not None else {}
    found.update(more)
    return MappingProxyType(found)


def route(method: str, path: str, handler: _Handler, *, name: str | None = None) -> RouteDef:
    """A route for ``method`` (``"*"``: any method) on ``path``."""
    return RouteDef(method, path, handler, _kwargs(name))


def get(
    path: str, handler: _Handler, *, name: str | None = None, allow_head: bool = True
) -> RouteDef:
    """A GET route (which answers HEAD too unless ``allow_head=False``)."""
    extra = {} if allow_head else {"allow_head": False}
    return RouteDef("GET", path, handler, _kwargs(name, **extra))


def post(path: str, handler: _Handler, *, name: str | None = None) -> RouteDef:
    """A POST route."""
    return route("POST", path, handler, name=name)


def put(path: str, handler: _Handler, *, name: str | None = None) -> RouteDef:
    """A PUT route."""
    return route("PUT", path, handler, name=name)


def patch(path: str, handler: _Handler, *, name: str | None = None) -> RouteDef:
    """A PATCH route."""
    return route("PATCH", path, handler, name=name)


def delete(path: str, handler: _Handler, *, name: str | None = None) -> RouteDef:
    """A DELETE route."""
    return route("DELETE", path, handler, name=name)


def head(path: str, handler: _Handler, *, name: str | None = None) -> RouteDef:
    """A HEAD route."""
    return route("HEAD", path, handler, name=name)


def options(path: str, handler: _Handler, *, name: str | None = None) -> RouteDef:
    """An OPTIONS route."""
    return route("OPTIONS", path, handler, name=name)


def view(path: str, cls: type[View], *, name: str | None = None) -> RouteDef:
    """A class-based view on ``path``, answering every method."""
    return route(METH_ANY, path, cls, name=name)


class RouteTableDef(Sequence[AbstractRouteDef]):
    """Collects routes with decorators; pass it to ``app.add_routes(routes)``.

    Example::

        routes = RouteTableDef()

        @routes.get("/")
        async def index(request): ...
    """

    __slots__ = ("_items",)

    def __init__(self) -> None:
        self._items: list[AbstractRouteDef] = []

    def route(self, method: str, path: str, *, name: str | None = None) -> Callable[[H], H]:
        """Decorate a handler for ``method`` on ``path``."""

        def register(handler: H) -> H:
            self._items.append(route(method, path, handler, name=name))
            return handler

        return register

    def get(
        self, path: str, *, name: str | None = None, allow_head: bool = True
    ) -> Callable[[H], H]:
        """Decorate a GET handler (answering HEAD too unless ``allow_head=False``)."""

        def register(handler: H) -> H:
            self._items.append(get(path, handler, name=name, allow_head=allow_head))
            return handler

        return register

    def post(self, path: str, *, name: str | None = None) -> Callable[[H], H]:
        """Decorate a POST handler."""
        return self.route("POST", path, name=name)

    def put(self, path: str, *, name: str | None = None) -> Callable[[H], H]:
        """Decorate a PUT handler."""
        return self.route("PUT", path, name=name)

    def patch(self, path: str, *, name: str | None = None) -> Callable[[H], H]:
        """Decorate a PATCH handler."""
        return self.route("PATCH", path, name=name)

    def delete(self, path: str, *, name: str | None = None) -> Callable[[H], H]:
        """Decorate a DELETE handler."""
        return self.route("DELETE", path, name=name)

    def head(self, path: str, *, name: str | None = None) -> Callable[[H], H]:
        """Decorate a HEAD handler."""
        return self.route("HEAD", path, name=name)

    def options(self, path: str, *, name: str | None = None) -> Callable[[H], H]:
        """Decorate an OPTIONS handler."""
        return self.route("OPTIONS", path, name=name)

    def view(self, path: str, *, name: str | None = None) -> Callable[[V], V]:
        """Decorate a ``View`` subclass."""

        def register(cls: V) -> V:
            self._items.append(view(path, cls, name=name))
            return cls

        return register

    def static(
        self, prefix: str, path: object, *, name: str | None = None, **kwargs: object
    ) -> None:
        """Add static files under ``path`` at ``prefix`` (see :func:`static`)."""
        self._items.append(static(prefix, path, name=name, **kwargs))

    @overload
    def __getitem__(self, index: int) -> AbstractRouteDef: ...
    @overload
    def __getitem__(self, index: slice) -> list[AbstractRouteDef]: ...
    def __getitem__(self, index: int | slice) -> AbstractRouteDef | list[AbstractRouteDef]:
        return self._items[index]

    def __iter__(self) -> Iterator[AbstractRouteDef]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, item: object) -> bool:
        return item in self._items

    def __repr__(self) -> str:
        return f"<RouteTableDef count={len(self._items)}>"
