"""Segment-wise matching of the percent-decoded path: ``%2F`` is data, never a separator."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from routing_testlib import handler_name, make_handler
from yarl import URL

from aioweb.kernel import Application, HTTPMethodNotAllowed, HTTPNotFound, MatchInfo, Request
from aioweb.routing import PrefixResource, Query, UrlDispatcher

# A route spec is (method, pattern); the i-th route's handler is named "h<i>".
Spec = tuple[str, str]


def build(specs: list[Spec]) -> UrlDispatcher:
    router = UrlDispatcher()
    for i, (method, pattern) in enumerate(specs):
        router.add_route(method, pattern, make_handler(f"h{i}"))
    router.freeze()
    return router


HELLO: list[Spec] = [("GET", "/hello/{name}")]
PLAIN: list[Spec] = [("GET", "/hello")]
TWO: list[Spec] = [("GET", "/a/b")]
API: list[Spec] = [("GET", "/api/users/{id}")]

# (id, routes, method, raw target, expected): expected is ("h<i>", match_info) or a status
# (404, or 405 with the Allow list).
CASES: list[tuple[str, list[Spec], str, str, object]] = [
    ("encoded-slash-in-value", HELLO, "GET", "/hello/a%2Fb", ("h0", {"name": "a/b"})),
    ("encoded-slash-lowercase", HELLO, "GET", "/hello/a%2fb", ("h0", {"name": "a/b"})),
    ("real-slash-splits", HELLO, "GET", "/hello/a/b", 404),
    ("only-encoded-slash", HELLO, "GET", "/hello/%2F", ("h0", {"name": "/"})),
    ("encoded-slash-with-query", HELLO, "GET", "/hello/a%2Fb?q=%2F", ("h0", {"name": "a/b"})),
    ("mixed-escapes", HELLO, "GET", "/hello/a%20b%2Fc%3Fd", ("h0", {"name": "a b/c?d"})),
    ("percent-itself", HELLO, "GET", "/hello/%25", ("h0", {"name": "%"})),
    ("double-encoded-once", HELLO, "GET", "/hello/%252F", ("h0", {"name": "%2F"})),
    ("utf8-value", HELLO, "GET", "/hello/%E2%9C%93", ("h0", {"name": "\u2713"})),
    ("invalid-utf8-replaced", HELLO, "GET", "/hello/%FF", ("h0", {"name": "\ufffd"})),
    ("bare-percent-kept", HELLO, "GET", "/hello/%", ("h0", {"name": "%"})),
    ("short-escape-kept", HELLO, "GET", "/hello/%2", ("h0", {"name": "%2"})),
    ("encoded-dots-are-data", HELLO, "GET", "/hello/%2E%2E", ("h0", {"name": ".."})),
    ("literal-dots-not-normalised", HELLO, "GET", "/hello/..", ("h0", {"name": ".."})),
    ("plain-encoded-letter", PLAIN, "GET", "/hell%6F", ("h0", {})),
    ("plain-all-encoded", PLAIN, "GET", "/%68%65%6C%6C%6F", ("h0", {})),
    ("plain-lowercase-hex", [("GET", "/caf\u00e9")], "GET", "/caf%c3%a9", ("h0", {})),
    ("plain-encoded-trailing-slash", PLAIN, "GET", "/hello%2F", 404),
    ("plain-encoded-separator", TWO, "GET", "/a%2Fb", 404),
    ("plain-encoded-separator-lower", TWO, "GET", "/a%2fb", 404),
    ("plain-query-escape-ignored", TWO, "GET", "/a/b?x=%2F", ("h0", {})),
    ("plain-encoded-query-mark", [("GET", "/a?b")], "GET", "/a%3Fb", ("h0", {})),
    ("dynamic-prefix-not-split", [("GET", "/a/{x}")], "GET", "/a%2Fb", 404),
    ("root-part-takes-it", [("GET", "/{x}")], "GET", "/a%2Fb", ("h0", {"x": "a/b"})),
    ("two-parts", [("GET", "/{x}/{y}")], "GET", "/a%2Fb/c", ("h0", {"x": "a/b", "y": "c"})),
    ("two-parts-one-segment", [("GET", "/{x}/{y}")], "GET", "/a%2Fb%2Fc", 404),
    ("tail-decodes-all", [("GET", "/f/{t:.*}")], "GET", "/f/a%2Fb/c", ("h0", {"t": "a/b/c"})),
    ("tail-empty", [("GET", "/f/{t:.*}")], "GET", "/f/", ("h0", {"t": ""})),
    (
        "class-not-slash-takes-it",
        [("GET", "/f/{p:[^/]+}")],
        "GET",
        "/f/a%2Fb",
        ("h0", {"p": "a/b"}),
    ),
    ("class-not-slash-real", [("GET", "/f/{p:[^/]+}")], "GET", "/f/a/b", 404),
    ("regex-slash-is-separator", [("GET", "/f/{p:a/b}")], "GET", "/f/a%2Fb", 404),
    ("regex-slash-real", [("GET", "/f/{p:a/b}")], "GET", "/f/a/b", ("h0", {"p": "a/b"})),
    ("digits-encoded", [("GET", r"/u/{id:\d+}")], "GET", "/u/%31%32", ("h0", {"id": "12"})),
    ("digits-split-by-slash", [("GET", r"/u/{id:\d+}")], "GET", "/u/1%2F2", 404),
    ("bucket-literal-encoded", API, "GET", "/ap%69/users/7", ("h0", {"id": "7"})),
    ("bucket-first-joined", API, "GET", "/api%2Fusers/7", 404),
    ("bucket-second-joined", API, "GET", "/api/users%2F7", 404),
    ("stem-ext", [("GET", "/{s}.{e}")], "GET", "/a%2Fb.txt", ("h0", {"s": "a/b", "e": "txt"})),
    (
        "encoded-beats-static-lookalike",
        [("GET", "/x/a/b"), ("GET", "/x/{a}")],
        "GET",
        "/x/a%2Fb",
        ("h1", {"a": "a/b"}),
    ),
    ("405-with-encoded-slash", HELLO, "POST", "/hello/a%2Fb", (405, "GET")),
    (
        "later-dynamic-serves-method",
        [("GET", "/u/{a}"), ("POST", "/u/{b}")],
        "POST",
        "/u/x%2Fy",
        ("h1", {"b": "x/y"}),
    ),
]


@pytest.mark.parametrize(
    ("specs", "method", "target", "expected"),
    [pytest.param(*case[1:], id=case[0]) for case in CASES],
)
def test_segment_table(specs: list[Spec], method: str, target: str, expected: object) -> None:
    match = build(specs).resolve(Request(method, target))
    if expected == 404:
        assert isinstance(match.http_exception, HTTPNotFound)
    elif isinstance(expected, tuple) and expected[0] == 405:
        assert isinstance(match.http_exception, HTTPMethodNotAllowed)
        assert match.http_exception.headers["Allow"] == expected[1]
    else:
        assert isinstance(expected, tuple)
        assert match.http_exception is None
        assert (handler_name(match.handler), dict(match)) == expected


def test_table_has_enough_cases() -> None:
    assert len(CASES) >= 30


def test_static_hit_needs_no_decoding() -> None:
    router = build([("GET", "/a/b")])
    request = Request("GET", "/a/b")
    assert handler_name(router.resolve(request).handler) == "h0"


# -- sub-applications and prefix resources ----------------------------------------------


def mounted() -> tuple[UrlDispatcher, UrlDispatcher]:
    root_router, sub_router = UrlDispatcher(), UrlDispatcher()
    root, sub = Application(router=root_router), Application(router=sub_router)
    sub_router.add_get("/users/{name}", make_handler("user"), name="user")
    sub_router.add_get("", make_handler("sub-root"))
    root.add_subapp("/admin", sub)
    root.freeze()
    return root_router, sub_router


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        pytest.param("/admin/users/a%2Fb", ("user", {"name": "a/b"}), id="value"),
        pytest.param("/adm%69n/users/x", ("user", {"name": "x"}), id="prefix-encoded-letter"),
        pytest.param("/admin/us%65rs/x", ("user", {"name": "x"}), id="sub-literal-encoded"),
        pytest.param("/admin", ("sub-root", {}), id="sub-root"),
        pytest.param("/admin%2Fusers/x", None, id="prefix-joined"),
        pytest.param("/admin%2F", None, id="prefix-encoded-slash"),
        pytest.param("/admin/users%2Fx", None, id="sub-joined"),
    ],
)
def test_subapp_matches_decoded_segments(
    target: str, expected: tuple[str, dict[str, str]] | None
) -> None:
    root, _ = mounted()
    match = root.resolve(Request("GET", target))
    if expected is None:
        assert isinstance(match.http_exception, HTTPNotFound)
    else:
        assert (handler_name(match.handler), dict(match)) == expected


class Recorder(PrefixResource):
    """Serves everything under its prefix; ``match_info["rel"]`` is what it was given."""

    def match(self, rel_path: str, /) -> dict[str, str] | None:
        return {"rel": rel_path}

    def url_for(self, *, query: Query = None, **parts: str | int) -> URL:
        return URL(self.url_prefix + "/" + str(parts["rel"]))


@pytest.mark.parametrize(
    ("target", "rel"),
    [
        pytest.param("/files/a/b", "a/b", id="plain"),
        pytest.param("/files/a%2Fb", "a/b", id="encoded-slash-decoded"),
        pytest.param("/fil%65s/x", "x", id="prefix-encoded-letter"),
        pytest.param("/files/%2e%2e%2fsecret", "../secret", id="dots-visible-to-resource"),
        pytest.param("/files/a%20b", "a b", id="space"),
        pytest.param("/files%2Fx", None, id="prefix-joined"),
        pytest.param("/filesx", None, id="prefix-longer"),
    ],
)
def test_prefix_resource_gets_decoded_rest(target: str, rel: str | None) -> None:
    router = UrlDispatcher()
    res = Recorder("/files")
    res.add_route("GET", make_handler("files"))
    router.register_resource(res)
    router.freeze()
    match = router.resolve(Request("GET", target))
    if rel is None:
        assert isinstance(match.http_exception, HTTPNotFound)
    else:
        assert dict(match) == {"rel": rel}


# -- url_for ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "parts", "expected"),
    [
        pytest.param("/u/{name}", {"name": "a/b"}, "/u/a%2Fb", id="default-encodes-slash"),
        pytest.param("/f/{p:[^/]+}", {"p": "a/b"}, "/f/a%2Fb", id="class-encodes-slash"),
        pytest.param("/f/{t:.*}", {"t": "a/b"}, "/f/a/b", id="tail-keeps-slash"),
        pytest.param("/f/{t:.*}", {"t": "a/../b"}, "/f/a/%2E%2E/b", id="tail-dot-segment"),
        pytest.param("/f/{t:.*}", {"t": "./x"}, "/f/%2E/x", id="tail-dot-first"),
        pytest.param("/f/{t:.*}", {"t": ".env"}, "/f/.env", id="dot-file-kept"),
        pytest.param("/{a:[^/]*}/{b:.*}", {"a": "x", "b": "y/z"}, "/x/y/z", id="one-spanning-part"),
        pytest.param("/{a}{b}", {"a": "x", "b": "yz"}, None, id="unrecoverable"),
    ],
)
def test_url_for_slashes(pattern: str, parts: dict[str, str], expected: str | None) -> None:
    router = UrlDispatcher()
    router.add_get(pattern, make_handler("h"), name="r")
    if expected is None:
        with pytest.raises(ValueError, match="resolves back"):
            router["r"].url_for(**parts)
        return
    url = router["r"].url_for(**parts)
    assert str(url) == expected
    assert dict(router.resolve(Request("GET", str(url)))) == parts


def test_pattern_with_surrogate_is_refused() -> None:
    with pytest.raises(ValueError, match="surrogate"):
        UrlDispatcher().add_get("/a\udc2fb", make_handler("h"))


ANY_TEXT = st.characters(exclude_categories=["Cs"])
SEGMENT = st.text(
    alphabet=st.characters(exclude_categories=["Cs"], exclude_characters="{}"), min_size=1
)
ANY_SEGMENT = st.text(alphabet=ANY_TEXT, min_size=1)
TAIL = st.text(alphabet=st.characters(exclude_categories=["Cs"], exclude_characters="\n"))


def round_trip(url: URL, resolve: UrlDispatcher) -> MatchInfo:
    match = resolve.resolve(Request("GET", str(url)))
    assert match.http_exception is None, url
    return match


@given(a=SEGMENT, b=ANY_SEGMENT, t=TAIL)
def test_url_for_resolve_round_trip(a: str, b: str, t: str) -> None:
    router = UrlDispatcher()
    router.add_get("/v/{a}/{b:[^/]+}/w/{t:.*}", make_handler("h"), name="r")
    url = router["r"].url_for(a=a, b=b, t=t)
    assert dict(round_trip(url, router)) == {"a": a, "b": b, "t": t}


@given(name=SEGMENT)
def test_round_trip_through_subapp(name: str) -> None:
    root, sub = mounted()
    url = sub["user"].url_for(name=name)
    assert str(url).startswith("/admin/users/")
    assert dict(round_trip(url, root)) == {"name": name}
