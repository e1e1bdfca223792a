"""Fixtures for the sans-IO tests: ``make_parser`` runs a test once per back-end."""

from __future__ import annotations

import functools

import pytest
from http_corpus import HAVE_HTTPTOOLS, ParserFactory

from aioweb.http.sansio import make_request_parser

BACKENDS = [
    pytest.param("pure", id="pure"),
    pytest.param(
        "httptools",
        id="httptools",
        marks=[
            pytest.mark.speedups,
            pytest.mark.skipif(not HAVE_HTTPTOOLS, reason="httptools is not installed"),
        ],
    ),
]


@pytest.fixture(scope="session", params=BACKENDS)
def make_parser(request: pytest.FixtureRequest) -> ParserFactory:
    """A factory ``make_parser(limits)`` for one request-parser back-end."""
    backend = request.param
    assert backend in {"pure", "httptools"}
    return functools.partial(make_request_parser, backend=backend)
