"""Preconditions (RFC 9110 §13.2.2), If-Range and Range parsing, as pure functions."""

from __future__ import annotations

import pytest

from aioweb.kernel import format_http_date
from aioweb.static._conditional import (
    UNSATISFIABLE,
    Validators,
    evaluate_preconditions,
    if_range_allows,
    parse_range,
)
from aioweb.static._negotiate import accepted_codings, content_type_for, pick_coding

V = Validators('"abc"', 1_000_000)
OLD = format_http_date(V.mtime - 10)
SAME = format_http_date(V.mtime)
NEW = format_http_date(V.mtime + 10)


@pytest.mark.parametrize(
    ("method", "headers", "expected"),
    [
        ("GET", {}, None),
        ("GET", {"If-Match": '"abc"'}, None),
        ("GET", {"If-Match": '"x", "abc"'}, None),
        ("GET", {"If-Match": "*"}, None),
        ("GET", {"If-Match": '"x"'}, 412),
        ("GET", {"If-Match": 'W/"abc"'}, 412),  # strong comparison
        ("GET", {"If-Unmodified-Since": OLD}, 412),
        ("GET", {"If-Unmodified-Since": SAME}, None),
        ("GET", {"If-Unmodified-Since": "garbage"}, None),
        # If-Match present: If-Unmodified-Since is not evaluated.
        ("GET", {"If-Match": '"abc"', "If-Unmodified-Since": OLD}, None),
        ("GET", {"If-None-Match": '"abc"'}, 304),
        ("HEAD", {"If-None-Match": 'W/"abc"'}, 304),  # weak comparison
        ("GET", {"If-None-Match": "*"}, 304),
        ("GET", {"If-None-Match": '"x"'}, None),
        ("POST", {"If-None-Match": '"abc"'}, 412),
        ("GET", {"If-Modified-Since": SAME}, 304),
        ("GET", {"If-Modified-Since": NEW}, 304),
        ("GET", {"If-Modified-Since": OLD}, None),
        ("POST", {"If-Modified-Since": SAME}, None),
        # If-None-Match present: If-Modified-Since is ignored.
        ("GET", {"If-None-Match": '"x"', "If-Modified-Since": NEW}, None),
        # If-Match fails first even when If-None-Match would give 304.
        ("GET", {"If-Match": '"x"', "If-None-Match": '"abc"'}, 412),
        ("GET", {"If-None-Match": 'garbage, "abc"'}, None),
    ],
)
def test_preconditions(method: str, headers: dict[str, str], expected: int | None) -> None:
    assert evaluate_preconditions(method, headers, V) == expected


@pytest.mark.parametrize(
    ("value", "allowed"),
    [
        (None, True),
        ('"abc"', True),
        ('W/"abc"', False),
        ('"other"', False),
        (SAME, True),
        (OLD, False),
        ("nonsense", False),
    ],
)
def test_if_range(value: str | None, allowed: bool) -> None:
    assert if_range_allows(value, V) is allowed


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("bytes=0-9", [(0, 10)]),
        ("bytes=10-", [(10, 100)]),
        ("bytes=-10", [(90, 100)]),
        ("bytes=-1000", [(0, 100)]),
        ("bytes=90-1000", [(90, 100)]),
        ("BYTES = 0-0", [(0, 1)]),  # tolerant of whitespace and case in the unit
        ("Bytes=0-0", [(0, 1)]),
        ("bytes=0-9,20-29", [(0, 10), (20, 30)]),
        ("bytes=20-29,0-9", [(0, 10), (20, 30)]),
        ("bytes=0-9,5-14", [(0, 15)]),
        ("bytes=0-9,10-19", [(0, 20)]),
        ("bytes=0-9, ,20-29", [(0, 10), (20, 30)]),
        ("bytes=100-", UNSATISFIABLE),
        ("bytes=100-200", UNSATISFIABLE),
        ("bytes=-0", UNSATISFIABLE),
        ("bytes=200-300,100-", UNSATISFIABLE),
        ("bytes=100-,0-0", [(0, 1)]),
        ("bytes=9-0", None),
        ("bytes=a-b", None),
        ("bytes=-", None),
        ("bytes=", None),
        ("items=0-1", None),
        ("0-1", None),
        ("bytes=" + ",".join(["0-0"] * 17), None),  # too many ranges
    ],
)
def test_parse_range(value: str, expected: object) -> None:
    assert parse_range(value, 100) == expected


def test_parse_range_empty_file_is_ignored() -> None:
    assert parse_range("bytes=0-0", 0) is None


@pytest.mark.parametrize(
    ("accept", "available", "expected"),
    [
        ("gzip, br", ["br", "gzip"], "br"),
        ("gzip;q=1, br;q=0.5", ["br", "gzip"], "gzip"),
        ("br;q=0", ["br", "gzip"], None),
        ("*", ["br", "gzip"], "br"),
        ("*;q=0.1, br;q=0", ["br", "gzip"], "gzip"),
        ("x-gzip", ["gzip"], "gzip"),
        ("gzip;q=nan", ["gzip"], None),
        ("gzip;q=2", ["gzip"], None),
        ("gzip;q=abc", ["gzip"], None),
        ("identity", ["gzip"], None),
        ("", ["gzip"], None),
        (None, ["gzip"], None),
        ("zstd, gzip", ["zstd", "gzip"], "zstd"),
    ],
)
def test_pick_coding(accept: str | None, available: list[str], expected: str | None) -> None:
    assert pick_coding(accept, available) == expected


def test_accepted_codings() -> None:
    assert accepted_codings("GZip;Q=0.5, ,br") == {"gzip": 0.5, "br": 1.0}


@pytest.mark.parametrize(
    ("name", "ctype"),
    [
        ("a.txt", "text/plain; charset=utf-8"),
        ("a.html", "text/html; charset=utf-8"),
        ("a.png", "image/png"),
        ("a.tar.gz", "application/gzip"),
        ("noext", "application/octet-stream"),
    ],
)
def test_content_type(name: str, ctype: str) -> None:
    assert content_type_for(name) == ctype
