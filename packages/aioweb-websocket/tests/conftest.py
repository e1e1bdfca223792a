"""Fixtures for the aioweb-websocket tests."""

from __future__ import annotations

import pytest
from ws_testlib import Handler, Live, ServeWs

from aioweb.testing import AiowebRawServer
from aioweb.websocket.sansio import FrameReader, FrameWriter


@pytest.fixture
def server_reader() -> FrameReader:
    """A server-role reader with the default limits."""
    return FrameReader(client=False)


@pytest.fixture
def client_writer() -> FrameWriter:
    """A client-role writer with a fixed masking key (reproducible bytes)."""
    return FrameWriter(client=True, mask_key=lambda: b"\x01\x02\x03\x04")


@pytest.fixture
def serve_ws(aioweb_raw_server: AiowebRawServer) -> ServeWs:
    """Serve a request handler on 127.0.0.1 (aioweb-testing's raw server, closed at teardown)."""

    async def factory(handler: Handler) -> Live:
        return Live(await aioweb_raw_server(handler, shutdown_timeout=1.0))

    return factory
