"""Fixtures for the aioweb-middleware tests."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest


@pytest.fixture
def mw_log(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """``caplog`` capturing the ``aioweb.middleware`` logger at DEBUG."""
    with caplog.at_level(logging.DEBUG, logger="aioweb.middleware"):
        yield caplog
