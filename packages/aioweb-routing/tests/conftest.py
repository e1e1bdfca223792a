"""Fixtures for the aioweb-routing tests."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from routing_testlib import make_handler

from aioweb.kernel import Request, Response


@pytest.fixture
def handler_factory() -> Callable[[str], Callable[[Request], Response]]:
    """``make_handler`` as a fixture."""
    return make_handler
