"""``Accept`` negotiation for error pages: q-value lists and the best media type.

``Accept`` is a comma-separated list of items with an optional weight (RFC 9110
§12.4.2: ``qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] )``). An item
whose weight does not parse is ignored rather than guessed at. ``Accept-Encoding`` and
``Vary`` are handled by the kernel's ``negotiate_coding`` and ``add_vary``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

__all__ = ["best_media_type", "parse_qlist"]

_QVALUE: Final = re.compile(r"(?:0(?:\.[0-9]{0,3})?|1(?:\.0{0,3})?)\Z")
#: Headers longer than this are not parsed (their items are then ignored): a bound on
#: the work one request can cause here.
MAX_LIST_LENGTH: Final = 4096


def parse_qlist(value: str) -> list[tuple[str, float]]:
    """Split a q-value list into ``(item, weight)`` pairs, items lower-cased.

    Parameters other than ``q`` (media-type parameters) are dropped. Empty items are
    skipped, so are items with an invalid weight.

    Args:
        value: the header field value (several fields joined with ``,``).

    Returns:
        The items in header order.
    """
    if len(value) > MAX_LIST_LENGTH:
        return []
    items: list[tuple[str, float]] = []
    for part in value.split(","):
        item, *params = part.split(";")
        item = item.strip().lower()
        if not item:
            continue
        weight = 1.0
        for param in params:
            key, sep, val = param.partition("=")
            if sep and key.strip().lower() == "q":
                val = val.strip()
                weight = float(val) if _QVALUE.match(val) else -1.0
                break
        if weight >= 0:
            items.append((item, weight))
    return items


def _media_weight(ranges: Sequence[tuple[str, float]], offer: str) -> tuple[float, int]:
    """The weight the most specific matching range gives ``offer``, and that specificity."""
    main = offer.partition("/")[0]
    best = (0.0, -1)
    for rng, weight in ranges:
        if rng == offer:
            specificity = 2
        elif rng == f"{main}/*":
            specificity = 1
        elif rng == "*/*":
            specificity = 0
        else:
            continue
        if specificity > best[1]:
            best = (weight, specificity)
    return best


def best_media_type(accept: str | None, offers: Sequence[str]) -> str:
    """Pick the offer the ``Accept`` header weighs highest.

    Ties go to the earlier offer. With no (or an unparsable) ``Accept``, or when the
    client accepts none of the offers, the first offer is returned: an error page is
    better sent in a type the client did not ask for than not at all.

    Args:
        accept: the ``Accept`` header value, if any.
        offers: the candidate media types, lower case, in server preference order.

    Returns:
        One of ``offers``.
    """
    if not accept:
        return offers[0]
    ranges = parse_qlist(accept)
    best, best_weight = offers[0], 0.0
    for offer in offers:
        weight = _media_weight(ranges, offer)[0]
        if weight > best_weight:
            best, best_weight = offer, weight
    return best
