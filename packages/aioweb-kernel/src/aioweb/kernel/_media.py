"""Media-type values (``Content-Type``): RFC 9110 §8.3.1."""

from __future__ import annotations

__all__ = ["parse_media_type"]


def parse_media_type(value: str) -> tuple[str, dict[str, str]]:
    """Split a ``Content-Type`` value (``type/sub; k=v``) into the media type and parameters.

    The media type and parameter names are lower-cased; quoted values are unquoted.
    """
    mtype, _, rest = value.partition(";")
    params: dict[str, str] = {}
    for part in rest.split(";"):
        key, sep, val = part.partition("=")
        if sep:
            val = val.strip()
            if len(val) >= 2 and val[0] == val[-1] == '"':
                val = val[1:-1]
            params[key.strip().lower()] = val
    return mtype.strip().lower(), params
