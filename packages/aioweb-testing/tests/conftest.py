"""Fixtures for the aioweb-testing tests (the aioweb_* fixtures come from the plugin itself)."""

from __future__ import annotations

pytest_plugins = ["pytester"]
