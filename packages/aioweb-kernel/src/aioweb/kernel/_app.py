"""``Application``: routes, middlewares, signals and typed state; ``AppKey``."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Mapping, MutableMapping
from typing import TYPE_CHECKING, Any, Generic, TypeVar, final, overload

from ._errors import MissingPluginError
from ._interfaces import ROUTER, AbstractRouter, Handler, Middleware
from ._registry import ExtensionPoint, Registry, default_registry
from ._response import exception_response
from ._signals import FrozenList, Signal
from ._stream_response import StreamResponse
from ._web_exceptions import HTTPException

if TYPE_CHECKING:
    from ._request import Request

__all__ = ["AppKey", "Application", "CleanupContext", "CleanupError", "middleware"]

T = TypeVar("T")
K = TypeVar("K")
V = TypeVar("V")
M = TypeVar("M", bound=Callable[..., Any])

_logger = logging.getLogger("aioweb.kernel")


@final
class AppKey(Generic[T]):
    """A typed key for application state: ``app[AppKey("db", Database)]``.

    Args:
        name: shown in errors and reprs.
        t: the value's type (documentation and type inference only).
    """

    __slots__ = ("_name", "_t")

    def __init__(self, name: str, t: type[T] | None = None) -> None:
        self._name = name
        self._t = t

    @property
    def name(self) -> str:
        """The key's name."""
        return self._name

    def __repr__(self) -> str:
        t = getattr(self._t, "__qualname__", None)
        return f"<AppKey({self._name!r}, type={t})>" if t else f"<AppKey({self._name!r})>"


class CleanupError(RuntimeError):
    """One or more cleanup contexts failed; ``.args[1]`` lists the errors."""


class CleanupContext(FrozenList[Callable[["Application"], AsyncIterator[None]]]):
    """Async generators run to their ``yield`` at startup and resumed at cleanup."""

    __slots__ = ("_exits",)

    def __init__(self) -> None:
        super().__init__()
        self._exits: list[AsyncIterator[None]] = []

    async def _on_startup(self, app: Application) -> None:
        for factory in self:
            it = factory(app).__aiter__()
            await it.__anext__()
            self._exits.append(it)

    async def _on_cleanup(self, app: Application) -> None:
        errors: list[BaseException] = []
        for it in reversed(self._exits):
            try:
                await it.__anext__()
            except StopAsyncIteration:
                continue
            except Exception as exc:
                errors.append(exc)
            else:
                errors.append(RuntimeError(f"{it!r} has more than one 'yield'"))
        self._exits.clear()
        if len(errors) == 1:
            raise errors[0]
        if errors:
            raise CleanupError("multiple errors on cleanup", errors)


def middleware(func: M) -> M:
    """Mark ``func`` as a middleware (optional: any ``async (request, handler)`` is one)."""
    func.__middleware_version__ = 1  # type: ignore[attr-defined]
    return func


def _bind(mw: Middleware, inner: Handler) -> Handler:
    async def call(request: Request) -> StreamResponse:
        return await mw(request, inner)

    return call


async def _dispatch(request: Request) -> StreamResponse:
    """The innermost link: call the matched handler (async or plain)."""
    handler = request.match_info.handler
    result = handler(request)
    if isinstance(result, StreamResponse):
        return result
    if hasattr(result, "__await__"):
        result = await result
        if isinstance(result, StreamResponse):
            return result
    raise TypeError(f"handler {handler!r} returned {result!r}, not a response")


class Application(MutableMapping[str | AppKey[Any], Any]):
    """A web application: routes, middlewares, signals and state.

    Args:
        middlewares: ``async (request, handler)`` callables, outermost first.
        router: the router to use; by default the registry's ``router`` plugin.
        registry: the plugins to use; by default everything installed.
        client_max_size: the largest request body ``read()`` accepts (413 above).
        debug: enable debug behaviour in the pieces that have one.

    Raises:
        MissingPluginError: no router was given and no router plugin is installed.
    """

    __slots__ = (
        "__weakref__",
        "_chains",
        "_cleanup_ctx",
        "_client_max_size",
        "_debug",
        "_extensions",
        "_frozen",
        "_handler",
        "_middlewares",
        "_on_cleanup",
        "_on_response_prepare",
        "_on_shutdown",
        "_on_startup",
        "_registry",
        "_router",
        "_state",
        "_subapps",
        "_tail",
    )

    def __init__(
        self,
        *,
        middlewares: Iterable[Middleware] = (),
        router: AbstractRouter | None = None,
        registry: Registry | None = None,
        client_max_size: int = 1024**2,
        debug: bool = False,
    ) -> None:
        self._state: dict[str | AppKey[Any], Any] = {}
        self._registry = registry if registry is not None else default_registry()
        self._registry.load()
        if router is None:
            factory = self._registry.single(ROUTER)
            if factory is None:
                raise MissingPluginError(
                    "no router plugin is installed: pip install aioweb-routing (or pass router=)"
                )
            router = factory(registry=self._registry)
        self._router: AbstractRouter = router
        self._middlewares: FrozenList[Middleware] = FrozenList(middlewares)
        self._client_max_size = client_max_size
        self._debug = debug
        self._frozen = False
        self._on_startup: Signal[[Application]] = Signal()
        self._on_shutdown: Signal[[Application]] = Signal()
        self._on_cleanup: Signal[[Application]] = Signal()
        self._on_response_prepare: Signal[[Request, StreamResponse]] = Signal()
        self._cleanup_ctx = CleanupContext()
        self._on_startup.append(self._cleanup_ctx._on_startup)
        self._on_cleanup.append(self._cleanup_ctx._on_cleanup)
        self._subapps: list[Application] = []
        self._extensions: dict[str, Mapping[Any, Any]] = {}
        self._chains: dict[tuple[Application, ...], Handler] = {}
        self._handler: Handler | None = None
        self._tail: Handler = _dispatch

    # -- state ---------------------------------------------------------------------

    @overload
    def __getitem__(self, key: AppKey[T]) -> T: ...
    @overload
    def __getitem__(self, key: str) -> Any: ...
    def __getitem__(self, key: str | AppKey[Any]) -> Any:
        try:
            return self._state[key]
        except KeyError:
            raise KeyError(
                f"{key!r} is not set on this application (set app[key] = value before startup)"
            ) from None

    @overload  # type: ignore[override]
    def get(self, key: AppKey[T], default: None = None, /) -> T | None: ...
    @overload
    def get(self, key: AppKey[T], default: T, /) -> T: ...
    @overload
    def get(self, key: str, default: Any = None, /) -> Any: ...
    def get(self, key: str | AppKey[Any], default: Any = None, /) -> Any:
        """``app[key]``, or ``default`` when unset."""
        return self._state.get(key, default)

    def __setitem__(self, key: str | AppKey[Any], value: Any) -> None:
        self._check_frozen("set application state")
        self._state[key] = value

    def __delitem__(self, key: str | AppKey[Any]) -> None:
        self._check_frozen("delete application state")
        del self._state[key]

    def __iter__(self) -> Iterator[str | AppKey[Any]]:
        return iter(self._state)

    def __len__(self) -> int:
        return len(self._state)

    def __eq__(self, other: object) -> bool:
        return self is other

    def __hash__(self) -> int:
        return id(self)

    def __bool__(self) -> bool:
        return True

    def __call__(self) -> Application:
        """Return the application itself (gunicorn requires a callable app object)."""
        return self

    def __repr__(self) -> str:
        return f"<Application 0x{id(self):x}>"

    def _check_frozen(self, what: str) -> None:
        if self._frozen:
            raise RuntimeError(f"cannot {what}: the application is frozen (it has started)")

    # -- configuration -------------------------------------------------------------

    @property
    def router(self) -> AbstractRouter:
        """The router (``app.router.add_get(...)`` with ``aioweb-routing``)."""
        return self._router

    @property
    def registry(self) -> Registry:
        """The plugins this application uses."""
        return self._registry

    @property
    def middlewares(self) -> FrozenList[Middleware]:
        """The middlewares, outermost first (frozen at startup)."""
        return self._middlewares

    @property
    def client_max_size(self) -> int:
        """The largest request body ``Request.read()`` accepts."""
        return self._client_max_size

    @property
    def debug(self) -> bool:
        """Whether debug behaviour is on."""
        return self._debug

    @property
    def on_startup(self) -> Signal[[Application]]:
        """Callbacks ``async (app)`` run when the server starts."""
        return self._on_startup

    @property
    def on_shutdown(self) -> Signal[[Application]]:
        """Callbacks ``async (app)`` run when the server begins to stop."""
        return self._on_shutdown

    @property
    def on_cleanup(self) -> Signal[[Application]]:
        """Callbacks ``async (app)`` run after the server stopped."""
        return self._on_cleanup

    @property
    def on_response_prepare(self) -> Signal[[Request, StreamResponse]]:
        """Callbacks ``async (request, response)`` run before each response head is sent."""
        return self._on_response_prepare

    @property
    def cleanup_ctx(self) -> CleanupContext:
        """Async generators ``async (app)``: before ``yield`` at startup, after it at cleanup."""
        return self._cleanup_ctx

    def add_routes(self, routes: Iterable[object]) -> list[object]:
        """Register route definitions (``[web.get("/", handler), ...]``) on the router."""
        self._check_frozen("add routes")
        return list(self._router.add_routes(routes))

    def add_subapp(self, prefix: str, subapp: Application) -> object:
        """Mount ``subapp`` under ``prefix``; its signals run with this app's."""
        self._check_frozen("add a sub-application")
        self._check_subapp(subapp)
        resource = self._router.add_subapp(prefix, subapp)
        self._adopt(subapp)
        return resource

    def add_domain(self, domain: str, subapp: Application) -> object:
        """Serve ``subapp`` for requests whose ``Host`` matches ``domain``."""
        self._check_frozen("add a domain")
        self._check_subapp(subapp)
        resource = self._router.add_domain(domain, subapp)
        self._adopt(subapp)
        return resource

    def _check_subapp(self, subapp: Application) -> None:
        # Checked before the router mounts it, so a refused sub-app is not half-added.
        if subapp is self or subapp._frozen:
            raise RuntimeError("a sub-application must be a new, unstarted application")

    def _adopt(self, subapp: Application) -> None:
        self._subapps.append(subapp)

        async def start(_: Application) -> None:
            await subapp.startup()

        async def stop(_: Application) -> None:
            await subapp.shutdown()

        async def clean(_: Application) -> None:
            await subapp.cleanup()

        self._on_startup.append(start)
        self._on_shutdown.append(stop)
        self._on_cleanup.append(clean)

    # -- freezing and serving ----------------------------------------------------------

    @property
    def frozen(self) -> bool:
        """Whether the application was frozen (it is, once a server starts it)."""
        return self._frozen

    def freeze(self) -> None:
        """Freeze configuration and compose the middleware chain (idempotent)."""
        if self._frozen:
            return
        self._frozen = True
        for part in (
            self._middlewares,
            self._on_startup,
            self._on_shutdown,
            self._on_cleanup,
            self._on_response_prepare,
            self._cleanup_ctx,
        ):
            part.freeze()
        self._router.freeze()
        for sub in self._subapps:
            sub.freeze()
        self._handler = self._make_handler()

    def extension(self, point: ExtensionPoint[K, V]) -> Mapping[K, V]:
        """What the registry provides for ``point``, resolved once and cached."""
        found = self._extensions.get(point.name)
        if found is None:
            found = self._extensions[point.name] = self._registry.items(point)
        return found

    def _chain_for(self, apps: tuple[Application, ...]) -> Handler:
        chain = self._chains.get(apps)
        if chain is None:
            chain = _dispatch
            for app in reversed(apps):
                for mw in reversed(app._middlewares):
                    chain = _bind(mw, chain)
            self._chains[apps] = chain
        return chain

    def _make_handler(self) -> Handler:
        resolve = self._router.resolve
        root_chain = self._chain_for((self,))
        chain_for = self._chain_for

        async def handle(request: Request) -> StreamResponse:
            match = resolve(request)
            request._match_info = match
            apps = match.apps
            chain = chain_for((self, *apps)) if apps else root_chain
            try:
                return await chain(request)
            except HTTPException as exc:
                return exception_response(exc)

        return handle

    @property
    def handler(self) -> Handler:
        """The request entry point servers call, ``async (request) -> response``.

        Raises:
            RuntimeError: the application has not been frozen yet.
        """
        if self._handler is None:
            raise RuntimeError("call app.freeze() (the server does) before handling requests")
        return self._handler

    async def startup(self) -> None:
        """Run ``on_startup`` (and cleanup contexts up to their ``yield``)."""
        await self._on_startup.send(self)

    async def shutdown(self) -> None:
        """Run ``on_shutdown``."""
        await self._on_shutdown.send(self)

    async def cleanup(self) -> None:
        """Run ``on_cleanup`` (and the rest of the cleanup contexts)."""
        await self._on_cleanup.send(self)
