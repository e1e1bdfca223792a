"""Resources (one path pattern each) and their routes (one method + handler each)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Final, NoReturn, Protocol, TypeAlias, final

from yarl import URL

from aioweb.kernel import HTTPException, MatchInfo

from ._pattern import Pattern, parse_pattern, restore_slashes, validate_name

if TYPE_CHECKING:
    from aioweb.kernel import Application, Request

__all__ = [
    "METH_ANY",
    "AbstractResource",
    "DynamicResource",
    "MatchedSubAppResource",
    "PlainResource",
    "PrefixedSubAppResource",
    "Query",
    "ResourceRoute",
    "host_of",
    "miss",
]

#: The method of a route that answers every method (``add_route("*", ...)``).
METH_ANY: Final = "*"

#: What ``url_for(query=...)`` accepts (as ``yarl.URL.with_query`` does).
Query: TypeAlias = (
    "str | Mapping[str, str | int | float | Sequence[str | int | float]]"
    " | Sequence[tuple[str, str | int | float]] | None"
)

# RFC 9110 §5.6.2: method = token; tchar = "!" / "#" / ... / DIGIT / ALPHA.
_TOKEN: Final = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")


def check_method(method: str) -> str:
    """Upper-case and validate a method for registration (``*`` means any).

    Raises:
        ValueError: ``method`` is not an RFC 9110 token.
    """
    if not _TOKEN.fullmatch(method):
        raise ValueError(f"invalid HTTP method {method!r}: it must be an RFC 9110 token")
    return method.upper()


class _Raise:
    """The handler of a miss: raises the match's 404 or 405."""

    __slots__ = ("exc",)

    def __init__(self, exc: HTTPException) -> None:
        self.exc = exc

    def __call__(self, request: Request, /) -> NoReturn:
        raise self.exc


def miss(exc: HTTPException) -> MatchInfo:
    """A match for nothing: its handler raises ``exc`` (a 404 or 405)."""
    return MatchInfo({}, _Raise(exc), http_exception=exc)


class _Owner(Protocol):
    """What a resource needs from the router that holds it."""

    def _check_frozen(self, what: str) -> None: ...

    def _url_prefix(self) -> str: ...


@final
class ResourceRoute:
    """One method on one resource, and the handler that serves it.

    Attributes:
        method: the method, upper case (``"*"``: any method).
        handler: ``async (request) -> response`` (or a plain function, or a ``View``).
        resource: the resource the route belongs to.
    """

    __slots__ = ("_implicit", "handler", "method", "resource")

    def __init__(
        self,
        method: str,
        handler: Callable[[Request], object],
        resource: AbstractResource,
        *,
        implicit: bool = False,
    ) -> None:
        self.method = method
        self.handler = handler
        self.resource = resource
        self._implicit = implicit

    @property
    def name(self) -> str | None:
        """The resource's name."""
        return self.resource.name

    def url_for(self, *, query: Query = None, **parts: str | int) -> URL:
        """The resource's URL (see :meth:`AbstractResource.url_for`)."""
        return self.resource.url_for(query=query, **parts)

    def __repr__(self) -> str:
        handler = getattr(self.handler, "__qualname__", repr(self.handler))
        return f"<ResourceRoute {self.method} {self.resource.canonical!r} -> {handler}>"


class AbstractResource:
    """A path pattern, its optional name, and the routes (methods) registered on it.

    Args:
        pattern: the parsed path pattern.
        name: the resource's name, for ``router[name]``.
        owner: the router holding the resource.
    """

    __slots__ = ("_allowed", "_any", "_methods", "_name", "_owner", "_pattern")

    def __init__(self, pattern: Pattern, *, name: str | None, owner: _Owner) -> None:
        self._pattern = pattern
        self._name = None if name is None else validate_name(name)
        self._owner = owner
        self._methods: dict[str, ResourceRoute] = {}
        self._any: ResourceRoute | None = None
        self._allowed: frozenset[str] = frozenset()

    @property
    def name(self) -> str | None:
        """The name given at registration, if any."""
        return self._name

    @property
    def canonical(self) -> str:
        """The path pattern as registered."""
        return self._pattern.raw

    @property
    def allowed_methods(self) -> frozenset[str]:
        """The methods with a route here (a ``*`` route is not listed)."""
        return self._allowed

    def add_route(self, method: str, handler: Callable[[Request], object]) -> ResourceRoute:
        """Serve ``method`` (``"*"``: any method not otherwise routed) with ``handler``.

        Raises:
            ValueError: the method is not a token, or it already has a route here.
            TypeError: ``handler`` is not callable.
            RuntimeError: the router is frozen.
        """
        return self._add_route(method, handler, implicit=False)

    def _add_route(
        self, method: str, handler: Callable[[Request], object], *, implicit: bool
    ) -> ResourceRoute:
        # implicit: the HEAD route add_get() adds; an explicit HEAD replaces it.
        self._owner._check_frozen(f"add {method} {self.canonical!r}")
        method = check_method(method)
        if not callable(handler):
            raise TypeError(f"handler for {method} {self.canonical!r} is not callable: {handler!r}")
        existing = self._any if method == METH_ANY else self._methods.get(method)
        if existing is not None and not existing._implicit:
            if implicit:  # add_get's HEAD when an explicit HEAD exists: keep that one
                return existing
            raise ValueError(
                f"duplicate route {method} {self.canonical!r}: already served by "
                f"{existing.handler!r}, cannot add {handler!r}"
            )
        route = ResourceRoute(method, handler, self, implicit=implicit)
        if method == METH_ANY:
            self._any = route
        else:
            self._methods[method] = route
            self._allowed = frozenset(self._methods)
        return route

    def _set_name(self, name: str) -> None:
        self._name = validate_name(name)

    def route_for(self, method: str) -> ResourceRoute | None:
        """The route serving ``method`` (exact, case-sensitive), else the ``*`` route."""
        return self._methods.get(method) or self._any

    def url_for(self, *, query: Query = None, **parts: str | int) -> URL:
        """Build this resource's URL (relative, percent-encoded), prefixes included.

        A dynamic part named ``query`` is filled by the ``query=`` argument; add a
        query string to such a URL with ``.with_query()``.

        Args:
            query: the query string, as ``yarl.URL.with_query`` takes it.
            **parts: the dynamic parts' values; each must match its part's regex.

        Raises:
            KeyError: a dynamic part has no value.
            ValueError: a part is unknown or its value does not match.
        """
        values = {k: str(v) for k, v in parts.items()}
        if query is not None and "query" in self._pattern.names:
            values["query"] = str(query)
            query = None
        path = self._owner._url_prefix() + self._pattern.build(values)
        url = URL.build(path=path, encoded=True)
        return url if query is None else url.with_query(query)

    def get_info(self) -> dict[str, str]:
        """A description (``{"path": ...}`` or ``{"formatter": ..., "pattern": ...}``)."""
        if self._pattern.regex is None:
            return {"path": self._pattern.raw}
        return {"formatter": self._pattern.raw, "pattern": self._pattern.regex.pattern}

    def __iter__(self) -> Iterator[ResourceRoute]:
        yield from self._methods.values()
        if self._any is not None:
            yield self._any

    def __len__(self) -> int:
        return len(self._methods) + (self._any is not None)

    def __repr__(self) -> str:
        name = f" {self._name!r}" if self._name else ""
        return f"<{type(self).__name__}{name} {self.canonical!r}>"


@final
class PlainResource(AbstractResource):
    """A resource with a static path (``/about``): matched by one dict lookup."""

    __slots__ = ()


@final
class DynamicResource(AbstractResource):
    """A resource whose path has dynamic parts (``/users/{id:\\d+}``)."""

    __slots__ = ()

    def match(self, path: str) -> dict[str, str] | None:
        """The dynamic parts' values if ``path`` matches (anchored), else ``None``.

        ``path`` is decoded and every ``/`` in it separates segments (to match a raw
        path, where ``%2F`` is data, the router uses its match key: see ``resolve``).
        """
        regex = self._pattern.regex
        m = regex.fullmatch(path) if regex is not None else None
        if m is None:
            return None
        return dict(zip(self._pattern.names, map(restore_slashes, m.groups()), strict=True))


def make_resource(path: str, *, name: str | None, owner: _Owner) -> AbstractResource:
    """A :class:`PlainResource` or :class:`DynamicResource` for ``path``."""
    pattern = parse_pattern(path)
    cls = PlainResource if pattern.is_static else DynamicResource
    return cls(pattern, name=name, owner=owner)


@final
class PrefixedSubAppResource:
    """A sub-application mounted under a path prefix (``app.add_subapp("/admin", admin)``).

    Attributes:
        prefix: the prefix, starting and not ending with ``/``.
        app: the sub-application.
    """

    __slots__ = ("app", "prefix")

    def __init__(self, prefix: str, app: Application) -> None:
        self.prefix = prefix
        self.app = app

    @property
    def name(self) -> None:
        """Sub-application resources have no name (name the sub-app's own routes)."""
        return None

    @property
    def canonical(self) -> str:
        """The prefix."""
        return self.prefix

    def get_info(self) -> dict[str, object]:
        """``{"prefix": ..., "app": ...}``."""
        return {"prefix": self.prefix, "app": self.app}

    def __repr__(self) -> str:
        return f"<PrefixedSubAppResource {self.prefix!r} -> {self.app!r}>"


@final
class MatchedSubAppResource:
    """A sub-application serving one host (``app.add_domain("api.example.com", api)``).

    ``*.example.com`` matches any host ending in ``.example.com`` (not ``example.com``).

    Attributes:
        domain: the domain or mask as registered, lower case.
        app: the sub-application.

    Raises:
        ValueError: ``domain`` is empty, has a port, a path or whitespace, or a ``*``
            anywhere but as the whole first label.
    """

    __slots__ = ("_suffix", "app", "domain")

    def __init__(self, domain: str, app: Application) -> None:
        if not isinstance(domain, str):
            raise TypeError(f"a domain must be a str, not {type(domain).__name__}")
        domain = domain.strip().lower().rstrip(".")
        bad = not domain or any(c in domain for c in "/:?#@ \t[]") or "*" in domain[1:]
        if bad or (domain.startswith("*") and (not domain.startswith("*.") or len(domain) < 3)):
            raise ValueError(f"invalid domain {domain!r}: use 'example.com' or '*.example.com'")
        self.domain = domain
        self.app = app
        self._suffix = domain[1:] if domain.startswith("*.") else None

    @property
    def name(self) -> None:
        """Domain resources have no name."""
        return None

    @property
    def canonical(self) -> str:
        """The domain or mask."""
        return self.domain

    def match_host(self, host: str) -> bool:
        """Whether ``host`` (lower case, no port) is served by this resource."""
        suffix = self._suffix
        if suffix is None:
            return host == self.domain
        return len(host) > len(suffix) and host.endswith(suffix)

    def get_info(self) -> dict[str, object]:
        """``{"domain": ..., "app": ...}``."""
        return {"domain": self.domain, "app": self.app}

    def __repr__(self) -> str:
        return f"<MatchedSubAppResource {self.domain!r} -> {self.app!r}>"


def host_of(request: Request) -> str:
    """``request.host`` lower case, without the port (IPv6 brackets kept)."""
    host = request.host.lower()
    if host.startswith("["):
        return host[: host.find("]") + 1]
    name, sep, port = host.rpartition(":")
    return name.rstrip(".") if sep and port.isdigit() else host.rstrip(".")
