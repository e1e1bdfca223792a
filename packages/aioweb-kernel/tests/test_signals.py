"""``FrozenList`` and ``Signal``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from aioweb.kernel import FrozenList, Signal

CHANGES: list[tuple[str, Callable[[FrozenList[int]], object]]] = [
    ("append", lambda f: f.append(9)),
    ("extend", lambda f: f.extend([9])),
    ("insert", lambda f: f.insert(0, 9)),
    ("remove", lambda f: f.remove(1)),
    ("pop", lambda f: f.pop()),
    ("clear", lambda f: f.clear()),
    ("setitem", lambda f: f.__setitem__(0, 9)),
    ("setslice", lambda f: f.__setitem__(slice(0, 1), [9])),
    ("delitem", lambda f: f.__delitem__(0)),
    ("iadd", lambda f: f.__iadd__([9])),
    ("sort", lambda f: f.sort()),
    ("reverse", lambda f: f.reverse()),
]


@pytest.mark.parametrize("change", [c for _, c in CHANGES], ids=[n for n, _ in CHANGES])
def test_frozen_list(change: Callable[[FrozenList[int]], object]) -> None:
    items = FrozenList([2, 1])
    change(items)
    items = FrozenList([2, 1])
    items.freeze()
    assert items.frozen
    with pytest.raises(RuntimeError, match="frozen"):
        change(items)
    assert items == [2, 1]


async def test_signal_send_in_order_with_args() -> None:
    log: list[tuple[str, int, str]] = []

    def cb(name: str) -> Callable[[int, str], Awaitable[None]]:
        async def run(a: int, b: str) -> None:
            log.append((name, a, b))

        return run

    signal: Signal[[int, str]] = Signal()
    signal.extend([cb("first"), cb("second")])
    await signal.send(1, "x")
    assert log == [("first", 1, "x"), ("second", 1, "x")]


async def test_empty_signal() -> None:
    signal: Signal[[]] = Signal()
    assert not signal
    await signal.send()
