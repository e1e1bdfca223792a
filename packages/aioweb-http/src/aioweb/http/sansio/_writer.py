"""Serializers: request and response heads, chunks. Nothing unsafe reaches the wire.

Every header name must be a token and every value free of control characters
other than HTAB (RFC 9110 §5.5: CR, LF and NUL are the dangerous ones, the rest
are just as invalid and our own parser would reject them). Each status line and
header line is validated and encoded once and then served from a bounded cache,
so a typical head costs a few dict hits and one join.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final

from aioweb.kernel import reason_phrase

from ._errors import LocalProtocolError

__all__ = ["LAST_CHUNK", "encode_chunk", "reason_phrase", "request_head", "response_head"]

_TOKEN_RE: Final = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_BAD_VALUE_RE: Final = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
_TARGET_RE: Final = re.compile(r"[\x21-\x7e]+")
_MAX_CACHED_NAMES: Final = 1024

LAST_CHUNK: Final = b"0\r\n\r\n"
"""The last chunk and an empty trailer section: ends a chunked body (RFC 9112 §7.1)."""

# Caches of already validated, already encoded pieces. Responses repeat the same
# status lines and mostly the same header lines, so after warm-up a head is a few
# dict hits and one join. Both are bounded: full means cleared, never unbounded.
_status_lines: dict[tuple[int, str | None, tuple[int, int]], bytes] = {}
_lines: dict[tuple[str, str], bytes] = {}
_valid_names: set[str] = set()
_MAX_CACHED_LINES: Final = 4096


def response_head(
    status: int,
    reason: str | None,
    headers: Iterable[tuple[str, str]],
    version: tuple[int, int] = (1, 1),
    *,
    extra: bytes = b"",
) -> bytes:
    """Serialize a status line, the header lines and the blank line ending the head.

    Args:
        status: A three-digit status code (100-999).
        reason: The reason phrase, or None for the standard one.
        headers: (name, value) pairs, written in order; values are encoded as UTF-8.
        version: The HTTP version of the status line.
        extra: Already serialized header lines (each ending in CRLF) to add last;
            the caller vouches for them (the server's cached ``Date`` and ``Server``).

    Returns:
        The head as one bytes object, ready for a single write.

    Raises:
        LocalProtocolError: A bad status, reason, header name or value; the
            message names the header.
    """
    key = (status, reason, version)
    line = _status_lines.get(key)
    if line is None:
        if type(status) is not int or not 100 <= status <= 999:
            raise LocalProtocolError(f"invalid status code {status!r}")
        text = reason_phrase(status) if reason is None else reason
        if _BAD_VALUE_RE.search(text) is not None:
            raise LocalProtocolError(f"invalid character in reason phrase {text!r}")
        line = f"HTTP/{version[0]}.{version[1]} {status} {text}\r\n".encode()
        if len(_status_lines) >= _MAX_CACHED_NAMES:
            _status_lines.clear()
        _status_lines[key] = line
    return _join(line, headers, extra)


def request_head(method: str, target: str, headers: Iterable[tuple[str, str]]) -> bytes:
    """Serialize an HTTP/1.1 request line, the header lines and the blank line.

    The caller supplies Host and the framing headers.

    Args:
        method: The method token.
        target: The request-target, visible ASCII only.
        headers: (name, value) pairs, written in order; values are encoded as UTF-8.

    Returns:
        The head as one bytes object.

    Raises:
        LocalProtocolError: A bad method, target, header name or value.
    """
    if _TOKEN_RE.fullmatch(method) is None:
        raise LocalProtocolError(f"invalid method {method!r}")
    if _TARGET_RE.fullmatch(target) is None:
        raise LocalProtocolError(f"invalid request-target {target!r}")
    return _join(f"{method} {target} HTTP/1.1\r\n".encode(), headers, b"")


def _join(start_line: bytes, headers: Iterable[tuple[str, str]], extra: bytes) -> bytes:
    parts = [start_line]
    append = parts.append
    get = _lines.get
    for item in headers:
        line = get(item)
        if line is None:
            line = _header_line(*item)
        append(line)
    append(extra)
    append(b"\r\n")
    return b"".join(parts)


def _header_line(name: str, value: str) -> bytes:
    """Validate and encode one header line, remembering it for next time."""
    if name not in _valid_names:
        _check_name(name)
    try:
        bad = _BAD_VALUE_RE.search(value) is not None
    except TypeError:  # not a str: application code passed something else
        bad = True
    if bad:
        raise LocalProtocolError(
            f"invalid character in value of header {name!r}: CR, LF, NUL and other "
            "control characters are not allowed"
        )
    line = f"{name}: {value}\r\n".encode()
    if len(_lines) >= _MAX_CACHED_LINES:
        _lines.clear()
    _lines[(name, value)] = line
    return line


def _check_name(name: str) -> None:
    try:
        ok = _TOKEN_RE.fullmatch(name) is not None
    except TypeError:  # not a str
        ok = False
    if not ok:
        raise LocalProtocolError(f"invalid header name {name!r}")
    if len(_valid_names) < _MAX_CACHED_NAMES:
        _valid_names.add(name)


def encode_chunk(data: bytes) -> bytes:
    """Frame ``data`` as one chunk of a chunked body (RFC 9112 §7.1).

    Args:
        data: The chunk payload.

    Returns:
        ``size-in-hex CRLF data CRLF``, or ``b""`` for empty data, so that an
        empty write never produces the last chunk by accident.
    """
    if not data:
        return b""
    return b"%x\r\n%b\r\n" % (len(data), data)
