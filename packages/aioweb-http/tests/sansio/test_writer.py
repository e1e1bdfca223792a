from __future__ import annotations

import pytest

from aioweb.http.sansio import (
    LAST_CHUNK,
    LocalProtocolError,
    encode_chunk,
    reason_phrase,
    request_head,
    response_head,
)


def test_response_head_default_reason() -> None:
    head = response_head(404, None, [("Content-Length", "0")])
    assert head == b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"
    assert response_head(404, None, []) == b"HTTP/1.1 404 Not Found\r\n\r\n"  # cached line


def test_response_head_custom_reason_and_version() -> None:
    assert response_head(200, "Fine", [], (1, 0)) == b"HTTP/1.0 200 Fine\r\n\r\n"


def test_unknown_status_has_empty_reason() -> None:
    assert reason_phrase(599) == ""
    assert response_head(599, None, []) == b"HTTP/1.1 599 \r\n\r\n"


def test_reason_phrase() -> None:
    assert reason_phrase(200) == "OK"
    assert reason_phrase(418) == "I'm a Teapot"


def test_values_are_utf8() -> None:
    assert response_head(200, None, [("X", "café")]).endswith("X: café\r\n\r\n".encode())


def test_header_iterable_may_be_a_generator() -> None:
    head = response_head(200, None, ((n, v) for n, v in [("A", "1"), ("B", "2")]))
    assert head == b"HTTP/1.1 200 OK\r\nA: 1\r\nB: 2\r\n\r\n"


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("a\r\nSet-Cookie: x=1", id="crlf-injection"),
        pytest.param("a\rb", id="cr"),
        pytest.param("a\nb", id="lf"),
        pytest.param("a\x00b", id="nul"),
        pytest.param("a\x0bb", id="vtab"),
        pytest.param("a\x7f", id="del"),
    ],
)
def test_bad_value_names_the_header(value: str) -> None:
    with pytest.raises(LocalProtocolError, match="X-Evil"):
        response_head(200, None, [("Content-Type", "text/plain"), ("X-Evil", value)])
    with pytest.raises(LocalProtocolError, match="X-Evil"):
        request_head("GET", "/", iter([("Host", "x"), ("X-Evil", value)]))


def test_tab_in_value_is_allowed() -> None:
    assert b"X: a\tb\r\n" in response_head(200, None, [("X", "a\tb")])


@pytest.mark.parametrize("name", ["", "X Y", "X:Y", "X\r\nY", "Caf\xe9", "X\x00"])
def test_bad_name_is_refused(name: str) -> None:
    with pytest.raises(LocalProtocolError, match="header name"):
        response_head(200, None, [(name, "v")])


@pytest.mark.parametrize(
    ("status", "reason"),
    [(99, None), (1000, None), (200, "O\r\nK"), (200, "O\nK")],
)
def test_bad_status_line_is_refused(status: int, reason: str | None) -> None:
    with pytest.raises(LocalProtocolError):
        response_head(status, reason, [])


def test_request_head() -> None:
    head = request_head("POST", "/a?b=1", [("Host", "example.com"), ("Content-Length", "0")])
    assert head == b"POST /a?b=1 HTTP/1.1\r\nHost: example.com\r\nContent-Length: 0\r\n\r\n"


@pytest.mark.parametrize(
    ("method", "target"),
    [("GE T", "/"), ("", "/"), ("GET", "/a b"), ("GET", ""), ("GET", "/\r\n"), ("GET", "/é")],
)
def test_request_head_refuses_bad_line(method: str, target: str) -> None:
    with pytest.raises(LocalProtocolError):
        request_head(method, target, [])


def test_encode_chunk() -> None:
    assert encode_chunk(b"hello") == b"5\r\nhello\r\n"
    assert encode_chunk(b"x" * 26) == b"1a\r\n" + b"x" * 26 + b"\r\n"
    assert encode_chunk(b"") == b""  # never the last chunk by accident
    assert LAST_CHUNK == b"0\r\n\r\n"
