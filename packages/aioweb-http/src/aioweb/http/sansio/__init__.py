"""Sans-IO HTTP/1.1 codec: bytes in, events out, no I/O.

``RequestParser`` (server side) and ``ResponseParser`` (client side) turn bytes
into head, body and end events under strict RFC 9112 framing; the serializers
build request and response heads and chunks. ``HttptoolsRequestParser`` is the
same request parser with httptools tokenising the header fields;
``make_request_parser`` picks one. Nothing here imports asyncio,
sockets or logging: the I/O layer owns buffering, flow control and timers.
"""

from ._backend import ParserBackend as ParserBackend
from ._backend import RequestParserProtocol as RequestParserProtocol
from ._backend import make_request_parser as make_request_parser
from ._codings import SUPPORTED_CODINGS as SUPPORTED_CODINGS
from ._codings import ContentDecoder as ContentDecoder
from ._codings import make_content_decoder as make_content_decoder
from ._codings import supported_codings as supported_codings
from ._errors import LocalProtocolError as LocalProtocolError
from ._errors import ParseError as ParseError
from ._errors import SpeedupsUnavailableError as SpeedupsUnavailableError
from ._events import NEED_DATA as NEED_DATA
from ._events import PAUSED as PAUSED
from ._events import BodyChunk as BodyChunk
from ._events import MessageEnd as MessageEnd
from ._events import RequestEvent as RequestEvent
from ._events import RequestHead as RequestHead
from ._events import ResponseEvent as ResponseEvent
from ._events import ResponseHead as ResponseHead
from ._events import Signal as Signal
from ._httptools_parser import HttptoolsRequestParser as HttptoolsRequestParser
from ._limits import DEFAULT_LIMITS as DEFAULT_LIMITS
from ._limits import Limits as Limits
from ._parser import RequestParser as RequestParser
from ._response_parser import ResponseParser as ResponseParser
from ._writer import LAST_CHUNK as LAST_CHUNK
from ._writer import encode_chunk as encode_chunk
from ._writer import reason_phrase as reason_phrase
from ._writer import request_head as request_head
from ._writer import response_head as response_head

__all__ = [
    "DEFAULT_LIMITS",
    "LAST_CHUNK",
    "NEED_DATA",
    "PAUSED",
    "SUPPORTED_CODINGS",
    "BodyChunk",
    "ContentDecoder",
    "HttptoolsRequestParser",
    "Limits",
    "LocalProtocolError",
    "MessageEnd",
    "ParseError",
    "ParserBackend",
    "RequestEvent",
    "RequestHead",
    "RequestParser",
    "RequestParserProtocol",
    "ResponseEvent",
    "ResponseHead",
    "ResponseParser",
    "Signal",
    "SpeedupsUnavailableError",
    "encode_chunk",
    "make_content_decoder",
    "make_request_parser",
    "reason_phrase",
    "request_head",
    "response_head",
    "supported_codings",
]
