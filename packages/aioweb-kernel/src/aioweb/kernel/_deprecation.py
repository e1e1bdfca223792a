"""Deprecation helpers shared by every aioweb package."""

from __future__ import annotations

import warnings

__all__ = ["AiowebDeprecationWarning", "warn_deprecated"]


class AiowebDeprecationWarning(DeprecationWarning):
    """Warning category for aioweb APIs scheduled for removal."""


def warn_deprecated(
    what: str, *, since: str, remove_in: str, instead: str | None = None, stacklevel: int = 2
) -> None:
    """Emit an :class:`AiowebDeprecationWarning` in a uniform wording.

    Args:
        what: the deprecated thing, e.g. ``"Application.foo()"``.
        since: the version that deprecated it.
        remove_in: the version that will remove it.
        instead: what to use instead, if anything.
        stacklevel: passed to :func:`warnings.warn` (counted from the caller).
    """
    msg = f"{what} is deprecated since {since} and will be removed in {remove_in}"
    if instead:
        msg += f"; use {instead} instead"
    warnings.warn(msg, AiowebDeprecationWarning, stacklevel=stacklevel + 1)
