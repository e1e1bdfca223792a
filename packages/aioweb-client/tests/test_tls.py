"""TLS: certificates are verified by default; ``ssl=False`` and a context opt out."""

from __future__ import annotations

import shutil
import ssl
import subprocess
import sys
from pathlib import Path

import pytest

from aioweb.client import ClientConnectorCertificateError, ClientSession, TCPConnector
from aioweb.kernel import Request, Response, StreamResponse
from aioweb.testing import AiowebRawServer

# Python 3.10's asyncio (the legacy sslproto) leaves the server's SSL app transport
# unclosed when a TLS handshake fails (here: the client refuses our self-signed
# certificate), and warns when it is collected; 3.11's rewrite does not.
_PY310_SERVER_SSL_WARNING = (
    [pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")]
    if sys.version_info < (3, 11)
    else []
)
pytestmark = [
    *_PY310_SERVER_SSL_WARNING,
    pytest.mark.loopback,
    pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command"),
]


async def hello(request: Request) -> StreamResponse:
    return Response(text="secure")


@pytest.fixture(scope="module")
def cert(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    tmp = tmp_path_factory.mktemp("tls")
    key, crt = tmp / "key.pem", tmp / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost",
         "-keyout", str(key), "-out", str(crt)],
        check=True, capture_output=True, timeout=30,
    )  # fmt: skip
    return key, crt


# On Python 3.10 the *server's* SSL transport (aioweb-http, not this package) warns
# "unclosed transport" when collected after the peer closed; reported to the http owner.
async def test_verification_on_by_default(
    no_fd_leak: None, cert: tuple[Path, Path], aioweb_raw_server: AiowebRawServer
) -> None:
    key, crt = cert
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_ctx.load_cert_chain(crt, key)
    server = await aioweb_raw_server(hello, ssl_context=server_ctx)
    url = f"https://localhost:{server.port}/"
    async with ClientSession() as session:
        with pytest.raises(ClientConnectorCertificateError) as info:
            await session.get(url)
        assert info.value.port == server.port
    unverified = ClientSession(connector=TCPConnector(ssl=False))
    async with unverified as session, session.get(url) as resp:
        assert await resp.text() == "secure"
    trusted = ssl.create_default_context(cafile=str(crt))
    async with ClientSession() as session, session.get(url, ssl=trusted) as resp:
        assert await resp.text() == "secure"
