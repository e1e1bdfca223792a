"""``request()``: one request with a throw-away session, as an async context manager."""

from __future__ import annotations

from types import TracebackType

from typing_extensions import Unpack
from yarl import URL

from ._connector import BaseConnector
from ._response import ClientResponse
from ._session import ClientSession, RequestOptions

__all__ = ["request"]


class _SessionRequestContextManager:
    """Runs one request in its own session; both are closed on exit."""

    __slots__ = ("_kwargs", "_method", "_resp", "_session", "_url")

    def __init__(
        self,
        method: str,
        url: str | URL,
        session: ClientSession,
        kwargs: RequestOptions,
    ) -> None:
        self._method = method
        self._url = url
        self._session = session
        self._kwargs = kwargs
        self._resp: ClientResponse | None = None

    async def __aenter__(self) -> ClientResponse:
        try:
            self._resp = await self._session.request(self._method, self._url, **self._kwargs)
        except BaseException:
            await self._session.close()
            raise
        return self._resp

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._resp is not None:
            self._resp.release()
        await self._session.close()


def request(
    method: str,
    url: str | URL,
    *,
    connector: BaseConnector | None = None,
    **kwargs: Unpack[RequestOptions],
) -> _SessionRequestContextManager:
    """Send one request without managing a session::

        async with aioweb.client.request("GET", "http://127.0.0.1:8080/") as resp:
            body = await resp.read()

    Args:
        method: The request method.
        url: An absolute URL.
        connector: A connector to use (and close afterwards); a new
            :class:`TCPConnector` by default.
        **kwargs: As for :meth:`ClientSession.request`.
    """
    session = ClientSession(connector=connector)
    return _SessionRequestContextManager(method, url, session, kwargs)
