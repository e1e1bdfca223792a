"""The pytest plugin, run in a fresh pytest (``pytester``): strict mode, auto mode, leaks."""

from __future__ import annotations

import inspect

import pytest

import aioweb.testing.pytest_plugin as plugin

pytestmark = pytest.mark.loopback

SEED = """
from aioweb import web


async def test_hello(aioweb_client):
    app = web.Application()
    app.router.add_route('GET', '/', lambda _: web.Response(text="Hello, world!"))
    client = await aioweb_client(app)
    resp = await client.get('/')
    assert resp.status == 200
    text = await resp.text()
    assert text == "Hello, world!"
"""

#: A fresh pytest, no cache, no config file; the mode comes last.
BASE_ARGS = ("-p", "no:cacheprovider", "-o", "filterwarnings=")


def run(pytester: pytest.Pytester, source: str, *args: str) -> pytest.RunResult:
    pytester.makepyfile(test_inner=source)
    return pytester.runpytest_subprocess(*BASE_ARGS, *args, timeout=60)


@pytest.mark.parametrize("mode", ["strict", "auto"])
def test_seed_test_passes_unchanged(pytester: pytest.Pytester, mode: str) -> None:
    result = run(pytester, SEED, "-o", f"asyncio_mode={mode}")
    result.assert_outcomes(passed=1)
    result.stdout.no_fnmatch_line("*not natively supported*")


def test_seed_test_passes_with_no_options_at_all(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_inner=SEED)
    pytester.runpytest_subprocess(timeout=60).assert_outcomes(passed=1)


def test_strict_mode_leaves_other_async_tests_alone(pytester: pytest.Pytester) -> None:
    # The control: without an aioweb fixture, strict mode does not run the coroutine,
    # so the passing seed run above really is the plugin's doing.
    source = "async def test_plain():\n    assert False\n"
    result = run(pytester, source, "-o", "asyncio_mode=strict")
    outcomes = result.parseoutcomes()
    assert "passed" not in outcomes  # pytest 8 skips it, pytest 9 fails it
    result.stdout.fnmatch_lines(["*async def functions are not natively supported*"])


LIFECYCLE = """
import asyncio
import pytest
from aioweb import web

PORTS = []
EVENTS = []


async def hello(request):
    return web.Response(text="raw")


async def on_startup(app):
    EVENTS.append("startup")


async def on_cleanup(app):
    EVENTS.append("cleanup")


async def test_open(aioweb_server, aioweb_raw_server, aioweb_client):
    app = web.Application()
    app.on_startup.append(on_startup)
    app.on_cleanup.append(on_cleanup)
    server = await aioweb_server(app)
    raw = await aioweb_raw_server(hello)
    client = await aioweb_client(raw)
    other = await aioweb_client(web.Application())
    assert EVENTS == ["startup"]
    assert (await (await client.get("/")).text()) == "raw"
    PORTS.extend([server.port, raw.port, other.port])
    for port in PORTS:
        _, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), 5)
        writer.close()


class TestAfterwards:
    async def test_ports_are_closed(self, aioweb_unused_port):
        assert EVENTS == ["startup", "cleanup"]
        assert len(PORTS) == 3
        for port in PORTS:
            with pytest.raises(ConnectionRefusedError):
                await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), 5)


@pytest.mark.parametrize("n", [1, 2])
async def test_parametrized(aioweb_unused_port, n):
    assert 0 < aioweb_unused_port() < 65536


async def test_explicit_marker_still_fine(aioweb_server):
    pass


test_explicit_marker_still_fine = pytest.mark.asyncio(test_explicit_marker_still_fine)
"""


@pytest.mark.parametrize("mode", ["strict", "auto"])
def test_fixtures_close_servers_and_clients_at_teardown(
    pytester: pytest.Pytester, mode: str
) -> None:
    result = run(pytester, LIFECYCLE, "-o", f"asyncio_mode={mode}", "-p", "no:randomly")
    result.assert_outcomes(passed=5)


LEAK = """
from aioweb import web
from aioweb.client import ClientSession


async def test_leaks_a_session(aioweb_server):
    app = web.Application()
    app.router.add_get("/", lambda _: web.Response(text="x"))
    server = await aioweb_server(app)
    session = ClientSession()
    resp = await session.get(server.make_url("/"))
    assert await resp.text() == "x"


async def test_closes_its_session(aioweb_server):
    app = web.Application()
    app.router.add_get("/", lambda _: web.Response(text="x"))
    server = await aioweb_server(app)
    async with ClientSession() as session:
        resp = await session.get(server.make_url("/"))
        assert await resp.text() == "x"
"""


@pytest.mark.parametrize("warnings", ["default", "error"])
def test_a_leaked_client_session_fails_the_test(pytester: pytest.Pytester, warnings: str) -> None:
    # pytest-asyncio's own deprecation warning about an unset loop scope would be
    # an error under -W error: set it, as a project with filterwarnings=error does.
    scope = ("-o", "asyncio_default_fixture_loop_scope=function")
    result = run(pytester, LEAK, "-o", "asyncio_mode=strict", *scope, "-W", warnings)
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*test_leaks_a_session*",
            "*the test left 1 aioweb client session(s) open*",
            "*Unclosed client session*",
        ]
    )


OTHER_WARNING = """
import warnings


async def test_warns(aioweb_unused_port):
    warnings.warn("something else", UserWarning)
"""


def test_other_warnings_still_reach_pytest(pytester: pytest.Pytester) -> None:
    result = run(pytester, OTHER_WARNING, "-o", "asyncio_mode=strict")
    result.assert_outcomes(passed=1, warnings=1)
    result.stdout.fnmatch_lines(["*UserWarning: something else*"])


BAD_TARGET = """
import pytest


async def test_bad_target(aioweb_client):
    with pytest.raises(TypeError, match="takes an Application, a TestServer or a RawTestServer"):
        await aioweb_client("http://example.com")
"""


def test_client_factory_rejects_other_targets(pytester: pytest.Pytester) -> None:
    run(pytester, BAD_TARGET, "-o", "asyncio_mode=strict").assert_outcomes(passed=1)


def test_entry_point_names_the_public_module() -> None:
    from importlib.metadata import entry_points

    (ep,) = [e for e in entry_points(group="pytest11") if e.name == "aioweb"]
    assert ep.value == "aioweb.testing.pytest_plugin"
    assert ep.load() is plugin


def test_fixtures_are_the_documented_set() -> None:
    assert {
        "aioweb_client",
        "aioweb_server",
        "aioweb_raw_server",
        "aioweb_unused_port",
    } == plugin.FIXTURES
    for name in plugin.FIXTURES:
        assert hasattr(plugin, name)
    assert inspect.isfunction(plugin.pytest_pycollect_makeitem)
