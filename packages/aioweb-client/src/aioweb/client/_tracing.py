"""``TraceConfig``: hooks called at the steps of a request, with aiohttp's signal names.

Each hook is ``async def hook(session, trace_config_ctx, params)``. A session
with no trace configs builds no trace objects: the request path only checks an
empty tuple.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, Final, Generic, TypeVar

from multidict import CIMultiDict
from yarl import URL

if TYPE_CHECKING:
    from ._response import ClientResponse
    from ._session import ClientSession

__all__ = [
    "Trace",
    "TraceConfig",
    "TraceConnectionCreateEndParams",
    "TraceConnectionCreateStartParams",
    "TraceConnectionQueuedEndParams",
    "TraceConnectionQueuedStartParams",
    "TraceConnectionReuseconnParams",
    "TraceDnsCacheHitParams",
    "TraceDnsCacheMissParams",
    "TraceDnsResolveHostEndParams",
    "TraceDnsResolveHostStartParams",
    "TraceRequestChunkSentParams",
    "TraceRequestEndParams",
    "TraceRequestExceptionParams",
    "TraceRequestHeadersSentParams",
    "TraceRequestRedirectParams",
    "TraceRequestStartParams",
    "TraceResponseChunkReceivedParams",
    "TraceSignal",
    "make_traces",
]

P = TypeVar("P")


@dataclass(frozen=True, slots=True)
class TraceRequestStartParams:
    """``on_request_start``: a request (or a redirect hop) is about to be sent."""

    method: str
    url: URL
    headers: CIMultiDict[str]


@dataclass(frozen=True, slots=True)
class TraceRequestHeadersSentParams:
    """``on_request_headers_sent``: the request head was written to the connection."""

    method: str
    url: URL
    headers: CIMultiDict[str]


@dataclass(frozen=True, slots=True)
class TraceRequestChunkSentParams:
    """``on_request_chunk_sent``: a piece of the request body was written."""

    method: str
    url: URL
    chunk: bytes


@dataclass(frozen=True, slots=True)
class TraceResponseChunkReceivedParams:
    """``on_response_chunk_received``: body bytes were read (the whole body, by ``read()``)."""

    method: str
    url: URL
    chunk: bytes


@dataclass(frozen=True, slots=True)
class TraceRequestEndParams:
    """``on_request_end``: the final response head arrived."""

    method: str
    url: URL
    headers: CIMultiDict[str]
    response: ClientResponse


@dataclass(frozen=True, slots=True)
class TraceRequestExceptionParams:
    """``on_request_exception``: the request failed with ``exception``."""

    method: str
    url: URL
    headers: CIMultiDict[str]
    exception: BaseException


@dataclass(frozen=True, slots=True)
class TraceRequestRedirectParams:
    """``on_request_redirect``: ``response`` is a redirect that will be followed."""

    method: str
    url: URL
    headers: CIMultiDict[str]
    response: ClientResponse


@dataclass(frozen=True, slots=True)
class TraceConnectionQueuedStartParams:
    """``on_connection_queued_start``: no free slot in the pool; the request waits."""


@dataclass(frozen=True, slots=True)
class TraceConnectionQueuedEndParams:
    """``on_connection_queued_end``: the waiting request got a slot (or gave up)."""


@dataclass(frozen=True, slots=True)
class TraceConnectionCreateStartParams:
    """``on_connection_create_start``: a new connection is being opened."""


@dataclass(frozen=True, slots=True)
class TraceConnectionCreateEndParams:
    """``on_connection_create_end``: the new connection is open."""


@dataclass(frozen=True, slots=True)
class TraceConnectionReuseconnParams:
    """``on_connection_reuseconn``: an idle pooled connection is reused."""


@dataclass(frozen=True, slots=True)
class TraceDnsResolveHostStartParams:
    """``on_dns_resolvehost_start``: ``host`` is being resolved."""

    host: str


@dataclass(frozen=True, slots=True)
class TraceDnsResolveHostEndParams:
    """``on_dns_resolvehost_end``: ``host`` was resolved."""

    host: str


@dataclass(frozen=True, slots=True)
class TraceDnsCacheHitParams:
    """``on_dns_cache_hit``: the answer for ``host`` came from the connector's cache."""

    host: str


@dataclass(frozen=True, slots=True)
class TraceDnsCacheMissParams:
    """``on_dns_cache_miss``: ``host`` is not in the connector's cache."""

    host: str


Hook = Callable[["ClientSession", SimpleNamespace, P], Awaitable[None]]


class TraceSignal(Generic[P]):
    """A list of hooks, frozen when the first session uses its :class:`TraceConfig`."""

    __slots__ = ("_frozen", "_hooks")

    def __init__(self) -> None:
        self._hooks: list[Hook[P]] = []
        self._frozen = False

    @property
    def frozen(self) -> bool:
        """Whether hooks can no longer be added."""
        return self._frozen

    def append(self, hook: Hook[P]) -> None:
        """Add ``hook``.

        Raises:
            RuntimeError: The signal is frozen.
        """
        if self._frozen:
            raise RuntimeError("cannot add a hook: the TraceConfig is in use by a session")
        self._hooks.append(hook)

    def freeze(self) -> None:
        """Refuse further hooks."""
        self._frozen = True

    def __len__(self) -> int:
        return len(self._hooks)

    async def send(self, session: ClientSession, ctx: SimpleNamespace, params: P) -> None:
        """Call every hook in order."""
        for hook in self._hooks:
            await hook(session, ctx, params)


class TraceConfig:
    """A set of hooks to attach to sessions: ``ClientSession(trace_configs=[config])``.

    Args:
        trace_config_ctx_factory: Builds the per-request context object handed to
            every hook, called with ``trace_request_ctx=`` (the request's
            ``trace_request_ctx`` argument); ``SimpleNamespace`` by default.
    """

    def __init__(
        self, trace_config_ctx_factory: Callable[..., SimpleNamespace] = SimpleNamespace
    ) -> None:
        self._factory = trace_config_ctx_factory
        self.on_request_start: TraceSignal[TraceRequestStartParams] = TraceSignal()
        self.on_request_headers_sent: TraceSignal[TraceRequestHeadersSentParams] = TraceSignal()
        self.on_request_chunk_sent: TraceSignal[TraceRequestChunkSentParams] = TraceSignal()
        self.on_response_chunk_received: TraceSignal[TraceResponseChunkReceivedParams] = (
            TraceSignal()
        )
        self.on_request_end: TraceSignal[TraceRequestEndParams] = TraceSignal()
        self.on_request_exception: TraceSignal[TraceRequestExceptionParams] = TraceSignal()
        self.on_request_redirect: TraceSignal[TraceRequestRedirectParams] = TraceSignal()
        self.on_connection_queued_start: TraceSignal[TraceConnectionQueuedStartParams] = (
            TraceSignal()
        )
        self.on_connection_queued_end: TraceSignal[TraceConnectionQueuedEndParams] = TraceSignal()
        self.on_connection_create_start: TraceSignal[TraceConnectionCreateStartParams] = (
            TraceSignal()
        )
        self.on_connection_create_end: TraceSignal[TraceConnectionCreateEndParams] = TraceSignal()
        self.on_connection_reuseconn: TraceSignal[TraceConnectionReuseconnParams] = TraceSignal()
        self.on_dns_resolvehost_start: TraceSignal[TraceDnsResolveHostStartParams] = TraceSignal()
        self.on_dns_resolvehost_end: TraceSignal[TraceDnsResolveHostEndParams] = TraceSignal()
        self.on_dns_cache_hit: TraceSignal[TraceDnsCacheHitParams] = TraceSignal()
        self.on_dns_cache_miss: TraceSignal[TraceDnsCacheMissParams] = TraceSignal()

    def trace_config_ctx(self, trace_request_ctx: Any = None) -> SimpleNamespace:
        """A new context object for one request."""
        return self._factory(trace_request_ctx=trace_request_ctx)

    def freeze(self) -> None:
        """Freeze every signal (done by the session that receives this config)."""
        for value in vars(self).values():
            if isinstance(value, TraceSignal):
                value.freeze()

    @property
    def frozen(self) -> bool:
        """Whether the config is in use by a session."""
        return self.on_request_start.frozen


class Trace:
    """One trace config bound to one request: what the client calls at each step.

    Args:
        session: The session sending the request.
        config: The trace config.
        ctx: The context object of this request.
    """

    __slots__ = ("_config", "_ctx", "_session")

    def __init__(self, session: ClientSession, config: TraceConfig, ctx: SimpleNamespace) -> None:
        self._session = session
        self._config = config
        self._ctx = ctx

    async def _send(self, signal: TraceSignal[P], params: P) -> None:
        if len(signal):
            await signal.send(self._session, self._ctx, params)

    async def request_start(self, method: str, url: URL, headers: CIMultiDict[str]) -> None:
        """Fire ``on_request_start``."""
        await self._send(
            self._config.on_request_start, TraceRequestStartParams(method, url, headers)
        )

    async def request_headers_sent(self, method: str, url: URL, headers: CIMultiDict[str]) -> None:
        """Fire ``on_request_headers_sent``."""
        await self._send(
            self._config.on_request_headers_sent,
            TraceRequestHeadersSentParams(method, url, headers),
        )

    async def request_chunk_sent(self, method: str, url: URL, chunk: bytes) -> None:
        """Fire ``on_request_chunk_sent``."""
        await self._send(
            self._config.on_request_chunk_sent, TraceRequestChunkSentParams(method, url, chunk)
        )

    async def response_chunk_received(self, method: str, url: URL, chunk: bytes) -> None:
        """Fire ``on_response_chunk_received``."""
        await self._send(
            self._config.on_response_chunk_received,
            TraceResponseChunkReceivedParams(method, url, chunk),
        )

    async def request_end(
        self, method: str, url: URL, headers: CIMultiDict[str], response: ClientResponse
    ) -> None:
        """Fire ``on_request_end``."""
        await self._send(
            self._config.on_request_end, TraceRequestEndParams(method, url, headers, response)
        )

    async def request_exception(
        self, method: str, url: URL, headers: CIMultiDict[str], exception: BaseException
    ) -> None:
        """Fire ``on_request_exception``."""
        await self._send(
            self._config.on_request_exception,
            TraceRequestExceptionParams(method, url, headers, exception),
        )

    async def request_redirect(
        self, method: str, url: URL, headers: CIMultiDict[str], response: ClientResponse
    ) -> None:
        """Fire ``on_request_redirect``."""
        await self._send(
            self._config.on_request_redirect,
            TraceRequestRedirectParams(method, url, headers, response),
        )

    async def connection_queued_start(self) -> None:
        """Fire ``on_connection_queued_start``."""
        await self._send(self._config.on_connection_queued_start, _QUEUED_START)

    async def connection_queued_end(self) -> None:
        """Fire ``on_connection_queued_end``."""
        await self._send(self._config.on_connection_queued_end, _QUEUED_END)

    async def connection_create_start(self) -> None:
        """Fire ``on_connection_create_start``."""
        await self._send(self._config.on_connection_create_start, _CREATE_START)

    async def connection_create_end(self) -> None:
        """Fire ``on_connection_create_end``."""
        await self._send(self._config.on_connection_create_end, _CREATE_END)

    async def connection_reuseconn(self) -> None:
        """Fire ``on_connection_reuseconn``."""
        await self._send(self._config.on_connection_reuseconn, _REUSE)

    async def dns_resolvehost_start(self, host: str) -> None:
        """Fire ``on_dns_resolvehost_start``."""
        await self._send(
            self._config.on_dns_resolvehost_start, TraceDnsResolveHostStartParams(host)
        )

    async def dns_resolvehost_end(self, host: str) -> None:
        """Fire ``on_dns_resolvehost_end``."""
        await self._send(self._config.on_dns_resolvehost_end, TraceDnsResolveHostEndParams(host))

    async def dns_cache_hit(self, host: str) -> None:
        """Fire ``on_dns_cache_hit``."""
        await self._send(self._config.on_dns_cache_hit, TraceDnsCacheHitParams(host))

    async def dns_cache_miss(self, host: str) -> None:
        """Fire ``on_dns_cache_miss``."""
        await self._send(self._config.on_dns_cache_miss, TraceDnsCacheMissParams(host))


_QUEUED_START: Final = TraceConnectionQueuedStartParams()
_QUEUED_END: Final = TraceConnectionQueuedEndParams()
_CREATE_START: Final = TraceConnectionCreateStartParams()
_CREATE_END: Final = TraceConnectionCreateEndParams()
_REUSE: Final = TraceConnectionReuseconnParams()


def make_traces(
    session: ClientSession, configs: tuple[TraceConfig, ...], trace_request_ctx: Any
) -> tuple[Trace, ...]:
    """One :class:`Trace` per config for a new request."""
    return tuple(Trace(session, c, c.trace_config_ctx(trace_request_ctx)) for c in configs)
