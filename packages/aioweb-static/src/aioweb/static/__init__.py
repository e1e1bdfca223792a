"""aioweb static files: ``FileResponse`` and ``StaticResource`` (``router.add_static``)."""

from ._conditional import DEFAULT_MAX_RANGES as DEFAULT_MAX_RANGES
from ._errors import FileChangedError as FileChangedError
from ._errors import StaticFileNotFoundError as StaticFileNotFoundError
from ._file_response import DEFAULT_CHUNK_SIZE as DEFAULT_CHUNK_SIZE
from ._file_response import FileResponse as FileResponse
from ._resource import StaticResource as StaticResource
from ._safepath import FollowSymlinks as FollowSymlinks

__all__ = [
    "DEFAULT_CHUNK_SIZE",
    "DEFAULT_MAX_RANGES",
    "FileChangedError",
    "FileResponse",
    "FollowSymlinks",
    "StaticFileNotFoundError",
    "StaticResource",
]
