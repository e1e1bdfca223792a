"""Pattern validation and ``url_for`` (including round trips through ``resolve``)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from routing_testlib import make_handler
from yarl import URL

from aioweb.kernel import Request
from aioweb.routing import UrlDispatcher


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        pytest.param("a/b", "must start with '/'", id="no-slash"),
        pytest.param("/a/{name", "unbalanced '{'", id="unclosed"),
        pytest.param("/a/name}", "unbalanced '}'", id="stray-close"),
        pytest.param("/a/{x:\\d{2}", "unbalanced '{'", id="unclosed-regex"),
        pytest.param("/a/{}", "invalid dynamic part name", id="empty-name"),
        pytest.param("/a/{1x}", "invalid dynamic part name", id="bad-name"),
        pytest.param("/a/{x}/{x}", "duplicate dynamic part", id="duplicate"),
        pytest.param("/a/{x:}", "empty regex", id="empty-regex"),
        pytest.param("/a/{x:[}", "invalid regex", id="bad-regex"),
        pytest.param("/a/{x:(\\d+)}", "capturing groups", id="capturing"),
        pytest.param("/a/{x:(?P<y>\\d+)}", "capturing groups", id="named-group"),
        pytest.param("/a/{x:(?i)abc}", "invalid", id="inline-global-flag"),
    ],
)
def test_invalid_patterns(pattern: str, message: str) -> None:
    router = UrlDispatcher()
    with pytest.raises(ValueError, match=message) as info:
        router.add_get(pattern, make_handler("h"))
    assert repr(pattern) in str(info.value)
    assert len(router.resources()) == 0


def test_non_capturing_group_allowed() -> None:
    router = UrlDispatcher()
    router.add_get("/a/{x:(?:ab)+}", make_handler("h"))
    assert dict(router.resolve(Request("GET", "/a/abab"))) == {"x": "abab"}


@pytest.mark.parametrize(
    ("pattern", "parts", "query", "expected"),
    [
        pytest.param("/a", {}, None, "/a", id="plain"),
        pytest.param("/a b", {}, None, "/a%20b", id="plain-quoted"),
        pytest.param("/u/{id}", {"id": "7"}, None, "/u/7", id="dynamic"),
        pytest.param("/u/{id}", {"id": 7}, None, "/u/7", id="int-value"),
        pytest.param("/u/{name}", {"name": "a b/c"}, None, "/u/a%20b%2Fc", id="slash-encoded"),
        pytest.param("/u/{name}", {"name": "a{b"}, None, None, id="brace-rejected"),
        pytest.param("/u/{name}", {"name": "a b?#%"}, None, "/u/a%20b%3F%23%25", id="quoted"),
        pytest.param("/u/{name}", {"name": "café"}, None, "/u/caf%C3%A9", id="utf8"),
        pytest.param("/u/{name}", {"name": ".."}, None, "/u/%2E%2E", id="dot-dot"),
        pytest.param("/f/{p:.+}", {"p": "a/b c"}, None, "/f/a/b%20c", id="slash-regex"),
        pytest.param("/u/{id}", {"id": "1"}, {"q": "x y"}, "/u/1?q=x+y", id="query"),
        pytest.param("/s/{query}", {}, "abc", "/s/abc", id="part-named-query"),
        pytest.param("/{a}.{b}", {"a": "x", "b": "tar"}, None, "/x.tar", id="two-per-segment"),
    ],
)
def test_url_for(
    pattern: str,
    parts: dict[str, str | int],
    query: str | dict[str, str] | None,
    expected: str | None,
) -> None:
    router = UrlDispatcher()
    router.add_get(pattern, make_handler("h"), name="r")
    if expected is None:
        with pytest.raises(ValueError, match="does not match"):
            router["r"].url_for(query=query, **parts)
        return
    url = router["r"].url_for(query=query, **parts)
    assert isinstance(url, URL)
    assert str(url) == expected


def test_url_for_errors() -> None:
    router = UrlDispatcher()
    route = router.add_get(r"/u/{id:\d+}", make_handler("h"), name="u")
    with pytest.raises(KeyError, match="'id'"):
        router["u"].url_for()
    with pytest.raises(ValueError, match="no part"):
        router["u"].url_for(id="1", other="2")
    with pytest.raises(ValueError, match="does not match"):
        route.url_for(id="x")
    assert str(route.url_for(id="12")) == "/u/12"


SEGMENT = st.text(
    alphabet=st.characters(exclude_categories=["Cs"], exclude_characters="/{}"),
    min_size=1,
    max_size=20,
)


@given(value=SEGMENT)
def test_url_for_round_trip(value: str) -> None:
    router = UrlDispatcher()
    router.add_get("/hello/{name}", make_handler("h"), name="hello")
    url = router["hello"].url_for(name=value)
    match = router.resolve(Request("GET", str(url)))
    assert match.http_exception is None
    assert dict(match) == {"name": value}


@given(value=st.text(alphabet=st.characters(exclude_categories=["Cs"]), min_size=1))
def test_url_for_round_trip_multi_segment(value: str) -> None:
    router = UrlDispatcher()
    router.add_get("/files/{path:.+}", make_handler("h"), name="files")
    try:
        url = router["files"].url_for(path=value)
    except ValueError:  # e.g. a newline: ".+" does not match it, so it can't round-trip
        return
    assert dict(router.resolve(Request("GET", str(url)))) == {"path": value}
