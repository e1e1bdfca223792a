"""Content types and pre-compressed siblings chosen by ``Accept-Encoding``."""

from __future__ import annotations

import functools
import mimetypes
from collections.abc import Sequence
from typing import Final

__all__ = ["SIBLINGS", "accepted_codings", "content_type_for", "pick_coding"]

#: Pre-compressed siblings, in server preference order: (coding, file suffix).
SIBLINGS: Final = (("br", ".br"), ("zstd", ".zst"), ("gzip", ".gz"))

# A file that *is* compressed (x.tar.gz requested as such) is sent as the archive it
# is, not with Content-Encoding (a client would otherwise unpack it on the fly).
_ENCODED_TYPES: Final = {
    "gzip": "application/gzip",
    "br": "application/x-brotli",
    "bzip2": "application/x-bzip2",
    "xz": "application/x-xz",
    "compress": "application/x-compress",
}


@functools.lru_cache(maxsize=1024)
def content_type_for(name: str) -> str:
    """The ``Content-Type`` for a file name: ``text/*`` gets ``charset=utf-8`` (cached)."""
    ctype, encoding = mimetypes.guess_type(name, strict=False)
    if encoding is not None:
        return _ENCODED_TYPES.get(encoding, "application/octet-stream")
    if ctype is None:
        return "application/octet-stream"
    if ctype.startswith("text/") or ctype in ("application/javascript", "image/svg+xml"):
        return f"{ctype}; charset=utf-8"
    return ctype


def accepted_codings(value: str) -> dict[str, float]:
    """``Accept-Encoding`` as ``{coding: q}`` (RFC 9110 §12.5.3); bad q-values count as 0."""
    found: dict[str, float] = {}
    for item in value.split(","):
        coding, _, params = item.partition(";")
        coding = coding.strip().lower()
        if not coding:
            continue
        q = 1.0
        for param in params.split(";"):
            key, _, val = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(val.strip())
                except ValueError:
                    q = 0.0
                if not 0.0 <= q <= 1.0:  # also rejects nan
                    q = 0.0
        if coding == "x-gzip":
            coding = "gzip"
        found[coding] = q
    return found


def pick_coding(accept_encoding: str | None, available: Sequence[str]) -> str | None:
    """The best of ``available`` codings for the client (highest q, then server order)."""
    if not accept_encoding or not available:
        return None
    codings = accepted_codings(accept_encoding)
    star = codings.get("*", 0.0)
    best: str | None = None
    best_q = 0.0
    for coding in available:
        q = codings.get(coding, star)
        if q > best_q:
            best, best_q = coding, q
    return best
