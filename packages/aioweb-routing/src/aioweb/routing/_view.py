"""Class-based views: ``class Users(View): async def get(self): ...``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Generator
from typing import TYPE_CHECKING, Final

from aioweb.kernel import HTTPMethodNotAllowed, StreamResponse

if TYPE_CHECKING:
    from aioweb.kernel import Request

__all__ = ["View"]

#: The methods a view dispatches (aiohttp's ``METH_ALL``); others get 405.  Method
#: names are case-sensitive (RFC 9110 §9.1), so ``get`` is not dispatched to ``get()``.
_METHODS: Final = frozenset(
    {"CONNECT", "DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT", "TRACE"}
)


class View:
    """A handler class: one ``async`` method per HTTP method, named in lower case.

    Register it with ``router.add_view(path, MyView)`` or ``web.view(path, MyView)``.
    Each request makes an instance; awaiting it calls the method named after
    ``request.method`` (``GET`` -> ``get``).  A method the class does not define is
    answered with 405 and an ``Allow`` header listing the ones it does.

    Args:
        request: the request being served.
    """

    __slots__ = ("_request",)

    def __init__(self, request: Request) -> None:
        self._request = request

    @property
    def request(self) -> Request:
        """The request being served."""
        return self._request

    @classmethod
    def allowed_methods(cls) -> frozenset[str]:
        """The methods this class defines a handler for."""
        return frozenset(m for m in _METHODS if callable(getattr(cls, m.lower(), None)))

    def __await__(self) -> Generator[object, None, StreamResponse]:
        return self._dispatch().__await__()

    async def _dispatch(self) -> StreamResponse:
        method = self._request.method
        impl: Callable[[], object] | None = None
        if method in _METHODS:
            impl = getattr(self, method.lower(), None)
        if impl is None or not callable(impl):
            raise HTTPMethodNotAllowed(method, self.allowed_methods())
        result = impl()
        if not isinstance(result, StreamResponse) and isinstance(result, Awaitable):
            result = await result
        if not isinstance(result, StreamResponse):
            raise TypeError(f"{type(self).__qualname__}.{method.lower()}() returned {result!r}")
        return result
