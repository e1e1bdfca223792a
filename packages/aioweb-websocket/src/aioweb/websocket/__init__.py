"""aioweb WebSocket: ``WebSocketResponse``, the message types and the connection object.

The wire format lives in the sans-IO :mod:`aioweb.websocket.sansio`.
"""

from ._api import WebSocketMessages as WebSocketMessages
from ._client import ClientWebSocketResponse as ClientWebSocketResponse
from ._client import HandshakeReader as HandshakeReader
from ._client import WSServerHandshakeError as WSServerHandshakeError
from ._client import client_connection as client_connection
from ._client import ws_connect as ws_connect
from ._connection import WebSocketConnection as WebSocketConnection
from ._response import WebSocketResponse as WebSocketResponse
from ._response import make_server_connection as make_server_connection
from ._types import WSCloseCode as WSCloseCode
from ._types import WSMessage as WSMessage
from ._types import WSMsgType as WSMsgType
from .sansio import HandshakeError as HandshakeError
from .sansio import WebSocketProtocolError as WebSocketProtocolError

__all__ = [
    "ClientWebSocketResponse",
    "HandshakeError",
    "HandshakeReader",
    "WSCloseCode",
    "WSMessage",
    "WSMsgType",
    "WSServerHandshakeError",
    "WebSocketConnection",
    "WebSocketMessages",
    "WebSocketProtocolError",
    "WebSocketResponse",
    "client_connection",
    "make_server_connection",
    "ws_connect",
]
