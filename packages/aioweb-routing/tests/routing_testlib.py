"""Helpers shared by the aioweb-routing tests (on ``pythonpath``, see pyproject)."""

from __future__ import annotations

from collections.abc import Callable

from aioweb.kernel import Request, Response


def make_handler(tag: str) -> Callable[[Request], Response]:
    """A plain handler named ``tag`` (tables compare handlers by ``__name__``)."""

    def handler(request: Request) -> Response:
        return Response(text=tag)

    handler.__name__ = handler.__qualname__ = tag
    return handler


def handler_name(handler: object) -> str:
    """The ``__name__`` of a handler, or ``""``."""
    return str(getattr(handler, "__name__", ""))
