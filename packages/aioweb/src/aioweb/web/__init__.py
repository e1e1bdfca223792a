"""The aiohttp-style ``web`` namespace: ``from aioweb import web``.

Every name comes from the piece that owns it (kernel, http, routing, middleware,
websocket, static); this module only re-exports them.
"""

from aioweb.http import AppRunner as AppRunner
from aioweb.http import BaseRunner as BaseRunner
from aioweb.http import BaseSite as BaseSite
from aioweb.http import GracefulExit as GracefulExit
from aioweb.http import Server as Server
from aioweb.http import ServerRunner as ServerRunner
from aioweb.http import SockSite as SockSite
from aioweb.http import TCPSite as TCPSite
from aioweb.http import UnixSite as UnixSite
from aioweb.http import run_app as run_app
from aioweb.kernel import AiowebError as AiowebError
from aioweb.kernel import AppKey as AppKey
from aioweb.kernel import CleanupContext as CleanupContext
from aioweb.kernel import ContentCoding as ContentCoding
from aioweb.kernel import FileField as FileField
from aioweb.kernel import HTTPAccepted as HTTPAccepted
from aioweb.kernel import HTTPBadGateway as HTTPBadGateway
from aioweb.kernel import HTTPBadRequest as HTTPBadRequest
from aioweb.kernel import HTTPClientError as HTTPClientError
from aioweb.kernel import HTTPConflict as HTTPConflict
from aioweb.kernel import HTTPCreated as HTTPCreated
from aioweb.kernel import HTTPError as HTTPError
from aioweb.kernel import HTTPException as HTTPException
from aioweb.kernel import HTTPExpectationFailed as HTTPExpectationFailed
from aioweb.kernel import HTTPFailedDependency as HTTPFailedDependency
from aioweb.kernel import HTTPForbidden as HTTPForbidden
from aioweb.kernel import HTTPFound as HTTPFound
from aioweb.kernel import HTTPGatewayTimeout as HTTPGatewayTimeout
from aioweb.kernel import HTTPGone as HTTPGone
from aioweb.kernel import HTTPImATeapot as HTTPImATeapot
from aioweb.kernel import HTTPInsufficientStorage as HTTPInsufficientStorage
from aioweb.kernel import HTTPInternalServerError as HTTPInternalServerError
from aioweb.kernel import HTTPLengthRequired as HTTPLengthRequired
from aioweb.kernel import HTTPLocked as HTTPLocked
from aioweb.kernel import HTTPLoopDetected as HTTPLoopDetected
from aioweb.kernel import HTTPMethodNotAllowed as HTTPMethodNotAllowed
from aioweb.kernel import HTTPMisdirectedRequest as HTTPMisdirectedRequest
from aioweb.kernel import HTTPMove as HTTPMove
from aioweb.kernel import HTTPMovedPermanently as HTTPMovedPermanently
from aioweb.kernel import HTTPMultipleChoices as HTTPMultipleChoices
from aioweb.kernel import HTTPNetworkAuthenticationRequired as HTTPNetworkAuthenticationRequired
from aioweb.kernel import HTTPNoContent as HTTPNoContent
from aioweb.kernel import HTTPNonAuthoritativeInformation as HTTPNonAuthoritativeInformation
from aioweb.kernel import HTTPNotAcceptable as HTTPNotAcceptable
from aioweb.kernel import HTTPNotExtended as HTTPNotExtended
from aioweb.kernel import HTTPNotFound as HTTPNotFound
from aioweb.kernel import HTTPNotImplemented as HTTPNotImplemented
from aioweb.kernel import HTTPNotModified as HTTPNotModified
from aioweb.kernel import HTTPOk as HTTPOk
from aioweb.kernel import HTTPPartialContent as HTTPPartialContent
from aioweb.kernel import HTTPPaymentRequired as HTTPPaymentRequired
from aioweb.kernel import HTTPPermanentRedirect as HTTPPermanentRedirect
from aioweb.kernel import HTTPPreconditionFailed as HTTPPreconditionFailed
from aioweb.kernel import HTTPPreconditionRequired as HTTPPreconditionRequired
from aioweb.kernel import HTTPProxyAuthenticationRequired as HTTPProxyAuthenticationRequired
from aioweb.kernel import HTTPRedirection as HTTPRedirection
from aioweb.kernel import HTTPRequestEntityTooLarge as HTTPRequestEntityTooLarge
from aioweb.kernel import HTTPRequestHeaderFieldsTooLarge as HTTPRequestHeaderFieldsTooLarge
from aioweb.kernel import HTTPRequestRangeNotSatisfiable as HTTPRequestRangeNotSatisfiable
from aioweb.kernel import HTTPRequestTimeout as HTTPRequestTimeout
from aioweb.kernel import HTTPRequestURITooLong as HTTPRequestURITooLong
from aioweb.kernel import HTTPResetContent as HTTPResetContent
from aioweb.kernel import HTTPSeeOther as HTTPSeeOther
from aioweb.kernel import HTTPServerError as HTTPServerError
from aioweb.kernel import HTTPServiceUnavailable as HTTPServiceUnavailable
from aioweb.kernel import HTTPSuccessful as HTTPSuccessful
from aioweb.kernel import HTTPTemporaryRedirect as HTTPTemporaryRedirect
from aioweb.kernel import HTTPTooEarly as HTTPTooEarly
from aioweb.kernel import HTTPTooManyRequests as HTTPTooManyRequests
from aioweb.kernel import HTTPUnauthorized as HTTPUnauthorized
from aioweb.kernel import HTTPUnavailableForLegalReasons as HTTPUnavailableForLegalReasons
from aioweb.kernel import HTTPUnprocessableEntity as HTTPUnprocessableEntity
from aioweb.kernel import HTTPUnsupportedMediaType as HTTPUnsupportedMediaType
from aioweb.kernel import HTTPUpgradeRequired as HTTPUpgradeRequired
from aioweb.kernel import HTTPUseProxy as HTTPUseProxy
from aioweb.kernel import HTTPVariantAlsoNegotiates as HTTPVariantAlsoNegotiates
from aioweb.kernel import HTTPVersionNotSupported as HTTPVersionNotSupported
from aioweb.kernel import MatchInfo as MatchInfo
from aioweb.kernel import Request as Request
from aioweb.kernel import Response as Response
from aioweb.kernel import StreamReader as StreamReader
from aioweb.kernel import StreamResponse as StreamResponse
from aioweb.kernel import json_response as json_response
from aioweb.kernel import middleware as middleware
from aioweb.middleware import normalize_path_middleware as normalize_path_middleware
from aioweb.routing import RouteDef as RouteDef
from aioweb.routing import RouteTableDef as RouteTableDef
from aioweb.routing import UrlDispatcher as UrlDispatcher
from aioweb.routing import View as View
from aioweb.routing import delete as delete
from aioweb.routing import get as get
from aioweb.routing import head as head
from aioweb.routing import options as options
from aioweb.routing import patch as patch
from aioweb.routing import post as post
from aioweb.routing import put as put
from aioweb.routing import route as route
from aioweb.routing import static as static
from aioweb.routing import view as view
from aioweb.static import FileResponse as FileResponse
from aioweb.websocket import WebSocketResponse as WebSocketResponse
from aioweb.websocket import WSCloseCode as WSCloseCode
from aioweb.websocket import WSMessage as WSMessage
from aioweb.websocket import WSMsgType as WSMsgType

from ._application import Application as Application
from ._version import __getattr__ as __getattr__

__all__ = [
    "AiowebError",
    "AppKey",
    "AppRunner",
    "Application",
    "BaseRunner",
    "BaseSite",
    "CleanupContext",
    "ContentCoding",
    "FileField",
    "FileResponse",
    "GracefulExit",
    "HTTPAccepted",
    "HTTPBadGateway",
    "HTTPBadRequest",
    "HTTPClientError",
    "HTTPConflict",
    "HTTPCreated",
    "HTTPError",
    "HTTPException",
    "HTTPExpectationFailed",
    "HTTPFailedDependency",
    "HTTPForbidden",
    "HTTPFound",
    "HTTPGatewayTimeout",
    "HTTPGone",
    "HTTPImATeapot",
    "HTTPInsufficientStorage",
    "HTTPInternalServerError",
    "HTTPLengthRequired",
    "HTTPLocked",
    "HTTPLoopDetected",
    "HTTPMethodNotAllowed",
    "HTTPMisdirectedRequest",
    "HTTPMove",
    "HTTPMovedPermanently",
    "HTTPMultipleChoices",
    "HTTPNetworkAuthenticationRequired",
    "HTTPNoContent",
    "HTTPNonAuthoritativeInformation",
    "HTTPNotAcceptable",
    "HTTPNotExtended",
    "HTTPNotFound",
    "HTTPNotImplemented",
    "HTTPNotModified",
    "HTTPOk",
    "HTTPPartialContent",
    "HTTPPaymentRequired",
    "HTTPPermanentRedirect",
    "HTTPPreconditionFailed",
    "HTTPPreconditionRequired",
    "HTTPProxyAuthenticationRequired",
    "HTTPRedirection",
    "HTTPRequestEntityTooLarge",
    "HTTPRequestHeaderFieldsTooLarge",
    "HTTPRequestRangeNotSatisfiable",
    "HTTPRequestTimeout",
    "HTTPRequestURITooLong",
    "HTTPResetContent",
    "HTTPSeeOther",
    "HTTPServerError",
    "HTTPServiceUnavailable",
    "HTTPSuccessful",
    "HTTPTemporaryRedirect",
    "HTTPTooEarly",
    "HTTPTooManyRequests",
    "HTTPUnauthorized",
    "HTTPUnavailableForLegalReasons",
    "HTTPUnprocessableEntity",
    "HTTPUnsupportedMediaType",
    "HTTPUpgradeRequired",
    "HTTPUseProxy",
    "HTTPVariantAlsoNegotiates",
    "HTTPVersionNotSupported",
    "MatchInfo",
    "Request",
    "Response",
    "RouteDef",
    "RouteTableDef",
    "Server",
    "ServerRunner",
    "SockSite",
    "StreamReader",
    "StreamResponse",
    "TCPSite",
    "UnixSite",
    "UrlDispatcher",
    "View",
    "WSCloseCode",
    "WSMessage",
    "WSMsgType",
    "WebSocketResponse",
    "delete",
    "get",
    "head",
    "json_response",
    "middleware",
    "normalize_path_middleware",
    "options",
    "patch",
    "post",
    "put",
    "route",
    "run_app",
    "static",
    "view",
]
