"""Cookie helpers: parse a ``Cookie`` header, build a ``Set-Cookie`` value (RFC 6265)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Final, Literal

from ._dates import format_http_date

__all__ = ["format_set_cookie", "parse_cookie_header"]

# RFC 6265 §4.1.1: cookie-name is a token; cookie-value is cookie-octets, optionally quoted.
_TOKEN: Final = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_COOKIE_VALUE: Final = re.compile(
    r'[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]*|"[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]*"'
)
_ATTR_VALUE: Final = re.compile(r"[\x20-\x3a\x3c-\x7e]*")


def parse_cookie_header(value: str) -> dict[str, str]:
    """Parse a request ``Cookie`` header into ``{name: value}`` (the first of duplicates wins).

    Malformed pairs are skipped rather than rejected: one bad cookie set by some other
    site on the domain must not make every request fail.
    """
    out: dict[str, str] = {}
    for part in value.split(";"):
        name, sep, val = part.partition("=")
        name = name.strip()
        if not sep or not _TOKEN.fullmatch(name) or name in out:
            continue
        val = val.strip()
        if len(val) >= 2 and val[0] == val[-1] == '"':
            val = val[1:-1]
        out[name] = val
    return out


def format_set_cookie(
    name: str,
    value: str,
    *,
    expires: datetime | str | None = None,
    domain: str | None = None,
    max_age: int | str | None = None,
    path: str | None = "/",
    secure: bool | None = None,
    httponly: bool | None = None,
    samesite: Literal["Strict", "Lax", "None"] | str | None = None,
    partitioned: bool | None = None,
) -> str:
    """Build one ``Set-Cookie`` header value.

    Raises:
        ValueError: the name is not a token, or a value or attribute contains
            characters RFC 6265 does not allow (``;``, CR, LF, controls...).
    """
    if not _TOKEN.fullmatch(name):
        raise ValueError(f"invalid cookie name {name!r}")
    if not _COOKIE_VALUE.fullmatch(value):
        if not _ATTR_VALUE.fullmatch(value) or '"' in value or "\\" in value:
            raise ValueError(f"invalid value for cookie {name!r}")
        value = f'"{value}"'
    parts = [f"{name}={value}"]
    if expires is not None:
        when = expires if isinstance(expires, str) else format_http_date(expires)
        parts.append(f"Expires={_attr(name, when)}")
    if max_age is not None:
        parts.append(f"Max-Age={int(max_age)}")
    if domain:
        parts.append(f"Domain={_attr(name, domain)}")
    if path:
        parts.append(f"Path={_attr(name, path)}")
    if secure:
        parts.append("Secure")
    if httponly:
        parts.append("HttpOnly")
    if samesite:
        parts.append(f"SameSite={_attr(name, samesite)}")
    if partitioned:
        parts.append("Partitioned")
    return "; ".join(parts)


def _attr(name: str, value: str) -> str:
    if not _ATTR_VALUE.fullmatch(value):
        raise ValueError(f"invalid attribute value {value!r} for cookie {name!r}")
    return value
