"""``PrefixResource``: the base of resources that claim every path under a prefix.

Other plugins subclass it (aioweb-static's static-file resource does); the router
resolves such resources generically, after its own static and dynamic routes and
before its sub-applications, longest prefix first.
"""

from __future__ import annotations

import abc
from typing import TYPE_CHECKING, Final

from aioweb.kernel import HTTPMethodNotAllowed, MatchInfo

from ._pattern import parse_pattern
from ._resources import AbstractResource, Query, miss

if TYPE_CHECKING:
    from yarl import URL

    from aioweb.kernel import Request

__all__ = ["PrefixResource", "check_prefix"]


class _Unbound:
    """The owner of a resource not registered on a router yet."""

    def _check_frozen(self, what: str) -> None:
        return None

    def _url_prefix(self) -> str:
        return ""


_UNBOUND: Final = _Unbound()


def check_prefix(prefix: str) -> str:
    """Validate a resource prefix; return it without a trailing ``/`` (``"/"`` -> ``""``).

    Raises:
        TypeError: ``prefix`` is not a str.
        ValueError: it does not start with ``/``, has dynamic parts (``{}``), or
            contains ``?``, ``#``, a NUL, or an empty, ``.`` or ``..`` segment.
    """
    if not isinstance(prefix, str):
        raise TypeError(f"a prefix must be a str, not {type(prefix).__name__}")
    if not prefix.startswith("/"):
        raise ValueError(f"a prefix must start with '/': {prefix!r}")
    if any(c in prefix for c in "{}?#\x00"):
        raise ValueError(f"a prefix cannot contain '{{', '}}', '?', '#' or NUL: {prefix!r}")
    stripped = prefix.rstrip("/") if prefix != "/" else ""
    segments = stripped.split("/")[1:]
    if any(seg in ("", ".", "..") for seg in segments):
        raise ValueError(f"a prefix cannot have empty, '.' or '..' segments: {prefix!r}")
    return stripped


class PrefixResource(AbstractResource, abc.ABC):
    """A resource serving every path under ``prefix`` that :meth:`match` accepts.

    Subclasses implement :meth:`match` and :meth:`url_for`, add their routes with
    :meth:`add_route` and are registered with ``UrlDispatcher.register_resource``.

    Args:
        prefix: where the resource is mounted (``/static``); a trailing ``/`` is
            dropped, and ``/`` mounts it at the root.
        name: the resource's name, for ``router[name]``.

    Raises:
        ValueError: invalid ``prefix`` (see :func:`check_prefix`) or ``name``.
    """

    __slots__ = ("_prefix",)

    def __init__(self, prefix: str, *, name: str | None = None) -> None:
        stripped = check_prefix(prefix)
        super().__init__(parse_pattern(stripped or "/"), name=name, owner=_UNBOUND)
        self._prefix = stripped

    @property
    def prefix(self) -> str:
        """The prefix, without a trailing ``/`` (``""`` when mounted at the root)."""
        return self._prefix

    @property
    def canonical(self) -> str:
        """The prefix (``/`` when mounted at the root)."""
        return self._prefix or "/"

    @property
    def url_prefix(self) -> str:
        """The prefix as seen by clients: sub-application prefixes included."""
        return self._owner._url_prefix() + self._prefix

    @property
    def registered(self) -> bool:
        """Whether a router holds this resource."""
        return self._owner is not _UNBOUND

    def _bind(self, owner: object) -> None:
        if self.registered:
            raise ValueError(f"{self!r} is already registered on a router")
        self._owner = owner  # type: ignore[assignment]  # a UrlDispatcher is an _Owner

    @abc.abstractmethod
    def match(self, rel_path: str, /) -> dict[str, str] | None:
        """The match values for ``rel_path`` (the decoded path after the prefix and its
        ``/``), or ``None`` when this resource does not serve it."""

    def resolve(self, request: Request, rel_path: str, /) -> MatchInfo | None:
        """Match ``request``: ``None`` when :meth:`match` refuses ``rel_path``; a match
        raising 405 when no route serves the method; else the route's match."""
        values = self.match(rel_path)
        if values is None:
            return None
        route = self.route_for(request.method)
        if route is None:
            return miss(HTTPMethodNotAllowed(request.method, self.allowed_methods))
        return MatchInfo(values, route.handler, route=route)

    @abc.abstractmethod
    def url_for(self, *, query: Query = None, **parts: str | int) -> URL:
        """Build a URL under this resource (the keywords are the subclass's)."""

    def get_info(self) -> dict[str, str]:
        """``{"prefix": ...}`` (subclasses add their own keys)."""
        return {"prefix": self._prefix}
