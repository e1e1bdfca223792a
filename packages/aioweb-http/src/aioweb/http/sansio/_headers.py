"""Field-line parsing and framing-field analysis shared by both parsers.

The whole field section is validated with one ``findall`` plus one ``count``
instead of a per-line loop: the field regex only matches a complete, valid line
that starts right after a LF, so the section is valid exactly when there is one
match per LF. The slow per-line path runs only to explain an error.
"""

from __future__ import annotations

import re
from typing import Final

from ._errors import ParseError
from ._limits import Limits

# RFC 9110 §5.6.2: tchar; §5.5: field-vchar = VCHAR / obs-text.
_TCHAR: Final = rb"[!#$%&'*+\-.^_`|~0-9A-Za-z]"
_VCHAR: Final = rb"[\x21-\x7e\x80-\xff]"
TOKEN_RE: Final = re.compile(_TCHAR + rb"+")
# RFC 9112 §5: field-line = field-name ":" OWS field-value OWS. No whitespace
# before the colon (§5.1), no obs-fold (§5.2), no CTL but HTAB inside the value;
# the value group excludes leading and trailing OWS (it must end in a VCHAR).
FIELD_RE: Final = re.compile(
    rb"(?m)^(" + _TCHAR + rb"+):[ \t]*([\t\x20-\x7e\x80-\xff]*" + _VCHAR + rb"|)[ \t]*\r\n"
)
_VALUE_RE: Final = re.compile(rb"[\t\x20-\x7e\x80-\xff]*")
# RFC 9112 §2.2: a bare CR is invalid and a bare LF is not accepted as a line
# terminator here (stricter than the MAY), so either is a 400. A CR at the end
# of the buffer may still be followed by its LF.
BARE_CR_LF_RE: Final = re.compile(rb"\r(?=[^\n])|(?<!\r)\n")
# RFC 9110 §7.2 / RFC 3986 §3.2.2: Host = uri-host [ ":" port ].
HOST_RE: Final = re.compile(rb"(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9\-._~!$&'()*+,;=%]*)(?::[0-9]*)?")
# RFC 9110 §8.6: Content-Length = 1*DIGIT; 18 digits cannot overflow int64.
_MAX_CL_DIGITS: Final = 18

_KEEP_ALIVE: Final = frozenset((b"keep-alive",))
_CLOSE: Final = frozenset((b"close",))
_UPGRADE: Final = frozenset((b"upgrade",))
_SIMPLE_OPTIONS: Final = {
    b"keep-alive": _KEEP_ALIVE,
    b"Keep-Alive": _KEEP_ALIVE,
    b"close": _CLOSE,
    b"Close": _CLOSE,
    b"upgrade": _UPGRADE,
    b"Upgrade": _UPGRADE,
}

Fields = list[tuple[bytes, bytes]]


def parse_fields(buf: bytes, start: int, stop: int, limits: Limits, max_count: int) -> Fields:
    """Parse the field lines in ``buf[start:stop]``.

    Args:
        buf: The receive buffer; ``buf[start - 1]`` is the LF ending the line before.
        start: Index of the first field line.
        stop: Index just past the CRLF of the last field line.
        limits: The size limits in force.
        max_count: The most field lines allowed (headers or trailers).

    Returns:
        The (name, value) pairs in order, values stripped of OWS.

    Raises:
        ParseError: 400 for a malformed line, 431 for too many or too long lines.
    """
    found: Fields = FIELD_RE.findall(buf, start, stop)
    if len(found) != buf.count(b"\n", start, stop):
        raise field_error(buf[start:stop], limits)
    check_field_limits(buf, start, stop, len(found), limits, max_count)
    return found


def check_field_limits(  # noqa: PLR0917 - mirrors parse_fields
    buf: bytes, start: int, stop: int, count: int, limits: Limits, max_count: int
) -> None:
    """Enforce the line-size and count limits on a well-formed field section.

    Args:
        buf: The receive buffer holding the section.
        start: Index of the first field line.
        stop: Index just past the CRLF of the last field line.
        count: How many field lines the section holds.
        limits: The size limits in force.
        max_count: The most field lines allowed (headers or trailers).

    Raises:
        ParseError: 431 for a line longer than ``max_field_size`` or more than
            ``max_count`` lines.
    """
    # RFC 9112 §5 / RFC 6585 §5: a section that fits in max_field_size cannot
    # hold an over-long line; only a bigger one needs the per-line check.
    if stop - start > limits.max_field_size + 2:
        longest = max(map(len, buf[start:stop].split(b"\r\n")))
        if longest > limits.max_field_size:
            raise ParseError(431, "header field line too long")
    if count > max_count:
        raise ParseError(431, "too many header fields")


def field_error(section: bytes, limits: Limits) -> ParseError:
    """Explain why a field section failed the fast check (first bad line wins)."""
    for line in section.split(b"\r\n"):
        if b"\n" in line or b"\r" in line:
            return ParseError(400, "bare CR or LF in header section")
        if len(line) > limits.max_field_size:
            return ParseError(431, "header field line too long")
        if not line:
            continue
        if line[0] in b" \t":
            # RFC 9112 §5.2: obs-fold in a request MUST be rejected (or replaced).
            return ParseError(400, "obsolete line folding in header field")
        colon = line.find(b":")
        if colon < 0:
            return ParseError(400, "header field line without colon")
        if colon == 0:
            return ParseError(400, "empty header field name")
        name = line[:colon]
        if name[-1] in b" \t":
            # RFC 9112 §5.1: whitespace before the colon MUST be rejected with 400.
            return ParseError(400, "whitespace between header field name and colon")
        if TOKEN_RE.fullmatch(name) is None:
            return ParseError(400, "invalid header field name")
        if _VALUE_RE.fullmatch(line, colon + 1) is None:
            return ParseError(400, "invalid character in header field value")
    return ParseError(400, "invalid header field")


def content_length(values: list[bytes]) -> int:
    """Return the length named by every Content-Length field line.

    RFC 9110 §8.6: repeated fields or a comma list are accepted only when all
    members are the same 1*DIGIT string; anything else is a 400 (RFC 9112 §6.3).

    Raises:
        ParseError: 400 for a malformed or conflicting length.
    """
    if len(values) == 1:
        value = values[0]
        if value.isdigit() and len(value) <= _MAX_CL_DIGITS:
            return int(value)
    members = [m.strip(b" \t") for v in values for m in v.split(b",")]
    first = members[0]
    if not (first.isdigit() and len(first) <= _MAX_CL_DIGITS):
        raise ParseError(400, "invalid Content-Length")
    for member in members:
        if member != first:
            if member.isdigit():
                raise ParseError(400, "conflicting Content-Length values")
            raise ParseError(400, "invalid Content-Length")
    return int(first)


def transfer_codings(values: list[bytes]) -> list[bytes]:
    """Return the lowercased transfer codings of all Transfer-Encoding lines.

    RFC 9112 §6.1 combines repeated fields into one list. Empty members and
    codings with parameters are rejected (chunked takes none and no other coding
    is supported), which is stricter than RFC 9110 §5.6.1 but never ambiguous.

    Raises:
        ParseError: 400 for a member that is not a token.
    """
    codings = []
    for value in values:
        for member in value.split(b","):
            coding = member.strip(b" \t").lower()
            if TOKEN_RE.fullmatch(coding) is None:
                raise ParseError(400, "invalid Transfer-Encoding")
            codings.append(coding)
    return codings


def check_chunked_final(codings: list[bytes]) -> None:
    """Accept only ``chunked`` as the single, final coding of a framed body.

    Raises:
        ParseError: 400 when chunked is repeated (RFC 9112 §7.1: MUST NOT be
            applied more than once), 501 for any other coding before it
            (RFC 9112 §6.1: an unimplemented transfer coding).
    """
    if codings.count(b"chunked") > 1:
        raise ParseError(400, "chunked transfer coding applied more than once")
    if len(codings) > 1:
        raise ParseError(501, "unsupported transfer coding")


def connection_options(values: list[bytes]) -> frozenset[bytes]:
    """Return the lowercased connection options of all Connection lines (RFC 9110 §7.6.1)."""
    if len(values) == 1:
        simple = _SIMPLE_OPTIONS.get(values[0])
        if simple is not None:
            return simple
    return frozenset(m.strip(b" \t").lower() for v in values for m in v.split(b","))
