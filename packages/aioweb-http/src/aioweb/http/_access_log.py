"""The access log: aiohttp's format strings, compiled once, written to ``aioweb.access``."""

from __future__ import annotations

import logging
import os
import re
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Final

from aioweb.kernel import Request, StreamResponse

__all__ = ["DEFAULT_ACCESS_LOG_FORMAT", "AbstractAccessLogger", "AccessLogger", "access_logger"]

#: The logger the access log goes to by default.
access_logger: Final = logging.getLogger("aioweb.access")

#: aiohttp's default: remote, time, request line, status, size, referer, user agent.
DEFAULT_ACCESS_LOG_FORMAT: Final = '%a %t "%r" %s %b "%{Referer}i" "%{User-Agent}i"'

_DIRECTIVE: Final = re.compile(r"%(\{([A-Za-z0-9\-_]+)\}([ioe])|Tf|[atPrsbOTD%])")

_Piece = Callable[[Request, StreamResponse, float, int], str]


class AbstractAccessLogger(ABC):
    """Base of access loggers: subclass it and pass ``access_log_class=`` to the runner.

    Args:
        logger: where to write.
        log_format: the format string (its meaning is up to the subclass).
    """

    def __init__(self, logger: logging.Logger, log_format: str) -> None:
        self.logger = logger
        self.log_format = log_format

    @property
    def enabled(self) -> bool:
        """Whether logging would emit anything (checked before timing a request)."""
        return self.logger.isEnabledFor(logging.INFO)

    @abstractmethod
    def log(self, request: Request, response: StreamResponse, duration: float, sent: int) -> None:
        """Log one finished request.

        Args:
            request: the request.
            response: the response sent.
            duration: seconds from the request head to the end of the response.
            sent: body bytes written.
        """


def _clf_time(_r: Request, _s: StreamResponse, duration: float, _b: int) -> str:
    start = time.time() - duration
    return time.strftime("[%d/%b/%Y:%H:%M:%S +0000]", time.gmtime(start))


def _request_line(r: Request, _s: StreamResponse, _d: float, _b: int) -> str:
    major, minor = r.version
    return f"{r.method} {r.raw_path} HTTP/{major}.{minor}"


_SIMPLE: Final[dict[str, _Piece]] = {
    "a": lambda r, _s, _d, _b: r.remote or "-",
    "t": _clf_time,
    "P": lambda _r, _s, _d, _b: f"<{os.getpid()}>",
    "r": _request_line,
    "s": lambda _r, s, _d, _b: str(s.status),
    "b": lambda _r, _s, _d, b: str(b),
    "O": lambda _r, _s, _d, b: str(b),
    "T": lambda _r, _s, d, _b: str(round(d)),
    "Tf": lambda _r, _s, d, _b: f"{d:.6f}",
    "D": lambda _r, _s, d, _b: str(round(d * 1_000_000)),
    "%": lambda _r, _s, _d, _b: "%",
}


def _keyed(kind: str, name: str) -> _Piece:
    """``%{Name}i`` (request header), ``%{Name}o`` (response header), ``%{NAME}e``."""

    def piece(r: Request, s: StreamResponse, _d: float, _b: int) -> str:
        if kind == "i":
            return r.headers.get(name, "-")
        if kind == "o":
            return s.headers.get(name, "-")
        return os.environ.get(name, "-")

    return piece


def _compile(log_format: str) -> list[str | _Piece]:
    pieces: list[str | _Piece] = []
    pos = 0
    for m in _DIRECTIVE.finditer(log_format):
        if m.start() > pos:
            pieces.append(log_format[pos : m.start()])
        name, kind = m.group(2), m.group(3)
        pieces.append(_SIMPLE[m.group(1)] if name is None else _keyed(kind, name))
        pos = m.end()
    if pos < len(log_format):
        pieces.append(log_format[pos:])
    return pieces


class AccessLogger(AbstractAccessLogger):
    """Writes one line per request in aiohttp's format language.

    Directives: ``%a`` remote address, ``%t`` start time, ``%P`` process id, ``%r``
    request line, ``%s`` status, ``%b``/``%O`` body bytes sent, ``%T`` seconds,
    ``%Tf`` seconds as a float, ``%D`` microseconds, ``%{Name}i`` a request header,
    ``%{Name}o`` a response header, ``%{NAME}e`` an environment variable, ``%%``.
    """

    def __init__(
        self, logger: logging.Logger = access_logger, log_format: str = DEFAULT_ACCESS_LOG_FORMAT
    ) -> None:
        super().__init__(logger, log_format)
        self._pieces = _compile(log_format)

    def log(self, request: Request, response: StreamResponse, duration: float, sent: int) -> None:
        """Format and emit one line at INFO; a failing piece is logged, never raised."""
        try:
            line = "".join(
                p if isinstance(p, str) else p(request, response, duration, sent)
                for p in self._pieces
            )
        except Exception:
            self.logger.exception("error in the access log format")
            return
        self.logger.info(line)
