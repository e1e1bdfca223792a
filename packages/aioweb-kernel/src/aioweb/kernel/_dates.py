"""HTTP-date (RFC 9110 §5.6.7) formatting and parsing."""

from __future__ import annotations

from datetime import datetime, timezone
from email.utils import format_datetime, parsedate_to_datetime

__all__ = ["format_http_date", "parse_http_date"]


def format_http_date(when: datetime | float) -> str:
    """Format ``when`` (an aware or UTC-naive datetime, or a POSIX timestamp) as IMF-fixdate."""
    if not isinstance(when, datetime):
        when = datetime.fromtimestamp(when, timezone.utc)
    elif when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return format_datetime(when.astimezone(timezone.utc), usegmt=True)


def parse_http_date(value: str | None) -> datetime | None:
    """Parse an HTTP-date into an aware UTC datetime; ``None`` when absent or invalid."""
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc)
