"""Client-to-server masking (RFC 6455 §5.3), done on whole payloads at C speed."""

from __future__ import annotations

__all__ = ["apply_mask"]


def apply_mask(data: bytes, mask: bytes, offset: int = 0) -> bytes:
    """XOR ``data`` with the 4-byte ``mask``, starting at byte ``offset`` of the mask.

    The payload and the repeated key are turned into two big integers and XORed
    once: linear and done in C, never a per-byte Python loop. ``offset`` lets a
    payload that arrives in pieces be unmasked piece by piece.
    """
    n = len(data)
    if not n:
        return b""
    if offset & 3:
        offset &= 3
        mask = mask[offset:] + mask[:offset]
    key = (mask * ((n >> 2) + 1))[:n]
    return (int.from_bytes(data, "little") ^ int.from_bytes(key, "little")).to_bytes(n, "little")
