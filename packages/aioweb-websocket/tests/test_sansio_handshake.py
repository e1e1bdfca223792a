"""The opening handshake helpers, both roles."""

from __future__ import annotations

import pytest

from aioweb.websocket.sansio import (
    DeflateParams,
    HandshakeError,
    accept_key,
    accept_request,
    check_response,
    client_request,
)

KEY = "dGhlIHNhbXBsZSBub25jZQ=="
GOOD = [
    ("Host", "x"),
    ("Upgrade", "WebSocket"),
    ("Connection", "keep-alive, Upgrade"),
    ("Sec-WebSocket-Version", "13"),
    ("Sec-WebSocket-Key", KEY),
]


def test_rfc_example_accept_key() -> None:
    # RFC 6455 §1.3.
    assert accept_key(KEY) == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="


def test_valid_request() -> None:
    accept = accept_request("GET", GOOD)
    assert dict(accept.headers) == {
        "Upgrade": "websocket",
        "Connection": "Upgrade",
        "Sec-WebSocket-Accept": "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=",
    }
    assert (accept.protocol, accept.deflate) == (None, None)


def _without(name: str) -> list[tuple[str, str]]:
    return [(n, v) for n, v in GOOD if n != name]


@pytest.mark.parametrize(
    ("method", "headers", "status"),
    [
        pytest.param("POST", GOOD, 400, id="not-get"),
        pytest.param("GET", _without("Upgrade"), 400, id="no-upgrade"),
        pytest.param("GET", [*_without("Upgrade"), ("Upgrade", "h2c")], 400, id="other-upgrade"),
        pytest.param("GET", _without("Connection"), 400, id="no-connection"),
        pytest.param("GET", _without("Sec-WebSocket-Key"), 400, id="no-key"),
        pytest.param(
            "GET",
            [*_without("Sec-WebSocket-Key"), ("Sec-WebSocket-Key", "abc")],
            400,
            id="short-key",
        ),
        pytest.param(
            "GET",
            [*_without("Sec-WebSocket-Key"), ("Sec-WebSocket-Key", "!" * 24)],
            400,
            id="not-base64",
        ),
        pytest.param("GET", [*GOOD, ("Sec-WebSocket-Key", KEY)], 400, id="two-keys"),
        pytest.param("GET", _without("Sec-WebSocket-Version"), 400, id="no-version"),
        pytest.param(
            "GET",
            [*_without("Sec-WebSocket-Version"), ("Sec-WebSocket-Version", "8")],
            400,
            id="version-8",
        ),
    ],
)
def test_invalid_requests(method: str, headers: list[tuple[str, str]], status: int) -> None:
    with pytest.raises(HandshakeError) as info:
        accept_request(method, headers)
    assert info.value.status == status
    assert info.value.reason
    if "Version" in info.value.reason:
        assert info.value.headers == (("Sec-WebSocket-Version", "13"),)
    else:
        assert info.value.headers == ()


def test_subprotocol_follows_server_preference() -> None:
    headers = [
        *GOOD,
        ("Sec-WebSocket-Protocol", "chat, superchat"),
        ("Sec-WebSocket-Protocol", "x"),
    ]
    accept = accept_request("GET", headers, protocols=("x", "chat"))
    assert accept.protocol == "x"
    assert ("Sec-WebSocket-Protocol", "x") in accept.headers
    assert accept_request("GET", headers, protocols=("none",)).protocol is None


def test_compression_is_negotiated_only_when_enabled() -> None:
    headers = [*GOOD, ("Sec-WebSocket-Extensions", "permessage-deflate; client_max_window_bits")]
    assert accept_request("GET", headers).deflate == DeflateParams()
    assert accept_request("GET", headers, compress=False).deflate is None


def test_client_round_trip() -> None:
    hs = client_request(protocols=("chat",), compress=True)
    accept = accept_request("GET", [("Host", "x"), *hs.headers], protocols=("chat",))
    assert check_response(hs, 101, accept.headers) == ("chat", DeflateParams())


@pytest.mark.parametrize(
    ("status", "headers"),
    [
        pytest.param(200, [], id="not-101"),
        pytest.param(
            101, [("Connection", "Upgrade"), ("Sec-WebSocket-Accept", "x")], id="no-upgrade"
        ),
        pytest.param(
            101,
            [
                ("Upgrade", "websocket"),
                ("Connection", "Upgrade"),
                ("Sec-WebSocket-Accept", "wrong"),
            ],
            id="wrong-accept",
        ),
    ],
)
def test_client_refuses_bad_answers(status: int, headers: list[tuple[str, str]]) -> None:
    with pytest.raises(HandshakeError):
        check_response(client_request(), status, headers)


def test_client_refuses_unoffered_subprotocol_and_extension() -> None:
    hs = client_request(compress=False, key=KEY)
    base = [
        ("Upgrade", "websocket"),
        ("Connection", "Upgrade"),
        ("Sec-WebSocket-Accept", accept_key(KEY)),
    ]
    with pytest.raises(HandshakeError, match="subprotocol"):
        check_response(hs, 101, [*base, ("Sec-WebSocket-Protocol", "chat")])
    with pytest.raises(HandshakeError, match="extension"):
        check_response(hs, 101, [*base, ("Sec-WebSocket-Extensions", "permessage-deflate")])
