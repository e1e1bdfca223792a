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
from typing import Final

from ._resources import DynamicResource
from ._segmatch import Hit, Matcher, chain, checked_matcher, plan_matcher

__all__ = ["Bucket", "Candidate", "SegmentTrie"]

#: A dynamic resource and its registration order (lower wins).
Candidate = tuple[int, DynamicResource]

#: A trie bucket of at most this many members whose parts each fill a whole segment
#: checks them one by one, segment by segment, instead of running an alternation.
_PLAN_MAX: Final = 8


def values_of(m: re.Match[str], names: tuple[str, ...]) -> dict[str, str]:
    """The named groups of ``m`` (a pattern regex's match: one group per name, in order).

    Cheaper than ``groupdict()`` for the usual one or two parts.
    """
    if len(names) == 1:
        return {names[0]: m[1]}
    if len(names) == 2:
        return {names[0]: m[1], names[1]: m[2]}
    return m.groupdict()


@dataclass(frozen=True, slots=True)
class Bucket:
    """Patterns tried together: one alternation ``p0()|p1()|...`` in order.

    Alternative k is the pattern without groups plus one empty group at its end: only
    the alternative that matched sets a group, and ``lastindex`` is k + 1.  Capturing
    groups inside the alternatives would make every failed alternative save and
    restore all marks (measured: 500 us at 1000 routes instead of 2 us).

    A bucket at a trie node (``segmented``) whose few members all have a
    ``Pattern.plan`` gets a ``matcher`` (see :mod:`._segmatch`) instead: the walk
    that reached the node checked the literal segments and the segment count, so only
    the dynamic segments are left to check, one by one, with no regex for the path.
    """

    regex: re.Pattern[str] | None  # the alternation; None for a single member
    members: tuple[Candidate, ...]
    regexes: tuple[re.Pattern[str], ...]  # each member's own regex (named groups)
    matcher: Matcher | None = None

    @classmethod
    def build(
        cls, members: Sequence[Candidate], *, segmented: bool = False, checked: int | None = None
    ) -> Bucket:
        """A bucket of ``members`` (in registration order).

        Args:
            members: the patterns, with their registration order.
            segmented: the bucket is at a trie node (see the class docstring).
            checked: for a bucket of one member looked up by its first ``checked``
                literal segments: its matcher checks the rest of the path's shape.
        """
        if checked is not None and len(members) == 1:
            order, res = members[0]
            pattern = res._pattern
            if pattern.regex is not None and pattern.plan is not None:
                single = checked_matcher(order, res, pattern.plan, pattern.segments, checked)
                return cls(None, tuple(members), (pattern.regex,), single)
        regexes = []
        matchers: list[Matcher] | None = [] if segmented and len(members) <= _PLAN_MAX else None
        for order, res in members:
            regex = res._pattern.regex
            if regex is None:  # pragma: no cover - only dynamic patterns get here
                raise TypeError(f"{res!r} is not dynamic")
            regexes.append(regex)
            plan = res._pattern.plan
            if matchers is not None:
                matchers = None if plan is None else [*matchers, plan_matcher(order, res, plan)]
        alternation = None
        if len(members) > 1:
            source = "|".join(f"{res._pattern.flat_source}()" for _, res in members)
            alternation = re.compile(source)
        matcher = chain(matchers) if matchers else None
        return cls(alternation, tuple(members), tuple(regexes), matcher)

    def first(self, path: str, segs: list[str] | None = None) -> Hit | None:
        """The first member matching ``path``: its order, resource and values.

        ``segs`` (``path.split("/")``) is only used by a bucket with a ``matcher``:
        give them only for a path that reached the bucket's trie node, or (``checked``)
        whose first segments are the bucket's literal leading ones.
        """
        matcher = self.matcher
        if matcher is not None and segs is not None:
            return matcher(segs)
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
        return order, res, values_of(found, res._pattern.names)


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
            node.exact = Bucket.build(exact[key], segmented=True) if key in exact else None
            node.deep = Bucket.build(deep[key]) if key in deep else None
        self._root = root
        self._skip = skip

    def buckets(self, path: str) -> list[Bucket]:
        """The buckets whose patterns may match ``path`` (a match key)."""
        if path[:1] != "/":
            return []
        return _walk(self._root, path.split("/"), self._skip + 1, [])

    def first(self, path: str, segs: list[str]) -> Hit | None:
        """The first pattern (in registration order) matching ``path``, as ``Bucket.first``.

        ``segs`` is ``path.split("/")`` (``path`` starts with ``/``).
        """
        # The usual walk: no fork (a literal edge and a wild edge both taking a
        # segment) and no deep bucket on the way, so one node is reached.
        node, i, n = self._root, self._skip + 1, len(segs)
        while i < n:
            if node.deep is not None:
                break
            child = node.literal.get(segs[i])
            if child is None:
                if node.wild is None:
                    return None
                node = node.wild
            elif node.wild is None:
                node = child
            else:
                break
            i += 1
        else:
            bucket = node.exact
            if bucket is None:
                return None
            matcher = bucket.matcher
            return bucket.first(path) if matcher is None else matcher(segs)
        hit = None
        for bucket in _walk(node, segs, i, []):
            found = bucket.first(path, segs)
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
