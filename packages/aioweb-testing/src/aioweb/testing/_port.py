"""``unused_port``: a TCP port on the loopback interface that nothing listens on."""

from __future__ import annotations

import socket

__all__ = ["unused_port"]


def unused_port(host: str = "127.0.0.1") -> int:
    """Return a TCP port that is free on ``host`` right now.

    The port is found by binding port 0 and closing the socket, so another
    process may take it before you do: prefer ``TestServer()`` without a port
    (it binds port 0 itself, with no such race) when you only need a server.

    Args:
        host: The interface to probe (IPv4 or IPv6 literal).

    Returns:
        The port number.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
    return port
