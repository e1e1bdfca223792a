"""Fixtures for the meta package's tests."""
