"""Map a request path under a static prefix to a file inside the root, or refuse."""

from __future__ import annotations

import os
from typing import Literal, TypeAlias

__all__ = ["FollowSymlinks", "resolve_under"]

#: ``False``: no symlink is followed; ``"inside"``: only symlinks whose target stays
#: inside the root; ``True``: any symlink (the target may leave the root).
FollowSymlinks: TypeAlias = "bool | Literal['inside']"


def _is_inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def resolve_under(
    root: str, rel: str, *, follow_symlinks: FollowSymlinks, hidden: bool
) -> str | None:
    """The file system path ``rel`` names inside ``root``, or ``None`` to answer 404.

    ``rel`` is the percent-decoded path after the prefix, so ``%2e%2e``, ``%2f`` and
    ``%5c`` have been decoded already and are refused like their literal forms.
    Refused: NUL and control characters, backslashes, ``:`` (drive letters and NTFS
    streams), absolute paths and empty segments (``//``; a final ``/`` is allowed for
    directories), ``.`` and ``..`` segments, dot files unless ``hidden``, and
    symlinks per ``follow_symlinks``.

    Args:
        root: the resolved (``realpath``) root directory.
        rel: the decoded path under the prefix.
        follow_symlinks: see :data:`FollowSymlinks`.
        hidden: whether names starting with ``.`` may be served.
    """
    if any(c < " " or c in "\\:\x7f" for c in rel):
        return None
    segments = rel.split("/")
    if segments and segments[-1] == "":
        segments.pop()  # "dir/": the directory itself
    clean: list[str] = []
    for seg in segments:
        if seg in ("", ".", ".."):
            return None
        if seg[0] == "." and not hidden:
            return None
        clean.append(seg)
    candidate = os.path.join(root, *clean) if clean else root
    if follow_symlinks is True:
        return candidate
    try:
        real = os.path.realpath(candidate)
    except (OSError, ValueError):
        return None
    if follow_symlinks == "inside":
        return real if _is_inside(real, root) else None
    # No symlink anywhere below the root: the resolved path is the literal one.
    return candidate if real == candidate else None
