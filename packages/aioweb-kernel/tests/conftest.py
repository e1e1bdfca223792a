"""Fixtures for the kernel's tests (helpers live in ``kernel_testlib``)."""

from __future__ import annotations

import pytest
from kernel_testlib import FakeWriter, TinyRouter, make_app

from aioweb.kernel import Application, Registry


@pytest.fixture
def registry() -> Registry:
    """A registry holding only the kernel's built-in plugin."""
    return Registry(discover=False)


@pytest.fixture
def router() -> TinyRouter:
    """A fresh in-test router."""
    return TinyRouter()


@pytest.fixture
def app(router: TinyRouter, registry: Registry) -> Application:
    """An application on ``router`` and ``registry``."""
    return make_app(router, registry=registry)


@pytest.fixture
def writer() -> FakeWriter:
    """A recording response writer."""
    return FakeWriter()
