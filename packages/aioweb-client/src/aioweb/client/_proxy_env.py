"""Choosing a proxy: explicit ``proxy=`` URLs and, with ``trust_env=True``, the environment.

Variables, read at request time (never at import): ``http_proxy`` for ``http``
URLs, ``https_proxy`` for ``https`` URLs, ``all_proxy`` as the fallback for
both; the lower-case name wins over the upper-case one. ``HTTP_PROXY`` is
ignored when ``REQUEST_METHOD`` is set (a CGI process, where a client's
``Proxy:`` header becomes ``HTTP_PROXY``: "httpoxy", CVE-2016-5385).
``no_proxy``/``NO_PROXY`` is a comma- or space-separated list: ``*`` (no proxy
at all), a host name that also covers its subdomains (``example.com`` and
``.example.com`` both match ``example.com`` and ``a.example.com``), an IP
address, or either with ``:port`` to match that port only. CIDR ranges are
not supported. A proxy URL without a scheme is taken as ``http://``;
credentials in it become the proxy's Basic credentials.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Final

from yarl import URL

from ._auth import BasicAuth
from ._errors import InvalidURL

__all__ = ["bypass_proxy", "env_proxy_for", "fixed_proxy", "normalize_proxy", "proxy_for"]

#: A proxy URL (without credentials) and the credentials for it.
ProxyChoice = tuple[URL, BasicAuth | None]

_DEFAULT_PORTS: Final = {"http": 80, "https": 443}


def normalize_proxy(proxy: str | URL, proxy_auth: BasicAuth | None) -> tuple[URL, BasicAuth | None]:
    """The proxy URL without credentials, and the credentials to use for it.

    Raises:
        InvalidURL: The URL is not an ``http://`` URL with a host.
    """
    try:
        text = str(proxy)
        url = URL(text if "://" in text else f"http://{text}")
    except (ValueError, TypeError) as exc:
        raise InvalidURL(proxy, f"invalid proxy URL: {exc}") from exc
    if url.scheme != "http":
        raise InvalidURL(url, "only http:// proxies are supported")
    if not url.raw_host:
        raise InvalidURL(url, "the proxy URL has no host")
    if url.user is not None or url.password is not None:
        proxy_auth = proxy_auth or BasicAuth.from_url(url)
        url = url.with_user(None)
    return url.with_path("").with_query(None).with_fragment(None), proxy_auth


def _strip_brackets(host: str) -> str:
    return host[1:-1] if host.startswith("[") and host.endswith("]") else host


def _split_entry(entry: str) -> tuple[str, int | None]:
    if entry.startswith("["):  # [v6]:port or [v6]
        host, _, rest = entry[1:].partition("]")
        port = rest[1:] if rest.startswith(":") else ""
        return host, int(port) if port.isdigit() else None
    if entry.count(":") == 1:
        host, _, port = entry.partition(":")
        return host, int(port) if port.isdigit() else None
    return entry, None  # a host, or a bare IPv6 address


def bypass_proxy(url: URL, no_proxy: str) -> bool:
    """Whether ``url`` is excluded from proxying by a ``no_proxy`` value."""
    host = _strip_brackets((url.raw_host or "").lower()).rstrip(".")
    port = url.port or _DEFAULT_PORTS.get(url.scheme)
    for raw in no_proxy.replace(",", " ").split():
        entry = raw.strip().lower()
        if entry == "*":
            return True
        name, entry_port = _split_entry(entry)
        name = name.lstrip(".").rstrip(".")
        if not name or (entry_port is not None and entry_port != port):
            continue
        if host == name or host.endswith("." + name):
            return True
    return False


def _get(environ: Mapping[str, str], name: str) -> str | None:
    value = environ.get(name)
    if value is None and not (name == "http_proxy" and "REQUEST_METHOD" in environ):
        value = environ.get(name.upper())
    return value.strip() if value and value.strip() else None


def env_proxy_for(
    url: URL, environ: Mapping[str, str] | None = None
) -> tuple[URL, BasicAuth | None] | None:
    """The proxy the environment names for ``url``, or None to connect directly.

    Raises:
        InvalidURL: The variable holds an unusable proxy URL.
    """
    env = os.environ if environ is None else environ
    no_proxy = _get(env, "no_proxy")
    if no_proxy is not None and bypass_proxy(url, no_proxy):
        return None
    value = _get(env, f"{url.scheme}_proxy") or _get(env, "all_proxy")
    if value is None:
        return None
    return normalize_proxy(value, None)


def fixed_proxy(
    proxy: str | URL | None, proxy_auth: BasicAuth | None, session_proxy: ProxyChoice | None
) -> ProxyChoice | None:
    """The proxy given by the request (or else the session), before the environment.

    Raises:
        InvalidURL: ``proxy`` is not an ``http://`` URL.
    """
    if proxy is not None:
        return normalize_proxy(proxy, proxy_auth)
    if session_proxy is not None and proxy_auth is not None:
        return session_proxy[0], proxy_auth
    return session_proxy


def proxy_for(
    url: URL, fixed: ProxyChoice | None, trust_env: bool
) -> tuple[URL | None, BasicAuth | None]:
    """The proxy for one request hop: the fixed one, else the environment's, else none."""
    if fixed is not None:
        return fixed
    if trust_env:
        found = env_proxy_for(url)
        if found is not None:
            return found
    return None, None
