"""Whole-body responses: ``Response``, ``json_response`` and ``exception_response``."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from ._compression import ContentCoding, make_compressor
from ._stream_response import StreamResponse
from ._web_exceptions import HTTPException, LooseHeaders

__all__ = ["Response", "exception_response", "json_response"]


class Response(StreamResponse):
    """A response with its whole body in memory.

    Args:
        body: the body bytes.
        status: the status code.
        reason: the reason phrase.
        text: a text body (``text/plain; charset=utf-8`` by default).
        headers: header fields.
        content_type: the body's media type.
        charset: the text's charset (with ``text=``).
    """

    __slots__ = ("_body", "_compressed")

    def __init__(
        self,
        *,
        body: bytes | bytearray | memoryview | None = None,
        status: int = 200,
        reason: str | None = None,
        text: str | None = None,
        headers: LooseHeaders | None = None,
        content_type: str | None = None,
        charset: str | None = None,
    ) -> None:
        super().__init__(status=status, reason=reason, headers=headers)
        self._compressed: bytes | None = None
        if body is not None and text is not None:
            raise ValueError("body and text are not allowed together")
        if text is not None:
            if not isinstance(text, str):
                raise TypeError(f"text must be str, not {type(text).__name__}")
            if content_type and "charset" in content_type:
                raise ValueError("give the charset with charset=, not inside content_type")
            charset = charset or "utf-8"
            self._body = text.encode(charset)
            if content_type or "Content-Type" not in self._headers:
                self._headers["Content-Type"] = f"{content_type or 'text/plain'}; charset={charset}"
        else:
            if body is not None and not isinstance(body, bytes | bytearray | memoryview):
                raise TypeError(
                    f"body must be bytes, not {type(body).__name__} (use text= for str)"
                )
            self._body = bytes(body) if body is not None else b""
            if content_type:
                self._headers["Content-Type"] = (
                    f"{content_type}; charset={charset}" if charset else content_type
                )
            elif body is not None and "Content-Type" not in self._headers:
                self._headers["Content-Type"] = "application/octet-stream"
        self._body_length = len(self._body)

    @property
    def body(self) -> bytes:
        """The body bytes."""
        return self._body

    @body.setter
    def body(self, value: bytes) -> None:
        if self._writer is not None:
            raise RuntimeError("cannot change the body: the response head was already sent")
        self._body = bytes(value)
        self._body_length = len(self._body)

    @property
    def text(self) -> str | None:
        """The body decoded with its charset (UTF-8 by default)."""
        return self._body.decode(self.charset or "utf-8")

    @text.setter
    def text(self, value: str) -> None:
        self.body = value.encode(self.charset or "utf-8")
        if "Content-Type" not in self._headers:
            self._headers["Content-Type"] = "text/plain; charset=utf-8"

    def _compress_with(self, coding: ContentCoding) -> None:
        """Compress the whole body now, so the head carries its compressed length."""
        compressor = make_compressor(
            coding, strategy=self._compression_strategy, size=len(self._body)
        )
        self._compressed = compressor.compress(self._body) + compressor.flush()
        self._body_length = len(self._compressed)

    def enable_chunked_encoding(self) -> None:
        """Not available: a ``Response`` always knows its length.

        Raises:
            RuntimeError: always.
        """
        raise RuntimeError("a Response has a known length; use StreamResponse for chunked bodies")

    async def write_eof(self, data: bytes = b"") -> None:
        """Send the head (if still buffered) and the whole body in one write."""
        if self._eof_sent:
            return
        if self._writer is None:
            raise RuntimeError("call prepare() before write_eof()")
        body = self._body if self._compressed is None else self._compressed
        await super().write_eof(body + data if data else body)


def json_response(
    data: Any = None,
    *,
    text: str | None = None,
    body: bytes | None = None,
    status: int = 200,
    reason: str | None = None,
    headers: LooseHeaders | None = None,
    content_type: str = "application/json",
    dumps: Callable[[Any], str] = json.dumps,
) -> Response:
    """A ``Response`` with ``data`` serialized as JSON (or the given ``text``/``body``)."""
    if body is None:
        if text is None:
            text = dumps(data)
        elif data is not None:
            raise ValueError("pass only one of data, text and body")
        body = text.encode("utf-8")
    elif text is not None or data is not None:
        raise ValueError("pass only one of data, text and body")
    return Response(
        body=body, status=status, reason=reason, headers=headers, content_type=content_type
    )


def exception_response(exc: HTTPException) -> Response:
    """The response an ``HTTPException`` stands for."""
    resp = Response(status=exc.status, reason=exc.reason, headers=exc.headers, body=exc.body)
    if exc.content_type and exc.body is not None:
        resp.headers["Content-Type"] = exc.content_type
    return resp
