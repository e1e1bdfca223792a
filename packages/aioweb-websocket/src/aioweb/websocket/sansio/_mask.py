"""Client-to-server masking (RFC 6455 §5.3), done on whole payloads at C speed.

Two back-ends give the same bytes: the pure one (big-integer XOR, always there) and
the ``speedups`` one, a compiled XOR from the optional ``aioweb-websocket[speedups]``
extra (pycryptodome's documented ``strxor``), about 20x faster on a megabyte. Which one
a connection uses is configuration (:func:`get_masker`, ``mask_backend=``; ``"auto"``
takes the compiled one when the extra is installed), resolved when it is asked for,
never at import time.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final, Literal, Protocol

__all__ = [
    "PURE_MASKER",
    "IntoFunc",
    "MaskBackend",
    "MaskFunc",
    "Masker",
    "apply_mask",
    "get_masker",
]

#: Payloads are XORed in slices of this size: big-integer conversion is linear but
#: falls out of the CPU cache on megabyte numbers (16 KiB slices are ~2.5x faster
#: on a 1 MiB payload than one conversion of the whole).
_SLICE: Final = 16384

#: Below this size the compiled XOR's call overhead (a few µs through ctypes)
#: costs more than the pure XOR; the speedups masker hands such payloads to it.
_COMPILED_MIN: Final = 4096

MaskBackend = Literal["auto", "pure", "speedups"]
"""``"pure"``, ``"speedups"`` (the compiled XOR; ImportError without the extra),
``"auto"`` (speedups when the extra is installed, else pure)."""


def apply_mask(data: bytes | bytearray | memoryview, mask: bytes, offset: int = 0) -> bytes:
    """XOR ``data`` with the 4-byte ``mask``, starting at byte ``offset`` of the mask.

    The payload and the repeated key are turned into big integers and XORed: linear
    and done in C, never a per-byte Python loop. ``offset`` lets a payload that
    arrives in pieces be unmasked piece by piece.
    """
    n = len(data)
    if not n:
        return b""
    if offset & 3:
        offset &= 3
        mask = mask[offset:] + mask[:offset]
    if n <= _SLICE:
        key = (mask * ((n >> 2) + 1))[:n]
        return (int.from_bytes(data, "little") ^ int.from_bytes(key, "little")).to_bytes(
            n, "little"
        )
    out: list[bytes] = []
    mask_into(out, data, mask)
    return b"".join(out)


def mask_into(out: list[bytes], data: bytes | bytearray | memoryview, mask: bytes) -> None:
    """Append ``data`` XORed with ``mask`` (in phase at byte 0) to ``out`` in slices.

    For a payload that is joined later anyway (a message arriving in pieces): the
    slices go straight into the message's parts, saving a copy per piece.
    """
    n = len(data)
    frm = int.from_bytes
    whole = mask * (_SLICE >> 2)  # _SLICE is a multiple of 4: every slice starts in phase
    key_int = frm(whole, "little")
    append = out.append
    with memoryview(data) as view:
        end = n - n % _SLICE
        for i in range(0, end, _SLICE):
            append((frm(view[i : i + _SLICE], "little") ^ key_int).to_bytes(_SLICE, "little"))
        if end < n:
            rest = n - end
            append(
                (frm(view[end:], "little") ^ frm(whole[:rest], "little")).to_bytes(rest, "little")
            )


class MaskFunc(Protocol):
    """``apply(data, mask, offset=0) -> bytes``: the signature of :func:`apply_mask`."""

    def __call__(
        self, data: bytes | bytearray | memoryview, mask: bytes, offset: int = 0, /
    ) -> bytes: ...


IntoFunc = Callable[[list[bytes], bytes | bytearray | memoryview, bytes], None]
"""``into(out, data, mask)``: append ``data`` XORed with ``mask`` (in phase at byte 0)."""


@dataclass(frozen=True, slots=True, repr=False)
class Masker:
    """One masking back-end: how a frame reader unmasks and a client writer masks.

    Attributes:
        name: ``"pure"`` or ``"speedups"``.
        apply: ``apply(data, mask, offset)``, this back-end's :func:`apply_mask`.
        into: ``into(out, data, mask)``, this back-end's way to append unmasked pieces.
    """

    name: Literal["pure", "speedups"]
    apply: MaskFunc
    into: IntoFunc

    def __repr__(self) -> str:
        return f"<Masker {self.name}>"


#: The pure-Python back-end (always there).
PURE_MASKER: Final = Masker("pure", apply_mask, mask_into)

#: Back-ends resolved so far, by the name they were asked for ("auto", "speedups").
_resolved: dict[str, Masker] = {}


def _speedups_masker() -> Masker:
    """The compiled back-end; ImportError when the extra is not installed."""
    compiled = _resolved.get("speedups")
    if compiled is not None:
        return compiled
    try:
        strxor = importlib.import_module("Crypto.Util.strxor").strxor
    except ImportError as exc:
        raise ImportError(
            "mask_backend='speedups' needs the extra: pip install 'aioweb-websocket[speedups]'"
        ) from exc

    def apply(data: bytes | bytearray | memoryview, mask: bytes, offset: int = 0) -> bytes:
        n = len(data)
        if n < _COMPILED_MIN:
            return apply_mask(data, mask, offset)
        if offset & 3:
            offset &= 3
            mask = mask[offset:] + mask[:offset]
        key = mask * ((n >> 2) + 1)  # one memcpy-speed repeat, then a view of n bytes
        with memoryview(key) as view:
            result: bytes = strxor(data, view[:n])
        return result

    def into(out: list[bytes], data: bytes | bytearray | memoryview, mask: bytes) -> None:
        out.append(apply(data, mask, 0))

    compiled = _resolved["speedups"] = Masker("speedups", apply, into)
    return compiled


def get_masker(backend: MaskBackend = "auto") -> Masker:
    """The masking back-end for ``backend`` (see :data:`MaskBackend`).

    The first ``"auto"`` or ``"speedups"`` call tries the import; the answer is kept.

    Raises:
        ImportError: ``"speedups"`` without ``aioweb-websocket[speedups]``.
        ValueError: an unknown back-end name.
    """
    if backend == "pure":
        return PURE_MASKER
    if backend == "speedups":
        return _speedups_masker()
    if backend == "auto":
        auto = _resolved.get("auto")
        if auto is None:
            try:
                auto = _speedups_masker()
            except ImportError:
                auto = PURE_MASKER
            _resolved["auto"] = auto
        return auto
    raise ValueError(f"unknown mask backend {backend!r} (auto, pure or speedups)")
