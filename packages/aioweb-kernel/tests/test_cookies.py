"""Cookie helpers: ``parse_cookie_header`` and ``format_set_cookie`` (RFC 6265)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aioweb.kernel import format_set_cookie, parse_cookie_header


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("", {}),
        ("a=1", {"a": "1"}),
        ("a=1; b=2;c=3", {"a": "1", "b": "2", "c": "3"}),
        ("  a = 1 ;  b=2  ", {"a": "1", "b": "2"}),
        ('a="x y"', {"a": "x y"}),
        ('a="', {"a": '"'}),
        ("a=1; a=2", {"a": "1"}),
        ("a", {}),
        ("bad name=1; ok=2", {"ok": "2"}),
        ("=novalue; ok=2", {"ok": "2"}),
        ("a=b=c", {"a": "b=c"}),
        ("empty=", {"empty": ""}),
        (";;;", {}),
    ],
    ids=[
        "empty",
        "one",
        "three",
        "spaces",
        "quoted",
        "lone-quote",
        "first-wins",
        "no-equals",
        "bad-name",
        "no-name",
        "equals-in-value",
        "empty-value",
        "only-separators",
    ],
)
def test_parse_cookie_header(header: str, expected: dict[str, str]) -> None:
    assert parse_cookie_header(header) == expected


@given(st.text())
def test_parse_cookie_header_never_raises(header: str) -> None:
    result = parse_cookie_header(header)
    assert all(k and ";" not in k and ";" not in v for k, v in result.items())


token = st.text(
    alphabet="!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
    min_size=1,
)
cookie_octets = st.text(
    alphabet=[chr(c) for c in range(0x21, 0x7F) if chr(c) not in '",;\\'], max_size=30
)


@given(name=token, value=cookie_octets)
def test_format_then_parse_round_trip(name: str, value: str) -> None:
    header = format_set_cookie(name, value).partition(";")[0]
    assert parse_cookie_header(header) == {name: value}


@pytest.mark.parametrize(
    ("value", "formatted"),
    [("abc", "abc"), ("", ""), ("a b", '"a b"'), ("a,b", '"a,b"'), ('"q"', '"q"')],
    ids=["plain", "empty", "space-quoted", "comma-quoted", "already-quoted"],
)
def test_format_value_quoting(value: str, formatted: str) -> None:
    assert format_set_cookie("n", value, path=None) == f"n={formatted}"


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({}, "n=v; Path=/"),
        ({"path": None}, "n=v"),
        ({"path": ""}, "n=v"),
        ({"max_age": "30"}, "n=v; Max-Age=30; Path=/"),
        (
            {"expires": datetime(2030, 1, 2, 3, 4, 5, tzinfo=timezone.utc)},
            "n=v; Expires=Wed, 02 Jan 2030 03:04:05 GMT; Path=/",
        ),
        (
            {"expires": "Thu, 01 Jan 1970 00:00:00 GMT"},
            "n=v; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/",
        ),
        ({"secure": False, "httponly": False, "partitioned": False}, "n=v; Path=/"),
        ({"samesite": "Strict"}, "n=v; Path=/; SameSite=Strict"),
        ({"samesite": "None", "secure": True}, "n=v; Path=/; Secure; SameSite=None"),
    ],
    ids=[
        "default",
        "no-path",
        "empty-path",
        "max-age-str",
        "expires-datetime",
        "expires-str",
        "false-flags",
        "strict",
        "samesite-none",
    ],
)
def test_format_attributes(kwargs: dict[str, object], expected: str) -> None:
    assert format_set_cookie("n", "v", **kwargs) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("name", "value", "kwargs"),
    [
        ("", "v", {}),
        ("a=b", "v", {}),
        ("a;b", "v", {}),
        ("é", "v", {}),
        ("n", "a;b", {}),
        ("n", "a\rb", {}),
        ("n", "a\nb", {}),
        ("n", "a\x00b", {}),
        ("n", 'a"b', {}),
        ("n", "a\\b", {}),
        ("n", "é", {}),
        ("n", "v", {"domain": "a;b"}),
        ("n", "v", {"path": "/\n"}),
        ("n", "v", {"expires": "x;y"}),
        ("n", "v", {"samesite": "Lax\r\n"}),
        ("n", "v", {"max_age": "soon"}),
    ],
    ids=[
        "empty-name",
        "name-equals",
        "name-semicolon",
        "name-non-ascii",
        "value-semicolon",
        "value-cr",
        "value-lf",
        "value-nul",
        "value-quote",
        "value-backslash",
        "value-non-ascii",
        "domain-semicolon",
        "path-lf",
        "expires-semicolon",
        "samesite-crlf",
        "max-age-not-int",
    ],
)
def test_format_refuses(name: str, value: str, kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - each case has its own message
        format_set_cookie(name, value, **kwargs)  # type: ignore[arg-type]


@given(st.text(), st.text())
def test_format_never_emits_separators_in_the_pair(name: str, value: str) -> None:
    try:
        header = format_set_cookie(name, value, path=None)
    except ValueError:
        return
    assert not any(c in header for c in "\r\n\x00;")
