"""Segment matchers: check a trie node's patterns on the split path, without regexes.

A path that reached a node of :class:`~aioweb.routing._trie.SegmentTrie` has the
node's literal segments and its segment count (the walk checked them); a pattern
ending there whose dynamic parts each fill a whole segment (its ``Pattern.plan``)
matches when each of those segments matches its part.  A bare ``{name}`` (``[^{}/]+``)
needs no regex at all on one segment of a match key: the segment is non-empty and has
no ``{`` or ``}`` (it cannot hold a ``/``).  Other parts run their own small regex on
their segment only.  The matchers are closures specialised for the usual one or two
bare parts: per lookup they cost a few dozen bytecodes instead of a regex over the
whole path plus ``groupdict()``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ._pattern import SegmentPlan
    from ._resources import DynamicResource

__all__ = ["Hit", "Matcher", "chain", "checked_matcher", "plan_matcher"]

#: A match: the resource's registration order, the resource, its (raw) values.
Hit = tuple[int, "DynamicResource", dict[str, str]]

#: One dynamic part of a ``SegmentPlan``: its segment index, name and regex (or ``None``).
PlanStep = tuple[int, str, re.Pattern[str] | None]

#: Takes ``path.split("/")`` of a path at the node; returns the first hit or ``None``.
Matcher = Callable[[list[str]], "Hit | None"]


def plan_matcher(order: int, res: DynamicResource, plan: SegmentPlan) -> Matcher:
    """The matcher of one pattern (registration ``order``) with segment ``plan``."""
    if len(plan) == 1:
        if plan[0][2] is None:
            return _one(order, res, plan[0][0], plan[0][1])
        return _one_regex(order, res, plan[0])
    if len(plan) == 2:
        if plan[0][2] is None and plan[1][2] is None:
            return _two(order, res, plan[0][:2], plan[1][:2])
        return _two_regex(order, res, plan[0], plan[1])

    steps = tuple((i, name, _bare if regex is None else _checker(regex)) for i, name, regex in plan)

    def match(segs: list[str]) -> Hit | None:
        values = {}
        for i, name, check in steps:
            seg = segs[i]
            if not check(seg):
                return None
            values[name] = seg
        return order, res, values

    return match


def _one(order: int, res: DynamicResource, i: int, name: str) -> Matcher:
    def match(segs: list[str]) -> Hit | None:
        seg = segs[i]
        if seg and "{" not in seg and "}" not in seg:
            return order, res, {name: seg}
        return None

    return match


def _one_regex(order: int, res: DynamicResource, step: PlanStep) -> Matcher:
    i, name, regex = step
    check = _bare if regex is None else _checker(regex)

    def match(segs: list[str]) -> Hit | None:
        seg = segs[i]
        return (order, res, {name: seg}) if check(seg) else None

    return match


def _two(
    order: int, res: DynamicResource, first: tuple[int, str], second: tuple[int, str]
) -> Matcher:
    (i, name), (j, name2) = first, second

    def match(segs: list[str]) -> Hit | None:
        seg, seg2 = segs[i], segs[j]
        if (
            seg
            and "{" not in seg
            and "}" not in seg
            and seg2
            and "{" not in seg2
            and "}" not in seg2
        ):
            return order, res, {name: seg, name2: seg2}
        return None

    return match


def _checker(regex: re.Pattern[str]) -> Callable[[str], object]:
    """A test of one segment against a part's ``regex`` (compiled as ``(?:...)``).

    ``\\d+`` is :meth:`str.isdecimal`: both accept exactly the non-empty strings of
    Unicode category Nd characters (``re`` without ``ASCII``), without running ``re``.
    """
    if regex.pattern == "(?:\\d+)" and not regex.flags & re.ASCII:
        return str.isdecimal
    return regex.fullmatch


def _bare(seg: str) -> bool:
    return bool(seg) and "{" not in seg and "}" not in seg


def _two_regex(order: int, res: DynamicResource, first: PlanStep, second: PlanStep) -> Matcher:
    (i, name, regex), (j, name2, regex2) = first, second
    check = _bare if regex is None else _checker(regex)
    check2 = _bare if regex2 is None else _checker(regex2)

    def match(segs: list[str]) -> Hit | None:
        seg, seg2 = segs[i], segs[j]
        if check(seg) and check2(seg2):
            return order, res, {name: seg, name2: seg2}
        return None

    return match


def checked_matcher(
    order: int, res: DynamicResource, plan: SegmentPlan, segments: Sequence[str | None], skip: int
) -> Matcher:
    """The matcher of a pattern for paths whose first ``skip`` segments are known to
    match: it checks the segment count and the other literal segments first."""
    inner = plan_matcher(order, res, plan)
    count = len(segments) + 1
    literals = tuple((i, seg) for i, seg in enumerate(segments, 1) if i > skip and seg is not None)
    if not literals:

        def match(segs: list[str]) -> Hit | None:
            return inner(segs) if len(segs) == count else None

    elif len(literals) == 1:
        ((k, literal),) = literals

        def match(segs: list[str]) -> Hit | None:
            return inner(segs) if len(segs) == count and segs[k] == literal else None

    else:

        def match(segs: list[str]) -> Hit | None:
            if len(segs) != count:
                return None
            for i, seg in literals:
                if segs[i] != seg:
                    return None
            return inner(segs)

    return match


def chain(matchers: Sequence[Matcher]) -> Matcher:
    """One matcher trying ``matchers`` in order (the first hit wins)."""
    if len(matchers) == 1:
        return matchers[0]
    ordered = tuple(matchers)

    def match(segs: list[str]) -> Hit | None:
        for matcher in ordered:
            hit = matcher(segs)
            if hit is not None:
                return hit
        return None

    return match
