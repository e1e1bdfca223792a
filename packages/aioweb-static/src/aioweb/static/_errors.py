"""The errors aioweb-static raises."""

from __future__ import annotations

from aioweb.kernel import AiowebError, HTTPNotFound

__all__ = ["FileChangedError", "StaticFileNotFoundError"]


class StaticFileNotFoundError(HTTPNotFound, FileNotFoundError):
    """The file to send is missing, unreadable or not a regular file.

    It is both an ``HTTPNotFound`` (uncaught, the server answers 404) and a
    ``FileNotFoundError`` (so ``try: return FileResponse(p) except FileNotFoundError:``
    handlers written for aiohttp keep working).
    """


class FileChangedError(AiowebError, ConnectionResetError):
    """The file shrank while it was being sent: the promised ``Content-Length`` cannot be
    kept, so the connection is closed (the server treats it as a lost connection)."""
