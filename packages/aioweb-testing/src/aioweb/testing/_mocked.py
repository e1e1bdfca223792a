"""``make_mocked_request``: a ``Request`` for calling a handler without a server."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping

from multidict import CIMultiDict, CIMultiDictProxy, MultiMapping

from aioweb.kernel import EMPTY_PAYLOAD, Application, MatchInfo, Request, StreamReader

__all__ = ["MockedWriter", "make_mocked_request"]

HeadersArg = Mapping[str, str] | Iterable[tuple[str, str]]


def _no_handler(request: Request) -> None:
    raise RuntimeError("a mocked request's match_info has no handler")


class MockedWriter:
    """A ``ResponseWriter`` that keeps what a response writes, for assertions.

    ``make_mocked_request`` puts one under every request it builds, so
    ``await response.prepare(request)``, ``write`` and ``write_eof`` work; find it
    again as ``request.writer``. The body is kept without chunk framing.

    Attributes:
        status: The status sent with the head (``None`` until then).
        reason: The reason phrase sent with the head.
        headers: The head's header fields.
        chunked: Whether the head asked for chunked framing.
        keep_alive: Whether the head asked to keep the connection.
        body: The body bytes written so far.
        eof: Whether the response ended.
        taken_over: The protocol the connection was handed to, if any.
    """

    def __init__(self) -> None:
        self.status: int | None = None
        self.reason: str | None = None
        self.headers: CIMultiDictProxy[str] = CIMultiDictProxy(CIMultiDict())
        self.chunked = False
        self.keep_alive = True
        self.body = bytearray()
        self.eof = False
        self.taken_over: asyncio.BaseProtocol | None = None

    def send_head(
        self,
        status: int,
        reason: str,
        headers: MultiMapping[str],
        *,
        chunked: bool,
        keep_alive: bool,
    ) -> None:
        """Record the head (a second head is a bug in the caller)."""
        if self.status is not None:
            raise RuntimeError("the response head was already sent")
        self.status = status
        self.reason = reason
        self.headers = CIMultiDictProxy(CIMultiDict(headers))
        self.chunked = chunked
        self.keep_alive = keep_alive

    def write(self, data: bytes, /) -> None:
        """Record body bytes."""
        if self.eof:
            raise RuntimeError("write() after write_eof()")
        self.body += data

    def write_eof(self, data: bytes = b"", /) -> None:
        """Record the last body bytes and the end of the response."""
        if self.eof:
            return
        self.body += data
        self.eof = True

    async def drain(self) -> None:
        """Nothing to flush."""

    @property
    def transport(self) -> asyncio.Transport | None:
        """Always ``None``: there is no connection."""
        return None

    def take_over(self, protocol: asyncio.BaseProtocol, /) -> None:
        """Record the protocol (there is no connection to hand over)."""
        self.taken_over = protocol


class _MockedRequest(Request):
    """A ``Request`` whose ``match_info`` is given rather than found by a router."""

    __slots__ = ("_mocked_match",)
    _mocked_match: MatchInfo

    @property
    def match_info(self) -> MatchInfo:
        """The match given to ``make_mocked_request``."""
        return self._mocked_match


def _payload_stream(payload: bytes | StreamReader) -> StreamReader:
    if isinstance(payload, StreamReader):
        return payload
    if not payload:
        return EMPTY_PAYLOAD
    stream = StreamReader()
    stream.feed_data(bytes(payload))
    stream.feed_eof()
    return stream


def make_mocked_request(
    method: str,
    path: str,
    headers: HeadersArg | None = None,
    *,
    app: Application | None = None,
    match_info: Mapping[str, str] | None = None,
    payload: bytes | StreamReader = b"",
    version: tuple[int, int] = (1, 1),
    client_max_size: int = 1024**2,
    writer: MockedWriter | None = None,
    transport: asyncio.Transport | None = None,
    scheme: str = "http",
) -> Request:
    """Build a ``Request`` to call a handler with directly, without a server.

    The request has a :class:`MockedWriter` (``request.writer``), so a response
    can be prepared and written against it.

    Args:
        method: The method (upper-cased).
        path: The request-target, e.g. ``"/a/b?c=1"``.
        headers: Header fields, as a mapping or ``(name, value)`` pairs.
        app: The application (``request.app``, ``config_dict``, body decoders).
            Without one, ``request.app`` raises.
        match_info: The dynamic path parts a router would have matched.
        payload: The body: bytes (ended at once) or a ``StreamReader`` fed by the test.
        version: The HTTP version.
        client_max_size: The body size limit for ``read()``/``post()``.
        writer: The writer to record into (a new :class:`MockedWriter` by default).
        transport: The transport ``request.transport`` returns.
        scheme: ``"http"`` or ``"https"``.

    Returns:
        The request.
    """
    fields: CIMultiDict[str] = CIMultiDict(headers or ())
    request = _MockedRequest(
        method.upper(),
        path,
        version=version,
        headers=fields,
        payload=_payload_stream(payload),
        writer=writer if writer is not None else MockedWriter(),
        app=app,
        transport=transport,
        keep_alive=version >= (1, 1),
        client_max_size=client_max_size,
        scheme=scheme,
    )
    request._mocked_match = MatchInfo(match_info or {}, _no_handler)
    return request
