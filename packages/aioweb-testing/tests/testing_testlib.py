"""Helpers for the aioweb-testing tests."""

from __future__ import annotations

import asyncio

import pytest

#: Upper bound for every wait in these tests.
TIMEOUT = 5.0


async def assert_refused(port: int, host: str = "127.0.0.1") -> None:
    """Assert that nothing listens on ``host``:``port`` any more."""
    try:
        _, writer = await asyncio.wait_for(asyncio.open_connection(host, port), TIMEOUT)
    except ConnectionRefusedError:
        return
    writer.close()
    pytest.fail(f"{host}:{port} still accepts connections")


async def assert_listening(port: int, host: str = "127.0.0.1") -> None:
    """Assert that a server accepts connections on ``host``:``port``."""
    _, writer = await asyncio.wait_for(asyncio.open_connection(host, port), TIMEOUT)
    writer.close()
    await writer.wait_closed()
