"""The plugin: each factory is reachable by name through the kernel's registry."""

from __future__ import annotations

import pytest
from middleware_testlib import make_request, ok

from aioweb.kernel import MIDDLEWARE, Registry, default_registry
from aioweb.middleware import (
    compression_middleware,
    cors_middleware,
    error_pages_middleware,
    normalize_path_middleware,
    request_id_middleware,
    security_headers_middleware,
    timeout_middleware,
)
from aioweb.middleware._plugin import plugin

EXPECTED = {
    "normalize_path": normalize_path_middleware,
    "error_pages": error_pages_middleware,
    "cors": cors_middleware,
    "compression": compression_middleware,
    "security_headers": security_headers_middleware,
    "request_id": request_id_middleware,
    "timeout": timeout_middleware,
}


def test_plugin_registers_every_factory_by_name() -> None:
    registry = Registry(discover=False)
    registry.add(plugin)
    registry.load()
    assert dict(registry.items(MIDDLEWARE)) == EXPECTED
    assert plugin.name == "middleware"
    assert plugin.api_version == (1, 0)


def test_entry_point_is_discovered() -> None:
    registry = default_registry()
    registry.load()
    assert registry.get(MIDDLEWARE, "cors") is cors_middleware


@pytest.mark.parametrize(
    ("name", "options"),
    [
        ("normalize_path", {}),
        ("error_pages", {}),
        ("cors", {"origins": "*"}),
        ("compression", {"min_size": 10}),
        ("security_headers", {}),
        ("request_id", {}),
        ("timeout", {"seconds": 5}),
    ],
)
async def test_configuration_can_build_each_middleware_by_name(
    name: str, options: dict[str, object]
) -> None:
    registry = Registry(discover=False)
    registry.add(plugin)
    registry.load()
    mw = registry.get(MIDDLEWARE, name)(**options)
    resp = await mw(make_request(), ok)
    assert resp.status == 200
