"""Building a request from the session defaults: URL, body, and the headers to send."""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from typing import Any, Final

from multidict import CIMultiDict
from yarl import URL

from ._auth import BasicAuth
from ._cookiejar import AbstractCookieJar, CookiesArg
from ._decompress import accept_encoding
from ._errors import InvalidURL
from ._formdata import FormData
from ._options import Params
from ._payload import Body, bytes_body, make_body
from ._pool import BaseConnector
from ._request import host_header

__all__ = ["RequestBuilder"]

_USER_AGENT: Final = f"Python/{sys.version_info[0]}.{sys.version_info[1]} aioweb-client"


class RequestBuilder:
    """What :class:`ClientSession` uses to turn its defaults and a call into a request."""

    _base_url: URL | None
    _connector: BaseConnector
    _cookie_jar: AbstractCookieJar
    _headers: CIMultiDict[str]
    _json_serialize: Callable[[Any], str]
    _auto_decompress: bool

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
        url: URL,
        extra: CIMultiDict[str],
        skip: frozenset[str],
        body: Body | None,
        method: str,
        chunked: bool,
        auth: BasicAuth | None,
        cookies: CookiesArg | None,
    ) -> CIMultiDict[str]:
        headers = CIMultiDict(self._headers)
        for name in extra:
            headers.popall(name, None)
        headers.extend(extra)
        if "host" not in skip and "Host" not in headers:
            headers["Host"] = host_header(url)
        for name, value in (("User-Agent", _USER_AGENT), ("Accept", "*/*")):
            if name.lower() not in skip:
                headers.setdefault(name, value)
        if self._auto_decompress and "accept-encoding" not in skip:
            headers.setdefault("Accept-Encoding", accept_encoding())
        if auth is not None:
            headers["Authorization"] = auth.encode()
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
