"""Validators, conditional requests (RFC 9110 §13) and byte ranges (RFC 9110 §14).

Pure functions over header values: no I/O, so each rule is tested on its own.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from aioweb.kernel import parse_http_date

__all__ = [
    "DEFAULT_MAX_RANGES",
    "UNSATISFIABLE",
    "Validators",
    "evaluate_preconditions",
    "if_range_allows",
    "parse_range",
]

#: More ranges than this in one request: the Range header is ignored (RFC 9110 §14.3
#: lets a server ignore many small ranges, a cheap way to amplify work).
DEFAULT_MAX_RANGES: Final = 16

_ETAG: Final = re.compile(r'\s*(W/)?("[\x21\x23-\x7e\x80-\xff]*")\s*(?:,|$)')
_RANGE_SPEC: Final = re.compile(r"\s*(\d*)\s*-\s*(\d*)\s*")


@dataclass(frozen=True, slots=True)
class Validators:
    """What identifies one version of a file.

    Attributes:
        etag: the strong entity tag, quoted (``"1a2b-400-17f3"``).
        mtime: the modification time in whole seconds (``Last-Modified`` precision).
    """

    etag: str
    mtime: int

    @classmethod
    def from_stat(cls, st: os.stat_result) -> Validators:
        """Validators from inode, size and nanosecond mtime.

        The tag is strong: byte ranges and ``If-Range`` need strong comparison, and with
        nanosecond mtimes a same-size rewrite keeping the tag is vanishingly unlikely.
        """
        return cls(f'"{st.st_ino:x}-{st.st_size:x}-{st.st_mtime_ns:x}"', int(st.st_mtime))


def _etags(value: str) -> list[tuple[bool, str]] | None:
    """``(weak, opaque-tag)`` pairs of an ``If-Match``/``If-None-Match`` list (``None``:
    ``*``); an unparsable member ends the list (what came before still counts)."""
    if value.strip() == "*":
        return None
    tags: list[tuple[bool, str]] = []
    pos = 0
    while pos < len(value):
        m = _ETAG.match(value, pos)
        if m is None:
            break
        tags.append((m.group(1) is not None, m.group(2)))
        pos = m.end()
    return tags


def evaluate_preconditions(
    method: str, headers: Mapping[str, str], validators: Validators
) -> int | None:
    """Evaluate the preconditions in RFC 9110 §13.2.2 order.

    Returns:
        412 or 304 when a precondition stops the request, else ``None``.
    """
    if_match = headers.get("If-Match")
    if if_match is not None:
        tags = _etags(if_match)
        # Strong comparison (§13.1.1): a weak tag never matches.
        if tags is not None and not any(not w and t == validators.etag for w, t in tags):
            return 412
    else:
        ius = parse_http_date(headers.get("If-Unmodified-Since"))
        if ius is not None and validators.mtime > ius.timestamp():
            return 412
    get_or_head = method in ("GET", "HEAD")
    if_none_match = headers.get("If-None-Match")
    if if_none_match is not None:
        tags = _etags(if_none_match)
        # Weak comparison (§13.1.2): W/"x" matches "x".
        if tags is None or any(t == validators.etag for _, t in tags):
            return 304 if get_or_head else 412
    elif get_or_head:
        ims = parse_http_date(headers.get("If-Modified-Since"))
        if ims is not None and validators.mtime <= ims.timestamp():
            return 304
    return None


def if_range_allows(value: str | None, validators: Validators) -> bool:
    """Whether ``If-Range`` (RFC 9110 §13.1.5) lets a ``Range`` apply.

    An entity tag must match strongly; a date must equal ``Last-Modified`` exactly.
    """
    if value is None:
        return True
    value = value.strip()
    if value.startswith(('"', "W/")):
        return value == validators.etag
    when = parse_http_date(value)
    return when is not None and int(when.timestamp()) == validators.mtime


class _Unsatisfiable:
    __slots__ = ()

    def __repr__(self) -> str:
        return "UNSATISFIABLE"


#: :func:`parse_range`'s answer when no range overlaps the file (send 416).
UNSATISFIABLE: Final = _Unsatisfiable()


def parse_range(
    value: str, size: int, *, max_ranges: int = DEFAULT_MAX_RANGES
) -> list[tuple[int, int]] | _Unsatisfiable | None:
    """Parse ``Range: bytes=...`` against a representation of ``size`` bytes.

    Returns:
        ``None`` to ignore the header (another unit, bad syntax, too many ranges, an
        empty file): serve 200.  :data:`UNSATISFIABLE`: serve 416.  Otherwise the
        ``(start, end)`` pairs (``end`` exclusive), sorted, overlapping and adjacent
        ones coalesced (RFC 9110 §14.3 allows both).
    """
    unit, sep, specs = value.partition("=")
    if not sep or unit.strip().lower() != "bytes" or size <= 0:
        return None
    parts = specs.split(",")
    if len(parts) > max_ranges:
        return None
    found: list[tuple[int, int]] = []
    for spec in parts:
        if not spec.strip():
            continue  # RFC 9110 §5.6.1: empty list elements are ignored
        m = _RANGE_SPEC.fullmatch(spec)
        if m is None:
            return None
        first, last = m.group(1), m.group(2)
        if not first:
            if not last:
                return None
            suffix = int(last)
            if suffix > 0:
                found.append((max(0, size - suffix), size))
            continue
        start = int(first)
        end = int(last) + 1 if last else size
        if last and end <= start:
            return None  # last < first: invalid syntax (§14.1.1)
        if start < size:
            found.append((start, min(end, size)))
    if not found:
        return UNSATISFIABLE if any(p.strip() for p in parts) else None
    found.sort()
    merged = [found[0]]
    for start, end in found[1:]:
        last_start, last_end = merged[-1]
        if start <= last_end:
            merged[-1] = (last_start, max(last_end, end))
        else:
            merged.append((start, end))
    return merged
