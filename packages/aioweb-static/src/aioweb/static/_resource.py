"""``StaticResource``: serves a directory under a URL prefix (``router.add_static``)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import TYPE_CHECKING, Final

from yarl import URL

from aioweb.kernel import HTTPForbidden, HTTPNotFound, Response, StreamResponse
from aioweb.routing import PrefixResource, Query

from ._file_response import DEFAULT_CHUNK_SIZE, FileResponse
from ._index import render_index
from ._lookup import DIRECTORY, FileLookup, OpenFile
from ._safepath import FollowSymlinks

if TYPE_CHECKING:
    from aioweb.kernel import Request

__all__ = ["StaticResource"]

#: Files whose content hash ``url_for(append_version=True)`` remembers.
_HASH_CACHE_SIZE: Final = 4096


class StaticResource(PrefixResource):
    """Files under ``directory`` served at ``prefix`` (GET and HEAD).

    Every request path is resolved against the root and refused with 404 when it
    could leave it (see :func:`~aioweb.static._safepath.resolve_under`); a directory
    answers its HTML index with ``show_index=True``, else 403.

    Args:
        prefix: the URL prefix (``/static``).
        directory: the directory to serve; must exist.
        name: the resource's name (for ``router[name].url_for(filename=...)``).
        show_index: list directories.
        follow_symlinks: ``False`` (no symlink is followed), ``"inside"`` (only
            symlinks that stay inside the root) or ``True`` (any, even leaving it).
        append_version: the default of ``url_for``'s ``append_version``.
        chunk_size: bytes per read where sendfile cannot be used.
        cache_control: a ``Cache-Control`` value added to every file response.
        hidden: serve (and list) names starting with ``.``.

    Raises:
        ValueError: ``directory`` is not a directory, or the prefix/name is invalid.
    """

    __slots__ = (
        "_append_version",
        "_chunk_size",
        "_hashes",
        "_headers",
        "_hidden",
        "_lookup",
        "_root",
        "_show_index",
    )

    def __init__(
        self,
        prefix: str,
        directory: str | os.PathLike[str],
        *,
        name: str | None = None,
        show_index: bool = False,
        follow_symlinks: FollowSymlinks = False,
        append_version: bool = False,
        chunk_size: int = DEFAULT_CHUNK_SIZE,
        cache_control: str | None = None,
        hidden: bool = False,
    ) -> None:
        super().__init__(prefix, name=name)
        try:
            root = Path(directory).expanduser().resolve(strict=True)
        except (OSError, RuntimeError) as exc:
            raise ValueError(f"no such directory to serve: {directory!r}") from exc
        if not root.is_dir():
            raise ValueError(f"not a directory: {directory!r}")
        if follow_symlinks not in (True, False, "inside"):
            raise ValueError(
                f"follow_symlinks must be True, False or 'inside', not {follow_symlinks!r}"
            )
        if chunk_size <= 0:
            raise ValueError(f"chunk_size must be positive, not {chunk_size!r}")
        if cache_control is not None and any(c in cache_control for c in "\r\n\x00"):
            raise ValueError("cache_control cannot contain CR, LF or NUL")
        self._root = str(root)
        self._show_index = show_index
        self._append_version = append_version
        self._chunk_size = chunk_size
        self._hidden = hidden
        self._hashes: dict[str, tuple[int, int, str]] = {}
        self._headers = {"Cache-Control": cache_control} if cache_control else None
        self._lookup = FileLookup(self._root, follow_symlinks=follow_symlinks, hidden=hidden)
        self.add_route("GET", self._handle)
        self.add_route("HEAD", self._handle)

    @property
    def directory(self) -> Path:
        """The resolved root directory."""
        return Path(self._root)

    def match(self, rel_path: str, /) -> dict[str, str] | None:
        """Every path under the prefix matches: ``{"filename": rel_path}``."""
        return {"filename": rel_path}

    def _target(self, rel: str) -> str | None:
        lookup = self._lookup
        path = lookup.candidate(rel)
        return None if path is None else lookup.check(path)

    async def _handle(self, request: Request) -> StreamResponse:
        rel = request.match_info.get("filename", "")
        opened = self._lookup.open(rel)
        if isinstance(opened, OpenFile):
            return FileResponse._open_static(opened, self._lookup, self._chunk_size, self._headers)
        if opened is None:
            raise HTTPNotFound()
        if opened is DIRECTORY:
            target = self._target(rel)
            if not self._show_index or target is None:
                raise HTTPForbidden()
            try:
                page = render_index(target, request.path, hidden=self._hidden)
            except OSError:
                raise HTTPForbidden() from None
            return Response(text=page, content_type="text/html")
        raise HTTPNotFound()  # pragma: no cover - open() has no other answer

    def url_for(self, *, query: Query = None, **parts: str | int) -> URL:
        """The URL of ``filename`` under this resource.

        Keywords: ``filename`` (required) and ``append_version`` (default: the
        resource's), which adds ``?v=<content hash>`` when the file exists.

        Raises:
            KeyError: ``filename`` is missing.
            ValueError: another keyword is given.
        """
        filename = str(parts.pop("filename"))
        append_version = bool(parts.pop("append_version", self._append_version))
        if parts:
            raise ValueError(f"unknown url_for() keyword(s) {sorted(parts)} for {self!r}")
        filename = filename.lstrip("/")
        url = URL.build(path=f"{self.url_prefix}/{filename}")
        if append_version:
            version = self._version_of(filename)
            if version is not None:
                url = url.with_query(v=version)
        return url if query is None else url.update_query(query)

    def _version_of(self, filename: str) -> str | None:
        target = self._target(filename)
        if target is None:
            return None
        try:
            st = os.stat(target)
            cached = self._hashes.get(target)
            if cached is not None and cached[:2] == (st.st_mtime_ns, st.st_size):
                return cached[2]
            digest = hashlib.sha256()
            with open(target, "rb") as file:
                while block := file.read(1 << 16):
                    digest.update(block)
        except OSError:
            return None
        version = digest.hexdigest()[:16]
        if len(self._hashes) >= _HASH_CACHE_SIZE:
            self._hashes.clear()
        self._hashes[target] = (st.st_mtime_ns, st.st_size, version)
        return version

    def get_info(self) -> dict[str, str]:
        """``{"directory": ..., "prefix": ...}``."""
        return {"directory": self._root, "prefix": self.prefix}

    def __repr__(self) -> str:
        name = f" {self.name!r}" if self.name else ""
        return f"<StaticResource{name} {self.canonical!r} -> {self._root!r}>"
