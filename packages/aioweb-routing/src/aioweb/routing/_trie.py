"""A per-segment trie for the dynamic patterns that start with a dynamic segment.

``/{lang}/about``, ``/{a}/x17``: such patterns share no literal leading segment, so the
literal-prefix buckets of :mod:`._index` cannot separate them.  The trie walks the
request path one segment at a time: a literal segment of a pattern is a dict edge, a
segment with dynamic parts (``{id}``, ``v{n:\\d+}``) is the one *wild* edge, which takes
any segment.  A node keeps the patterns that end there (``exact``) and the patterns
whose rest may cover several segments (``deep``: a part like ``{tail:.*}`` follows),
each group compiled into one :class:`Bucket`.  A lookup visits the nodes the path can
reach (one per level for the usual tables: the literal edge and the wild edge only
fork where both exist), so its cost follows the path's depth, not the table's size.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ._resources import DynamicResource

__all__ = ["Bucket", "Candidate", "SegmentTrie"]

#: A dynamic resource and its registration order (lower wins).
Candidate = tuple[int, DynamicResource]


@dataclass(frozen=True, slots=True)
class Bucket:
    """Patterns tried together: one alternation ``p0()|p1()|...`` in order.

    Alternative k is the pattern without groups plus one empty group at its end: only
    the alternative that matched sets a group, and ``lastindex`` is k + 1.  Capturing
    groups inside the alternatives would make every failed alternative save and
    restore all marks (measured: 500 us at 1000 routes instead of 2 us).
    """

    regex: re.Pattern[str] | None  # the alternation; None for a single member
    members: tuple[Candidate, ...]
    regexes: tuple[re.Pattern[str], ...]  # each member's own regex (named groups)

    @classmethod
    def build(cls, members: Sequence[Candidate]) -> Bucket:
        """A bucket of ``members`` (in registration order)."""
        regexes = []
        for _, res in members:
            regex = res._pattern.regex
            if regex is None:  # pragma: no cover - only dynamic patterns get here
                raise TypeError(f"{res!r} is not dynamic")
            regexes.append(regex)
        alternation = None
        if len(members) > 1:
            source = "|".join(f"{res._pattern.flat_source}()" for _, res in members)
            alternation = re.compile(source)
        return cls(alternation, tuple(members), tuple(regexes))

    def first(self, path: str) -> tuple[int, DynamicResource, re.Match[str]] | None:
        """The first member matching ``path``: its order, resource and match."""
        if self.regex is None:
            found = self.regexes[0].fullmatch(path)
            if found is None:
                return None
            order, res = self.members[0]
            return order, res, found
        k = 0
        if self.regex is not None:
            m = self.regex.fullmatch(path)
            if m is None:
                return None
            k = (m.lastindex or 1) - 1
        found = self.regexes[k].fullmatch(path)
        if found is None:
            return None
        order, res = self.members[k]
        return order, res, found


class _Node:
    __slots__ = ("deep", "exact", "literal", "wild")

    def __init__(self) -> None:
        self.literal: dict[str, _Node] = {}
        self.wild: _Node | None = None
        self.exact: Bucket | None = None
        self.deep: Bucket | None = None


class SegmentTrie:
    """The trie over ``candidates`` (each pattern's ``segments`` and ``exact``).

    Args:
        candidates: the patterns, with their registration order, in that order.
        skip: leading segments every pattern and every looked-up path share (the
            literal prefix that chose this trie), not walked again.
    """

    __slots__ = ("_root", "_skip")

    def __init__(self, candidates: Sequence[Candidate], *, skip: int = 0) -> None:
        nodes: dict[int, _Node] = {}
        exact: dict[int, list[Candidate]] = {}
        deep: dict[int, list[Candidate]] = {}
        root = _Node()
        for cand in candidates:
            pattern = cand[1]._pattern
            node = root
            for seg in pattern.segments[skip:]:
                if seg is None:
                    node.wild = node.wild or _Node()
                    node = node.wild
                else:
                    node = node.literal.setdefault(seg, _Node())
            nodes[id(node)] = node
            (exact if pattern.exact else deep).setdefault(id(node), []).append(cand)
        for key, node in nodes.items():
            node.exact = Bucket.build(exact[key]) if key in exact else None
            node.deep = Bucket.build(deep[key]) if key in deep else None
        self._root = root
        self._skip = skip

    def buckets(self, path: str) -> list[Bucket]:
        """The buckets whose patterns may match ``path`` (a match key)."""
        if path[:1] != "/":
            return []
        return _walk(self._root, path[1:].split("/"), self._skip, [])

    def first(self, path: str) -> tuple[int, DynamicResource, re.Match[str]] | None:
        """The first pattern (in registration order) matching ``path``, as ``Bucket.first``."""
        buckets = self.buckets(path)
        if len(buckets) == 1:  # the usual case
            return buckets[0].first(path)
        hit = None
        for bucket in buckets:
            found = bucket.first(path)
            if found is not None and (hit is None or found[0] < hit[0]):
                hit = found
        return hit

    def candidates(self, path: str) -> list[Candidate]:
        """Every pattern that may match ``path`` (unordered)."""
        return [c for bucket in self.buckets(path) for c in bucket.members]


def _walk(node: _Node, segs: list[str], i: int, found: list[Bucket]) -> list[Bucket]:
    """Add the buckets reachable from ``node`` with ``segs[i:]`` to ``found``."""
    n = len(segs)
    while i < n:
        if node.deep is not None:
            found.append(node.deep)
        child = node.literal.get(segs[i])
        wild = node.wild
        i += 1
        if child is None:
            if wild is None:
                return found
            node = wild
        elif wild is None:
            node = child
        else:  # both edges take this segment: follow the literal one, then the wild one
            _walk(child, segs, i, found)
            node = wild
    if node.exact is not None:
        found.append(node.exact)
    return found
