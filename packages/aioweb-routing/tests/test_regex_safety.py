"""Catastrophic regexes are refused at registration; linear ones are accepted."""

from __future__ import annotations

import re
import time
import warnings

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aioweb.routing import UrlDispatcher

# (regex, a fragment the error message must quote)
DANGEROUS = [
    (r"(?:a+)+", "(?:a+)+"),
    (r"(?:a*)*", "(?:a*)*"),
    (r"(?:a|aa)+", "a|aa"),
    (r"(?:\w+\s?)*", r"(?:\w+\s?)*"),
    (r"(?:a+)*", "(?:a+)*"),
    (r"(?:a*)+", "(?:a*)+"),
    (r"(?:a?)*", "(?:a?)*"),
    (r"(?:a|a)*", "a|a"),
    (r"(?:\d|\d+)*", r"(?:\d|\d+)*"),
    (r"(?:\w|\d)+", r"\w|\d"),
    (r"(?:[a-z]+-?)*", "(?:[a-z]+-?)*"),
    (r"(?:a+b?)+", "(?:a+b?)+"),
    (r"(?:x*y*)*", "(?:x*y*)*"),
    (r"(?:\d+)+\.", r"(?:\d+)+"),
    (r"(?:(?:ab)+)+", "(?:(?:ab)+)+"),
    (r"(?:.*)+", "(?:.*)+"),
    (r"(?:.+)*", "(?:.+)*"),
    (r"(?:[^/]+)+", "(?:[^/]+)+"),
    (r"(?:a{1,10}){1,10}", "(?:a{1,10}){1,10}"),
    (r"(?:a+){2,5}", "(?:a+){2,5}"),
    (r"(?:\s*\w+)*", r"(?:\s*\w+)*"),
    (r"(?:a|b|ab)*", "a|b|ab"),
    (r"(?:aa|a)*", "aa|a"),
    (r"(?:[0-9a-f]+:?)+", "(?:[0-9a-f]+:?)+"),
    (r"(?:(?:a|b)+)+", "(?:(?:a|b)+)+"),
    (r"(?:a+|b+)+", "(?:a+|b+)+"),
    (r"(?:\d+\.?)+", r"(?:\d+\.?)+"),
    (r"(?:a{2,})+", "(?:a{2,})+"),
    (r"(?:[\w.]+)*", r"(?:[\w.]+)*"),
    (r"(?:[é-ü]|\w)+", r"[é-ü]|\w"),
    (r"(?:x(?:a|a)y)*", "a|a"),
    (r"(?i:(?:A|a)+)", "A|a"),
    (r"\d+\d+", r"\d+"),
    (r"\w*\w*x", r"\w*"),
    (r"[a-z]+[a-z]*", "[a-z]*"),
    (r"(?:a+)(?:a+)", "a+"),
    (r"a+(?:b?)a+", "a+"),
    (r"(?=a)a", "(?=a)a"),
    (r"(?!a)\w+", r"(?!a)\w+"),
    (r"(?<=a)b", "(?<=a)b"),
    (r"(?<!a)b", "(?<!a)b"),
    (r"(?x)a b", "(?x)a b"),  # global flags are refused by re itself inside (?:...)
    (r"(?x:a b)", "(?x:a b)"),
    (r"(?:\u00e9|\xe9)+", r"\u00e9|\xe9"),
]

LEGIT = [
    r"\d+",
    r"[a-z]{2,8}",
    r".*",
    r"v\d+(?:\.\d+)*",
    r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
    r"\w+",
    r"[^/]+",
    r"[^{}/]+",
    r"(?:\d{1,3}\.){3}\d{1,3}",
    r"[a-z]+(?:-[a-z]+)*",
    r"\d{4}-\d{2}-\d{2}",
    r"(?:en|fr|de)",
    r"(?i:[a-z]+)",
    r"(?i:abc)\d+",
    r"[A-Za-z0-9_-]+",
    r".+\.html",
    r"(?:[a-z]+/)*[a-z]+",
    r"\d+(?:,\d+)*",
    r"(?:a|b)*",
    r"(?:foo|bar|baz)",
    r"x?",
    r"a{3}",
    r"\S+",
    r"(?:[a-z]|\d)+",
    r"(?:-|_|\.)?[a-z]+",
    r"(?:\w+\.)+com",
    r"[^.]+\.[^.]+",
    r"\d+x\d+",
    r"(?:ab|cd)+",
    r"(?:a\d)+",
    r"(?:\.[a-z]+)+",
    r"[a-z]*\d*",
    r"(?:[0-9]+[a-z])+",
    r"\u00e9+",
    r"\x41+",
    r"[\u4e00-\u9fff]+",
    r"(?:%[0-9A-F]{2})+",
    r"\.(?:png|jpe?g|gif)",
    r"(?:19|20)\d\d",
    r"\bword\b",
    r"(?s:.*)",
    r"(?:a|ab)",
    r"[]a]+",
    r"[^]a]+",
    r"a{,3}b",
    r"\{\d+\}",
    r"(?#a comment)\d+",
    r"\N{LATIN SMALL LETTER E WITH ACUTE}+",
    r"\0\d",
    r"\101+",
]


@pytest.mark.parametrize(("regex", "fragment"), DANGEROUS, ids=[r for r, _ in DANGEROUS])
def test_dangerous_regex_refused(regex: str, fragment: str) -> None:
    router = UrlDispatcher()
    pattern = f"/x/{{part:{regex}}}"
    with pytest.raises(ValueError, match=r"(unsafe|invalid) regex") as info:
        router.add_get(pattern, lambda r: None)
    message = str(info.value)
    assert repr(pattern) in message  # names the route
    assert repr(fragment) in message  # and the offending sub-pattern
    assert router.resources() == ()


@pytest.mark.parametrize("regex", LEGIT)
def test_legitimate_regex_accepted(regex: str) -> None:
    router = UrlDispatcher()
    router.add_get(f"/x/{{part:{regex}}}", lambda r: None)
    assert len(router.resources()) == 1


def test_tables_are_large_enough() -> None:
    assert len(DANGEROUS) >= 30
    assert len(LEGIT) >= 30


def test_two_parts_matching_slash_refused() -> None:
    router = UrlDispatcher()
    with pytest.raises(ValueError, match=r"at most one dynamic part.*\{a\}, \{b\}"):
        router.add_get("/{a:.*}/x/{b:.+}", lambda r: None)
    router.add_get("/{a}/x/{b:.*}", lambda r: None)  # one spanning part is fine


@pytest.mark.parametrize("regex", [r"(?:\d+)+", r"(?:a|aa)+"])
def test_refused_regexes_really_are_slow(regex: str) -> None:
    """The rules are not paranoia: ``re`` needs exponential time on these."""
    compiled = re.compile(regex + "$")
    start = time.perf_counter()
    compiled.match("1" * 22 + "!" if "d" in regex else "a" * 26 + "!")
    assert time.perf_counter() - start > 0.005


# Regex-ish text from the pieces that matter; whatever re compiles, the analysis must
# either accept or refuse with a ValueError, never crash.
PIECES = st.sampled_from(
    [
        "a",
        "b",
        "\\d",
        "\\w",
        ".",
        "[a-z]",
        "[^/]",
        "(?:",
        ")",
        "|",
        "*",
        "+",
        "?",
        "{2}",
        "{1,3}",
        "{2,}",
        "{}",
        "{,2}",
        "*?",
        "-",
        "\\.",
        "(?i:",
        "^",
        "$",
        "\\b",
        "{",
        "}",
        "[]a]",
        "\\x41",
    ]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(PIECES, min_size=1, max_size=10).map("".join))
def test_analysis_never_crashes(regex: str) -> None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            compiled = re.compile(f"(?:{regex})")
    except (re.error, Warning):
        return
    if compiled.groups:
        return  # refused before the analysis
    router = UrlDispatcher()
    error: ValueError | None = None
    try:
        router.add_get(f"/x/{{p:{regex}}}", lambda r: None)
    except ValueError as exc:  # one of ours; anything else is a bug
        error = exc
    assert error is None or str(error).startswith(KNOWN), str(error)


KNOWN = (
    "unsafe regex",
    "invalid regex",
    "unbalanced",
    "empty regex",
    "invalid pattern",
    "invalid dynamic part",
    "duplicate dynamic part",
    "the regex",
)
