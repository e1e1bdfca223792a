"""aioweb's client against aioweb's server (the seed app in a subprocess)."""

from __future__ import annotations

import subprocess

import pytest

from aioweb.client import ClientResponseError, ClientSession, TCPConnector

pytestmark = pytest.mark.loopback


async def test_client_talks_to_the_seed_app(seed_server: tuple[str, subprocess.Popen[str]]) -> None:
    base, _ = seed_server
    connector = TCPConnector(limit=1)  # one connection: keep-alive reuse or it blocks
    async with ClientSession(base, connector=connector) as session:
        for name in ("a", "b", "c"):
            async with session.get(f"/hello/{name}") as resp:
                assert resp.status == 200
                assert await resp.text() == f"Hello, {name}"
        resp = await session.get("/welcome")
        assert resp.status == 200
        assert [r.status for r in resp.history] == [302]
        assert await resp.text() == "Welcome to aioweb!"
        resp = await session.get("/welcome", allow_redirects=False)
        assert (resp.status, resp.headers["Location"]) == (302, "/")
        resp.release()
        async with session.post("/hello", data=b"x" * 10) as resp:
            assert resp.status == 405
            with pytest.raises(ClientResponseError) as info:
                resp.raise_for_status()
            assert info.value.status == 405
        async with session.get("/static/hello.txt") as resp:
            assert await resp.read() == b"Hello from a static file.\n"
