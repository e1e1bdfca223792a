"""The dynamic-route index: literal-prefix buckets, plus a segment trie for the rest.

Static paths never get here (they are a dict hit in the dispatcher).  A dynamic pattern's
*leading* segments are the whole literal segments before its first dynamic part
(``("api", "v1", "users")`` for ``/api/v1/users/{id}``).  There is one bucket per distinct
non-empty leading tuple, keyed ``"api/v1/users"``, holding every pattern whose leading
segments are a non-empty prefix of that key (``/api/{x}`` joins ``api/v1/users``), in
registration order.  A lookup splits the path at its ``/`` once and takes the longest
key it finds (a handful of dict hits, whatever the table size).  Patterns with no
literal leading segment (``/{lang}/about``) live in a :class:`SegmentTrie` instead,
consulted only when there are any, and a bucket of more than one pattern is a trie of
its own (``/api/{v}/x17`` for many ``x``); the first match in registration order across
the bucket and the trie wins.  A bucket of one pattern whose dynamic parts each fill a
segment checks the segments (:mod:`._segmatch`), not a regex.  So the cost stays flat
as routes are added under other literal prefixes or other literal segments further
on, and follows the path's depth, not the number of patterns sharing a bucket.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from typing import Final

from ._resources import DynamicResource
from ._segmatch import Hit
from ._trie import Bucket, Candidate, SegmentTrie

__all__ = ["DynamicIndex"]

#: Leading segments beyond this many are not used for bucketing (bounds the lookup).
_MAX_DEPTH: Final = 8

#: A literal-prefix group larger than this is split further by a segment trie
#: (``/api/{v}/x17`` for many ``x`` share the bucket ``api``); a group of one is a
#: bucket whose pattern is checked segment by segment where it can be (measured on
#: ``/api/{v}/x<i>``, ten patterns: 1.2 us per resolve as a trie, 1.6 us as one
#: alternation; a regex for the whole path plus ``groupdict()`` costs more than the
#: few segment checks).
_TRIE_MIN: Final = 1


class DynamicIndex:
    """Finds the first dynamic resource (in registration order) matching a path.

    Args:
        resources: the dynamic resources, in registration order.
    """

    __slots__ = ("_buckets", "_depth", "_trie")

    def __init__(self, resources: Sequence[DynamicResource]) -> None:
        groups: dict[tuple[str, ...], list[Candidate]] = {}
        for order, res in enumerate(resources):
            groups.setdefault(res._pattern.leading[:_MAX_DEPTH], []).append((order, res))
        buckets: dict[str, Bucket | SegmentTrie] = {}
        for key in groups:
            if not key:
                continue
            # Every group whose leading segments are a non-empty prefix of key, by order.
            lists = [groups[key[:d]] for d in range(1, len(key) + 1) if key[:d] in groups]
            merged = lists[0] if len(lists) == 1 else list(heapq.merge(*lists))
            if len(merged) > _TRIE_MIN:
                # Every member's leading segments are a prefix of key, and so of the path.
                skip = min(len(res._pattern.leading[:_MAX_DEPTH]) for _, res in merged)
                buckets["/".join(key)] = SegmentTrie(merged, skip=skip)
            else:
                buckets["/".join(key)] = Bucket.build(merged, checked=len(key))
        wild = groups.get(())
        self._buckets = buckets
        self._depth = max(map(len, groups), default=0)
        self._trie = SegmentTrie(wild) if wild else None

    def _bucket(self, path: str) -> Bucket | SegmentTrie | None:
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
        return None

    def lookup(self, path: str) -> Hit | None:
        """The first resource matching ``path`` (a match key): its order, the resource
        and its values (encoded slashes still :data:`ENCODED_SLASH`), or ``None``."""
        buckets, trie = self._buckets, self._trie
        if path[:1] != "/" or (trie is None and not buckets):  # "*" (OPTIONS), or no routes
            return None
        segs = path.split("/")
        hit = None
        if buckets:
            # The key for k leading segments is segs[1 : k + 1] joined: it needs a
            # "/" after it, so k < len(segs) - 1 (a pattern's literal leading
            # segments are each followed by a "/").  Deepest key first.
            k = min(self._depth, len(segs) - 2)
            while k > 0:
                bucket = buckets.get(segs[1] if k == 1 else "/".join(segs[1 : k + 1]))
                if bucket is not None:
                    # Tries and one-pattern buckets with a matcher check segs; the
                    # rest run their regex on path.
                    hit = bucket.first(path, segs)
                    break
                k -= 1
        if trie is not None:
            found = trie.first(path, segs)
            if found is not None and (hit is None or found[0] < hit[0]):
                hit = found
        return hit

    def candidates(self, path: str) -> tuple[DynamicResource, ...]:
        """Every resource that could match ``path``, in order (the slow path, for 405)."""
        bucket = self._bucket(path)
        found: list[Candidate] = []
        if isinstance(bucket, SegmentTrie):
            found.extend(bucket.candidates(path))
        elif bucket is not None:
            found.extend(bucket.members)
        if self._trie is not None:
            found.extend(self._trie.candidates(path))
        return tuple(res for _, res in sorted(found, key=lambda c: c[0]))
