"""The ``HTTPException`` family: every exported class against ``http.HTTPStatus``."""

from __future__ import annotations

import http
import inspect

import pytest

import aioweb.kernel
from aioweb.kernel import (
    REASON_PHRASES,
    HTTPClientError,
    HTTPError,
    HTTPException,
    HTTPMethodNotAllowed,
    HTTPMove,
    HTTPNotFound,
    HTTPRedirection,
    HTTPRequestEntityTooLarge,
    HTTPServerError,
    HTTPSuccessful,
    HTTPUnavailableForLegalReasons,
    reason_phrase,
)
from aioweb.kernel._web_exceptions import __all__ as exc_all

BASES = {HTTPException, HTTPError, HTTPSuccessful, HTTPRedirection, HTTPMove, HTTPClientError,
         HTTPServerError}  # fmt: skip
CONCRETE: list[type[HTTPException]] = sorted(
    (
        obj
        for name in exc_all
        if inspect.isclass(obj := getattr(aioweb.kernel, name))
        and issubclass(obj, HTTPException)
        and obj not in BASES
    ),
    key=lambda c: c.status_code,
)
# The constructor arguments a class needs beyond the defaults.
NEEDS: dict[type[HTTPException], tuple[object, ...]] = {
    HTTPMethodNotAllowed: ("GET", ["POST"]),
    HTTPRequestEntityTooLarge: (10, 20),
    HTTPUnavailableForLegalReasons: ("https://authority.example/",),
}


def build(cls: type[HTTPException]) -> HTTPException:
    if issubclass(cls, HTTPMove):
        return cls("/elsewhere")
    return cls(*NEEDS.get(cls, ()))


def test_every_standard_status_is_covered() -> None:
    codes = {c.status_code for c in CONCRETE}
    missing = {
        s.value
        for s in http.HTTPStatus
        if s.value >= 200 and s.value not in codes and s.value not in {207, 208, 226}
    }
    assert len(CONCRETE) >= 55
    assert not missing, f"no HTTP* class for {sorted(missing)}"


def test_every_class_is_exported() -> None:
    for cls in CONCRETE:
        assert cls.__name__ in aioweb.kernel.__all__


@pytest.mark.parametrize("cls", CONCRETE, ids=lambda c: f"{c.status_code}-{c.__name__}")
def test_status_matches_http_status(cls: type[HTTPException]) -> None:
    exc = build(cls)
    status = http.HTTPStatus(cls.status_code)
    assert exc.status == cls.status_code == status.value
    assert exc.reason == REASON_PHRASES[cls.status_code]
    family = {2: HTTPSuccessful, 3: HTTPRedirection, 4: HTTPClientError, 5: HTTPServerError}
    assert isinstance(exc, family[cls.status_code // 100])
    assert isinstance(exc, Exception)
    if exc.empty_body:
        assert exc.body is None
    else:
        assert exc.body is not None
    assert repr(exc) == f"<{cls.__name__} {exc.status} {exc.reason!r}>"


@pytest.mark.parametrize(
    ("status", "phrase"),
    [
        (413, "Content Too Large"),
        (414, "URI Too Long"),
        (416, "Range Not Satisfiable"),
        (422, "Unprocessable Content"),
        (200, "OK"),
        (299, ""),
    ],
)
def test_reason_phrases_do_not_depend_on_the_python_version(status: int, phrase: str) -> None:
    # http.HTTPStatus renamed these in 3.13; the wire must not change with the interpreter.
    assert reason_phrase(status) == phrase


@pytest.mark.parametrize(
    "cls", [c for c in CONCRETE if issubclass(c, HTTPMove)], ids=lambda c: c.__name__
)
def test_redirects_require_a_location(cls: type[HTTPMove]) -> None:
    with pytest.raises(TypeError):
        cls()  # type: ignore[call-arg]
    with pytest.raises(ValueError, match="non-empty location"):
        cls("")
    exc = cls("/to?x=1")
    assert exc.location == "/to?x=1"
    assert exc.headers["Location"] == "/to?x=1"


@pytest.mark.parametrize("cls", CONCRETE, ids=lambda c: c.__name__)
def test_default_text_body(cls: type[HTTPException]) -> None:
    exc = build(cls)
    if exc.empty_body:
        assert (exc.text, exc.body, exc.content_type) == (None, None, None)
    elif cls is HTTPRequestEntityTooLarge:
        assert exc.text == "Maximum request body size 10 exceeded, actual body size 20"
    else:
        assert exc.text == f"{exc.status}: {exc.reason}"
        assert exc.body == exc.text.encode()
        assert exc.content_type == "text/plain; charset=utf-8"
        assert str(exc) == exc.text


def test_not_found_text() -> None:
    exc = HTTPNotFound()
    assert exc.body == b"404: Not Found"
    assert str(exc) == "404: Not Found"


@pytest.mark.parametrize(
    ("kwargs", "text", "body", "content_type"),
    [
        ({"text": "custom"}, "custom", b"custom", "text/plain; charset=utf-8"),
        ({"body": b"\x00"}, None, b"\x00", None),
        ({"body": b"{}", "content_type": "application/json"}, None, b"{}", "application/json"),
        ({"text": "t", "content_type": "text/html"}, "t", b"t", "text/html"),
        ({"reason": "Nope"}, "404: Nope", b"404: Nope", "text/plain; charset=utf-8"),
    ],
    ids=["text", "body", "body-json", "text-html", "reason"],
)
def test_body_options(
    kwargs: dict[str, object], text: str | None, body: bytes, content_type: str | None
) -> None:
    exc = HTTPNotFound(**kwargs)  # type: ignore[arg-type]
    assert (exc.text, exc.body, exc.content_type) == (text, body, content_type)


def test_headers_are_a_copy() -> None:
    given = {"X-A": "1"}
    exc = HTTPNotFound(headers=given)
    exc.headers["X-B"] = "2"
    assert given == {"X-A": "1"}


def test_method_not_allowed() -> None:
    exc = HTTPMethodNotAllowed("patch", ["post", "get", "GET"])
    assert exc.method == "PATCH"
    assert exc.allowed_methods == frozenset({"GET", "POST"})
    assert exc.headers["Allow"] == "GET,POST"


def test_request_entity_too_large() -> None:
    exc = HTTPRequestEntityTooLarge(100, 200)
    assert (exc.status, exc.max_size, exc.actual_size) == (413, 100, 200)
    assert exc.reason in {"Request Entity Too Large", "Content Too Large"}  # 3.13 renamed it


@pytest.mark.parametrize(
    ("link", "header"),
    [("https://a.example/", '<https://a.example/>; rel="blocked-by"'), (None, None)],
    ids=["link", "no-link"],
)
def test_unavailable_for_legal_reasons(link: str | None, header: str | None) -> None:
    exc = HTTPUnavailableForLegalReasons(link)
    assert exc.link == link
    assert exc.headers.get("Link") == header
