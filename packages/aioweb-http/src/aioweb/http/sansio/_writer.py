"""Serializers: request and response heads, chunks. Nothing unsafe reaches the wire.

Every header name must be a token and every value free of control characters
other than HTAB (RFC 9110 §5.5: CR, LF and NUL are the dangerous ones, the rest
are just as invalid and our own parser would reject them). Validation runs over
the joined head in a few C-level scans; the per-header search for the culprit
happens only when something is wrong.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final

from aioweb.kernel import reason_phrase

from ._errors import LocalProtocolError

__all__ = ["LAST_CHUNK", "encode_chunk", "reason_phrase", "request_head", "response_head"]

_TOKEN_RE: Final = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
# Every CTL except HTAB, CR and LF; CR and LF are counted separately because the
# joined head legitimately holds one CRLF per line.
_CTL_RE: Final = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_BAD_VALUE_RE: Final = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
_TARGET_RE: Final = re.compile(r"[\x21-\x7e]+")
_MAX_CACHED_NAMES: Final = 1024

LAST_CHUNK: Final = b"0\r\n\r\n"
"""The last chunk and an empty trailer section: ends a chunked body (RFC 9112 §7.1)."""

# Lazily filled: (status, version) -> status line with the default reason.
_status_lines: dict[tuple[int, tuple[int, int]], str] = {}
_valid_names: set[str] = set()


def response_head(
    status: int,
    reason: str | None,
    headers: Iterable[tuple[str, str]],
    version: tuple[int, int] = (1, 1),
) -> bytes:
    """Serialize a status line, the header lines and the blank line ending the head.

    Args:
        status: A three-digit status code (100-999).
        reason: The reason phrase, or None for the standard one.
        headers: (name, value) pairs, written in order; values are encoded as UTF-8.
        version: The HTTP version of the status line.

    Returns:
        The head as one bytes object, ready for a single write.

    Raises:
        LocalProtocolError: A bad status, reason, header name or value; the
            message names the header.
    """
    key = (status, version)
    line = _status_lines.get(key) if reason is None else None
    if line is None:
        if type(status) is not int or not 100 <= status <= 999:
            raise LocalProtocolError(f"invalid status code {status!r}")
        text = reason_phrase(status) if reason is None else reason
        if _BAD_VALUE_RE.search(text) is not None:
            raise LocalProtocolError(f"invalid character in reason phrase {text!r}")
        line = f"HTTP/{version[0]}.{version[1]} {status} {text}\r\n"
        if reason is None and len(_status_lines) < _MAX_CACHED_NAMES:
            _status_lines[key] = line
    return _join(line, headers)


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
    return _join(f"{method} {target} HTTP/1.1\r\n", headers)


def _join(start_line: str, headers: Iterable[tuple[str, str]]) -> bytes:
    parts = [start_line]
    append = parts.append
    names = _valid_names
    count = 0
    for name, value in headers:
        if name not in names:
            _check_name(name)
        append(f"{name}: {value}\r\n")
        count += 1
    append("\r\n")
    head = "".join(parts)
    # The start line and our own separators hold count + 2 CRLFs; any other
    # CR or LF came from a value (names are tokens by now).
    lines = count + 2
    if head.count("\r") != lines or head.count("\n") != lines or _CTL_RE.search(head) is not None:
        _raise_bad_value(parts[1:-1])
    return head.encode("utf-8")


def _check_name(name: str) -> None:
    if _TOKEN_RE.fullmatch(name) is None:
        raise LocalProtocolError(f"invalid header name {name!r}")
    if len(_valid_names) < _MAX_CACHED_NAMES:
        _valid_names.add(name)


def _raise_bad_value(lines: list[str]) -> None:
    for line in lines:
        # A name is a token, so the first ": " ends it; the last CRLF is ours.
        name, _, value = line.partition(": ")
        if _BAD_VALUE_RE.search(value[:-2]) is not None:
            raise LocalProtocolError(
                f"invalid character in value of header {name!r}: CR, LF, NUL and other "
                "control characters are not allowed"
            )
    raise LocalProtocolError("invalid character in header values")  # pragma: no cover


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
