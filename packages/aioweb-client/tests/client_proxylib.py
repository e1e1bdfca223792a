"""A real tinyproxy on 127.0.0.1 for the proxy tests, and trustme TLS contexts."""

from __future__ import annotations

import shutil
import socket
import ssl
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import trustme

TINYPROXY = shutil.which("tinyproxy") or "/usr/bin/tinyproxy"
#: Upper bound for tinyproxy to start accepting, and to stop.
START_TIMEOUT = 5.0


def have_tinyproxy() -> bool:
    """Whether the tinyproxy binary is installed."""
    return Path(TINYPROXY).exists()


def _accepting(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


@contextmanager
def tinyproxy(
    tmp: Path,
    port: int,
    *,
    connect_ports: tuple[int, ...] = (),
    auth: tuple[str, str] | None = None,
    via: bool = True,
) -> Iterator[str]:
    """Run tinyproxy in the foreground on ``127.0.0.1:port``; yields its URL.

    ``connect_ports`` are the only ports CONNECT may reach (RFC 9110 §9.3.6
    advises proxies to restrict them); ``auth`` makes it demand Basic credentials.
    """
    lines = [
        f"Port {port}",
        "Listen 127.0.0.1",
        "Allow 127.0.0.1",
        "Timeout 10",
        "MaxClients 20",
        "LogLevel Info",
    ]
    lines += [f"ConnectPort {p}" for p in connect_ports]
    if auth is not None:
        lines.append(f"BasicAuth {auth[0]} {auth[1]}")
    if not via:
        lines.append("DisableViaHeader Yes")
    conf = tmp / f"tinyproxy-{port}.conf"
    conf.write_text("\n".join(lines) + "\n")
    log = (tmp / f"tinyproxy-{port}.log").open("wb")
    proc = subprocess.Popen(
        [TINYPROXY, "-d", "-c", str(conf)], stdout=log, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not _accepting(port):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    f"tinyproxy did not start on port {port}: "
                    + (tmp / f"tinyproxy-{port}.log").read_text(errors="replace")[-2000:]
                )
            time.sleep(0.02)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(START_TIMEOUT)
        except subprocess.TimeoutExpired:  # pragma: no cover - tinyproxy ignores SIGTERM
            proc.kill()
            proc.wait(START_TIMEOUT)
        log.close()


def tls_contexts(identity: str = "127.0.0.1") -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """(server context with a cert for ``identity``, client context trusting its CA)."""
    ca = trustme.CA()
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(identity).configure_cert(server)
    client = ssl.create_default_context()
    ca.configure_trust(client)
    return server, client
