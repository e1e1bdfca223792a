"""Fixtures for the aioweb-client tests.

A test marked ``@pytest.mark.asyncio(loop_factories=["asyncio", "uvloop"])`` (see
``client_testlib.ON_EVERY_LOOP``) runs once per event loop; every other test runs
on asyncio's default loop only.
"""

from __future__ import annotations

import asyncio
import importlib.util
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio.plugin
from client_proxylib import have_tinyproxy, tinyproxy
from client_testlib import Handler, Serve, open_fds

from aioweb.testing import AiowebRawServer

if hasattr(pytest_asyncio.plugin, "PytestAsyncioSpecs"):  # pytest-asyncio >= 1.5

    def pytest_asyncio_loop_factories(
        config: pytest.Config, item: pytest.Item
    ) -> Mapping[str, Callable[[], asyncio.AbstractEventLoop]]:
        """Offer uvloop to the tests that ask for it by ``loop_factories``."""
        factories: dict[str, Callable[[], asyncio.AbstractEventLoop]] = {
            "asyncio": asyncio.new_event_loop
        }
        marker = item.get_closest_marker("asyncio")
        if (
            marker is not None
            and "loop_factories" in marker.kwargs
            and importlib.util.find_spec("uvloop") is not None
        ):
            import uvloop

            factories["uvloop"] = uvloop.new_event_loop
        return factories


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


@pytest.fixture
def serve(aioweb_raw_server: AiowebRawServer) -> Serve:
    """Start an aioweb server (a RawTestServer, closed at teardown); returns its base URL."""

    async def start(handler: Handler) -> str:
        server = await aioweb_raw_server(handler)
        return f"http://127.0.0.1:{server.port}"

    return start


@pytest.fixture
def tinyproxy_factory(
    tmp_path: Path, aioweb_unused_port: Callable[[], int]
) -> Iterator[Callable[..., str]]:
    """Start real tinyproxy instances: ``url = tinyproxy_factory(connect_ports=(p,), auth=...)``.

    Skipped (with the reason) when tinyproxy is not installed; every instance is
    stopped at teardown.
    """
    if not have_tinyproxy():
        pytest.skip("tinyproxy is not installed (apt-get install tinyproxy)")
    with ExitStack() as stack:

        def start(**options: Any) -> str:
            return stack.enter_context(tinyproxy(tmp_path, aioweb_unused_port(), **options))

        yield start
