"""Size limits the HTTP/1.1 parsers enforce before buffering untrusted bytes.

Every limit counts the bytes of one line *without* its terminating CRLF, except
``max_header_block``, which counts the whole head as received (request or status
line, every field line, and the CRLF that ends the head).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Final

__all__ = ["DEFAULT_LIMITS", "Limits"]


@dataclass(frozen=True, slots=True)
class Limits:
    """Bounds on the head and chunk framing of one HTTP/1.1 message.

    RFC 9112 §2.3 leaves the limits to the implementation but asks that a server
    answer an over-long request-target with 414 and over-long fields with 431
    (RFC 6585 §5); the defaults follow DESIGN.md.

    Attributes:
        max_line_size: Longest request line (ParseError 414) or status line (400).
        max_field_size: Longest single field line, header or trailer (431).
        max_headers: Most header field lines in one head (431).
        max_header_block: Longest head, start line and final CRLF included (431).
            Trailers are bounded by the same number on their own.
        max_chunk_line: Longest chunk-size line, extensions included (400).
        max_trailers: Most trailer field lines after the last chunk (431).
    """

    max_line_size: int = 8190
    max_field_size: int = 8190
    max_headers: int = 100
    max_header_block: int = 65536
    max_chunk_line: int = 4096
    max_trailers: int = 32

    def __post_init__(self) -> None:
        for field in fields(self):
            value = getattr(self, field.name)
            # bool is an int subclass; Limits(max_headers=True) is a caller bug.
            if type(value) is not int or value < 1:
                msg = f"Limits.{field.name} must be a positive int, got {value!r}"
                raise ValueError(msg)


DEFAULT_LIMITS: Final = Limits()
"""The limits used when a parser is built without explicit ones."""
