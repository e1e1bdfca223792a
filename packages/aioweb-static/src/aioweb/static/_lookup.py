"""Open a file under a static root per request, safely, with cached validation.

Why caching here is safe
------------------------
A request is served from the file descriptor opened *this* request, never from a
cached path alone. The steps:

1. The request path is checked as a string (:func:`~._safepath.clean_segments`:
   NUL, control characters, ``\\``, ``:``, ``.``/``..``/empty segments, dot files).
   That is a pure function of the string, so its answer is cached (bounded).
2. The candidate is opened with ``O_NONBLOCK`` (a FIFO cannot hang the loop) and,
   for ``follow_symlinks=False``, ``O_NOFOLLOW`` (a final-component symlink fails
   with ``ELOOP``). ``fstat`` of that descriptor must be a regular file.
3. The descriptor's identity ``(st_dev, st_ino, st_ctime_ns, st_mtime_ns,
   st_size)`` is compared with the identity that passed the full check for this
   candidate path less than :data:`REVALIDATE_AFTER` seconds ago. Equal: served.
   Otherwise the full check runs now
   (``realpath`` inside the root, no symlink for ``follow_symlinks=False``, and
   ``stat`` of the checked real path must be the very inode that was opened), and
   only on success is the new identity cached.

A removed file fails ``open`` (404). A changed file has a new ``ctime`` (the kernel
moves it on every write, ``chmod``, rename or link; user space cannot set it), so it
is checked again. A symlink swapped in (for the file or a parent directory) makes
``open`` reach another inode, which fails the identity test and is then checked in
full, so it is refused. The one thing a cache hit lets through is the *same,
unchanged* inode reached another way, e.g. after its parent directory was moved out of
the root and replaced by a symlink to it: its bytes are those that were servable when
it was checked (to the kernel's timestamp granularity), so nothing new leaks, and
that lasts at most :data:`REVALIDATE_AFTER` seconds, when the full check runs again.
Hard links are out of scope, as for every web server: a hard link inside the root
*is* a file inside the root.

Directories always take the full check (they are rare, and ``show_index`` lists them).
"""

from __future__ import annotations

import os
import stat
import time
from dataclasses import dataclass
from typing import Final, TypeVar

from aioweb.kernel import format_http_date

from ._conditional import Validators
from ._negotiate import SIBLINGS
from ._safepath import FollowSymlinks, clean_segments, is_inside

__all__ = ["DIRECTORY", "FileLookup", "Meta", "OpenFile"]

#: Entries per cache (request paths, validated files, sibling lists); the oldest goes.
CACHE_SIZE: Final = 2048
#: Seconds a list of pre-compressed siblings is trusted before it is looked up again.
SIBLING_TTL: Final = 1.0
#: Seconds a passed full check is trusted (while the file's identity is unchanged).
REVALIDATE_AFTER: Final = 1.0

_OPEN_FLAGS: Final = os.O_RDONLY | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NONBLOCK", 0)
_NOFOLLOW: Final = getattr(os, "O_NOFOLLOW", 0)

Identity = tuple[int, int, int, int, int]
_V = TypeVar("_V")


@dataclass(frozen=True, slots=True)
class Meta:
    """What is derived from one version of one file, computed once per version."""

    identity: Identity
    validators: Validators
    last_modified: str


@dataclass(slots=True)
class OpenFile:
    """A file opened for one response (the descriptor is the response's to close)."""

    path: str
    fd: int
    st: os.stat_result
    meta: Meta


class _Directory:
    __slots__ = ()


#: :meth:`FileLookup.open`'s answer for a directory that passed the full check.
DIRECTORY: Final = _Directory()


def identity_of(st: os.stat_result) -> Identity:
    """The fields that change whenever the file (or its metadata) does."""
    return (st.st_dev, st.st_ino, st.st_ctime_ns, st.st_mtime_ns, st.st_size)


def meta_for(st: os.stat_result) -> Meta:
    """The validators and ``Last-Modified`` of the file ``st`` describes."""
    return Meta(identity_of(st), Validators.from_stat(st), format_http_date(st.st_mtime))


def _remember(cache: dict[str, _V], key: str, value: _V) -> None:
    if key not in cache and len(cache) >= CACHE_SIZE:
        del cache[next(iter(cache))]  # the oldest insertion
    cache[key] = value


class FileLookup:
    """Resolves request paths under one root (see the module docstring for safety).

    Args:
        root: the resolved (``realpath``) root directory.
        follow_symlinks: ``False``, ``"inside"`` or ``True``.
        hidden: whether names starting with ``.`` may be served.
    """

    __slots__ = ("_follow", "_hidden", "_names", "_root", "_siblings", "_valid")

    def __init__(self, root: str, *, follow_symlinks: FollowSymlinks, hidden: bool) -> None:
        self._root = root
        self._follow: FollowSymlinks = follow_symlinks
        self._hidden = hidden
        self._names: dict[str, str | None] = {}
        self._valid: dict[str, tuple[float, Meta]] = {}
        self._siblings: dict[str, tuple[float, tuple[str, ...]]] = {}

    def candidate(self, rel: str) -> str | None:
        """The path ``rel`` names under the root, or ``None`` when refused as a string."""
        names = self._names
        try:
            return names[rel]
        except KeyError:
            pass
        segments = clean_segments(rel, hidden=self._hidden)
        path = None if segments is None else os.path.join(self._root, *segments)
        _remember(names, rel, path)
        return path

    def check(self, path: str) -> str | None:
        """The full check of ``path`` (no cache): the path to use, or ``None``."""
        if self._follow is True:
            return path
        try:
            real = os.path.realpath(path)
        except (OSError, ValueError):
            return None
        if self._follow == "inside":
            return real if is_inside(real, self._root) else None
        return path if real == path else None

    def open(self, rel: str) -> OpenFile | _Directory | None:
        """Open the regular file ``rel`` names; :data:`DIRECTORY`; or ``None`` (404).

        A final ``/`` names a directory: ``file.txt/`` is ``None``, as the OS has it.
        """
        path = self.candidate(rel)
        if path is None:
            return None
        found = self.open_path(path)
        if isinstance(found, OpenFile) and rel.endswith("/"):
            os.close(found.fd)
            return None
        return found

    def open_path(self, path: str) -> OpenFile | _Directory | None:
        """Like :meth:`open`, for a candidate path (a sibling's, for instance)."""
        flags = _OPEN_FLAGS | (_NOFOLLOW if self._follow is False else 0)
        try:
            fd = os.open(path, flags)
        except (OSError, ValueError):
            return None
        try:
            st = os.fstat(fd)
            if stat.S_ISDIR(st.st_mode):
                os.close(fd)
                return DIRECTORY if self.check(path) is not None else None
            if not stat.S_ISREG(st.st_mode):
                os.close(fd)
                return None
            cached = self._valid.get(path)
            now = time.monotonic()
            if (
                cached is not None
                and now - cached[0] < REVALIDATE_AFTER
                and cached[1].identity == identity_of(st)
            ):
                return OpenFile(path, fd, st, cached[1])
            meta = self._validate(path, st, now)
            if meta is None:
                os.close(fd)
                return None
            return OpenFile(path, fd, st, meta)
        except BaseException:
            os.close(fd)
            raise

    def _validate(self, path: str, st: os.stat_result, now: float) -> Meta | None:
        checked = self.check(path)
        if checked is None:
            return None
        if self._follow is not True:
            try:
                real_st = os.stat(checked)
            except OSError:
                return None
            if (real_st.st_dev, real_st.st_ino) != (st.st_dev, st.st_ino):
                return None  # swapped between open() and the check: refuse this time
        cached = self._valid.get(path)
        meta = cached[1] if cached and cached[1].identity == identity_of(st) else meta_for(st)
        _remember(self._valid, path, (now, meta))
        return meta

    def siblings(self, path: str) -> tuple[str, ...]:
        """The codings of pre-compressed siblings that exist next to ``path``.

        Trusted for :data:`SIBLING_TTL` seconds: a stale answer costs only a missed
        sibling or a failed open (then the file itself is sent); every sibling that is
        sent is opened and checked like any other file (:meth:`open_path`).
        """
        now = time.monotonic()
        cached = self._siblings.get(path)
        if cached is not None and now - cached[0] < SIBLING_TTL:
            return cached[1]
        found = []
        for coding, suffix in SIBLINGS:
            try:
                if stat.S_ISREG(os.stat(path + suffix).st_mode):
                    found.append(coding)
            except (OSError, ValueError):
                continue
        codings = tuple(found)
        _remember(self._siblings, path, (now, codings))
        return codings
