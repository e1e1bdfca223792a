"""Segment-by-segment matching (no regex for whole-segment parts) against the regexes."""

from __future__ import annotations

import re
from urllib.parse import unquote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from routing_testlib import handler_name, make_handler

from aioweb.kernel import HTTPMethodNotAllowed, HTTPNotFound, Request
from aioweb.routing import UrlDispatcher
from aioweb.routing._pattern import parse_pattern

Spec = tuple[str, str]  # (method, pattern); the i-th route's handler is "h<i>"


def build(specs: list[Spec]) -> UrlDispatcher:
    router = UrlDispatcher()
    for i, (method, pattern) in enumerate(specs):
        router.add_route(method, pattern, make_handler(f"h{i}"))
    router.freeze()
    return router


def outcome(router: UrlDispatcher, method: str, target: str) -> object:
    match = router.resolve(Request(method, target))
    exc = match.http_exception
    if isinstance(exc, HTTPMethodNotAllowed):
        return 405
    if isinstance(exc, HTTPNotFound):
        return 404
    return handler_name(match.handler), dict(match)


# -- Pattern.plan ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "plan"),
    [
        ("/u/{id}/posts/{p}", ((2, "id", None), (4, "p", None))),
        ("/{a}", ((1, "a", None),)),
        ("/u/{id}/", ((2, "id", None),)),
        ("/a/b/c/{x}/d", ((4, "x", None),)),
        ("/u/{id:\\d+}", ((2, "id", "(?:\\d+)"),)),
        ("/u/{id:[^/]+}", ((2, "id", "(?:[^/]+)"),)),  # a negated class is no anchor
    ],
)
def test_plan_of_whole_segment_parts(pattern: str, plan: tuple[object, ...]) -> None:
    got = parse_pattern(pattern).plan
    assert got is not None
    assert [(i, n, None if r is None else r.pattern) for i, n, r in got] == list(plan)


@pytest.mark.parametrize(
    "pattern",
    [
        "/u/x{id}",  # shares its segment with a literal
        "/u/{id}x",
        "/{a}{b}",  # two parts in one segment
        "/{a}.{b}",
        "/u/{tail:.*}",  # may cover several segments
        "/u/{a:x$}/b",  # anchors read the text around the part
        "/u/{a:^x}",
        "/u/{a:\\bx}",
        "/u/{a:x\\Z}",
        "/static",  # no dynamic part
    ],
)
def test_no_plan(pattern: str) -> None:
    assert parse_pattern(pattern).plan is None


# -- hostile and edge cases, on both the trie and a one-pattern bucket ---------------

# "/{t}/..." patterns live in the root trie; "/u/..." ones are one-pattern buckets.
CASES: list[tuple[list[Spec], str, object]] = [
    ([("GET", "/{t}/x")], "/a%7Bb/x", 404),  # "{" is not in [^{}/]
    ([("GET", "/{t}/x")], "/a%7Db/x", 404),
    ([("GET", "/u/{id}")], "/u/a%7Bb", 404),
    ([("GET", "/u/{id}")], "/u/%7D", 404),
    ([("GET", "/{t}/x")], "//x", 404),  # an empty segment is no value
    ([("GET", "/u/{id}")], "/u/", 404),
    ([("GET", "/u/{id}/x")], "/u//x", 404),
    ([("GET", "/u/{id}")], "/u/a/b", 404),  # too many segments
    ([("GET", "/u/{id}/x")], "/u/a", 404),  # too few
    ([("GET", "/u/{id}/x")], "/u/a/y", 404),  # a literal after the part differs
    ([("GET", "/{t}/x")], "/a%2Fb/x", ("h0", {"t": "a/b"})),
    ([("GET", "/u/{id}/x")], "/u/a%2Fb/x", ("h0", {"id": "a/b"})),
    ([("GET", "/u/{id}")], "/u/%C3%A9t%C3%A9", ("h0", {"id": "été"})),
    ([("GET", "/u/{id}")], "/u/a%20b?q=1", ("h0", {"id": "a b"})),
    ([("GET", "/{a:x$}/b")], "/x/b", 404),  # "$" is not at the end of the path
    ([("GET", "/u/{a:x$}")], "/u/x", ("h0", {"a": "x"})),
    ([("GET", "/u/{id:\\d+}/p/{p}")], "/u/12/p/q", ("h0", {"id": "12", "p": "q"})),
    ([("GET", "/u/{id:\\d+}/p/{p}")], "/u/1x/p/q", 404),
    ([("GET", "/u/{id:\\d+}")], "/u/%D9%A3", ("h0", {"id": "\u0663"})),  # an Nd digit
    ([("GET", "/u/{id:\\d+}")], "/u/%C2%B2", 404),  # superscript two: isdigit, not \\d
    ([("GET", "/u/{id:\\d+}")], "/u/1%0A", 404),
    ([("GET", "/{t}/{id:\\d+}")], "/a/%C2%B2", 404),
    ([("GET", "/{t}/{id:\\d+}/{p:[a-z]+}")], "/a/12/bc", ("h0", {"t": "a", "id": "12", "p": "bc"})),
    ([("GET", "/{t}/{id:\\d+}/{p:[a-z]+}")], "/a/12/b1", 404),
    ([("GET", "/u/{a}/{b}/{c}")], "/u/1/2/3", ("h0", {"a": "1", "b": "2", "c": "3"})),
    ([("GET", "/u/{a}/{b}/{c}")], "/u/1/%7B/3", 404),
    ([("GET", "/u/{a}/{b}")], "/u/1/%7B", 404),
    ([("GET", "/u/{a}/{b}")], "/u/%7D/1", 404),
    # Literal segments past the bucketing depth (8) are checked by the bucket too.
    ([("GET", "/1/2/3/4/5/6/7/8/9/10/{x}")], "/1/2/3/4/5/6/7/8/9/10/q", ("h0", {"x": "q"})),
    ([("GET", "/1/2/3/4/5/6/7/8/9/10/{x}")], "/1/2/3/4/5/6/7/8/9/11/q", 404),
    ([("GET", "/1/2/3/4/5/6/7/8/9/{x}/10")], "/1/2/3/4/5/6/7/8/9/q/11", 404),
    # Registration order inside one trie node, regex part first.
    ([("GET", "/{a:\\d+}/x"), ("GET", "/{b}/x")], "/7/x", ("h0", {"a": "7"})),
    ([("GET", "/{a:\\d+}/x"), ("GET", "/{b}/x")], "/q/x", ("h1", {"b": "q"})),
    ([("GET", "/{b}/x"), ("GET", "/{a:\\d+}/x")], "/7/x", ("h0", {"b": "7"})),
    # A node with a part that needs its regex: the whole bucket uses the regexes.
    ([("GET", "/{a}/x"), ("GET", "/{a}y/x")], "/zy/x", ("h0", {"a": "zy"})),
    ([("GET", "/{a:z$}/x"), ("GET", "/{b}/x")], "/z/x", ("h1", {"b": "z"})),
    # The method decides between patterns at one node (405 when none serves it).
    ([("POST", "/{a}/x"), ("GET", "/{b}/x")], "/q/x", ("h1", {"b": "q"})),
    ([("POST", "/{a}/x"), ("PUT", "/{b}/x")], "/q/x", 405),
    ([("POST", "/u/{a}")], "/u/q", 405),
]


@pytest.mark.parametrize(("specs", "target", "expected"), CASES)
def test_segment_cases(specs: list[Spec], target: str, expected: object) -> None:
    assert outcome(build(specs), "GET", target) == expected


def test_decimal_digits_are_what_backslash_d_matches() -> None:
    """The matchers test ``{id:\\d+}`` with ``str.isdecimal``: the same characters."""
    text = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF)
    assert set(re.findall(r"\d", text)) == {c for c in text if c.isdecimal()}


def test_more_patterns_at_a_node_than_are_checked_one_by_one() -> None:
    """Past eight patterns a node falls back to one alternation: same answers."""
    specs: list[Spec] = [("GET", f"/{{a:x{i}}}/y") for i in range(10)] + [("GET", "/{b}/y")]
    router = build(specs)
    assert outcome(router, "GET", "/x9/y") == ("h9", {"a": "x9"})
    assert outcome(router, "GET", "/x0/y") == ("h0", {"a": "x0"})
    assert outcome(router, "GET", "/z/y") == ("h10", {"b": "z"})
    assert outcome(router, "GET", "/%7B/y") == 404


# -- differential: values too, against each pattern's regex in registration order ----

SEGMENTS = st.sampled_from(["a", "12", "{p}", "{p:\\d+}", "{p:[^/]+}", "{p:x$}", "x{p}"])
PATH_SEGMENTS = st.sampled_from(
    ["a", "12", "x", "xa", "", "%7B", "b%7Dc", "%C3%A9", "a%20b", "%D9%A3", "%C2%B2", "1%0A"]
)


@st.composite
def tables(draw: st.DrawFn, prefix: str) -> list[Spec]:
    specs: list[Spec] = []
    for _ in range(draw(st.integers(1, 6))):
        segs = draw(st.lists(SEGMENTS, min_size=1, max_size=3))
        names = iter(f"p{i}" for i in range(10))
        pattern = prefix + "/" + "/".join(s.replace("{p", "{" + next(names)) for s in segs)
        method = draw(st.sampled_from(["GET", "POST"]))
        if (method, pattern) not in specs:
            specs.append((method, pattern))
    return specs


def _regex(pattern: str) -> re.Pattern[str]:
    out, i = "", 0
    for m in re.finditer(r"\{(\w+)(?::([^{}]*))?\}", pattern):
        regex = m.group(2) or "[^{}/]+"
        out += re.escape(pattern[i : m.start()]) + f"(?P<{m.group(1)}>{regex})"
        i = m.end()
    return re.compile(out + re.escape(pattern[i:]))


def reference(specs: list[Spec], method: str, target: str) -> object:
    """Static resources first, then dynamic ones in order, on the decoded path.

    One resource per distinct pattern, at its first registration, serving every
    method registered on that pattern.
    """
    path = unquote(target)  # no %2F in these targets: decoding the whole path is right
    resources: dict[str, dict[str, int]] = {}
    for i, (m, p) in enumerate(specs):
        resources.setdefault(p, {})[m] = i
    static: list[tuple[dict[str, int], dict[str, str]]] = []
    dynamic: list[tuple[dict[str, int], dict[str, str]]] = []
    for p, methods in resources.items():
        if "{" not in p:
            if p == path:
                static.append((methods, {}))
        elif (found := _regex(p).fullmatch(path)) is not None:
            dynamic.append((methods, found.groupdict()))
    for methods, values in static + dynamic:
        if method in methods:
            return f"h{methods[method]}", values
    return 405 if static or dynamic else 404


@pytest.mark.parametrize("prefix", ["", "/api"])
@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_values_agree_with_the_regexes(prefix: str, data: st.DataObject) -> None:
    specs = data.draw(tables(prefix))
    segs = data.draw(st.lists(PATH_SEGMENTS, min_size=1, max_size=4))
    method = data.draw(st.sampled_from(["GET", "POST", "PUT"]))
    target = prefix + "/" + "/".join(segs)
    assert outcome(build(specs), method, target) == reference(specs, method, target)
