"""HTTP-date helpers (RFC 9110 §5.6.7)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aioweb.kernel import format_http_date, parse_http_date

UTC = timezone.utc
WHEN = datetime(1994, 11, 6, 8, 49, 37, tzinfo=UTC)


@pytest.mark.parametrize(
    "when",
    [
        WHEN,
        WHEN.replace(tzinfo=None),
        WHEN.astimezone(timezone(timedelta(hours=5, minutes=30))),
        WHEN.timestamp(),
        int(WHEN.timestamp()),
    ],
    ids=["aware-utc", "naive-is-utc", "other-zone", "float", "int"],
)
def test_format(when: datetime | float) -> None:
    assert format_http_date(when) == "Sun, 06 Nov 1994 08:49:37 GMT"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Sun, 06 Nov 1994 08:49:37 GMT", WHEN),
        ("Sunday, 06-Nov-94 08:49:37 GMT", WHEN),
        ("Sun Nov  6 08:49:37 1994", WHEN),
        ("Sun, 06 Nov 1994 09:49:37 +0100", WHEN),
        ("", None),
        (None, None),
        ("yesterday", None),
        ("Sun, 99 Nov 1994 08:49:37 GMT", None),
        ("Sun, 06 Nov", None),
    ],
    ids=[
        "imf-fixdate",
        "rfc850",
        "asctime",
        "offset",
        "empty",
        "none",
        "word",
        "bad-day",
        "truncated",
    ],
)
def test_parse(value: str | None, expected: datetime | None) -> None:
    parsed = parse_http_date(value)
    assert parsed == expected
    if parsed is not None:
        assert parsed.tzinfo == UTC


@given(st.datetimes(min_value=datetime(1970, 1, 2), max_value=datetime(9999, 1, 1)))
def test_round_trip(when: datetime) -> None:
    when = when.replace(microsecond=0, tzinfo=UTC)
    assert parse_http_date(format_http_date(when)) == when


@given(st.text())
def test_parse_never_raises(value: str) -> None:
    parsed = parse_http_date(value)
    assert parsed is None or parsed.tzinfo == UTC
