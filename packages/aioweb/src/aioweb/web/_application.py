"""``web.Application``: the kernel's class, typed with the routing package's router.

At run time this *is* :class:`aioweb.kernel.Application`.  For type checkers it is a
subclass whose ``router`` is a :class:`~aioweb.routing.UrlDispatcher`, so aiohttp-style
code (``app.router.add_get(...)``) type-checks: the meta package always installs
aioweb-routing, whose router every ``web.Application()`` gets unless told otherwise.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aioweb import kernel

__all__ = ["Application"]

if TYPE_CHECKING:
    from aioweb.routing import UrlDispatcher

    class Application(kernel.Application):
        """A web application (see :class:`aioweb.kernel.Application`)."""

        @property
        def router(self) -> UrlDispatcher:
            """The router (a ``UrlDispatcher``)."""
            ...

else:
    Application = kernel.Application
