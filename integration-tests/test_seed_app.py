"""The seed example under ``run_app`` in a subprocess, driven by curl, httpx and raw sockets."""

from __future__ import annotations

import asyncio
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from conftest import free_port, serving

pytestmark = pytest.mark.loopback

CURL = shutil.which("curl")


def _port(base: str) -> int:
    return int(base.rsplit(":", 1)[1])


def test_httpx_routes_and_keep_alive(seed_server: tuple[str, subprocess.Popen[str]]) -> None:
    base, _ = seed_server
    connects: list[str] = []

    def trace(event: str, info: object) -> None:
        if event.startswith("connection.connect_tcp.complete"):
            connects.append(event)

    with httpx.Client(base_url=base, timeout=5) as client:
        for path, text in [
            ("/", "Welcome to aioweb!"),
            ("/hello", "Hello, Anonymous"),
            ("/hello/bob", "Hello, bob"),
            ("/hello/J%C3%BCrgen", "Hello, Jürgen"),
        ]:
            resp = client.get(path, extensions={"trace": trace})
            assert resp.status_code == 200, path
            assert resp.text == text
            assert resp.headers["content-type"] == "text/plain; charset=utf-8"
    assert len(connects) == 1  # one keep-alive connection served all four requests


def test_httpx_404_405_redirect(seed_server: tuple[str, subprocess.Popen[str]]) -> None:
    base, _ = seed_server
    with httpx.Client(base_url=base, timeout=5, follow_redirects=False) as client:
        assert client.get("/nope").status_code == 404
        resp = client.post("/hello")
        assert resp.status_code == 405
        assert set(resp.headers["allow"].split(",")) == {"GET", "HEAD"}
        resp = client.get("/welcome")
        assert resp.status_code == 302
        assert resp.headers["location"] == "/"
        assert client.get("/welcome", follow_redirects=True).text == "Welcome to aioweb!"
        assert client.head("/hello/x").status_code == 200


@pytest.mark.skipif(CURL is None, reason="curl is not installed")
def test_curl_reuses_one_connection(seed_server: tuple[str, subprocess.Popen[str]]) -> None:
    base, _ = seed_server
    assert CURL is not None
    out = subprocess.run(
        [CURL, "-sv", f"{base}/hello/a", f"{base}/hello/b", f"{base}/welcome"],
        capture_output=True,
        text=True,
        timeout=10,
        check=True,
    )
    assert "Hello, aHello, b" in out.stdout
    assert "Re-using existing connection" in out.stderr
    assert "< HTTP/1.1 302 Found" in out.stderr
    assert "< Location: /" in out.stderr


@pytest.mark.skipif(CURL is None, reason="curl is not installed")
def test_curl_chunked_upload_gets_an_answer(
    seed_server: tuple[str, subprocess.Popen[str]],
) -> None:
    base, _ = seed_server
    assert CURL is not None
    out = subprocess.run(
        [
            CURL,
            "-s",
            "-o",
            "/dev/null",
            "-w",
            "%{http_code}",
            "-H",
            "Transfer-Encoding: chunked",
            "--data-binary",
            "x" * 5000,
            f"{base}/hello",
        ],
        capture_output=True,
        text=True,
        timeout=10,
        check=True,
    )
    assert out.stdout == "405"


def _raw(base: str, data: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", _port(base)), timeout=5) as sock:
        sock.sendall(data)
        chunks = []
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            chunk = sock.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
        return b"".join(chunks)


def test_two_pipelined_requests_answered_in_order(
    seed_server: tuple[str, subprocess.Popen[str]],
) -> None:
    base, _ = seed_server
    data = _raw(
        base,
        b"GET /hello/first HTTP/1.1\r\nHost: x\r\n\r\n"
        b"GET /hello/second HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    )
    assert data.count(b"HTTP/1.1 200 OK") == 2
    assert data.index(b"Hello, first") < data.index(b"Hello, second")


@pytest.mark.parametrize(
    ("raw", "status"),
    [
        pytest.param(b"NOT A REQUEST\r\n\r\n", b"400", id="malformed-request-line"),
        pytest.param(b"GET / HTTP/1.1\r\n\r\n", b"400", id="missing-host"),
        pytest.param(
            b"POST /hello HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n",
            b"400",
            id="cl-and-te",
        ),
    ],
)
def test_bad_input_is_4xx_and_the_server_survives(
    seed_server: tuple[str, subprocess.Popen[str]], raw: bytes, status: bytes
) -> None:
    base, proc = seed_server
    assert _raw(base, raw).startswith(b"HTTP/1.1 " + status)
    assert httpx.get(f"{base}/", timeout=5).text == "Welcome to aioweb!"
    assert proc.poll() is None


def test_ctrl_c_shuts_down_cleanly(repo_root: Path) -> None:
    script = str(repo_root / "examples" / "seed_app.py")
    port = free_port()
    env = {"AIOWEB_DEMO_HOST": "127.0.0.1", "AIOWEB_DEMO_PORT": str(port)}
    with serving([sys.executable, script], env=env, port=port) as served:
        assert httpx.get(f"{served.base}/hello/x", timeout=5).text == "Hello, x"
        code = served.stop(signal.SIGINT, timeout=10)
    out = served.output
    assert code == 0
    assert "Traceback" not in out
    assert f"Running on http://127.0.0.1:{port}" in out
    # The seed middleware printed around the request: before, then after.
    assert out.index("处理请求前") < out.index("处理请求后")


async def test_seed_websocket_echo(seed_server: tuple[str, subprocess.Popen[str]]) -> None:
    import websockets

    base, _ = seed_server
    url = base.replace("http://", "ws://") + "/ws"
    async with websockets.connect(url, open_timeout=5, close_timeout=5) as ws:
        await ws.send("bob")
        assert await asyncio.wait_for(ws.recv(), 5) == "Hello, bob"
        await ws.send("close")
        with pytest.raises(websockets.ConnectionClosedOK):
            await asyncio.wait_for(ws.recv(), 5)
    assert ws.close_code == 1000


@pytest.mark.parametrize(
    ("path", "status", "body"),
    [
        pytest.param("/static/hello.txt", 200, b"Hello from a static file.\n", id="seed-handler"),
        pytest.param("/static/missing.txt", 404, None, id="seed-handler-missing"),
        pytest.param("/static/..%2F..%2Fseed_app.py", 404, None, id="seed-handler-traversal"),
        pytest.param("/files/hello.txt", 200, b"Hello from a static file.\n", id="add-static"),
        pytest.param("/files/../seed_app.py", 404, None, id="add-static-traversal"),
        pytest.param("/files/%2e%2e/seed_app.py", 404, None, id="add-static-encoded-traversal"),
    ],
)
def test_seed_static_files(
    seed_server: tuple[str, subprocess.Popen[str]], path: str, status: int, body: bytes | None
) -> None:
    base, _ = seed_server
    with socket.create_connection(("127.0.0.1", _port(base)), timeout=5) as sock:
        # Raw bytes: clients would normalise the dot segments away before sending.
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, payload = data.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 %d " % status), head
    if body is not None:
        assert payload == body


def test_seed_static_directory_listing(seed_server: tuple[str, subprocess.Popen[str]]) -> None:
    base, _ = seed_server
    resp = httpx.get(f"{base}/files/", timeout=5)
    assert resp.status_code == 200
    assert "hello.txt" in resp.text
    assert resp.headers["content-type"].startswith("text/html")
