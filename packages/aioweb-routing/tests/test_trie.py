"""Patterns with no literal leading segment (the segment trie), and the segment bound."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from routing_testlib import handler_name, make_handler

from aioweb.kernel import HTTPMethodNotAllowed, HTTPNotFound, Request
from aioweb.routing import UrlDispatcher

Spec = tuple[str, str]  # (method, pattern); the i-th route's handler is "h<i>"


def build(specs: list[Spec], max_segment_length: int = 1024) -> UrlDispatcher:
    router = UrlDispatcher(max_segment_length=max_segment_length)
    for i, (method, pattern) in enumerate(specs):
        if method == "GET":  # with the implicit HEAD
            router.add_get(pattern, make_handler(f"h{i}"))
        else:
            router.add_route(method, pattern, make_handler(f"h{i}"))
    router.freeze()
    return router


def outcome(router: UrlDispatcher, method: str, target: str) -> object:
    match = router.resolve(Request(method, target))
    exc = match.http_exception
    if exc is None:
        return handler_name(match.handler), dict(match)
    if isinstance(exc, HTTPMethodNotAllowed):
        return 405, exc.headers["Allow"]
    assert isinstance(exc, HTTPNotFound)
    return 404


TENANT: list[Spec] = [("GET", "/{t}/x1"), ("GET", "/{t}/x2"), ("POST", "/{t}/x2")]
LANG: list[Spec] = [("GET", "/{lang}/about"), ("GET", "/{lang}/{page}"), ("GET", "/{a}/{b}/{c}")]
MIXED: list[Spec] = [
    ("GET", "/api/{x}"),
    ("GET", "/{any}/users"),
    ("GET", "/api/users"),
    ("PUT", "/{any}/{id:\\d+}"),
]
TAIL: list[Spec] = [("GET", "/{t}/files/{rest:.*}"), ("GET", "/{t}/{page}"), ("GET", "/{all:.*}")]
SAMESEG: list[Spec] = [("GET", "/{stem}.{ext}"), ("GET", "/v{n:\\d+}/x"), ("GET", "/{a}-{b}/x")]
ORDER: list[Spec] = [("GET", "/{a}/{b}"), ("GET", "/{a}/z"), ("POST", "/{a}/z")]
DEEP: list[Spec] = [("GET", "/{a}/b/{c}/d/{e}/f"), ("GET", "/{a}/b/{c}/d/{e}/{f}")]

CASES: list[tuple[str, list[Spec], str, str, object]] = [
    ("tenant-x1", TENANT, "GET", "/acme/x1", ("h0", {"t": "acme"})),
    ("tenant-x2", TENANT, "GET", "/acme/x2", ("h1", {"t": "acme"})),
    ("tenant-x2-post", TENANT, "POST", "/acme/x2", ("h2", {"t": "acme"})),
    ("tenant-x1-post", TENANT, "POST", "/acme/x1", (405, "GET,HEAD")),
    ("tenant-x2-put", TENANT, "PUT", "/acme/x2", (405, "GET,HEAD,POST")),
    ("tenant-x3", TENANT, "GET", "/acme/x3", 404),
    ("tenant-short", TENANT, "GET", "/acme", 404),
    ("tenant-long", TENANT, "GET", "/acme/x1/more", 404),
    ("tenant-empty-seg", TENANT, "GET", "//x1", 404),
    ("tenant-trailing", TENANT, "GET", "/acme/x1/", 404),
    ("tenant-encoded", TENANT, "GET", "/a%2Fb/x1", ("h0", {"t": "a/b"})),
    ("tenant-encoded-literal", TENANT, "GET", "/acme/x%31", ("h0", {"t": "acme"})),
    ("tenant-root", TENANT, "GET", "/", 404),
    ("tenant-head", TENANT, "HEAD", "/acme/x1", ("h0", {"t": "acme"})),
    ("lang-about", LANG, "GET", "/en/about", ("h0", {"lang": "en"})),
    ("lang-page", LANG, "GET", "/en/contact", ("h1", {"lang": "en", "page": "contact"})),
    ("lang-three", LANG, "GET", "/a/b/c", ("h2", {"a": "a", "b": "b", "c": "c"})),
    ("lang-four", LANG, "GET", "/a/b/c/d", 404),
    ("lang-one", LANG, "GET", "/en", 404),
    ("lang-post", LANG, "POST", "/en/about", (405, "GET,HEAD")),
    ("lang-about-trailing", LANG, "GET", "/en/about/", 404),
    ("mixed-literal-first", MIXED, "GET", "/api/users", ("h2", {})),
    ("mixed-api-x", MIXED, "GET", "/api/other", ("h0", {"x": "other"})),
    ("mixed-any-users", MIXED, "GET", "/web/users", ("h1", {"any": "web"})),
    ("mixed-put-id", MIXED, "PUT", "/api/12", ("h3", {"any": "api", "id": "12"})),
    ("mixed-put-api-x", MIXED, "PUT", "/api/other", (405, "GET,HEAD")),
    ("mixed-get-id", MIXED, "GET", "/web/12", (405, "PUT")),
    ("mixed-put-web-id", MIXED, "PUT", "/web/12", ("h3", {"any": "web", "id": "12"})),
    ("mixed-post-users", MIXED, "POST", "/api/users", (405, "GET,HEAD")),
    ("mixed-get-api-12", MIXED, "GET", "/api/12", ("h0", {"x": "12"})),
    ("mixed-delete-api-12", MIXED, "DELETE", "/api/12", (405, "GET,HEAD,PUT")),
    ("tail-files", TAIL, "GET", "/acme/files/a/b", ("h0", {"t": "acme", "rest": "a/b"})),
    ("tail-files-empty", TAIL, "GET", "/acme/files/", ("h0", {"t": "acme", "rest": ""})),
    ("tail-files-page", TAIL, "GET", "/acme/files", ("h1", {"t": "acme", "page": "files"})),
    ("tail-page", TAIL, "GET", "/acme/home", ("h1", {"t": "acme", "page": "home"})),
    ("tail-all", TAIL, "GET", "/x/y/z", ("h2", {"all": "x/y/z"})),
    ("tail-all-one", TAIL, "GET", "/x", ("h2", {"all": "x"})),
    ("tail-all-root", TAIL, "GET", "/", ("h2", {"all": ""})),
    ("tail-encoded", TAIL, "GET", "/t/files/a%2Fb/c", ("h0", {"t": "t", "rest": "a/b/c"})),
    ("tail-post", TAIL, "POST", "/acme/home", (405, "GET,HEAD")),
    ("sameseg-stem", SAMESEG, "GET", "/a.txt", ("h0", {"stem": "a", "ext": "txt"})),
    ("sameseg-v", SAMESEG, "GET", "/v2/x", ("h1", {"n": "2"})),
    ("sameseg-v-bad", SAMESEG, "GET", "/vx/x", 404),
    ("sameseg-dash", SAMESEG, "GET", "/a-b/x", ("h2", {"a": "a", "b": "b"})),
    ("sameseg-nodot", SAMESEG, "GET", "/abc", 404),
    ("order-first-wins", ORDER, "GET", "/q/z", ("h0", {"a": "q", "b": "z"})),
    ("order-post-later", ORDER, "POST", "/q/z", ("h2", {"a": "q"})),
    ("order-post-other", ORDER, "POST", "/q/y", (405, "GET,HEAD")),
    ("order-put-union", ORDER, "PUT", "/q/z", (405, "GET,HEAD,POST")),
    ("deep-f", DEEP, "GET", "/1/b/2/d/3/f", ("h0", {"a": "1", "c": "2", "e": "3"})),
    ("deep-g", DEEP, "GET", "/1/b/2/d/3/g", ("h1", {"a": "1", "c": "2", "e": "3", "f": "g"})),
    ("deep-miss", DEEP, "GET", "/1/c/2/d/3/f", 404),
    ("deep-short", DEEP, "GET", "/1/b/2/d/3", 404),
]


# A realistic REST table: (method, target, expected) against REST below.
REST: list[Spec] = [
    ("GET", "/api/v1/users"),
    ("POST", "/api/v1/users"),
    ("GET", "/api/v1/users/{id:\\d+}"),
    ("PUT", "/api/v1/users/{id:\\d+}"),
    ("DELETE", "/api/v1/users/{id:\\d+}"),
    ("GET", "/api/v1/users/me"),
    ("GET", "/api/v1/users/{id:\\d+}/posts"),
    ("POST", "/api/v1/users/{id:\\d+}/posts"),
    ("GET", "/api/v1/users/{id:\\d+}/posts/{post}"),
    ("PATCH", "/api/v1/users/{id:\\d+}/posts/{post}"),
    ("GET", "/api/{version:v\\d+}/health"),
    ("GET", "/{org}/{repo}"),
    ("GET", "/{org}/{repo}/issues/{n:\\d+}"),
    ("GET", "/static/{path:.*}"),
    ("OPTIONS", "/api/v1/users"),
]
REST_CASES: list[tuple[str, str, object]] = [
    ("GET", "/api/v1/users", "h0"),
    ("POST", "/api/v1/users", "h1"),
    ("OPTIONS", "/api/v1/users", "h14"),
    ("HEAD", "/api/v1/users", "h0"),
    ("PUT", "/api/v1/users", (405, "GET,HEAD,OPTIONS,POST")),
    ("GET", "/api/v1/users/", 404),
    ("GET", "/api/v1/users/7", "h2"),
    ("PUT", "/api/v1/users/7", "h3"),
    ("DELETE", "/api/v1/users/7", "h4"),
    ("POST", "/api/v1/users/7", (405, "DELETE,GET,HEAD,PUT")),
    ("GET", "/api/v1/users/me", "h5"),
    ("PUT", "/api/v1/users/me", (405, "GET,HEAD")),
    ("GET", "/api/v1/users/x7", 404),
    ("GET", "/api/v1/users/7/posts", "h6"),
    ("POST", "/api/v1/users/7/posts", "h7"),
    ("DELETE", "/api/v1/users/7/posts", (405, "GET,HEAD,POST")),
    ("GET", "/api/v1/users/7/posts/hello", "h8"),
    ("PATCH", "/api/v1/users/7/posts/hello", "h9"),
    ("PUT", "/api/v1/users/7/posts/hello", (405, "GET,HEAD,PATCH")),
    ("GET", "/api/v1/users/7/posts/hello/", 404),
    ("GET", "/api/v1/users/7/posts/a%2Fb", "h8"),
    ("GET", "/api/v1/users/7/posts/a/b", 404),
    ("GET", "/api/v2/health", "h10"),
    ("GET", "/api/v1/health", "h10"),
    ("GET", "/api/x/health", 404),
    ("GET", "/api/v1", "h11"),
    ("GET", "/octo/cat", "h11"),
    ("POST", "/octo/cat", (405, "GET,HEAD")),
    ("GET", "/octo/cat/issues/12", "h12"),
    ("GET", "/octo/cat/issues/x", 404),
    ("GET", "/octo/cat/pulls/12", 404),
    ("GET", "/static/", "h13"),
    ("GET", "/static/css/site.css", "h13"),
    ("GET", "/static", 404),
    ("POST", "/static/a", (405, "GET,HEAD")),
    ("GET", "/", 404),
    ("GET", "/octo", 404),
    ("GET", "/api/v1/users/7/posts/p/q/r", 404),
    ("GET", "/api/v1/users/%37", "h2"),
    ("GET", "/api/v1/user%73", "h0"),
]


@pytest.mark.parametrize(
    ("method", "target", "expected"),
    REST_CASES,
    ids=[f"{m}-{t[:40]}" for m, t, _ in REST_CASES],
)
def test_rest_table(method: str, target: str, expected: object) -> None:
    got = outcome(REST_ROUTER, method, target)
    assert (got[0] if isinstance(got, tuple) and isinstance(got[0], str) else got) == expected


@pytest.mark.parametrize(
    ("specs", "method", "target", "expected"), [pytest.param(*c[1:], id=c[0]) for c in CASES]
)
def test_trie_table(specs: list[Spec], method: str, target: str, expected: object) -> None:
    assert outcome(build(specs), method, target) == expected


REST_ROUTER = build(REST)


def test_tables_are_large_enough() -> None:
    assert len(CASES) + len(REST_CASES) >= 90


def test_ten_thousand_wild_first_routes() -> None:
    specs: list[Spec] = [("GET", f"/{{t}}/x{i}") for i in range(10_000)]
    router = build(specs)
    assert outcome(router, "GET", "/acme/x9999") == ("h9999", {"t": "acme"})
    assert outcome(router, "GET", "/acme/x10000") == 404


# -- differential: the router against a plain scan in registration order -----------

LITERALS = ["a", "b", "x1", "12"]
SEGMENTS = st.sampled_from([*LITERALS, "{p}", "{p:\\d+}", "x{p}", "{p}1"])


@st.composite
def tables(draw: st.DrawFn, prefix: str = "", most: int = 8) -> list[Spec]:
    specs: list[Spec] = []
    for _ in range(draw(st.integers(1, most))):
        segs = draw(st.lists(SEGMENTS, min_size=1, max_size=3))
        names = iter(f"p{i}" for i in range(10))
        pattern = prefix + "/" + "/".join(s.replace("{p", "{" + next(names)) for s in segs)
        if draw(st.booleans()) and draw(st.booleans()):
            pattern += "/{tail:.*}"
        method = draw(st.sampled_from(["GET", "POST"]))
        if (method, pattern) not in specs:
            specs.append((method, pattern))
    return specs


def reference(specs: list[Spec], method: str, path: str) -> object:
    """Static resources first, then dynamic ones in order; 405 lists every matching method.

    One resource per distinct pattern (at its first registration) serves every method
    registered on that pattern, as the router does.
    """
    resources: dict[str, dict[str, int]] = {}
    for i, (m, p) in enumerate(specs):
        resources.setdefault(p, {})[m] = i
    matching = [
        (p, methods)
        for p, methods in resources.items()
        if (p == path if "{" not in p else _regex(p).fullmatch(path) is not None)
    ]
    ordered = [c for c in matching if "{" not in c[0]] + [c for c in matching if "{" in c[0]]
    for _, methods in ordered:
        if method in methods:
            return f"h{methods[method]}"
        if method == "HEAD" and "GET" in methods:
            return f"h{methods['GET']}"
    if not matching:
        return 404
    allowed = {m for _, methods in matching for m in methods}
    allowed |= {"HEAD"} if "GET" in allowed else set()
    return 405, ",".join(sorted(allowed))


def _regex(pattern: str) -> re.Pattern[str]:
    out, i = "", 0
    for m in re.finditer(r"\{(\w+)(?::([^{}]*))?\}", pattern):
        out += re.escape(pattern[i : m.start()]) + f"(?:{m.group(2) or '[^{}/]+'})"
        i = m.end()
    return re.compile(out + re.escape(pattern[i:]))


@settings(max_examples=200, deadline=None)
@given(
    specs=tables(),
    segs=st.lists(st.sampled_from([*LITERALS, "7", "xy", "", "x12"]), min_size=1, max_size=5),
    method=st.sampled_from(["GET", "POST", "HEAD", "PUT"]),
)
def test_router_agrees_with_a_plain_scan(specs: list[Spec], segs: list[str], method: str) -> None:
    path = "/" + "/".join(segs)
    got = outcome(build(specs), method, path)
    if isinstance(got, tuple) and isinstance(got[0], str):
        got = got[0]
    assert got == reference(specs, method, path)


@settings(max_examples=100, deadline=None)
@given(
    specs=tables(prefix="/api", most=40),
    segs=st.lists(st.sampled_from([*LITERALS, "7", "xy", "x12"]), min_size=1, max_size=4),
    method=st.sampled_from(["GET", "POST", "PUT"]),
)
def test_large_bucket_agrees_with_a_plain_scan(
    specs: list[Spec], segs: list[str], method: str
) -> None:
    """More than 16 patterns under one literal prefix: the bucket is a trie of its own."""
    path = "/api/" + "/".join(segs)
    got = outcome(build(specs), method, path)
    if isinstance(got, tuple) and isinstance(got[0], str):
        got = got[0]
    assert got == reference(specs, method, path)


# -- the segment-length bound --------------------------------------------------------


def test_long_segment_matches_no_dynamic_route() -> None:
    router = build([("GET", "/u/{name}"), ("GET", "/" + "s" * 2000)], max_segment_length=100)
    assert outcome(router, "GET", "/u/" + "a" * 100) == ("h0", {"name": "a" * 100})
    assert outcome(router, "GET", "/u/" + "a" * 101) == 404
    assert outcome(router, "GET", "/" + "s" * 2000) == ("h1", {})  # static: a dict hit


def test_default_segment_bound() -> None:
    router = build([("GET", "/u/{name}")])
    assert outcome(router, "GET", "/u/" + "a" * 1024)[0] == "h0"  # type: ignore[index]
    assert outcome(router, "GET", "/u/" + "a" * 1025) == 404


@pytest.mark.parametrize("bad", [0, -1, True, 1.5, "10"])
def test_segment_bound_validated(bad: object) -> None:
    with pytest.raises((TypeError, ValueError)):
        UrlDispatcher(max_segment_length=bad)  # type: ignore[arg-type]


def test_static_hit_with_long_segment_runs_no_dynamic_regex() -> None:
    long = "/" + "s" * 200
    router = build([("GET", long), ("POST", "/{x}")], max_segment_length=100)
    assert outcome(router, "POST", long) == (405, "GET,HEAD")  # /{x} is not consulted
    short = build([("GET", "/s"), ("POST", "/{x}")], max_segment_length=100)
    assert outcome(short, "POST", "/s") == ("h1", {"x": "s"})


def test_big_bucket_deeper_than_the_bucketing_depth() -> None:
    """Literal segments past the bucketing depth are still checked by the trie."""
    deep = "/1/2/3/4/5/6/7/8/9/10"
    specs: list[Spec] = [("GET", f"{deep}/{{x}}/y{i}") for i in range(20)]
    router = build(specs)
    assert outcome(router, "GET", f"{deep}/q/y19") == ("h19", {"x": "q"})
    assert outcome(router, "GET", "/1/2/3/4/5/6/7/8/9/11/q/y19") == 404
