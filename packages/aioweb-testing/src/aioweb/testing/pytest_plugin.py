"""The pytest plugin (entry point ``pytest11``): the ``aioweb_*`` fixtures.

Fixtures: ``aioweb_client``, ``aioweb_server``, ``aioweb_raw_server`` and
``aioweb_unused_port``. An ``async def`` test that uses one of them runs under
pytest-asyncio with no marker, in strict and in auto mode.
"""

# A public module that only re-exports, like a package __init__ (CONVENTIONS §3).
# ruff: noqa: PLC0414

from ._factories import AiowebClient as AiowebClient
from ._factories import AiowebRawServer as AiowebRawServer
from ._factories import AiowebServer as AiowebServer
from ._factories import AiowebUnusedPort as AiowebUnusedPort
from ._pytest_plugin import FIXTURES as FIXTURES
from ._pytest_plugin import aioweb_client as aioweb_client
from ._pytest_plugin import aioweb_raw_server as aioweb_raw_server
from ._pytest_plugin import aioweb_server as aioweb_server
from ._pytest_plugin import aioweb_unused_port as aioweb_unused_port
from ._pytest_plugin import pytest_pycollect_makeitem as pytest_pycollect_makeitem
from ._pytest_plugin import pytest_runtest_call as pytest_runtest_call

__all__ = [
    "FIXTURES",
    "AiowebClient",
    "AiowebRawServer",
    "AiowebServer",
    "AiowebUnusedPort",
    "aioweb_client",
    "aioweb_raw_server",
    "aioweb_server",
    "aioweb_unused_port",
    "pytest_pycollect_makeitem",
    "pytest_runtest_call",
]
