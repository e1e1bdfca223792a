"""Fixtures for the aioweb-websocket tests."""

from __future__ import annotations

import pytest

from aioweb.websocket.sansio import FrameReader, FrameWriter


@pytest.fixture
def server_reader() -> FrameReader:
    """A server-role reader with the default limits."""
    return FrameReader(client=False)


@pytest.fixture
def client_writer() -> FrameWriter:
    """A client-role writer with a fixed masking key (reproducible bytes)."""
    return FrameWriter(client=True, mask_key=lambda: b"\x01\x02\x03\x04")
