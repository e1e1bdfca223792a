"""Map a request path under a static prefix to a file inside the root, or refuse."""

from __future__ import annotations

import os
import re
from typing import Final, Literal, TypeAlias

__all__ = ["FollowSymlinks", "clean_segments", "is_inside", "resolve_under"]

#: ``False``: no symlink is followed; ``"inside"``: only symlinks whose target stays
#: inside the root; ``True``: any symlink (the target may leave the root).
FollowSymlinks: TypeAlias = "bool | Literal['inside']"

#: Whether Windows file-name rules apply (device names, trailing dots and spaces).
WINDOWS: Final = os.name == "nt"
# Win32 maps these names (with any extension) to devices, in every directory.
_DEVICE: Final = re.compile(
    r"(?i)(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³]|conin\$|conout\$)(\..*)?"
)


def is_inside(path: str, root: str) -> bool:
    """Whether the real path ``path`` is ``root`` or below it."""
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def clean_segments(rel: str, *, hidden: bool, windows: bool = WINDOWS) -> list[str] | None:
    """The segments of ``rel`` when it is safe as a string, else ``None``.

    ``rel`` is the percent-decoded path after the prefix, so ``%2e%2e``, ``%2f`` and
    ``%5c`` have been decoded already and are refused like their literal forms.
    Refused: NUL and control characters, backslashes, ``:`` (drive letters such as
    ``C:``, NTFS streams such as ``::$DATA``), absolute paths and empty segments
    (``//``; one final ``/`` is allowed, for directories), ``.`` and ``..`` segments,
    and names starting with ``.`` unless ``hidden``. With ``windows`` (the default on
    Windows) also device names (``CON``, ``nul.txt``, ``COM1``...) and segments ending
    in ``.`` or a space, which Win32 strips (``secret.txt.`` opens ``secret.txt``).
    """
    if any(c < " " or c in "\\:\x7f" for c in rel):
        return None
    segments = rel.split("/")
    if segments[-1] == "":
        segments.pop()  # "dir/": the directory itself
    for seg in segments:
        if seg in ("", ".", "..") or (seg[0] == "." and not hidden):
            return None
        if windows and (seg[-1] in ". " or _DEVICE.fullmatch(seg)):
            return None
    return segments


def resolve_under(
    root: str, rel: str, *, follow_symlinks: FollowSymlinks, hidden: bool
) -> str | None:
    """The file system path ``rel`` names inside ``root``, or ``None`` to answer 404.

    The string checks of :func:`clean_segments`, then symlinks per ``follow_symlinks``
    (``realpath``; no cache: see ``_lookup`` for the per-request, cached variant).

    Args:
        root: the resolved (``realpath``) root directory.
        rel: the decoded path under the prefix.
        follow_symlinks: see :data:`FollowSymlinks`.
        hidden: whether names starting with ``.`` may be served.
    """
    segments = clean_segments(rel, hidden=hidden)
    if segments is None:
        return None
    candidate = os.path.join(root, *segments) if segments else root
    if follow_symlinks is True:
        return candidate
    try:
        real = os.path.realpath(candidate)
    except (OSError, ValueError):
        return None
    if follow_symlinks == "inside":
        return real if is_inside(real, root) else None
    # No symlink anywhere below the root: the resolved path is the literal one.
    return candidate if real == candidate else None
