"""permessage-deflate (RFC 7692): negotiation, and the per-direction (de)compressors."""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from dataclasses import dataclass

from ._errors import HandshakeError, WebSocketProtocolError

__all__ = [
    "DeflateParams",
    "Deflater",
    "Inflater",
    "accept_deflate_offer",
    "deflate_offer",
    "deflate_pair",
    "parse_deflate_response",
    "parse_extensions",
]

# RFC 7692 §7.2.1: the tail of a block flushed with Z_SYNC_FLUSH, removed by the
# sender and appended again by the receiver.
_TAIL = b"\x00\x00\xff\xff"
_TOKEN = "permessage-deflate"


@dataclass(frozen=True, slots=True)
class DeflateParams:
    """What was agreed for permessage-deflate, from the server's point of view.

    Attributes:
        server_no_context_takeover: the server resets its compressor per message.
        client_no_context_takeover: the client resets its compressor per message.
        server_max_window_bits: the LZ77 window of the server's compressor.
        client_max_window_bits: the LZ77 window of the client's compressor.
    """

    server_no_context_takeover: bool = False
    client_no_context_takeover: bool = False
    server_max_window_bits: int = 15
    client_max_window_bits: int = 15

    def header_value(self) -> str:
        """The ``Sec-WebSocket-Extensions`` value a server answers with."""
        parts = [_TOKEN]
        if self.server_no_context_takeover:
            parts.append("server_no_context_takeover")
        if self.client_no_context_takeover:
            parts.append("client_no_context_takeover")
        if self.server_max_window_bits != 15:
            parts.append(f"server_max_window_bits={self.server_max_window_bits}")
        if self.client_max_window_bits != 15:
            parts.append(f"client_max_window_bits={self.client_max_window_bits}")
        return "; ".join(parts)


def parse_extensions(values: Iterable[str]) -> list[tuple[str, list[tuple[str, str | None]]]]:
    """Split ``Sec-WebSocket-Extensions`` field values into (name, [(param, value)]).

    Quoted parameter values (RFC 6455 §9.1 allows them) are unquoted.
    """
    result: list[tuple[str, list[tuple[str, str | None]]]] = []
    for value in values:
        for item in value.split(","):
            pieces = [p.strip() for p in item.split(";")]
            if not pieces[0]:
                continue
            params: list[tuple[str, str | None]] = []
            for piece in pieces[1:]:
                name, eq, val = piece.partition("=")
                name = name.strip().lower()
                if not name:
                    continue
                v: str | None = val.strip().strip('"') if eq else None
                params.append((name, v))
            result.append((pieces[0].lower(), params))
    return result


def _window_bits(value: str | None) -> int | None:
    if value is None or not value.isdigit() or len(value) > 2:
        return None
    bits = int(value)
    return bits if 8 <= bits <= 15 else None


def _accept_one(params: list[tuple[str, str | None]]) -> DeflateParams | None:
    seen: set[str] = set()
    server_nct = client_nct = False
    server_bits = client_bits = 15
    for name, value in params:
        if name in seen:
            return None  # RFC 7692 §7: a repeated parameter makes the offer invalid
        seen.add(name)
        if name == "server_no_context_takeover" and value is None:
            server_nct = True
        elif name == "client_no_context_takeover" and value is None:
            client_nct = True
        elif name == "server_max_window_bits":
            bits = _window_bits(value)
            if bits is None:
                return None
            # zlib cannot compress raw deflate with a 256-byte window: decline 8.
            if bits == 8:
                return None
            server_bits = bits
        elif name == "client_max_window_bits":
            if value is not None and _window_bits(value) is None:
                return None
            # We inflate with the largest window, so any client window is fine and
            # there is no need to ask for a smaller one.
        else:
            return None
    return DeflateParams(server_nct, client_nct, server_bits, client_bits)


def accept_deflate_offer(values: Iterable[str]) -> DeflateParams | None:
    """Server side: pick the first acceptable permessage-deflate offer, if any.

    Invalid offers are declined (skipped), as RFC 7692 §5 allows.
    """
    for name, params in parse_extensions(values):
        if name == _TOKEN:
            accepted = _accept_one(params)
            if accepted is not None:
                return accepted
    return None


def deflate_offer() -> str:
    """Client side: the offer a client sends (any window, context takeover allowed)."""
    return f"{_TOKEN}; client_max_window_bits"


def parse_deflate_response(values: Iterable[str]) -> DeflateParams | None:
    """Client side: check the server's answer to :func:`deflate_offer`.

    Raises:
        HandshakeError: an extension we did not offer, or invalid parameters.
    """
    found: DeflateParams | None = None
    for name, params in parse_extensions(values):
        if name != _TOKEN or found is not None:
            raise HandshakeError(101, f"the server accepted an extension not offered: {name}")
        seen: set[str] = set()
        kw: dict[str, object] = {}
        for pname, value in params:
            if pname in seen:
                raise HandshakeError(101, f"repeated extension parameter {pname}")
            seen.add(pname)
            if pname in ("server_no_context_takeover", "client_no_context_takeover"):
                if value is not None:
                    raise HandshakeError(101, f"{pname} takes no value")
                kw[pname] = True
            elif pname in ("server_max_window_bits", "client_max_window_bits"):
                bits = _window_bits(value)
                if bits is None or (pname == "client_max_window_bits" and bits == 8):
                    raise HandshakeError(101, f"invalid {pname}: {value!r}")
                kw[pname] = bits
            else:
                raise HandshakeError(101, f"unknown permessage-deflate parameter {pname}")
        found = DeflateParams(**kw)  # type: ignore[arg-type]
    return found


class Deflater:
    """Compresses outgoing messages.

    Args:
        window_bits: the LZ77 window agreed for our direction (9-15).
        no_context_takeover: start every message with an empty window.
        level: the zlib compression level.
    """

    __slots__ = ("_level", "_obj", "_reset", "_wbits")

    def __init__(self, window_bits: int = 15, *, no_context_takeover: bool = False, level: int = 6):
        self._wbits = -max(window_bits, 9)
        self._level = level
        self._reset = no_context_takeover
        self._obj = zlib.compressobj(level, zlib.DEFLATED, self._wbits)

    def compress(self, data: bytes) -> bytes:
        """One message's compressed payload (the sync-flush tail removed)."""
        obj = self._obj
        out = obj.compress(data) + obj.flush(zlib.Z_SYNC_FLUSH)
        if self._reset:
            self._obj = zlib.compressobj(self._level, zlib.DEFLATED, self._wbits)
        if out.endswith(_TAIL):
            out = out[:-4]
        return out or b"\x00"


class Inflater:
    """Decompresses incoming messages with a bound on the inflated size.

    Args:
        no_context_takeover: the peer resets its window per message.
    """

    __slots__ = ("_obj", "_reset")

    def __init__(self, *, no_context_takeover: bool = False) -> None:
        self._reset = no_context_takeover
        # The largest window decodes whatever window the peer agreed to use.
        self._obj = zlib.decompressobj(-15)

    def inflate(self, data: bytes, room: int, *, final: bool) -> bytes:
        """Inflate one piece of a message; ``final`` for its last piece.

        Args:
            data: compressed bytes.
            room: how many inflated bytes may still come (-1: no bound).
            final: the message ends with this piece.

        Raises:
            WebSocketProtocolError: 1009 past ``room``, 1007 for corrupt data.
        """
        if final:
            data += _TAIL
        obj = self._obj
        try:
            # max_length bounds what zlib may allocate: a bomb never expands past room+1.
            out = obj.decompress(data, room + 1) if room >= 0 else obj.decompress(data)
        except zlib.error as exc:
            raise WebSocketProtocolError(1007, f"invalid compressed data: {exc}") from exc
        if 0 <= room < len(out):
            raise WebSocketProtocolError(1009, "message too big once inflated")
        if final and (self._reset or obj.eof):
            self._obj = zlib.decompressobj(-15)
        return out


def deflate_pair(params: DeflateParams, *, client: bool) -> tuple[Deflater, Inflater]:
    """The compressor and decompressor one side uses under ``params``."""
    if client:
        ours = Deflater(
            params.client_max_window_bits, no_context_takeover=params.client_no_context_takeover
        )
        return ours, Inflater(no_context_takeover=params.server_no_context_takeover)
    ours = Deflater(
        params.server_max_window_bits, no_context_takeover=params.server_no_context_takeover
    )
    return ours, Inflater(no_context_takeover=params.client_no_context_takeover)
