"""CookieJar (RFC 6265), BasicAuth and ClientTimeout as plain units."""

from __future__ import annotations

import pytest
from yarl import URL

from aioweb.client import BasicAuth, ClientTimeout, CookieJar, DummyCookieJar


def sent(jar: CookieJar, url: str) -> dict[str, str]:
    return {k: m.value for k, m in jar.filter_cookies(URL(url)).items()}


def test_host_only_and_domain_cookies() -> None:
    jar = CookieJar()
    jar.update_cookies_from_headers(
        ["a=1", "b=2; Domain=.example.com"], URL("http://www.example.com/")
    )
    assert sent(jar, "http://www.example.com/") == {"a": "1", "b": "2"}
    assert sent(jar, "http://sub.example.com/") == {"b": "2"}
    assert sent(jar, "http://example.com/") == {"b": "2"}
    assert sent(jar, "http://badexample.com/") == {}


@pytest.mark.parametrize(
    "header",
    [
        "x=1; Domain=other.com",
        "x=1; Domain=com",
        "x=1; Secure",
        "__Host-x=1; Secure; Path=/a",
        "bad name=1",
        "x=1\x00",
    ],
    ids=["foreign-domain", "tld", "secure-from-http", "host-prefix", "bad-name", "nul"],
)
def test_refused_cookies(header: str) -> None:
    jar = CookieJar()
    jar.update_cookies_from_headers([header], URL("http://www.example.com/"))
    assert len(jar) == 0


def test_path_secure_and_expiry() -> None:
    jar = CookieJar()
    origin = URL("https://example.com/docs/page")
    jar.update_cookies_from_headers(
        [
            "p=1",
            "root=2; Path=/",
            "s=3; Secure",
            "gone=4; Max-Age=0",
            "old=5; Expires=Wed, 21 Oct 2015 07:28:00 GMT",
        ],
        origin,
    )
    assert sent(jar, "https://example.com/docs/x") == {"p": "1", "root": "2", "s": "3"}
    assert sent(jar, "https://example.com/docsx") == {"root": "2"}  # default-path /docs
    assert sent(jar, "http://example.com/docs/x") == {"p": "1", "root": "2"}
    jar.update_cookies_from_headers(["root=; Max-Age=-1; Path=/"], origin)
    assert "root" not in sent(jar, "https://example.com/")


def test_ip_hosts_need_unsafe_and_dummy_jar_keeps_nothing() -> None:
    url = URL("http://127.0.0.1/")
    jar = CookieJar()
    jar.update_cookies_from_headers(["a=1"], url)
    assert len(jar) == 0
    unsafe = CookieJar(unsafe=True)
    unsafe.update_cookies_from_headers(["a=1"], url)
    assert sent(unsafe, "http://127.0.0.1/x") == {"a": "1"}
    dummy = DummyCookieJar()
    dummy.update_cookies({"a": "1"})
    assert len(dummy) == 0
    assert not dummy.filter_cookies(url)


def test_shared_cookies_go_everywhere() -> None:
    jar = CookieJar()
    jar.update_cookies({"k": "v"})
    assert sent(jar, "http://a.example/") == {"k": "v"}
    assert sent(jar, "http://b.example/x") == {"k": "v"}


def test_basic_auth() -> None:
    auth = BasicAuth("Aladdin", "open sesame")
    assert auth.encode() == "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=="  # RFC 7617 §2
    assert BasicAuth.decode("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==") == auth
    assert BasicAuth.from_url(URL("http://u:p@h/")) == BasicAuth("u", "p")
    assert BasicAuth.from_url(URL("http://h/")) is None
    for bad in ("Bearer x", "Basic !!!", "Basic " + "bm9jb2xvbg=="):
        with pytest.raises(ValueError, match=r"Basic|base64|':'"):
            BasicAuth.decode(bad)
    with pytest.raises(ValueError, match="not allowed"):
        BasicAuth("a:b")
    with pytest.raises(ValueError, match="CR, LF"):
        BasicAuth("a", "b\r\nX: y")


def test_client_timeout_validation() -> None:
    assert ClientTimeout(total=1).total == 1
    with pytest.raises(ValueError, match="sock_read"):
        ClientTimeout(sock_read=0)
