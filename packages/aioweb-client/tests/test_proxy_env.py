"""``trust_env=True``: proxies from http_proxy/https_proxy/all_proxy, except no_proxy hosts."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from yarl import URL

from aioweb.client import BasicAuth, ClientSession, InvalidURL
from aioweb.client._proxy_env import bypass_proxy, env_proxy_for
from aioweb.kernel import Request, Response, StreamResponse
from aioweb.testing import AiowebRawServer

PROXY_VARS = ("http_proxy", "https_proxy", "all_proxy", "no_proxy", "REQUEST_METHOD")


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in PROXY_VARS:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)


@pytest.mark.parametrize(
    ("url", "no_proxy", "bypass"),
    [
        ("http://example.com/", "example.com", True),
        ("http://a.b.example.com/", "example.com", True),
        ("http://a.example.com/", ".example.com", True),
        ("http://example.com/", ".example.com", True),
        ("http://notexample.com/", "example.com", False),
        ("http://example.com.evil/", "example.com", False),
        ("http://EXAMPLE.com./", "example.COM", True),
        ("http://x.test/", "*", True),
        ("http://x.test:8080/", "x.test:8080", True),
        ("http://x.test:8081/", "x.test:8080", False),
        ("http://x.test/", "x.test:80", True),
        ("https://x.test/", "x.test:80", False),
        ("http://127.0.0.1:9/", "localhost, 127.0.0.1", True),
        ("http://[::1]:9/", "::1", True),
        ("http://[::1]:9/", "[::1]:9", True),
        ("http://[::1]:9/", "[::1]:10", False),
        ("http://y.test/", "", False),
        ("http://y.test/", " , ,", False),
    ],
)
def test_no_proxy_matching(url: str, no_proxy: str, bypass: bool) -> None:
    assert bypass_proxy(URL(url), no_proxy) is bypass


def test_variables_and_their_precedence() -> None:
    env = {"HTTP_PROXY": "http://upper:1", "http_proxy": "http://lower:2"}
    assert env_proxy_for(URL("http://o/"), env) == (URL("http://lower:2"), None)
    assert env_proxy_for(URL("http://o/"), {"HTTP_PROXY": "upper:1"}) == (
        URL("http://upper:1"),
        None,
    )
    # https URLs use https_proxy, then all_proxy; http_proxy is not for them.
    assert env_proxy_for(URL("https://o/"), env) is None
    env["ALL_PROXY"] = "http://all:3"
    assert env_proxy_for(URL("https://o/"), env) == (URL("http://all:3"), None)
    env["https_proxy"] = "http://u:p%40ss@secure:4/ignored/path"
    assert env_proxy_for(URL("https://o/"), env) == (URL("http://secure:4"), BasicAuth("u", "p@ss"))
    env["NO_PROXY"] = "o"
    assert env_proxy_for(URL("https://o/"), env) is None


def test_httpoxy_upper_case_http_proxy_is_ignored_in_cgi() -> None:
    env = {"HTTP_PROXY": "http://from-a-client-header:1", "REQUEST_METHOD": "GET"}
    assert env_proxy_for(URL("http://o/"), env) is None
    env["http_proxy"] = "http://configured:2"
    assert env_proxy_for(URL("http://o/"), env) == (URL("http://configured:2"), None)


def test_a_bad_proxy_variable_is_an_invalid_url() -> None:
    with pytest.raises(InvalidURL, match="only http:// proxies"):
        env_proxy_for(URL("http://o/"), {"http_proxy": "socks5://s:1"})


async def via(request: Request) -> StreamResponse:
    return Response(text=request.headers.get("Via", "direct"))


async def test_trust_env_uses_the_real_proxy_unless_no_proxy(
    monkeypatch: pytest.MonkeyPatch,
    aioweb_raw_server: AiowebRawServer,
    tinyproxy_factory: Callable[..., str],
) -> None:
    origin = await aioweb_raw_server(via)
    url = origin.make_url("/")
    monkeypatch.setenv("HTTP_PROXY", tinyproxy_factory())
    async with ClientSession() as session:  # trust_env is off by default
        assert await (await session.get(url)).text() == "direct"
    async with ClientSession(trust_env=True) as session:
        assert "tinyproxy" in await (await session.get(url)).text()
        monkeypatch.setenv("no_proxy", f"localhost,127.0.0.1:{origin.port}")
        assert await (await session.get(url)).text() == "direct"
        # An explicit proxy= is used as given: no_proxy is for the environment's.
        explicit = await session.get(url, proxy=tinyproxy_factory())
        assert "tinyproxy" in await explicit.text()
