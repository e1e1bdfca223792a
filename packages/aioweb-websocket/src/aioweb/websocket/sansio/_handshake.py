"""The opening handshake (RFC 6455 §4) for both roles, on plain header pairs."""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ._deflate import DeflateParams, accept_deflate_offer, deflate_offer, parse_deflate_response
from ._errors import HandshakeError

__all__ = [
    "ClientHandshake",
    "ServerAccept",
    "accept_key",
    "accept_request",
    "check_response",
    "client_request",
]

_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
_VERSION = ("Sec-WebSocket-Version", "13")

Headers = Iterable[tuple[str, str]]


def accept_key(key: str) -> str:
    """``Sec-WebSocket-Accept`` for a ``Sec-WebSocket-Key`` (RFC 6455 §4.2.2)."""
    digest = hashlib.sha1(key.encode("ascii") + _GUID).digest()
    return base64.b64encode(digest).decode("ascii")


def _collect(headers: Headers) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    for name, value in headers:
        fields.setdefault(name.lower(), []).append(value)
    return fields


def _tokens(values: Iterable[str]) -> list[str]:
    return [t.strip() for v in values for t in v.split(",") if t.strip()]


@dataclass(frozen=True, slots=True)
class ServerAccept:
    """A valid opening handshake, from the server's side.

    Attributes:
        headers: the fields of the ``101`` response.
        protocol: the chosen subprotocol, or ``None``.
        deflate: the agreed permessage-deflate parameters, or ``None``.
    """

    headers: tuple[tuple[str, str], ...]
    protocol: str | None
    deflate: DeflateParams | None


def accept_request(
    method: str,
    headers: Headers,
    *,
    protocols: Sequence[str] = (),
    compress: bool = True,
) -> ServerAccept:
    """Validate a client's opening handshake and build the answer.

    Args:
        method: the request method.
        headers: the request's header fields.
        protocols: the subprotocols the server speaks, in order of preference.
        compress: whether to accept a permessage-deflate offer.

    Raises:
        HandshakeError: ``status`` 400 with a reason for an invalid request; for
            another version, with ``Sec-WebSocket-Version: 13`` too (RFC 6455 §4.4).
    """
    if method != "GET":
        raise HandshakeError(400, f"a WebSocket handshake must be GET, not {method}")
    fields = _collect(headers)
    if "websocket" not in (t.lower() for t in _tokens(fields.get("upgrade", ()))):
        raise HandshakeError(400, "no 'Upgrade: websocket' header")
    if "upgrade" not in (t.lower() for t in _tokens(fields.get("connection", ()))):
        raise HandshakeError(400, "no 'Connection: upgrade' header")
    version = fields.get("sec-websocket-version", [])
    if [v.strip() for v in version] != ["13"]:
        raise HandshakeError(400, "Sec-WebSocket-Version must be 13", (_VERSION,))
    keys = fields.get("sec-websocket-key", [])
    if len(keys) != 1:
        raise HandshakeError(400, "exactly one Sec-WebSocket-Key is required")
    key = keys[0].strip()
    try:
        raw = base64.b64decode(key, validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != 16:
        raise HandshakeError(400, "Sec-WebSocket-Key is not the base64 of 16 bytes")
    out = [
        ("Upgrade", "websocket"),
        ("Connection", "Upgrade"),
        ("Sec-WebSocket-Accept", accept_key(key)),
    ]
    protocol = None
    offered = _tokens(fields.get("sec-websocket-protocol", ()))
    for candidate in protocols:
        if candidate in offered:
            protocol = candidate
            out.append(("Sec-WebSocket-Protocol", candidate))
            break
    deflate = None
    if compress:
        deflate = accept_deflate_offer(fields.get("sec-websocket-extensions", ()))
        if deflate is not None:
            out.append(("Sec-WebSocket-Extensions", deflate.header_value()))
    return ServerAccept(tuple(out), protocol, deflate)


@dataclass(frozen=True, slots=True)
class ClientHandshake:
    """What a client sends, and must remember to check the answer.

    Attributes:
        key: the ``Sec-WebSocket-Key`` sent.
        headers: the request fields to send (besides ``Host``).
        protocols: the subprotocols offered.
        compress: whether permessage-deflate was offered.
    """

    key: str
    headers: tuple[tuple[str, str], ...]
    protocols: tuple[str, ...]
    compress: bool


def client_request(
    *, protocols: Sequence[str] = (), compress: bool = True, key: str | None = None
) -> ClientHandshake:
    """The fields of a client's opening handshake (a fresh random key by default)."""
    key = key or base64.b64encode(os.urandom(16)).decode("ascii")
    out = [
        ("Upgrade", "websocket"),
        ("Connection", "Upgrade"),
        _VERSION,
        ("Sec-WebSocket-Key", key),
    ]
    if protocols:
        out.append(("Sec-WebSocket-Protocol", ", ".join(protocols)))
    if compress:
        out.append(("Sec-WebSocket-Extensions", deflate_offer()))
    return ClientHandshake(key, tuple(out), tuple(protocols), compress)


def check_response(
    handshake: ClientHandshake, status: int, headers: Headers
) -> tuple[str | None, DeflateParams | None]:
    """Check the server's answer; return (subprotocol, permessage-deflate parameters).

    Raises:
        HandshakeError: not a valid ``101`` answer to ``handshake``.
    """
    if status != 101:
        raise HandshakeError(status, f"the server answered {status}, not 101")
    fields = _collect(headers)
    if "websocket" not in (t.lower() for t in _tokens(fields.get("upgrade", ()))):
        raise HandshakeError(status, "no 'Upgrade: websocket' in the answer")
    if "upgrade" not in (t.lower() for t in _tokens(fields.get("connection", ()))):
        raise HandshakeError(status, "no 'Connection: upgrade' in the answer")
    if fields.get("sec-websocket-accept", [""])[0].strip() != accept_key(handshake.key):
        raise HandshakeError(status, "wrong Sec-WebSocket-Accept")
    chosen = _tokens(fields.get("sec-websocket-protocol", ()))
    if len(chosen) > 1 or (chosen and chosen[0] not in handshake.protocols):
        raise HandshakeError(status, f"the server chose a subprotocol not offered: {chosen}")
    extensions = fields.get("sec-websocket-extensions", [])
    if extensions and not handshake.compress:
        raise HandshakeError(status, "the server accepted an extension not offered")
    deflate = parse_deflate_response(extensions)
    return (chosen[0] if chosen else None), deflate
