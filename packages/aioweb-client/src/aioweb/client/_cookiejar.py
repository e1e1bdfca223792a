"""``CookieJar`` (RFC 6265 storage and retrieval model) and ``DummyCookieJar``.

There is no public suffix list: a Domain attribute is accepted when the host
domain-matches it and it has an inner dot (``Domain=com`` is refused), which
stops the obvious supercookies but not ``Domain=co.uk``.
"""

from __future__ import annotations

import functools
import ipaddress
import re
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from http.cookies import Morsel, SimpleCookie
from typing import Final

from yarl import URL

from aioweb.kernel import parse_http_date

__all__ = ["AbstractCookieJar", "Cookie", "CookieJar", "DummyCookieJar", "parse_set_cookie"]

# Names are kept to RFC 9110 tokens so they can be sent back unchanged.
_TOKEN: Final = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_BAD_VALUE: Final = re.compile(r"[\x00-\x08\x0a-\x1f\x7f;]")
_MAX_COOKIE: Final = 4096  # RFC 6265 §6.1: at least 4096 bytes per cookie
_MAX_PER_DOMAIN: Final = 50  # RFC 6265 §6.1: at least 50 cookies per domain
_MAX_TOTAL: Final = 3000  # RFC 6265 §6.1: at least 3000 cookies in total
_FAR_FUTURE: Final = float(2**40)
CookiesArg = Mapping[str, str] | Iterable[tuple[str, str]] | SimpleCookie


@dataclass(slots=True)
class Cookie:
    """One cookie as stored in the jar (RFC 6265 §5.3).

    Attributes:
        name: The cookie name.
        value: The cookie value, as received.
        domain: The domain it belongs to (empty: shared with every host).
        path: The path it applies to.
        expires: POSIX time it expires at, or None for a session cookie.
        secure: Sent over TLS only.
        http_only: The HttpOnly attribute (informative for a client).
        host_only: Sent to exactly ``domain``, not to its subdomains.
        same_site: The SameSite attribute, if any.
        created: POSIX time of creation (orders cookies of equal path length).
    """

    name: str
    value: str
    domain: str = ""
    path: str = "/"
    expires: float | None = None
    secure: bool = False
    http_only: bool = False
    host_only: bool = True
    same_site: str | None = None
    created: float = field(default_factory=time.time)
    _domain_attr: str | None = None
    _path_attr: str | None = None

    def attributes(self) -> dict[str, str | bool]:
        """The attributes as ``http.cookies.Morsel`` keys."""
        attrs: dict[str, str | bool] = {}
        if self._domain_attr is not None:
            attrs["domain"] = self._domain_attr
        if self._path_attr is not None:
            attrs["path"] = self._path_attr
        if self.secure:
            attrs["secure"] = True
        if self.http_only:
            attrs["httponly"] = True
        if self.same_site:
            attrs["samesite"] = self.same_site
        if self.expires is not None:
            attrs["expires"] = time.strftime(
                "%a, %d %b %Y %H:%M:%S GMT", time.gmtime(min(self.expires, _FAR_FUTURE))
            )
        return attrs


def parse_set_cookie(header: str, now: float | None = None) -> Cookie | None:
    """Parse one Set-Cookie value (RFC 6265 §5.2); None when it must be ignored."""
    now = time.time() if now is None else now
    pair, *attrs = header.split(";")
    name, sep, value = pair.partition("=")
    name, value = name.strip(" \t"), value.strip(" \t")
    if not sep or not _TOKEN.fullmatch(name) or _BAD_VALUE.search(value):
        return None
    if len(name) + len(value) > _MAX_COOKIE:
        return None
    cookie = Cookie(name, value, created=now)
    max_age: float | None = None
    expires: float | None = None
    for attr in attrs:
        key, _, val = attr.partition("=")
        key, val = key.strip(" \t").lower(), val.strip(" \t")
        if key == "expires":
            when = parse_http_date(val)
            if when is not None:
                expires = when.timestamp()
        elif key == "max-age":
            # RFC 6265 §5.2.2: a non-digit (after an optional "-") means ignore.
            if re.fullmatch(r"-?[0-9]+", val):
                seconds = int(val)
                max_age = now + seconds if seconds > 0 else 0.0
        elif key == "domain" and val:
            cookie._domain_attr = val.lstrip(".").lower()
        elif key == "path":
            cookie._path_attr = val if val.startswith("/") else None
        elif key == "secure":
            cookie.secure = True
        elif key == "httponly":
            cookie.http_only = True
        elif key == "samesite":
            cookie.same_site = val
    # §5.3 step 3: Max-Age wins over Expires.
    cookie.expires = max_age if max_age is not None else expires
    return cookie


@functools.lru_cache(maxsize=256)
def _is_ip(host: str) -> bool:
    # Cached: ipaddress parsing costs more than the rest of filter_cookies per request.
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def domain_match(host: str, domain: str) -> bool:
    """RFC 6265 §5.1.3: ``host`` equals ``domain`` or is a subdomain of it (not an IP)."""
    if host == domain:
        return True
    return host.endswith("." + domain) and not _is_ip(host)


def path_match(request_path: str, cookie_path: str) -> bool:
    """RFC 6265 §5.1.4 path-match."""
    if request_path == cookie_path:
        return True
    if not request_path.startswith(cookie_path):
        return False
    return cookie_path.endswith("/") or request_path[len(cookie_path)] == "/"


def default_path(url: URL) -> str:
    """RFC 6265 §5.1.4 default-path of a request URL."""
    path = url.raw_path
    if not path.startswith("/") or path.count("/") == 1:
        return "/"
    return path[: path.rfind("/")]


class AbstractCookieJar:
    """What a session needs from a cookie jar."""

    def update_cookies(self, cookies: CookiesArg, response_url: URL | None = None) -> None:
        """Store cookies received from ``response_url`` (no URL: shared by all hosts)."""
        raise NotImplementedError

    def update_cookies_from_headers(self, headers: Iterable[str], response_url: URL) -> None:
        """Store the cookies of Set-Cookie header values received from ``response_url``."""
        raise NotImplementedError

    def filter_cookies(self, request_url: URL) -> SimpleCookie:
        """The cookies to send with a request to ``request_url``."""
        raise NotImplementedError

    def clear(self) -> None:
        """Forget every cookie."""
        raise NotImplementedError

    def __len__(self) -> int:
        return 0

    def __iter__(self) -> Iterator[Cookie]:
        return iter(())


class CookieJar(AbstractCookieJar):
    """Stores cookies per domain and path and sends them back where they belong.

    Args:
        unsafe: Accept (and send) cookies for hosts that are IP addresses.
        quote_cookie: Accepted for aiohttp compatibility; values are always
            sent exactly as received.
    """

    def __init__(self, *, unsafe: bool = False, quote_cookie: bool = True) -> None:
        self._unsafe = unsafe
        self._cookies: dict[tuple[str, str, str], Cookie] = {}

    def __len__(self) -> int:
        return len(self._cookies)

    def __iter__(self) -> Iterator[Cookie]:
        return iter(list(self._cookies.values()))

    def clear(self) -> None:
        """Forget every cookie."""
        self._cookies.clear()

    def clear_domain(self, domain: str) -> None:
        """Forget the cookies of ``domain`` and its subdomains."""
        domain = domain.lower()
        for key in [k for k in self._cookies if domain_match(k[0], domain)]:
            del self._cookies[key]

    def update_cookies(self, cookies: CookiesArg, response_url: URL | None = None) -> None:
        """Store name/value pairs (``Set-Cookie``-less cookies, e.g. ``cookies=``).

        Without a ``response_url`` host they are shared by every host.
        """
        url = response_url or URL()
        items: Iterable[tuple[str, str | Morsel[str]]]
        items = cookies.items() if isinstance(cookies, Mapping) else cookies
        for name, value in items:
            text = value.value if isinstance(value, Morsel) else value
            host = (url.host or "").lower()
            if host and not self._unsafe and _is_ip(host):
                continue
            if not _TOKEN.fullmatch(name) or _BAD_VALUE.search(text):
                raise ValueError(f"invalid cookie {name!r}")
            self._store(Cookie(name, text, domain=host, path="/", host_only=bool(host)))

    def update_cookies_from_headers(self, headers: Iterable[str], response_url: URL) -> None:
        """Store the cookies of Set-Cookie values received from ``response_url`` (§5.3)."""
        host = (response_url.host or "").lower()
        if not host or (not self._unsafe and _is_ip(host)):
            return
        secure_origin = response_url.scheme in ("https", "wss")
        now = time.time()
        for header in headers:
            cookie = parse_set_cookie(header, now)
            if cookie is None:
                continue
            attr = cookie._domain_attr
            if attr:
                if not domain_match(host, attr) or ("." not in attr and attr != host):
                    continue
                cookie.domain, cookie.host_only = attr, False
            else:
                cookie.domain = host
            cookie.path = cookie._path_attr or default_path(response_url)
            # RFC 6265bis §5.7: an insecure origin cannot set Secure cookies,
            # and the __Secure-/__Host- prefixes require what they promise.
            if cookie.secure and not secure_origin:
                continue
            if cookie.name.startswith("__Secure-") and not cookie.secure:
                continue
            if cookie.name.startswith("__Host-") and not (
                cookie.secure and cookie.host_only and cookie.path == "/"
            ):
                continue
            if cookie.expires is not None and cookie.expires <= now:
                self._cookies.pop((cookie.domain, cookie.path, cookie.name), None)
                continue
            self._store(cookie)

    def _store(self, cookie: Cookie) -> None:
        key = (cookie.domain, cookie.path, cookie.name)
        old = self._cookies.get(key)
        if old is not None:
            cookie = replace(cookie, created=old.created)  # §5.3 step 11.3
        elif len(self._cookies) >= _MAX_TOTAL:
            self._evict(None)
        elif sum(1 for k in self._cookies if k[0] == cookie.domain) >= _MAX_PER_DOMAIN:
            self._evict(cookie.domain)
        self._cookies[key] = cookie

    def _evict(self, domain: str | None) -> None:
        now = time.time()
        for key, c in list(self._cookies.items()):
            if c.expires is not None and c.expires <= now:
                del self._cookies[key]
        candidates = [k for k in self._cookies if domain is None or k[0] == domain]
        if candidates and (domain is not None or len(self._cookies) >= _MAX_TOTAL):
            oldest = min(candidates, key=lambda k: self._cookies[k].created)
            del self._cookies[oldest]

    def filter_cookies(self, request_url: URL) -> SimpleCookie:
        """The cookies to send to ``request_url``, most specific path first (§5.4)."""
        if not self._cookies:
            return SimpleCookie()
        host = (request_url.host or "").lower()
        secure = request_url.scheme in ("https", "wss")
        path = request_url.raw_path or "/"
        ip_host = not self._unsafe and _is_ip(host)
        now = time.time()
        chosen: list[Cookie] = []
        for key, cookie in list(self._cookies.items()):
            if cookie.expires is not None and cookie.expires <= now:
                del self._cookies[key]
                continue
            if cookie.domain:
                if ip_host:
                    continue
                if cookie.host_only:
                    if host != cookie.domain:
                        continue
                elif not domain_match(host, cookie.domain):
                    continue
            if not path_match(path, cookie.path) or (cookie.secure and not secure):
                continue
            chosen.append(cookie)
        chosen.sort(key=lambda c: (-len(c.path), c.created))
        out = SimpleCookie()
        for cookie in chosen:
            if cookie.name not in out:
                morsel: Morsel[str] = Morsel()
                morsel.set(cookie.name, cookie.value, cookie.value)
                out[cookie.name] = morsel
        return out


class DummyCookieJar(AbstractCookieJar):
    """A jar that stores nothing and sends nothing."""

    def update_cookies(self, cookies: CookiesArg, response_url: URL | None = None) -> None:
        """Ignore ``cookies``."""

    def update_cookies_from_headers(self, headers: Iterable[str], response_url: URL) -> None:
        """Ignore the headers."""

    def filter_cookies(self, request_url: URL) -> SimpleCookie:
        """No cookies."""
        return SimpleCookie()

    def clear(self) -> None:
        """Nothing to forget."""
