"""The ``[speedups]`` back-end: httptools (llhttp) tokenises the header section.

llhttp is fed each complete head, but only the field lines it reports are
used. Everything else is the shared code of BaseRequestParser, because llhttp
is more lenient than RFC 9112 asks in places this codec must not be (it
accepts ``GET  / HTTP/1.1`` and ``GET /``,
``Transfer-Encoding: gzip, chunked``, a fragment in the target, a 17-digit
chunk size; it has no size limits at all) and stricter in others (a method
outside its fixed table, ``HTTP/1.2``, ``Content-Length: 5, 5``). So:

- the request line, the limits, Host/Content-Length/Transfer-Encoding/
  Connection/Upgrade/Expect rules and the body framing are the pure code;
- where llhttp accepts a field section, its field lines are used, with the one
  leniency found made strict (llhttp keeps trailing OWS in a value);
- where llhttp rejects a head, the pure tokeniser decides, so an error is never
  one the pure parser would not raise.

httptools is imported on first use, never when this module is imported.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Final

from ._errors import SpeedupsUnavailableError
from ._headers import Fields, check_field_limits, parse_fields
from ._limits import DEFAULT_LIMITS, Limits
from ._parser import BaseRequestParser

if TYPE_CHECKING:
    from types import ModuleType

    import httptools

__all__ = ["HttptoolsRequestParser", "httptools_available", "load_httptools"]

_INSTALL_HINT: Final = "httptools is not installed: pip install aioweb-http[speedups]"
_OWS: Final = b" \t"
_NAME: Final = re.compile(rb"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_BAD_VALUE: Final = re.compile(rb"[\x00-\x08\x0a-\x1f\x7f]")


class _Loader:
    """Imports httptools at most once per process, on first need."""

    __slots__ = ("module", "tried")

    def __init__(self) -> None:
        self.tried = False
        self.module: ModuleType | None = None

    def load(self) -> ModuleType:
        if not self.tried:
            try:
                import httptools  # optional dependency: imported on first use
            except ImportError:
                self.module = None
            else:
                self.module = httptools
            self.tried = True
        if self.module is None:
            raise SpeedupsUnavailableError(_INSTALL_HINT)
        return self.module


_LOADER: Final = _Loader()


def load_httptools() -> ModuleType:
    """Import httptools once and return it.

    Raises:
        SpeedupsUnavailableError: httptools cannot be imported.
    """
    return _LOADER.load()


def httptools_available() -> bool:
    """Whether the httptools back-end can be used (imports httptools on first call)."""
    try:
        _LOADER.load()
    except SpeedupsUnavailableError:
        return False
    return True


class _Collector:
    """The llhttp callback object: gathers the field lines of one head."""

    __slots__ = ("fields",)

    def __init__(self) -> None:
        self.fields: Fields = []

    def on_header(self, name: bytes, value: bytes) -> None:
        # RFC 9112 §5: OWS after the value is not part of it; llhttp keeps it.
        self.fields.append((name, value.rstrip(_OWS)))


class HttptoolsRequestParser(BaseRequestParser):
    """RequestParser with httptools tokenising the header section. Performs no I/O.

    Same interface, events, errors and strictness as RequestParser (both pass
    the same conformance corpus); see RequestParser for the event sequence,
    PAUSED, ``resume()`` and ``trailing_data``.

    Args:
        limits: The size limits to enforce.

    Raises:
        SpeedupsUnavailableError: httptools is not installed.
    """

    __slots__ = ("_llhttp_error", "_llhttp_upgrade", "_new_parser")

    def __init__(self, limits: Limits = DEFAULT_LIMITS) -> None:
        module = _LOADER.load()
        super().__init__(limits)
        self._new_parser: type[httptools.HttpRequestParser] = module.HttpRequestParser
        self._llhttp_error: type[Exception] = module.HttpParserError
        self._llhttp_upgrade: type[Exception] = module.HttpParserUpgrade

    def _fields(self, buf: bytes, pos: int, line_end: int, end: int) -> Fields:
        limits = self._limits
        stop = end - 2
        collector = _Collector()
        # llhttp keeps state across a message, so each head gets a fresh one;
        # it is fed the head only, the body is framed by the shared code.
        refused = False
        try:
            self._new_parser(collector).feed_data(memoryview(buf)[pos:end])
        except self._llhttp_upgrade:
            pass  # CONNECT or Upgrade: raised after the last field line
        except self._llhttp_error:
            refused = True
        if refused:
            # The pure tokeniser explains the error, or accepts what llhttp
            # refused for its own reasons (e.g. a method it does not know).
            return parse_fields(buf, line_end, stop, limits, limits.max_headers)
        fields = collector.fields
        # Older llhttp releases (httptools 0.6.0) let a space into a field name or
        # drop a malformed line without a word, and versions differ on control
        # characters: never take their word for the grammar.
        if len(fields) != buf.count(b"\n", line_end, stop):
            return parse_fields(buf, line_end, stop, limits, limits.max_headers)
        for name, value in fields:
            if _NAME.fullmatch(name) is None or _BAD_VALUE.search(value) is not None:
                return parse_fields(buf, line_end, stop, limits, limits.max_headers)
        if len(fields) > limits.max_headers or stop - line_end > limits.max_field_size + 2:
            check_field_limits(buf, line_end, stop, len(fields), limits, limits.max_headers)
        return fields
