"""``BasicAuth``: RFC 7617 credentials."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from yarl import URL

__all__ = ["BasicAuth"]


@dataclass(frozen=True, slots=True)
class BasicAuth:
    """HTTP Basic credentials (RFC 7617).

    Raises:
        ValueError: ``login`` contains ``:``, or a value has CR, LF or NUL.

    Attributes:
        login: The user id; must not contain ``:`` (RFC 7617 §2).
        password: The password.
        encoding: How to encode both to bytes.
    """

    login: str
    password: str = ""
    encoding: str = "latin1"

    def __post_init__(self) -> None:
        if ":" in self.login:
            raise ValueError('a ":" is not allowed in a Basic auth login (RFC 7617 §2)')
        for value in (self.login, self.password):
            if any(c in value for c in "\r\n\x00"):
                raise ValueError("CR, LF and NUL are not allowed in Basic auth credentials")

    @classmethod
    def decode(cls, auth_header: str, encoding: str = "latin1") -> BasicAuth:
        """Parse an ``Authorization: Basic ...`` header value.

        Raises:
            ValueError: Not a Basic header, bad base64, or no ``:`` separator.
        """
        scheme, _, token = auth_header.strip().partition(" ")
        if scheme.lower() != "basic" or not token.strip():
            raise ValueError("not a Basic authorization header")
        try:
            decoded = base64.b64decode(token.strip().encode("ascii"), validate=True)
            text = decoded.decode(encoding)
        except (binascii.Error, UnicodeError) as exc:
            raise ValueError("invalid base64 in Basic authorization header") from exc
        login, sep, password = text.partition(":")
        if not sep:
            raise ValueError("no ':' between login and password")
        return cls(login, password, encoding)

    @classmethod
    def from_url(cls, url: URL, *, encoding: str = "latin1") -> BasicAuth | None:
        """The credentials in the URL's userinfo, or None when it has none."""
        if url.user is None and url.password is None:
            return None
        return cls(url.user or "", url.password or "", encoding)

    def encode(self) -> str:
        """The ``Authorization`` header value: ``Basic <base64(login:password)>``."""
        raw = f"{self.login}:{self.password}".encode(self.encoding)
        return "Basic " + base64.b64encode(raw).decode("ascii")
