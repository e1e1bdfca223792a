"""The pytest plugin: fixtures, async tests without markers, leaked-session checks.

Built on pytest-asyncio. An ``async def`` test that requests one of the fixtures
here gets the ``asyncio`` marker at collection, so it runs in pytest-asyncio's
strict mode (its default) as well as in auto mode, with no configuration.
"""

from __future__ import annotations

import inspect
import re
import warnings
from collections.abc import AsyncIterator, Awaitable, Callable, Generator
from typing import Final

import pytest
import pytest_asyncio
from typing_extensions import Unpack

from aioweb.client import AbstractCookieJar
from aioweb.kernel import Application

from ._client import ClientOptions, TestClient
from ._factories import (
    AiowebClient,
    AiowebRawServer,
    AiowebServer,
    AiowebUnusedPort,
    ServerOptions,
)
from ._port import unused_port
from ._server import BaseTestServer, RawHandler, RawTestServer, TestServer

__all__ = [
    "FIXTURES",
    "aioweb_client",
    "aioweb_raw_server",
    "aioweb_server",
    "aioweb_unused_port",
    "pytest_pycollect_makeitem",
    "pytest_runtest_call",
]

#: The fixtures this plugin provides; a coroutine test that uses one runs with no marker.
FIXTURES: Final = frozenset(
    {"aioweb_client", "aioweb_server", "aioweb_raw_server", "aioweb_unused_port"}
)

# What aioweb.client's ClientSession and connectors warn when collected unclosed.
_LEAK: Final = re.compile(r"Unclosed (client session|connector)")


def _uses_aioweb(item: pytest.Item) -> bool:
    names: object = getattr(item, "fixturenames", ())
    return isinstance(names, list | tuple) and not FIXTURES.isdisjoint(names)


@pytest.hookimpl(wrapper=True, trylast=True)
def pytest_pycollect_makeitem(
    collector: pytest.Module | pytest.Class, name: str, obj: object
) -> Generator[None, object, object]:
    """Mark coroutine tests that use an aioweb fixture with ``asyncio``.

    ``trylast`` makes this wrapper the innermost one, so it runs before
    pytest-asyncio's wrapper turns marked coroutine functions into its items.
    """
    result = yield
    nodes = result if isinstance(result, list) else [result]
    for node in nodes:
        if (
            isinstance(node, pytest.Function)
            and inspect.iscoroutinefunction(node.obj)
            and node.get_closest_marker("asyncio") is None
            and _uses_aioweb(node)
        ):
            node.add_marker(pytest.mark.asyncio)
    return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, object, object]:
    """Fail a test that uses an aioweb fixture and leaves a ``ClientSession`` unclosed.

    The client warns ``Unclosed client session`` when an open session is
    garbage-collected; for a session held in the test's local variables that
    happens as the test returns. A session kept alive past the test (a global,
    a reference cycle) is not seen here.
    """
    if not _uses_aioweb(item):
        return (yield)
    with warnings.catch_warnings(record=True) as caught:
        warnings.filterwarnings("always", message=_LEAK.pattern, category=ResourceWarning)
        result = yield
    leaks = []
    for record in caught:
        if issubclass(record.category, ResourceWarning) and _LEAK.match(str(record.message)):
            leaks.append(str(record.message))
        else:  # not ours: hand it on to pytest's own warning capture
            warnings.warn_explicit(
                record.message,
                record.category,
                record.filename,
                record.lineno,
                source=record.source,
            )
    if leaks:
        sessions = sum(m.startswith("Unclosed client session") for m in leaks)
        pytest.fail(
            f"the test left {sessions or len(leaks)} aioweb client session(s) open; "
            "close them (`async with ClientSession() as session:` or `await session.close()`)"
            ", or use the aioweb_client fixture, which closes its clients:\n  "
            + "\n  ".join(leaks),
            pytrace=False,
        )
    return result


async def _close_all(closers: list[Callable[[], Awaitable[None]]]) -> None:
    """Run every closer (last opened first); re-raise the first failure at the end."""
    error: BaseException | None = None
    for close in reversed(closers):
        try:
            await close()
        except Exception as exc:
            error = error or exc
    if error is not None:
        raise error


@pytest_asyncio.fixture
async def aioweb_server() -> AsyncIterator[AiowebServer]:
    """A factory of started :class:`TestServer` s: ``server = await aioweb_server(app)``.

    Every server is closed at teardown.
    """
    closers: list[Callable[[], Awaitable[None]]] = []

    async def factory(app: Application, /, **options: Unpack[ServerOptions]) -> TestServer:
        server = TestServer(app, **options)
        closers.append(server.close)
        await server.start_server()
        return server

    yield factory
    await _close_all(closers)


@pytest_asyncio.fixture
async def aioweb_raw_server() -> AsyncIterator[AiowebRawServer]:
    """A factory of started :class:`RawTestServer` s: ``await aioweb_raw_server(handler)``.

    Every server is closed at teardown.
    """
    closers: list[Callable[[], Awaitable[None]]] = []

    async def factory(handler: RawHandler, /, **options: Unpack[ServerOptions]) -> RawTestServer:
        server = RawTestServer(handler, **options)
        closers.append(server.close)
        await server.start_server()
        return server

    yield factory
    await _close_all(closers)


@pytest_asyncio.fixture
async def aioweb_client() -> AsyncIterator[AiowebClient]:
    """A factory of started :class:`TestClient` s: ``client = await aioweb_client(app)``.

    It takes an ``Application`` (served by a new ``TestServer``), a ``TestServer``
    or a ``RawTestServer``. Every client, and so its server, is closed at teardown.
    """
    closers: list[Callable[[], Awaitable[None]]] = []

    async def factory(
        target: Application | BaseTestServer,
        /,
        *,
        server_kwargs: ServerOptions | None = None,
        cookie_jar: AbstractCookieJar | None = None,
        **options: Unpack[ClientOptions],
    ) -> TestClient:
        if isinstance(target, Application):
            server: BaseTestServer = TestServer(target, **(server_kwargs or {}))
        elif isinstance(target, BaseTestServer):
            if server_kwargs:
                raise TypeError("server_kwargs= is only for an Application")
            server = target
        else:
            raise TypeError(
                f"aioweb_client() takes an Application, a TestServer or a RawTestServer, "
                f"not {type(target).__name__}"
            )
        client = TestClient(server, cookie_jar=cookie_jar, **options)
        closers.append(client.close)
        await client.start_server()
        return client

    yield factory
    await _close_all(closers)


@pytest.fixture
def aioweb_unused_port() -> AiowebUnusedPort:
    """A factory of free TCP ports: ``port = aioweb_unused_port()``."""
    return unused_port
