"""Fixtures for the http package's tests.

With pytest-asyncio >= 1.5 (which has the loop-factories hook) and uvloop installed
(``aioweb-http[speedups]``), every async test runs on asyncio and on uvloop.
"""

from __future__ import annotations

import asyncio
import importlib.util
from collections.abc import Callable, Mapping

import pytest
import pytest_asyncio.plugin

if hasattr(pytest_asyncio.plugin, "PytestAsyncioSpecs"):

    def pytest_asyncio_loop_factories(
        config: pytest.Config, item: pytest.Item
    ) -> Mapping[str, Callable[[], asyncio.AbstractEventLoop]]:
        """Run each async test on every event loop implementation installed."""
        factories: dict[str, Callable[[], asyncio.AbstractEventLoop]] = {
            "asyncio": asyncio.new_event_loop
        }
        if importlib.util.find_spec("uvloop") is not None:
            import uvloop

            factories["uvloop"] = uvloop.new_event_loop
        return factories
