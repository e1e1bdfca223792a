"""The errors of the sans-IO HTTP/1.1 codec."""

from __future__ import annotations

from aioweb.kernel import AiowebError

__all__ = ["LocalProtocolError", "ParseError", "SpeedupsUnavailableError"]


class ParseError(AiowebError):
    """The peer sent bytes that are not a valid HTTP/1.1 message.

    The I/O layer answers a request with ``status`` and closes the connection;
    a client reports the error for the response it was reading. After raising,
    a parser keeps raising the same error.

    Attributes:
        status: The HTTP status to answer with: 400 (malformed), 414 (request
            line too long), 417 (unsupported expectation), 431 (header field or
            block too large, too many fields), 501 (unsupported transfer coding)
            or 505 (unsupported HTTP version).
        reason: Short human-readable text, safe to send back to the peer.
    """

    status: int
    reason: str

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(status, reason)
        self.status = status
        self.reason = reason

    def __str__(self) -> str:
        return f"{self.status} {self.reason}"


class LocalProtocolError(AiowebError):
    """Our side asked the codec for something HTTP/1.1 forbids.

    Raised by the serializers for a header name that is not a token or a value
    with CR, LF, NUL or another control character, and by the parsers when they
    are driven out of order (for example ``feed()`` after EOF).
    """


class SpeedupsUnavailableError(AiowebError, ImportError):
    """The httptools back-end was asked for but httptools is not installed.

    It is an ImportError too, so ``except ImportError`` keeps working. The
    message says what to install: ``pip install aioweb-http[speedups]``.
    """
