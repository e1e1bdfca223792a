"""normalize_path_middleware: candidates, redirects, and no open redirect."""

from __future__ import annotations

import asyncio
import re
from urllib.parse import urljoin, urlsplit

import pytest
from middleware_testlib import (
    TIMEOUT,
    handle,
    make_app,
    make_request,
    ok,
    serve,
    text_handler,
)

from aioweb.kernel import (
    HTTPMovedPermanently,
    HTTPNotFound,
    Request,
    Response,
    StreamResponse,
)
from aioweb.middleware import MiddlewareConfigError, normalize_path_middleware
from aioweb.middleware._normalize import candidate_paths, safe_location
from aioweb.testing import AiowebClient

BASE = "http://127.0.0.1:8080/here/page"


def assert_same_origin(location: str) -> None:
    """The checks a browser's URL parser would make: ``\\`` is ``/`` and tab/CR/LF
    are dropped (WHATWG URL), then the reference must not name another authority."""
    assert location.startswith("/")
    assert not re.search(r"[\x00-\x20\x7f\\]", location), location
    browser = re.sub(r"[\t\n\r]", "", location).replace("\\", "/")
    assert not browser.startswith("//"), location
    assert urlsplit(urljoin(BASE, location)).netloc == "127.0.0.1:8080"


# -- candidate_paths and safe_location (pure) -------------------------------------------


@pytest.mark.parametrize(
    ("path", "flags", "expected"),
    [
        ("/a", "append", ["/a/"]),
        ("/a/", "append", []),
        ("/a/", "remove", ["/a"]),
        ("/", "remove", []),
        ("/a//b", "merge", ["/a/b"]),
        ("/a//b", "merge,append", ["/a/b", "/a//b/", "/a/b/"]),
        ("//a//", "merge,remove", ["/a/", "//a/", "/a"]),
        ("/a", "merge", []),
        ("/a", "", []),
    ],
    ids=lambda v: repr(v) if isinstance(v, str) else None,
)
def test_candidate_paths(path: str, flags: str, expected: list[str]) -> None:
    got = candidate_paths(
        path,
        append_slash="append" in flags,
        remove_slash="remove" in flags,
        merge_slashes="merge" in flags,
    )
    assert got == expected


@pytest.mark.parametrize(
    ("path", "query", "expected"),
    [
        ("/a/", "", "/a/"),
        ("/a/", "x=1&y=//evil.com", "/a/?x=1&y=//evil.com"),
        ("//evil.com/", "", None),
        ("///evil.com", "", None),
        ("/\\evil.com/", "", "/%5Cevil.com/"),
        ("\\\\evil.com/", "", None),
        ("/\t/evil.com/", "", "/%09/evil.com/"),
        ("/\r\nSet-Cookie:x=1/", "", "/%0D%0ASet-Cookie:x=1/"),
        ("/é/", "q=\n", "/%C3%A9/?q=%0A"),
        ("evil.com/", "", None),
        ("", "", None),
        ("/%2F%2Fevil.com/", "", "/%2F%2Fevil.com/"),
        ("/.//evil.com/", "", None),
        ("/x/..//evil.com/", "", None),
        ("/%2E%2e/%2e//evil.com/", "", None),
        ("/\\.//evil.com/", "", "/%5C.//evil.com/"),
        ("/a/../b/", "", "/a/../b/"),
        ("/a/./b/", "", "/a/./b/"),
    ],
)
def test_safe_location(path: str, query: str, expected: str | None) -> None:
    location = safe_location(path, query)
    assert location == expected
    if location is not None:
        assert_same_origin(location)


def test_conflicting_flags_and_bad_redirect_class_fail_at_setup() -> None:
    with pytest.raises(MiddlewareConfigError, match="append_slash and remove_slash"):
        normalize_path_middleware(append_slash=True, remove_slash=True)
    with pytest.raises(ValueError, match="HTTPMove subclass"):
        normalize_path_middleware(redirect_class=Response)  # type: ignore[arg-type]


# -- through the application chain (no server) ------------------------------------------


async def test_matched_request_passes_straight_through() -> None:
    app = make_app([("GET", "/a/", ok)], [normalize_path_middleware()])
    resp = await handle(app, make_request("GET", "/a/", app=app))
    assert resp.status == 200


async def test_request_without_a_match_is_left_alone() -> None:
    mw = normalize_path_middleware()
    resp = await mw(make_request("GET", "/a"), ok)
    assert resp.status == 200  # no router miss recorded: nothing to normalize


@pytest.mark.parametrize(
    ("options", "target", "status", "location"),
    [
        ({}, "/a", 308, "/a/"),
        ({}, "/a?x=1&y=%20z", 308, "/a/?x=1&y=%20z"),
        ({}, "//a", 308, "/a/"),
        ({}, "/c//d", 308, "/c/d"),
        ({"append_slash": False, "remove_slash": True}, "/c/d/", 308, "/c/d"),
        ({"append_slash": False, "remove_slash": True}, "/c//d//", 308, "/c/d"),
        ({"merge_slashes": False}, "/c//d", 404, None),
        ({"append_slash": False}, "/a", 404, None),
        ({"redirect_class": HTTPMovedPermanently}, "/a", 301, "/a/"),
        ({}, "/nothing", 404, None),
    ],
)
async def test_redirect_table(
    options: dict[str, object], target: str, status: int, location: str | None
) -> None:
    app = make_app(
        [("GET", "/a/", ok), ("GET", "/c/d", ok)],
        [normalize_path_middleware(**options)],  # type: ignore[arg-type]
    )
    resp = await handle(app, make_request("GET", target, app=app))
    assert resp.status == status
    assert resp.headers.get("Location") == location


async def test_method_mismatch_is_not_a_match() -> None:
    app = make_app([("GET", "/a/", ok)], [normalize_path_middleware()])
    resp = await handle(app, make_request("POST", "/a", app=app))
    assert resp.status == 404


async def test_handler_404_on_a_matched_route_is_not_redirected() -> None:
    async def missing(request: Request) -> StreamResponse:
        raise HTTPNotFound()

    app = make_app(
        [("GET", "/u/{id}", missing), ("GET", "/u/{id}/", ok)], [normalize_path_middleware()]
    )
    resp = await handle(app, make_request("GET", "/u/1", app=app))
    assert resp.status == 404
    assert "Location" not in resp.headers


async def test_inner_middleware_that_answers_a_miss_wins() -> None:
    async def fallback(request: Request, handler: object) -> StreamResponse:
        return Response(text="spa")

    app = make_app([("GET", "/a/", ok)], [normalize_path_middleware(), fallback])
    resp = await handle(app, make_request("GET", "/a", app=app))
    assert resp.status == 200


async def test_inner_404_response_is_redirected_too() -> None:
    async def page(request: Request, handler: object) -> StreamResponse:
        return Response(text="custom 404", status=404)

    app = make_app([("GET", "/a/", ok)], [normalize_path_middleware(), page])
    resp = await handle(app, make_request("GET", "/a", app=app))
    assert (resp.status, resp.headers["Location"]) == (308, "/a/")


@pytest.mark.parametrize("where", ["root", "sub"])
async def test_sub_application_paths_resolve_from_the_root(where: str) -> None:
    mw = normalize_path_middleware()
    sub = make_app([("GET", "/x/", ok)], [mw] if where == "sub" else [])
    app = make_app([], [mw] if where == "root" else [])
    app.add_subapp("/sub", sub)
    resp = await handle(app, make_request("GET", "/sub/x?q=1", app=app))
    assert (resp.status, resp.headers["Location"]) == (308, "/sub/x/?q=1")


# -- open redirects: a catch-all route makes every hostile candidate resolvable --------

HOSTILE = [
    ("//evil.com", "/evil.com/"),
    ("///evil.com", "/evil.com/"),
    ("/\\evil.com", "/%5Cevil.com/"),
    ("/\\\\evil.com", "/%5C%5Cevil.com/"),
    ("/\\/evil.com", "/%5C/evil.com/"),
    ("//\\evil.com", "/%5Cevil.com/"),
    ("/%2F%2Fevil.com", "/%2F%2Fevil.com/"),
    ("/%2f/evil.com", "/%2f/evil.com/"),
    ("/%5C%5Cevil.com", "/%5C%5Cevil.com/"),
    ("/%09/evil.com", "/%09/evil.com/"),
    ("//evil.com?next=//evil.com", "/evil.com/?next=//evil.com"),
    ("//evil.com/%2E%2E", "/evil.com/%2E%2E/"),
    # "/.//evil.com/" resolves to "//evil.com/": skipped for the merged candidate
    ("/.//evil.com", "/./evil.com/"),
    ("/%2e//evil.com", "/%2e/evil.com/"),
    ("/a/..//evil.com", "/a/../evil.com/"),
    ("/a/.././/evil.com", "/a/.././evil.com/"),
    ("//@evil.com", "/@evil.com/"),
    ("//evil.com:80", "/evil.com:80/"),
]


@pytest.mark.parametrize(("target", "expected"), HOSTILE, ids=[t for t, _ in HOSTILE])
async def test_open_redirect_table(target: str, expected: str | None) -> None:
    app = make_app([("GET", "/{tail:.*}/", ok)], [normalize_path_middleware()])
    resp = await handle(app, make_request("GET", target, app=app))
    location = resp.headers.get("Location")
    if target.endswith("//"):
        expected = "/evil.com/"
    assert location == expected
    if location is not None:
        assert resp.status == 308
        assert_same_origin(location)


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("//evil.com", None),
        ("///evil.com", None),
        ("//evil.com/x", None),
        ("/.//evil.com", None),
        ("/%2E//evil.com", None),
        ("/\\/evil.com", "/%5C/evil.com/"),
    ],
)
async def test_without_merging_a_double_slash_start_is_never_a_location(
    target: str, expected: str | None
) -> None:
    app = make_app([("GET", "/{tail:.*}/", ok)], [normalize_path_middleware(merge_slashes=False)])
    resp = await handle(app, make_request("GET", target, app=app))
    location = resp.headers.get("Location")
    assert location == expected
    if location is None:
        assert resp.status == 404
    else:
        assert_same_origin(location)


async def test_remove_slash_never_offers_a_network_path() -> None:
    mw = normalize_path_middleware(append_slash=False, remove_slash=True, merge_slashes=False)
    app = make_app([("GET", "//evil.com", ok), ("GET", "/a", ok)], [mw])
    resp = await handle(app, make_request("GET", "//evil.com/", app=app))
    assert resp.status == 404  # the route exists, but "//evil.com" is never a Location
    resp = await handle(app, make_request("GET", "/a/", app=app))
    assert (resp.status, resp.headers["Location"]) == (308, "/a")


# -- live server, real client -----------------------------------------------------------


@pytest.mark.loopback
async def test_live_redirect_keeps_query_and_is_followed(
    aioweb_client: AiowebClient,
) -> None:
    app = make_app([("GET", "/a/", text_handler("here"))], [normalize_path_middleware()])
    client = await aioweb_client(app)
    # The query is kept byte for byte.
    resp = await asyncio.wait_for(client.get("/a?x=1+2", allow_redirects=False), TIMEOUT)
    assert resp.status == 308
    assert resp.headers["location"] == "/a/?x=1+2"
    followed = await asyncio.wait_for(client.get("/a?x=1"), TIMEOUT)
    assert (followed.status, await followed.text()) == (200, "here")
    assert followed.url.path == "/a/"
    missing = await asyncio.wait_for(client.get("/nope"), TIMEOUT)
    assert missing.status == 404


@pytest.mark.loopback
async def test_live_open_redirect_table() -> None:
    app = make_app([("GET", "/{tail:.*}/", ok)], [normalize_path_middleware()])
    async with serve(app) as live:
        for target, _ in HOSTILE:
            status, headers, _ = await live.raw(
                f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode()
            )
            location = headers.get("location")
            if location is not None:
                assert status == 308, target
                assert_same_origin(location)
            else:
                assert status in (400, 404), (target, status)
