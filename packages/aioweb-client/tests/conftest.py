"""Fixtures for the aioweb-client tests."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from client_testlib import open_fds


@pytest.fixture
async def no_fd_leak() -> AsyncIterator[None]:
    """Fail the test when it leaves more file descriptors open than it found."""
    before = open_fds()
    yield
    for _ in range(50):
        if open_fds() <= before:
            break
        await asyncio.sleep(0.01)
    assert open_fds() <= before, f"{open_fds() - before} file descriptors leaked"
