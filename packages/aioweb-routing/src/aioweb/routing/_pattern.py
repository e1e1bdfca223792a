"""Path patterns: parse ``/a/{name}/{id:\\d+}`` once, match it, and build URLs from it.

A pattern is written *decoded* (``/a b``, not ``/a%20b``); :func:`parse_pattern` validates
it and returns a :class:`Pattern` holding everything the router needs: the literal path of a
static pattern, or the regex of a dynamic one (and the regex source, so the dispatcher can
combine many patterns into one alternation).

Patterns are matched against the *match key* of a request (:func:`match_key`): the raw
path split on its real ``/``, each segment percent-decoded, joined again with ``/``.  An
encoded slash (``%2F``) is data inside its segment, so in the key it is
:data:`ENCODED_SLASH`, a character no decoded text can contain (a lone surrogate:
percent-decoding yields valid UTF-8 or U+FFFD, never a surrogate).  So ``{name}``
(``[^{}/]+``) matches ``a%2Fb``, a literal ``/`` or a ``/`` in a regex only matches a
real separator, and ``[^/]`` or ``.`` also matches an encoded slash.  Values taken from the
key get their encoded slashes back as ``/`` (:func:`restore_slashes`): ``match_info``
values are fully decoded, so ``{tail:.*}`` on ``/a%2Fb/c`` reads ``a/b/c``.
"""

from __future__ import annotations

import keyword
import re
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final, TypeAlias
from urllib.parse import quote, unquote

from ._regex_safety import UnsafeRegexError, analyse

__all__ = [
    "DEFAULT_PART_REGEX",
    "ENCODED_SLASH",
    "Pattern",
    "SegmentPlan",
    "match_key",
    "parse_pattern",
    "quote_path",
    "restore_slashes",
    "validate_name",
]

#: What a bare ``{name}`` matches: one non-empty path segment.
DEFAULT_PART_REGEX: Final = "[^{}/]+"

# RFC 3986 §3.3: pchar = unreserved / pct-encoded / sub-delims / ":" / "@".  Everything
# else in a value is percent-encoded; "/" too inside a dynamic part.
_PCHAR_SAFE: Final = "!$&'()*+,;=:@-._~"
_NAME_SPLIT: Final = re.compile(r"[.:-]")

#: Stands for a ``%2F`` inside a segment of a match key (see the module docstring).
ENCODED_SLASH: Final = "\udc2f"


def match_key(raw_path: str) -> str:
    """The match key of a raw (percent-encoded) path without its query.

    Splitting at the real ``/`` and decoding each segment is the same as decoding the
    whole path after setting the ``%2F`` aside: an ASCII ``/`` is never part of a UTF-8
    multi-byte sequence, and ``unquote`` passes non-ASCII text (the stand-in) through.
    """
    if "%" not in raw_path:
        return raw_path
    if "%2F" in raw_path or "%2f" in raw_path:
        raw_path = raw_path.replace("%2F", ENCODED_SLASH).replace("%2f", ENCODED_SLASH)
    return unquote(raw_path)


def restore_slashes(text: str) -> str:
    """``text`` (a piece of a match key) with its encoded slashes turned back into ``/``."""
    return text.replace(ENCODED_SLASH, "/") if ENCODED_SLASH in text else text


def quote_path(text: str, *, keep_slash: bool) -> str:
    """Percent-encode ``text`` for a URL path (UTF-8), keeping RFC 3986 ``pchar``.

    Raises:
        ValueError: ``text`` cannot be encoded as UTF-8 (a lone surrogate).
    """
    try:
        return quote(text, safe=_PCHAR_SAFE + "/" if keep_slash else _PCHAR_SAFE)
    except UnicodeEncodeError as exc:
        raise ValueError(f"{text!r} cannot be percent-encoded: {exc.reason}") from None


def validate_name(name: str) -> str:
    """Check a route name: identifiers joined by ``.``, ``:`` or ``-`` (``api.user-detail``).

    Raises:
        ValueError: it is not of that shape, or a part is a Python keyword.
    """
    if not name:
        raise ValueError(f"a route name must be a non-empty string, not {name!r}")
    for part in _NAME_SPLIT.split(name):
        if not part.isidentifier() or keyword.iskeyword(part):
            raise ValueError(
                f"invalid route name {name!r}: use identifiers joined by '.', ':' or '-' "
                f"({part!r} is not one)"
            )
    return name


#: ``Pattern.plan``: ``(segment index, name, regex or None)`` per dynamic part.
SegmentPlan: TypeAlias = tuple[tuple[int, str, re.Pattern[str] | None], ...]


@dataclass(frozen=True, slots=True)
class _Var:
    name: str
    regex: str
    compiled: re.Pattern[str]
    spans: bool  # the regex can match a "/": the part may cover several segments


@dataclass(frozen=True, slots=True)
class Pattern:
    """A parsed path pattern.

    Attributes:
        raw: the pattern as registered.
        parts: literal strings and dynamic parts, in order.
        names: the dynamic parts' names, in order.
        source: the regex source (no anchors, one named group per dynamic part).
        flat_source: the same without capturing groups (for combining many patterns:
            groups inside a large alternation make ``re`` quadratic).
        regex: ``source`` compiled (use ``fullmatch``); ``None`` for a static pattern.
        leading: the leading path segments that are wholly literal and followed by a
            ``/`` (``("api", "users")`` for ``/api/users/{id}``); the dispatcher buckets
            dynamic patterns by them.
        segments: one entry per path segment up to the first part that may match a
            ``/``: the segment's literal text, or ``None`` for a segment with a
            dynamic part (``("u", None, "posts", None)`` for ``/u/{id}/posts/{p}``).
        exact: whether ``segments`` covers the whole pattern (no part matches ``/``);
            if not, the pattern needs at least one more segment than ``segments``.
        plan: for an exact pattern whose dynamic parts each fill a whole segment, one
            ``(index, name, regex)`` per part (``path.split("/")[index]`` is its
            segment; ``regex`` is ``None`` for a bare ``{name}``): the parts can be
            checked segment by segment, without the pattern's regex; ``None`` for the
            other patterns.
    """

    raw: str
    parts: tuple[str | _Var, ...]
    names: tuple[str, ...]
    source: str
    flat_source: str
    regex: re.Pattern[str] | None
    leading: tuple[str, ...]
    segments: tuple[str | None, ...] = ()
    exact: bool = True
    plan: SegmentPlan | None = None

    @property
    def is_static(self) -> bool:
        """Whether the pattern has no dynamic parts."""
        return self.regex is None

    def build(self, values: Mapping[str, str]) -> str:
        """The percent-encoded path for ``values`` (every name exactly once).

        A ``/`` in a value stays a real separator where the part's regex accepts it
        (``{tail:.*}``) and is sent as ``%2F`` where it does not (``{name}``); the
        result is checked to resolve back to exactly ``values``.  ``.`` and ``..``
        segments are sent as ``%2E`` (URL normalisation would remove them, RFC 3986
        §5.2.4).

        Raises:
            KeyError: a dynamic part has no value.
            ValueError: a value is unknown to the pattern or does not match its part,
                or the values cannot be told apart again (``/{a}{b}`` with ``a="x"``,
                ``b="yz"`` resolves as ``a="xy"``).
        """
        unknown = set(values).difference(self.names)
        if unknown:
            raise ValueError(
                f"{self.raw!r} has no part(s) {sorted(unknown)}; its parts are {list(self.names)}"
            )
        path = self._join(values, encode_slashes=False)
        if self.regex is None or self._resolves_to(path, values):
            return path
        encoded = self._join(values, encode_slashes=True)
        if encoded != path and self._resolves_to(encoded, values):
            return encoded
        raise ValueError(
            f"{dict(values)!r} cannot be built into a path of {self.raw!r} that resolves "
            "back to the same values"
        )

    def _join(self, values: Mapping[str, str], *, encode_slashes: bool) -> str:
        out: list[str] = []
        for part in self.parts:
            if isinstance(part, str):
                out.append(quote_path(part, keep_slash=True))
                continue
            try:
                value = values[part.name]
            except KeyError:
                raise KeyError(f"{self.raw!r} needs a value for {part.name!r}") from None
            if not encode_slashes and part.compiled.fullmatch(value):
                out.append(quote_path(value, keep_slash=True))
            elif part.compiled.fullmatch(value.replace("/", ENCODED_SLASH)):
                out.append(quote_path(value, keep_slash=False))
            else:
                raise ValueError(
                    f"{value!r} does not match {{{part.name}:{part.regex}}} in {self.raw!r}"
                )
        path = "".join(out)
        if "/." in path:  # a "." or ".." segment: send its dots encoded
            path = "/".join("%2E" * len(s) if s in (".", "..") else s for s in path.split("/"))
        return path

    def _resolves_to(self, path: str, values: Mapping[str, str]) -> bool:
        regex = self.regex
        m = None if regex is None else regex.fullmatch(match_key(path))
        if m is None:
            return False
        got = m.groups()
        return all(restore_slashes(got[i]) == values[n] for i, n in enumerate(self.names))


def _make_var(pattern: str, name: str, regex: str) -> _Var:
    compiled = _compile_part(pattern, name, regex)
    if regex == DEFAULT_PART_REGEX:
        return _Var(name, regex, compiled, spans=False)
    try:
        info = analyse(regex)
    except UnsafeRegexError as exc:
        raise ValueError(
            f"unsafe regex {regex!r} for {{{name}}} in {pattern!r}: {exc.reason} "
            f"(in {exc.fragment!r})"
        ) from None
    return _Var(name, regex, compiled, spans=info.spans)


def _compile_part(pattern: str, name: str, regex: str) -> re.Pattern[str]:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            compiled = re.compile(f"(?:{regex})")
    except (re.error, Warning) as exc:
        raise ValueError(f"invalid regex {regex!r} for {{{name}}} in {pattern!r}: {exc}") from None
    if compiled.groups:
        raise ValueError(
            f"the regex {regex!r} of {{{name}}} in {pattern!r} has capturing groups; "
            "use non-capturing ones, (?:...)"
        )
    return compiled


def _scan_part(pattern: str, start: int) -> tuple[str, str, int]:
    """Read ``{name}`` or ``{name:regex}`` at ``start``; return name, regex, end index."""
    i = start + 1
    n = len(pattern)
    while i < n and pattern[i] not in ":}":
        i += 1
    name = pattern[start + 1 : i]
    if i == n:
        raise ValueError(f"unbalanced '{{' at {start} in {pattern!r}")
    if not name.isidentifier():
        raise ValueError(f"invalid dynamic part name {name!r} in {pattern!r}")
    if pattern[i] == "}":
        return name, DEFAULT_PART_REGEX, i + 1
    j = i + 1
    depth = 0
    while j < n:
        ch = pattern[j]
        if ch == "\\":
            j += 2
            continue
        if ch == "{":
            depth += 1
        elif ch == "}":
            if depth == 0:
                break
            depth -= 1
        j += 1
    if j >= n:
        raise ValueError(f"unbalanced '{{' at {start} in {pattern!r}")
    regex = pattern[i + 1 : j]
    if not regex:
        raise ValueError(f"empty regex for {{{name}}} in {pattern!r}")
    return name, regex, j + 1


def parse_pattern(pattern: str) -> Pattern:
    """Parse and validate a path pattern.

    Dynamic parts: ``{name}`` matches one segment (``[^{}/]+``); ``{name:regex}``
    matches ``regex``, which must compile and have no capturing groups.  Several parts
    may share a segment (``/{stem}.{ext}``).  Matching is anchored at both ends.

    Raises:
        ValueError: the pattern does not start with ``/`` (the empty pattern is allowed,
            for a sub-application's root), has unbalanced braces, repeats a name, or a
            regex is invalid; the message names the pattern.
    """
    if not isinstance(pattern, str):
        raise TypeError(f"a path pattern must be a str, not {type(pattern).__name__}")
    if pattern and not pattern.startswith("/"):
        raise ValueError(f"a path pattern must start with '/': {pattern!r}")
    if any("\ud800" <= c <= "\udfff" for c in pattern):
        # No request can match one (decoding never yields a surrogate): see match_key.
        raise ValueError(f"a path pattern cannot contain a lone surrogate: {pattern!r}")
    parts: list[str | _Var] = []
    names: list[str] = []
    i = 0
    literal_start = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "}":
            raise ValueError(f"unbalanced '}}' at {i} in {pattern!r}")
        if ch != "{":
            i += 1
            continue
        if i > literal_start:
            parts.append(pattern[literal_start:i])
        name, regex, i = _scan_part(pattern, i)
        if name in names:
            raise ValueError(f"duplicate dynamic part {{{name}}} in {pattern!r}")
        names.append(name)
        parts.append(_make_var(pattern, name, regex))
        literal_start = i
    if literal_start < len(pattern) or not parts:
        parts.append(pattern[literal_start:])
    spanning = [p.name for p in parts if isinstance(p, _Var) and p.spans]
    if len(spanning) > 1:
        # Two parts that can both cover "/" make matching quadratic in the whole path.
        raise ValueError(
            f"at most one dynamic part of a route may match '/'; {pattern!r} has "
            + ", ".join(f"{{{n}}}" for n in spanning)
        )
    if not names:
        escaped = re.escape(pattern)
        return Pattern(pattern, tuple(parts), (), escaped, escaped, None, ())
    # Named groups: the dispatcher reads the values with one groupdict() call.
    source = "".join(
        re.escape(p) if isinstance(p, str) else f"(?P<{p.name}>{p.regex})" for p in parts
    )
    flat = "".join(re.escape(p) if isinstance(p, str) else f"(?:{p.regex})" for p in parts)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            compiled = re.compile(source)
    except (re.error, Warning) as exc:
        raise ValueError(f"invalid pattern {pattern!r}: {exc}") from None
    first = parts[0]
    # Whole segments only: "/api/users/{id}" -> ("api", "users"); "/api/u{id}" -> ("api",).
    leading = tuple(first[1:].split("/")[:-1]) if isinstance(first, str) else ()
    segments, exact = _segments(parts)
    plan = _plan(parts) if exact else None
    return Pattern(
        pattern, tuple(parts), tuple(names), source, flat, compiled, leading, segments, exact, plan
    )


#: Anchors read the text around a part: such parts get no plan ("[^" is not one).
_CONTEXTUAL: Final = re.compile(r"\\[bBAZ]|\$|\^")


def _plan(parts: list[str | _Var]) -> SegmentPlan | None:
    """``Pattern.plan`` of an exact dynamic pattern's parts."""
    plan: list[tuple[int, str, re.Pattern[str] | None]] = []
    index = 0  # segment 0 is the empty text before the pattern's first "/"
    for k, part in enumerate(parts):
        if isinstance(part, str):
            index += part.count("/")
            continue
        before, after = parts[k - 1], parts[k + 1] if k + 1 < len(parts) else "/"
        whole = isinstance(before, str) and before.endswith("/")
        if not whole or not isinstance(after, str) or not after.startswith("/"):
            return None
        if part.regex == DEFAULT_PART_REGEX:
            plan.append((index, part.name, None))
        elif _CONTEXTUAL.search(part.regex.replace("[^", "[")) is None:
            plan.append((index, part.name, part.compiled))
        else:
            return None
    return tuple(plan)


def _segments(parts: list[str | _Var]) -> tuple[tuple[str | None, ...], bool]:
    """``Pattern.segments`` and ``Pattern.exact`` of a dynamic pattern's parts."""
    done: list[str | None] = []
    current: str | None = ""
    started = False  # the text before the pattern's first "/" is not a segment
    for part in parts:
        if isinstance(part, _Var):
            if part.spans:
                return tuple(done), False
            current = None
            continue
        head, *rest = part.split("/")
        if current is not None:
            current += head
        for piece in rest:
            if started:
                done.append(current)
            started, current = True, piece
    done.append(current)
    return tuple(done), True
