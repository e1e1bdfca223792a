"""The access log: aiohttp's format directives, one line per request at INFO."""

from __future__ import annotations

import logging

import pytest
from server_testlib import serve

from aioweb.http import AbstractAccessLogger, AccessLogger
from aioweb.kernel import Request, Response, StreamResponse

pytestmark = pytest.mark.loopback


async def handler(request: Request) -> StreamResponse:
    return Response(text="hello", headers={"X-Out": "yes"})


async def test_default_format_line(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="aioweb.access"):
        async with serve(handler) as live, live.connect() as conn:
            await conn.send(
                b"GET /p?q=1 HTTP/1.1\r\nHost: x\r\nReferer: http://r/\r\nUser-Agent: ua/1\r\n\r\n"
            )
            await conn.response()
    lines = [r.getMessage() for r in caplog.records if r.name == "aioweb.access"]
    assert len(lines) == 1
    line = lines[0]
    assert line.startswith("127.0.0.1 [")
    assert line.endswith(
        ' "GET /p?q=1 HTTP/1.1" 200 ' + line.split(" 200 ")[1].split()[0] + ' "http://r/" "ua/1"'
    )
    size = int(line.split(" 200 ")[1].split()[0])
    assert size > len(b"hello")  # the head counts too, as in aiohttp


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [
        pytest.param("%s %r", "200 GET /x HTTP/1.1", id="status-line"),
        pytest.param("%{X-Out}o|%{X-In}i|%{Missing}i", "yes|in|-", id="headers"),
        pytest.param("100%% %s", "100% 200", id="percent"),
        pytest.param("literal only", "literal only", id="literal"),
    ],
)
async def test_format_directives(caplog: pytest.LogCaptureFixture, fmt: str, expected: str) -> None:
    with caplog.at_level(logging.INFO, logger="aioweb.access"):
        async with serve(handler, access_log_format=fmt) as live, live.connect() as conn:
            await conn.send(b"GET /x HTTP/1.1\r\nHost: x\r\nX-In: in\r\n\r\n")
            await conn.response()
    assert [r.getMessage() for r in caplog.records if r.name == "aioweb.access"] == [expected]


async def test_timing_directives(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="aioweb.access"):
        async with serve(handler, access_log_format="%D %Tf %T %P") as live, live.connect() as c:
            await c.send(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            await c.response()
    micros, seconds, whole, pid = caplog.records[-1].getMessage().split()
    assert int(micros) >= 0
    assert float(seconds) >= 0
    assert whole == "0"
    assert pid.startswith("<")


async def test_disabled_when_not_at_info(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="aioweb.access"):
        async with serve(handler) as live, live.connect() as conn:
            await conn.send(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            await conn.response()
    assert not [r for r in caplog.records if r.name == "aioweb.access"]


async def test_none_disables_it(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="aioweb.access"):
        async with serve(handler, access_log=None) as live, live.connect() as conn:
            await conn.send(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            await conn.response()
    assert not [r for r in caplog.records if r.name == "aioweb.access"]


class Recorder(AbstractAccessLogger):
    seen: list[tuple[str, int]] = []

    def log(self, request: Request, response: StreamResponse, duration: float, sent: int) -> None:
        Recorder.seen.append((request.path, response.status))


async def test_custom_class(caplog: pytest.LogCaptureFixture) -> None:
    Recorder.seen.clear()
    with caplog.at_level(logging.INFO, logger="aioweb.access"):
        async with serve(handler, access_log_class=Recorder) as live, live.connect() as conn:
            await conn.send(b"GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n")
            await conn.response()
            await conn.response()
    assert Recorder.seen == [("/a", 200), ("/b", 200)]


def test_a_failing_piece_is_logged_not_raised(caplog: pytest.LogCaptureFixture) -> None:
    logger = AccessLogger(logging.getLogger("aioweb.access"), "%a")
    with caplog.at_level(logging.INFO, logger="aioweb.access"):
        logger.log(object(), Response(), 0.0, 0)  # type: ignore[arg-type]
    assert "error in the access log format" in caplog.text
