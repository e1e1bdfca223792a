"""Refuse ``{name:regex}`` parts that can backtrack catastrophically.

Python's ``re`` is a backtracking engine: ``(a+)+`` needs about 2**n steps to fail on
``"a" * n + "!"``.  Its own parser (``re._parser``) is private, so this module parses the
(already compiled, hence well-formed) regex itself into a small tree and checks it:

* **R1, loops** (a repeat that may run more than once: ``*``, ``+``, ``{m,n}`` with
  n >= 2): its body must not match the empty string (``(a*)*``); its iterations must
  not be able to hand characters to each other, i.e. no variable repeat that can end
  an iteration may take a character that can start one (``(a+)+``, ``(\\w+\\s?)*``); and
  no alternation inside it may have two alternatives that can start with the same
  character (``(?:a|aa)+``, ``(?:\\w|\\d)*``).
* **R2, neighbours**: two variable repeats in sequence (only optional items between)
  must not compete for the same characters (``\\d+\\d+``, ``\\w*\\w*``): polynomial,
  not exponential, but pointless and slow on long input.
* **Refused outright**: lookarounds and conditionals (they defeat the reasoning above
  and routes do not need them), backreferences (impossible anyway: capturing groups
  are refused), and the verbose flag ``x`` (it changes what whitespace means).

Character sets are not modelled symbolically: each atom (a literal, an escape, a class,
``.``) is compiled on its own and tried on a fixed probe alphabet (all of ASCII, a few
non-ASCII letters, digits and spaces, the router's encoded-slash stand-in, and every
non-ASCII character the regex spells, so range end points are probed).  Two atoms
"overlap" when some probe matches both.  The rules are sufficient, not exact: a few
safe patterns are refused (``(?:ab|ac)*``: factor it as ``a(?:b|c)``), and the
remaining polynomial cases (``[^/]+-[^/]+`` across two parts) are bounded by the
router's ``max_segment_length``.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Final

__all__ = ["RegexInfo", "UnsafeRegexError", "analyse"]

_EMPTY: Final[frozenset[str]] = frozenset()
_SAMPLES: Final = "\u00a0\u00e9\u00df\u017f\u0660\u2028\u212a\u4e00\uffff\U0001f600\udc2f"
_SPELLED: Final = re.compile(r"\\(?:x([0-9a-fA-F]{2})|u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8}))")
_QUANT: Final = re.compile(r"\{(\d*)(?:(,)(\d*))?\}")
_FLAG_BITS: Final = {"i": re.IGNORECASE, "s": re.DOTALL, "a": re.ASCII, "m": re.MULTILINE}


class UnsafeRegexError(Exception):
    """The regex can backtrack catastrophically (or uses a refused construct).

    Internal: :mod:`._pattern` turns it into a ``ValueError`` naming the route.

    Attributes:
        reason: what is wrong.
        fragment: the offending sub-pattern.
    """

    def __init__(self, reason: str, fragment: str) -> None:
        super().__init__(f"{reason}: {fragment!r}")
        self.reason = reason
        self.fragment = fragment


@dataclass(frozen=True, slots=True)
class _Node:
    text: str
    nullable: bool
    first: frozenset[str]  # characters a match can start with
    last: frozenset[str]  # characters a match can end with
    chars: frozenset[str]  # every character a match can contain
    # A variable repeat that can end a match could take more iterations: they start
    # with a character of tail and end with one of tail_end.
    tail: frozenset[str]
    tail_end: frozenset[str]
    head: frozenset[str]  # characters a variable repeat starting the match can start with
    bad_alt: str | None  # an alternation with overlapping alternatives, inside


@dataclass(frozen=True, slots=True)
class RegexInfo:
    """What the router needs to know about a safe part regex.

    Attributes:
        spans: the regex can match a ``/`` (the part may cover several segments).
    """

    spans: bool


@functools.lru_cache(maxsize=1024)
def _probe(source: str, flags: int, probes: str) -> frozenset[str]:
    compiled = re.compile(source, flags)
    return frozenset(c for c in probes if compiled.fullmatch(c))


def _atom(text: str, source: str, flags: int, probes: str) -> _Node:
    chars = _probe(source, flags, probes)
    return _Node(text, False, chars, chars, chars, _EMPTY, _EMPTY, _EMPTY, None)


def _empty(text: str) -> _Node:
    return _Node(text, True, _EMPTY, _EMPTY, _EMPTY, _EMPTY, _EMPTY, _EMPTY, None)


def _seq(text: str, items: list[_Node]) -> _Node:
    if len(items) == 1:
        return items[0]
    nullable, bad_alt = True, None
    first, last, chars, head = set[str](), set[str](), set[str](), set[str]()
    tail, tail_end = set[str](), set[str]()
    for item in items:
        # R2: a variable repeat before this item could hand whole iterations to a
        # variable repeat starting it.
        if tail & item.head and tail_end & item.chars:
            raise UnsafeRegexError(
                "a variable repeat competes for the same characters as the one before it",
                item.text,
            )
        if nullable:
            first |= item.first
            head |= item.head
        nullable = nullable and item.nullable
        chars |= item.chars
        if item.nullable:
            tail |= item.tail
            tail_end |= item.tail_end
            last |= item.last
        else:
            tail, tail_end, last = set(item.tail), set(item.tail_end), set(item.last)
        bad_alt = bad_alt or item.bad_alt
    fz = frozenset
    return _Node(
        text, nullable, fz(first), fz(last), fz(chars), fz(tail), fz(tail_end), fz(head), bad_alt
    )


def _alt(text: str, branches: list[_Node]) -> _Node:
    if len(branches) == 1:
        return branches[0]
    bad_alt = next((b.bad_alt for b in branches if b.bad_alt), None)
    seen: set[str] = set()
    nullables = 0
    for b in branches:
        nullables += b.nullable
        if (seen & b.first or nullables > 1) and bad_alt is None:
            bad_alt = text
        seen |= b.first

    def union(attr: str) -> frozenset[str]:
        return frozenset().union(*(getattr(b, attr) for b in branches))

    return _Node(
        text,
        nullables > 0,
        frozenset(seen),
        union("last"),
        union("chars"),
        union("tail"),
        union("tail_end"),
        union("head"),
        bad_alt,
    )


def _repeat(text: str, body: _Node, lo: int, hi: int | None) -> _Node:
    if hi is None or hi >= 2:  # R1: a loop
        if body.nullable:
            raise UnsafeRegexError("a repeated sub-pattern can match the empty string", text)
        if body.tail & body.first:
            raise UnsafeRegexError(
                "the iterations of a repeat can trade characters (nested variable repeat)",
                text,
            )
        if body.bad_alt is not None:
            raise UnsafeRegexError(
                "alternatives under a repeat can start with the same character",
                body.bad_alt,
            )
    variable = hi is None or hi - lo > 1
    more, more_end = (body.first, body.last) if variable else (_EMPTY, _EMPTY)
    return _Node(
        text,
        lo == 0 or body.nullable,
        body.first,
        body.last,
        body.chars,
        more | body.tail,
        more_end | body.tail_end,
        more | body.head,
        body.bad_alt,
    )


class _Parser:
    def __init__(self, regex: str) -> None:
        self.s = regex
        self.i = 0
        spelled = {chr(int("".join(m.groups(default="")), 16)) for m in _SPELLED.finditer(regex)}
        extra = {c for c in regex if ord(c) > 127} | spelled
        self.probes = "".join(map(chr, range(128))) + _SAMPLES + "".join(sorted(extra))

    def peek(self, k: int = 0) -> str:
        j = self.i + k
        return self.s[j] if j < len(self.s) else ""

    def alternation(self, flags: int) -> _Node:
        start = self.i
        branches = [self.sequence(flags)]
        while self.peek() == "|":
            self.i += 1
            branches.append(self.sequence(flags))
        return _alt(self.s[start : self.i], branches)

    def sequence(self, flags: int) -> _Node:
        start = self.i
        items: list[_Node] = []
        while self.peek() not in ("", "|", ")"):
            at = self.i
            atom = self.atom(flags)
            if atom is None:
                continue
            items.append(self.quantified(atom, at))
        return _seq(self.s[start : self.i], items) if items else _empty("")

    def quantified(self, atom: _Node, at: int) -> _Node:
        ch = self.peek()
        if ch in ("*", "+", "?"):
            self.i += 1
            lo, hi = {"*": (0, None), "+": (1, None), "?": (0, 1)}[ch]
        elif ch == "{" and (m := _QUANT.match(self.s, self.i)) and (m.group(1) or m.group(2)):
            # "{}" is a literal; "{,n}" and "{,}" count from 0 (as sre_parse reads them).
            lo = int(m.group(1) or 0)
            hi = int(m.group(1)) if not m.group(2) else int(m.group(3)) if m.group(3) else None
            self.i = m.end()
        else:
            return atom
        if self.peek() in ("?", "+"):  # lazy or possessive: the same for these rules
            self.i += 1
        return _repeat(self.s[at : self.i], atom, lo, hi)

    def atom(self, flags: int) -> _Node | None:
        s, start = self.s, self.i
        ch = s[start]
        if ch == "(":
            return self.group(flags)
        if ch == "[":
            j = start + 1
            j += s[j] == "^"
            j += s[j] == "]"  # a leading "]" is literal
            while s[j] != "]":
                j += 2 if s[j] == "\\" else 1
            self.i = j + 1
            return _atom(s[start : self.i], s[start : self.i], flags, self.probes)
        if ch in "^$":
            self.i += 1
            return _empty(ch)
        if ch == "\\":
            return self.escape(flags)
        self.i += 1
        return _atom(ch, ch if ch == "." else re.escape(ch), flags, self.probes)

    def escape(self, flags: int) -> _Node:
        s, start = self.s, self.i
        e = s[start + 1]
        end = start + 2
        if e in "bBAZ":
            self.i = end
            return _empty(s[start:end])
        if e in "xuU":
            end += {"x": 2, "u": 4, "U": 8}[e]
        elif e == "N":
            end = s.index("}", end) + 1
        elif e == "0":
            while end < start + 4 and s[end : end + 1] in tuple("01234567"):
                end += 1
        elif e.isdigit():
            if not re.fullmatch(r"[0-3][0-7]{2}", s[start + 1 : start + 4]):
                raise UnsafeRegexError("backreferences are not allowed", s[start:end])
            end = start + 4
        self.i = end
        return _atom(s[start:end], s[start:end], flags, self.probes)

    def group(self, flags: int) -> _Node | None:
        s, start = self.s, self.i
        self.i += 1
        if s[self.i] == "?":
            self.i += 1
            kind = s[self.i]
            if kind == "#":
                self.i = s.index(")", self.i) + 1
                return None
            if kind in "=!" or s.startswith(("<=", "<!"), self.i):
                raise UnsafeRegexError("lookarounds are not allowed", s[start:])
            if kind == "(":
                raise UnsafeRegexError("conditional groups are not allowed", s[start:])
            if s.startswith("P=", self.i):
                raise UnsafeRegexError("backreferences are not allowed", s[start:])
            if s.startswith("P<", self.i):
                self.i = s.index(">", self.i) + 1
            elif kind in ":>":
                self.i += 1
            else:
                flags = self.inline_flags(flags, start)
                if s[self.i - 1] == ")":  # global flags, (?i): already at the start
                    return None
        inner = self.alternation(flags)
        self.i += 1  # ")"
        return _seq(s[start : self.i], [inner])

    def inline_flags(self, flags: int, start: int) -> int:
        m = re.compile(r"([aiLmsux]*)(?:-([imsx]+))?([:)])").match(self.s, self.i)
        if m is None:  # pragma: no cover - re.compile accepted the regex
            raise UnsafeRegexError("unrecognised group", self.s[start:])
        if "x" in m.group(1):
            raise UnsafeRegexError("the verbose flag (?x) is not allowed", self.s[start:])
        for f in m.group(1):
            flags |= _FLAG_BITS.get(f, 0)
        for f in m.group(2) or "":
            flags &= ~_FLAG_BITS.get(f, 0)
        self.i = m.end()
        return flags


@functools.lru_cache(maxsize=1024)
def analyse(regex: str) -> RegexInfo:
    """Check a part regex (it must already compile) against the rules above.

    Cached: route tables repeat the same few regexes.

    Raises:
        UnsafeRegexError: a rule is broken; ``fragment`` is the offending sub-pattern.
    """
    parser = _Parser(regex)
    node = parser.alternation(0)
    if parser.i != len(regex):  # pragma: no cover - re.compile accepted the regex
        raise UnsafeRegexError("unbalanced ')'", regex[parser.i :])
    return RegexInfo(spans="/" in node.chars)
