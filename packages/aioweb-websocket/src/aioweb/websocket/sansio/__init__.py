"""Sans-IO WebSocket codec (RFC 6455 + RFC 7692 permessage-deflate): bytes in, events out.

``FrameReader`` turns a peer's bytes into complete messages and control frames,
enforcing masking, fragmentation, UTF-8 and size rules; ``FrameWriter`` builds the
frames one role sends; the handshake helpers validate and build opening handshakes.
Nothing here imports asyncio, sockets, time or logging.
"""

from ._deflate import DeflateParams as DeflateParams
from ._deflate import Deflater as Deflater
from ._deflate import Inflater as Inflater
from ._deflate import accept_deflate_offer as accept_deflate_offer
from ._deflate import deflate_offer as deflate_offer
from ._deflate import deflate_pair as deflate_pair
from ._deflate import parse_deflate_response as parse_deflate_response
from ._deflate import parse_extensions as parse_extensions
from ._errors import HandshakeError as HandshakeError
from ._errors import WebSocketProtocolError as WebSocketProtocolError
from ._events import NEED_DATA as NEED_DATA
from ._events import BinaryMessage as BinaryMessage
from ._events import Close as Close
from ._events import Event as Event
from ._events import Opcode as Opcode
from ._events import Ping as Ping
from ._events import Pong as Pong
from ._events import Signal as Signal
from ._events import TextMessage as TextMessage
from ._events import is_valid_close_code as is_valid_close_code
from ._handshake import ClientHandshake as ClientHandshake
from ._handshake import ServerAccept as ServerAccept
from ._handshake import accept_key as accept_key
from ._handshake import accept_request as accept_request
from ._handshake import check_response as check_response
from ._handshake import client_request as client_request
from ._mask import PURE_MASKER as PURE_MASKER
from ._mask import MaskBackend as MaskBackend
from ._mask import Masker as Masker
from ._mask import MaskFunc as MaskFunc
from ._mask import apply_mask as apply_mask
from ._mask import get_masker as get_masker
from ._reader import DEFAULT_MAX_MSG_SIZE as DEFAULT_MAX_MSG_SIZE
from ._reader import FrameReader as FrameReader
from ._writer import FrameWriter as FrameWriter
from ._writer import encode_frame as encode_frame
from ._writer import encode_frame_parts as encode_frame_parts

__all__ = [
    "DEFAULT_MAX_MSG_SIZE",
    "NEED_DATA",
    "PURE_MASKER",
    "BinaryMessage",
    "ClientHandshake",
    "Close",
    "DeflateParams",
    "Deflater",
    "Event",
    "FrameReader",
    "FrameWriter",
    "HandshakeError",
    "Inflater",
    "MaskBackend",
    "MaskFunc",
    "Masker",
    "Opcode",
    "Ping",
    "Pong",
    "ServerAccept",
    "Signal",
    "TextMessage",
    "WebSocketProtocolError",
    "accept_deflate_offer",
    "accept_key",
    "accept_request",
    "apply_mask",
    "check_response",
    "client_request",
    "deflate_offer",
    "deflate_pair",
    "encode_frame",
    "encode_frame_parts",
    "get_masker",
    "is_valid_close_code",
    "parse_deflate_response",
    "parse_extensions",
]
