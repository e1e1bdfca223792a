"""``FormData``: URL-encoded forms, or multipart/form-data with streamed files."""

from __future__ import annotations

import io
import secrets
from collections.abc import AsyncIterator, Iterable, Mapping
from dataclasses import dataclass
from typing import IO, Any
from urllib.parse import urlencode

from ._payload import Body, bytes_body, file_body

__all__ = ["FormData"]

FieldValue = str | bytes | IO[Any]


@dataclass(frozen=True, slots=True)
class _Field:
    name: str
    value: FieldValue
    content_type: str | None
    filename: str | None


def _quote(text: str) -> str:
    # WHATWG HTML "multipart/form-data encoding": escape ", CR and LF in names.
    return text.replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A")


class FormData:
    """Form fields for a request body.

    The body is ``application/x-www-form-urlencoded`` unless a field is a file,
    bytes, or has a filename or content type; then it is ``multipart/form-data``
    and files are read from disk while the request is sent.

    Args:
        fields: Initial fields: a mapping or (name, value) pairs.
        charset: The charset of text parts (multipart) and of the encoding.
    """

    def __init__(
        self,
        fields: Mapping[str, FieldValue] | Iterable[tuple[str, FieldValue]] = (),
        *,
        charset: str | None = None,
    ) -> None:
        self._fields: list[_Field] = []
        self._charset = charset
        self._multipart = False
        self.add_fields(fields)

    @property
    def is_multipart(self) -> bool:
        """Whether the body will be multipart/form-data."""
        return self._multipart

    def add_field(
        self,
        name: str,
        value: FieldValue,
        *,
        content_type: str | None = None,
        filename: str | None = None,
    ) -> None:
        """Add one field.

        Args:
            name: The field name.
            value: Text, bytes or a file object opened in binary mode.
            content_type: The part's Content-Type (forces multipart).
            filename: The part's filename (forces multipart); defaults to the
                file object's base name.

        Raises:
            TypeError: ``value`` is not text, bytes or a file object.
            ValueError: A content type with CR or LF.
        """
        if isinstance(value, io.IOBase) or hasattr(value, "read"):
            if filename is None:
                raw = getattr(value, "name", None)
                filename = (
                    raw.replace("\\", "/").rsplit("/", 1)[-1] if isinstance(raw, str) else name
                )
            self._multipart = True
        elif isinstance(value, (bytes, bytearray)):
            self._multipart = True
        elif not isinstance(value, str):
            raise TypeError(f"form field {name!r}: expected str, bytes or a file, got {value!r}")
        if content_type is not None:
            if "\r" in content_type or "\n" in content_type:
                raise ValueError("CR or LF in a form field content type")
            self._multipart = True
        if filename is not None:
            self._multipart = True
        self._fields.append(_Field(name, value, content_type, filename))

    def add_fields(
        self, fields: Mapping[str, FieldValue] | Iterable[tuple[str, FieldValue]]
    ) -> None:
        """Add several fields."""
        items = fields.items() if isinstance(fields, Mapping) else fields
        for name, value in items:
            self.add_field(name, value)

    def to_body(self) -> Body:
        """The encoded body."""
        if not self._multipart:
            pairs = [(f.name, f.value) for f in self._fields]
            encoded = urlencode(pairs, encoding=self._charset or "utf-8")
            return bytes_body(encoded.encode("ascii"), "application/x-www-form-urlencoded")
        return self._multipart_body()

    def _multipart_body(self) -> Body:
        boundary = secrets.token_hex(16)
        charset = self._charset or "utf-8"
        parts: list[tuple[bytes, Body]] = []
        for f in self._fields:
            disposition = f'form-data; name="{_quote(f.name)}"'
            if f.filename is not None:
                disposition += f'; filename="{_quote(f.filename)}"'
            lines = [f"--{boundary}", f"Content-Disposition: {disposition}"]
            if isinstance(f.value, str):
                body = bytes_body(f.value.encode(charset), None)
                ctype = f.content_type
            elif isinstance(f.value, (bytes, bytearray)):
                body = bytes_body(bytes(f.value), None)
                ctype = f.content_type or "application/octet-stream"
            else:
                body = file_body(f.value, None)
                ctype = f.content_type or "application/octet-stream"
            if ctype:
                lines.append(f"Content-Type: {ctype}")
            head = ("\r\n".join(lines) + "\r\n\r\n").encode(charset)
            parts.append((head, body))
        tail = f"--{boundary}--\r\n".encode("ascii")
        length: int | None = len(tail)
        for head, body in parts:
            if length is not None and body.length is not None:
                length += len(head) + body.length + 2
            else:
                length = None

        async def source() -> AsyncIterator[bytes]:
            for head, body in parts:
                yield head
                if body.data is not None:
                    yield body.data
                elif body.source is not None:
                    async for chunk in body.source():
                        yield chunk
                yield b"\r\n"
            yield tail

        return Body(
            source=source,
            length=length,
            content_type=f"multipart/form-data; boundary={boundary}",
            replayable=all(body.replayable for _, body in parts),
        )
