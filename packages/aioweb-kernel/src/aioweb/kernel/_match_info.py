"""``MatchInfo``: what the router found for a request (also ``request.match_info``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ._app import Application
    from ._request import Request
    from ._web_exceptions import HTTPException

__all__ = ["MatchInfo"]


class MatchInfo(dict[str, str]):
    """The values of the matched path's dynamic parts, plus the route found.

    A router that finds nothing still returns a ``MatchInfo``: its ``handler`` raises
    ``http_exception`` (404 or 405), so middlewares run for misses too.

    Args:
        values: the dynamic parts, already percent-decoded (``{"name": "bob"}``).
        handler: what to call; may return a response or an awaitable of one.
        route: the router's route object (opaque to the kernel).
        http_exception: set when nothing matched.
        apps: the sub-applications the match went through, outermost first, not
            counting the root application (empty for the root's own routes).
    """

    __slots__ = ("apps", "handler", "http_exception", "route")

    def __init__(
        self,
        values: Mapping[str, str],
        handler: Callable[[Request], object],
        *,
        route: object = None,
        http_exception: HTTPException | None = None,
        apps: tuple[Application, ...] = (),
    ) -> None:
        if values:  # dict.update beats dict.__init__: this runs on every request
            dict.update(self, values)
        self.handler = handler
        self.route = route
        self.http_exception = http_exception
        self.apps = apps

    @property
    def current_app(self) -> Application | None:
        """The innermost sub-application of the match (``None``: the root app)."""
        return self.apps[-1] if self.apps else None

    def __repr__(self) -> str:
        return f"<MatchInfo {dict(self)!r}: {self.route!r}>"
