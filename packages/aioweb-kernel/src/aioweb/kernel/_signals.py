"""Signals (lists of async callbacks) and the list type that freezes with the app."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import Any, Generic, SupportsIndex, TypeVar

from typing_extensions import ParamSpec, Self, override

__all__ = ["FrozenList", "Signal"]

T = TypeVar("T")
P = ParamSpec("P")


class FrozenList(list[T]):
    """A list that refuses changes once :meth:`freeze` was called."""

    __slots__ = ("_frozen",)

    def __init__(self, items: Iterable[T] = ()) -> None:
        super().__init__(items)
        self._frozen = False

    @property
    def frozen(self) -> bool:
        """Whether changes are refused."""
        return self._frozen

    def freeze(self) -> None:
        """Refuse changes from now on."""
        self._frozen = True

    def _check(self) -> None:
        if self._frozen:
            raise RuntimeError(
                "cannot change a frozen list: the application has started "
                "(register callbacks and middlewares before startup)"
            )

    @override
    def append(self, item: T, /) -> None:
        self._check()
        super().append(item)

    @override
    def extend(self, items: Iterable[T], /) -> None:
        self._check()
        super().extend(items)

    @override
    def insert(self, index: SupportsIndex, item: T, /) -> None:
        self._check()
        super().insert(index, item)

    @override
    def remove(self, item: T, /) -> None:
        self._check()
        super().remove(item)

    @override
    def pop(self, index: SupportsIndex = -1, /) -> T:
        self._check()
        return super().pop(index)

    @override
    def clear(self) -> None:
        self._check()
        super().clear()

    @override
    def __setitem__(self, index: SupportsIndex | slice, value: T | Iterable[T], /) -> None:
        self._check()
        super().__setitem__(index, value)  # type: ignore[index, assignment]

    @override
    def __delitem__(self, index: SupportsIndex | slice, /) -> None:
        self._check()
        super().__delitem__(index)

    @override
    def __iadd__(self, items: Iterable[T], /) -> Self:  # type: ignore[override]
        self._check()
        return super().__iadd__(items)

    @override
    def sort(self, *args: Any, **kwargs: Any) -> None:
        self._check()
        super().sort(*args, **kwargs)

    @override
    def reverse(self) -> None:
        self._check()
        super().reverse()


class Signal(FrozenList[Callable[P, Awaitable[object]]], Generic[P]):
    """Async callbacks run in order by :meth:`send` (``app.on_startup`` and friends)."""

    __slots__ = ()

    async def send(self, *args: P.args, **kwargs: P.kwargs) -> None:
        """Await each callback with the given arguments, in registration order."""
        for callback in self:
            await callback(*args, **kwargs)
