"""Building a request from the session defaults: URL, body, and the headers to send.

The plain request (a URL seen before, no per-call headers, body, credentials or
cookies) is the common case: its URL and its default headers come from small
caches, the headers with their serialized field lines, so the head is written
without walking them again.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from typing import Any, Final

from multidict import CIMultiDict
from yarl import URL

from ._auth import BasicAuth
from ._cookiejar import AbstractCookieJar, CookieJar, CookiesArg, DummyCookieJar
from ._decompress import accept_encoding
from ._errors import InvalidURL
from ._formdata import FormData
from ._options import Params
from ._payload import Body, bytes_body, make_body
from ._pool import BaseConnector
from ._request import headers_version, host_header, serialized_fields

__all__ = ["PreparedURL", "RequestBuilder"]

_USER_AGENT: Final = f"Python/{sys.version_info[0]}.{sys.version_info[1]} aioweb-client"
#: Entries of each per-session cache; a full cache starts again empty.
_CACHE_SIZE: Final = 256

#: A request URL as the session uses it: (URL without credentials, the
#: credentials it carried or None, its Host header).
PreparedURL = tuple[URL, BasicAuth | None, str]
#: The default headers of one (Host, method): the headers, their serialized
#: field lines (see ``serialized_fields``), and whether they ask for chunked.
_Defaults = tuple[CIMultiDict[str], bytes, bool]
_NO_HEADERS: Final[CIMultiDict[str]] = CIMultiDict()


class RequestBuilder:
    """What :class:`ClientSession` uses to turn its defaults and a call into a request."""

    _base_url: URL | None
    _connector: BaseConnector
    _cookie_jar: AbstractCookieJar
    _headers: CIMultiDict[str]
    _json_serialize: Callable[[Any], str]
    _auto_decompress: bool
    _skip_auto_headers: frozenset[str]
    _urls: dict[str | URL, PreparedURL]
    _defaults: dict[tuple[str, str], _Defaults]
    _defaults_version: int

    def _prepare_url(self, str_or_url: str | URL, params: Params | None) -> PreparedURL:
        """The URL to request, its credentials and its Host header (cached without params).

        Raises:
            InvalidURL: The URL is not a valid absolute http(s) URL.
        """
        if not params:
            prepared = self._urls.get(str_or_url)
            if prepared is not None:
                return prepared
        url = self._build_url(str_or_url, params)
        auth = BasicAuth.from_url(url)
        if auth is not None:
            url = url.with_user(None)
        prepared = (url, auth, host_header(url))
        if not params:
            if len(self._urls) >= _CACHE_SIZE:
                self._urls.clear()
            self._urls[str_or_url] = prepared
        return prepared

    def _default_headers(self, host: str, method: str) -> tuple[CIMultiDict[str], bytes, bool]:
        """A copy of the headers of a plain request, their field lines and chunked flag.

        Valid while the session's ``headers`` are unchanged (their multidict
        version is checked).
        """
        version = headers_version(self._headers)
        if version != self._defaults_version:
            self._defaults.clear()
            self._defaults_version = version
        key = (host, method)
        entry = self._defaults.get(key)
        if entry is None:
            headers = self._headers_for(
                None, host, _NO_HEADERS, self._skip_auto_headers, None, method, False, None, None
            )
            chunked = "chunked" in headers.get("Transfer-Encoding", "").lower()
            entry = (headers, serialized_fields(headers.items()), chunked)
            if len(self._defaults) >= _CACHE_SIZE:
                self._defaults.clear()
            self._defaults[key] = entry
        template, lines, chunked = entry
        return CIMultiDict(template), lines, chunked

    def _plain(self, auth: BasicAuth | None, cookies: CookiesArg | None) -> bool:
        """Whether the session's defaults alone make the headers (no cookie to send)."""
        if auth is not None or cookies:
            return False
        jar = self._cookie_jar
        # Only the built-in jars are known to send nothing when empty.
        return (type(jar) is CookieJar and not len(jar)) or type(jar) is DummyCookieJar

    def _build_url(self, str_or_url: str | URL, params: Params | None) -> URL:
        try:
            url = URL(str_or_url)
            if self._base_url is not None and not url.is_absolute():
                url = self._base_url.join(url)
            if params:
                url = url.extend_query(params)
        except (ValueError, TypeError) as exc:
            raise InvalidURL(str_or_url, str(exc)) from exc
        if url.scheme not in ("http", "https"):
            raise InvalidURL(url, "only http and https URLs can be requested")
        if not url.raw_host:
            raise InvalidURL(url, "the URL has no host")
        return url

    def _body(self, data: object, json_value: Any) -> Body | None:
        if json_value is not None:
            if data is not None:
                raise ValueError("data= and json= cannot be used together")
            return bytes_body(self._json_serialize(json_value).encode("utf-8"), "application/json")
        if isinstance(data, FormData):
            return data.to_body()
        if isinstance(data, Mapping):
            return FormData(data).to_body()
        return make_body(data)

    def _headers_for(  # noqa: PLR0917
        self,
        url: URL | None,
        host: str,
        extra: CIMultiDict[str],
        skip: frozenset[str],
        body: Body | None,
        method: str,
        chunked: bool,
        auth: BasicAuth | None,
        cookies: CookiesArg | None,
    ) -> CIMultiDict[str]:
        """Every header of a request; ``url`` None: no cookie from the jar."""
        headers = CIMultiDict(self._headers)
        for name in extra:
            headers.popall(name, None)
        headers.extend(extra)
        if "host" not in skip and "Host" not in headers:
            headers["Host"] = host
        for name, value in (("User-Agent", _USER_AGENT), ("Accept", "*/*")):
            if name.lower() not in skip:
                headers.setdefault(name, value)
        if self._auto_decompress and "accept-encoding" not in skip:
            headers.setdefault("Accept-Encoding", accept_encoding())
        if auth is not None:
            headers["Authorization"] = auth.encode()
        pairs = []
        if url is not None:
            jar = self._cookie_jar.filter_cookies(url)
            pairs = [f"{m.key}={m.coded_value}" for m in jar.values()]
        if cookies:
            items = cookies.items() if isinstance(cookies, Mapping) else cookies
            pairs.extend(f"{k}={getattr(v, 'coded_value', v)}" for k, v in items)
        if pairs and "Cookie" not in headers:
            headers["Cookie"] = "; ".join(pairs)
        if body is not None:
            if body.content_type and "Content-Type" not in headers:
                headers["Content-Type"] = body.content_type
            if "Content-Length" not in headers and "Transfer-Encoding" not in headers:
                if chunked or body.length is None:
                    headers["Transfer-Encoding"] = "chunked"
                else:
                    headers["Content-Length"] = str(body.length)
        elif method in ("POST", "PUT", "PATCH") and "Content-Length" not in headers:
            headers["Content-Length"] = "0"
        if self._connector.force_close and "Connection" not in headers:
            headers["Connection"] = "close"
        return headers
