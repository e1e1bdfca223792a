"""WebSocketConnection against a fake transport: the edges a real socket rarely shows."""

from __future__ import annotations

import asyncio
import errno

from ws_testlib import TIMEOUT, client_frame

from aioweb.websocket import WebSocketConnection, WSMsgType
from aioweb.websocket.sansio import FrameReader, FrameWriter


class GoneTransport(asyncio.Transport):
    """A transport whose peer vanished: ``write_eof`` fails with ENOTCONN."""

    def __init__(self) -> None:
        super().__init__()
        self.written: list[bytes] = []
        self.aborted = False

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self.written.append(bytes(data))

    def can_write_eof(self) -> bool:
        return True

    def write_eof(self) -> None:
        raise OSError(errno.ENOTCONN, "Transport endpoint is not connected")

    def is_closing(self) -> bool:
        return self.aborted

    def abort(self) -> None:
        self.aborted = True

    def close(self) -> None:
        self.aborted = True

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass


def _server() -> tuple[WebSocketConnection, GoneTransport]:
    conn = WebSocketConnection(FrameReader(client=False), FrameWriter(client=False))
    transport = GoneTransport()
    conn.connection_made(transport)
    return conn, transport


async def test_a_deferred_failure_on_a_vanished_peer_does_not_raise_into_receive() -> None:
    conn, transport = _server()
    conn.data_received(client_frame(0x1, b"ok") + client_frame(0x1, b"x", rsv1=True))
    first = await conn.receive(TIMEOUT)
    assert (first.type, first.data) == (WSMsgType.TEXT, "ok")
    assert transport.written == []  # nothing is failed before the application read "ok"
    error = await conn.receive(TIMEOUT)
    assert error.type is WSMsgType.ERROR
    assert conn.close_code == 1002
    close = transport.written[-1]
    assert (close[0], close[2:4]) == (0x88, b"\x03\xea")  # a close frame, code 1002
    assert transport.aborted


async def test_answers_to_queued_messages_leave_in_one_write_before_the_close() -> None:
    conn, transport = _server()
    conn.data_received(b"".join(client_frame(0x1, b"%d" % i) for i in range(3)))
    for _ in range(3):
        msg = await conn.receive(TIMEOUT)
        await conn.send_str(msg.data)
    assert transport.written == [b"\x81\x010\x81\x011\x81\x012"]
    conn.connection_lost(None)
