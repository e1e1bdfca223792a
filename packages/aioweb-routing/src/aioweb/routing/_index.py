"""The dynamic-route index: patterns bucketed by their literal leading segments.

Static paths never get here (they are a dict hit in the dispatcher).  A dynamic pattern's
*leading* segments are the whole literal segments before its first dynamic part
(``("api", "v1", "users")`` for ``/api/v1/users/{id}``).  There is one bucket per distinct
leading tuple, keyed ``"api/v1/users"``, holding every pattern whose leading segments
are a prefix of that key (``/api/{x}`` joins ``api/v1/users``), plus the patterns with none
(``/{lang}/about``), in registration order; those last also form the fallback bucket.
A lookup slices the path at its first few ``/`` and takes the longest key it finds (a
handful of dict hits, whatever the table size): every pattern that could match the path
is in that bucket, in order.  A bucket of one pattern is matched directly; a larger one
compiles into one alternation ``p0()|p1()|...`` (dynamic parts non-capturing), whose
``lastindex`` names the alternative that matched, and that pattern's own regex (named
groups) extracts the values.  So the cost stays flat as routes are added under other
literal prefixes, and grows by a few nanoseconds per pattern sharing a bucket.
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from ._pattern import ENCODED_SLASH, restore_slashes
from ._resources import DynamicResource

__all__ = ["DynamicIndex"]


@dataclass(frozen=True, slots=True)
class _Target:
    resource: DynamicResource
    regex: re.Pattern[str]


#: Leading segments beyond this many are not used for bucketing (bounds the lookup).
_MAX_DEPTH: Final = 8


@dataclass(frozen=True, slots=True)
class _Bucket:
    regex: re.Pattern[str] | None  # the alternation; None for a single member
    targets: tuple[_Target, ...]
    members: tuple[DynamicResource, ...]

    @classmethod
    def build(cls, members: Sequence[DynamicResource]) -> _Bucket:
        targets = []
        for res in members:
            regex = res._pattern.regex
            if regex is None:  # pragma: no cover - the dispatcher only passes dynamic ones
                raise TypeError(f"{res!r} is not dynamic")
            targets.append(_Target(res, regex))
        if len(members) == 1:
            return cls(None, tuple(targets), tuple(members))
        # Alternative k is the pattern without groups plus one empty group at its end:
        # only the alternative that matched sets a group, and lastindex is k + 1.
        # Capturing groups inside the alternatives would make every failed alternative
        # save and restore all marks (measured: 500 us at 1000 routes instead of 2 us).
        source = "|".join(f"{res._pattern.flat_source}()" for res in members)
        return cls(re.compile(source), tuple(targets), tuple(members))


class DynamicIndex:
    """Finds the first dynamic resource (in registration order) matching a path.

    Args:
        resources: the dynamic resources, in registration order.
    """

    __slots__ = ("_buckets", "_depth", "_fallback")

    def __init__(self, resources: Sequence[DynamicResource]) -> None:
        groups: dict[tuple[str, ...], list[tuple[int, DynamicResource]]] = {}
        for order, res in enumerate(resources):
            groups.setdefault(res._pattern.leading[:_MAX_DEPTH], []).append((order, res))
        buckets: dict[str, _Bucket] = {}
        for key in groups:
            if not key:
                continue
            # Every group whose leading segments are a prefix of key, merged by order.
            lists = [groups[key[:d]] for d in range(len(key) + 1) if key[:d] in groups]
            merged = lists[0] if len(lists) == 1 else list(heapq.merge(*lists))
            buckets["/".join(key)] = _Bucket.build([res for _, res in merged])
        wild = groups.get(())
        self._buckets = buckets
        self._depth = max(map(len, groups), default=0)
        self._fallback = _Bucket.build([res for _, res in wild]) if wild else None

    def _bucket(self, path: str) -> _Bucket | None:
        # The key for k leading segments is the path between its first and its
        # (k+1)-th "/" (a pattern's literal segments are each followed by a "/"):
        # start at the deepest key the path has, then drop one segment at a time.
        rest = path.split("/", self._depth + 1)[-1]
        end = len(path) - len(rest) - 1
        buckets = self._buckets
        while end > 0:
            bucket = buckets.get(path[1:end])
            if bucket is not None:
                return bucket
            end = path.rfind("/", 0, end)
        return self._fallback

    def lookup(self, path: str) -> tuple[DynamicResource, dict[str, str]] | None:
        """The first resource matching ``path`` (a match key) and its values, or ``None``."""
        bucket = self._bucket(path)
        if bucket is None:
            return None
        targets = bucket.targets
        if bucket.regex is None:  # the common case: one candidate, no alternation
            target = targets[0]
        else:
            m = bucket.regex.fullmatch(path)
            if m is None:
                return None
            target = targets[(m.lastindex or 1) - 1]
        found = target.regex.fullmatch(path)
        if found is None:
            return None
        values: dict[str, str] = found.groupdict()
        if ENCODED_SLASH in path:  # rare: a "%2F" in the request; values read "/"
            values = {name: restore_slashes(value) for name, value in values.items()}
        return target.resource, values

    def candidates(self, path: str) -> tuple[DynamicResource, ...]:
        """Every resource that could match ``path``, in order (the slow path, for 405)."""
        bucket = self._bucket(path)
        return () if bucket is None else bucket.members
