"""aioweb kernel: Application, Request, responses, HTTP exceptions and the plugin registry."""

from ._app import AppKey as AppKey
from ._app import Application as Application
from ._app import CleanupContext as CleanupContext
from ._app import CleanupError as CleanupError
from ._app import middleware as middleware
from ._compression import Compressor as Compressor
from ._compression import ContentCoding as ContentCoding
from ._compression import add_vary as add_vary
from ._compression import available_codings as available_codings
from ._compression import make_compressor as make_compressor
from ._compression import negotiate_coding as negotiate_coding
from ._cookies import format_set_cookie as format_set_cookie
from ._cookies import parse_cookie_header as parse_cookie_header
from ._dates import format_http_date as format_http_date
from ._dates import parse_http_date as parse_http_date
from ._deprecation import AiowebDeprecationWarning as AiowebDeprecationWarning
from ._deprecation import warn_deprecated as warn_deprecated
from ._errors import AiowebError as AiowebError
from ._errors import MissingPluginError as MissingPluginError
from ._errors import PluginConflictError as PluginConflictError
from ._errors import PluginError as PluginError
from ._errors import PluginLoadError as PluginLoadError
from ._errors import PluginVersionError as PluginVersionError
from ._interfaces import BODY_DECODER as BODY_DECODER
from ._interfaces import CLI as CLI
from ._interfaces import MIDDLEWARE as MIDDLEWARE
from ._interfaces import RESOURCE as RESOURCE
from ._interfaces import ROUTER as ROUTER
from ._interfaces import SERVER as SERVER
from ._interfaces import UPGRADE as UPGRADE
from ._interfaces import AbstractRouter as AbstractRouter
from ._interfaces import BodyDecoder as BodyDecoder
from ._interfaces import CliCommand as CliCommand
from ._interfaces import Handler as Handler
from ._interfaces import Middleware as Middleware
from ._interfaces import MiddlewareFactory as MiddlewareFactory
from ._interfaces import ResourceFactory as ResourceFactory
from ._interfaces import ResponseWriter as ResponseWriter
from ._interfaces import RouterFactory as RouterFactory
from ._interfaces import ServeApp as ServeApp
from ._interfaces import UpgradeHandler as UpgradeHandler
from ._interfaces import switch_protocols as switch_protocols
from ._match_info import MatchInfo as MatchInfo
from ._media import parse_media_type as parse_media_type
from ._registry import ENTRY_POINT_GROUP as ENTRY_POINT_GROUP
from ._registry import PLUGIN_API as PLUGIN_API
from ._registry import ExtensionPoint as ExtensionPoint
from ._registry import Plugin as Plugin
from ._registry import PluginInfo as PluginInfo
from ._registry import PluginSpec as PluginSpec
from ._registry import Registry as Registry
from ._registry import default_registry as default_registry
from ._request import FileField as FileField
from ._request import RawHeaders as RawHeaders
from ._request import Request as Request
from ._response import Response as Response
from ._response import exception_response as exception_response
from ._response import json_response as json_response
from ._signals import FrozenList as FrozenList
from ._signals import Signal as Signal
from ._status import REASON_PHRASES as REASON_PHRASES
from ._status import reason_phrase as reason_phrase
from ._stream_response import StreamResponse as StreamResponse
from ._streams import EMPTY_PAYLOAD as EMPTY_PAYLOAD
from ._streams import EofStream as EofStream
from ._streams import PayloadError as PayloadError
from ._streams import StreamReader as StreamReader
from ._version import __getattr__ as __getattr__
from ._web_exceptions import *  # noqa: F403 - the whole HTTPException family
from ._web_exceptions import __all__ as _exc_all

__all__ = [  # noqa: PLE0604 - built from the exception module's list
    "BODY_DECODER",
    "CLI",
    "EMPTY_PAYLOAD",
    "ENTRY_POINT_GROUP",
    "MIDDLEWARE",
    "PLUGIN_API",
    "REASON_PHRASES",
    "RESOURCE",
    "ROUTER",
    "SERVER",
    "UPGRADE",
    "AbstractRouter",
    "AiowebDeprecationWarning",
    "AiowebError",
    "AppKey",
    "Application",
    "BodyDecoder",
    "CleanupContext",
    "CleanupError",
    "CliCommand",
    "Compressor",
    "ContentCoding",
    "EofStream",
    "ExtensionPoint",
    "FileField",
    "FrozenList",
    "Handler",
    "MatchInfo",
    "Middleware",
    "MiddlewareFactory",
    "MissingPluginError",
    "PayloadError",
    "Plugin",
    "PluginConflictError",
    "PluginError",
    "PluginInfo",
    "PluginLoadError",
    "PluginSpec",
    "PluginVersionError",
    "RawHeaders",
    "Registry",
    "Request",
    "Response",
    "ResourceFactory",
    "ResponseWriter",
    "RouterFactory",
    "ServeApp",
    "Signal",
    "StreamReader",
    "StreamResponse",
    "UpgradeHandler",
    "add_vary",
    "available_codings",
    "default_registry",
    "exception_response",
    "format_http_date",
    "format_set_cookie",
    "json_response",
    "make_compressor",
    "middleware",
    "negotiate_coding",
    "parse_cookie_header",
    "parse_http_date",
    "parse_media_type",
    "reason_phrase",
    "switch_protocols",
    "warn_deprecated",
    *_exc_all,
]
