"""aioweb routing: ``UrlDispatcher``, resources, route definitions and class-based views."""

from ._dispatcher import UrlDispatcher as UrlDispatcher
from ._prefix import PrefixResource as PrefixResource
from ._resources import METH_ANY as METH_ANY
from ._resources import AbstractResource as AbstractResource
from ._resources import DynamicResource as DynamicResource
from ._resources import MatchedSubAppResource as MatchedSubAppResource
from ._resources import PlainResource as PlainResource
from ._resources import PrefixedSubAppResource as PrefixedSubAppResource
from ._resources import Query as Query
from ._resources import ResourceRoute as ResourceRoute
from ._route_def import AbstractRouteDef as AbstractRouteDef
from ._route_def import RouteDef as RouteDef
from ._route_def import RouteTableDef as RouteTableDef
from ._route_def import StaticDef as StaticDef
from ._route_def import delete as delete
from ._route_def import get as get
from ._route_def import head as head
from ._route_def import options as options
from ._route_def import patch as patch
from ._route_def import post as post
from ._route_def import put as put
from ._route_def import route as route
from ._route_def import static as static
from ._route_def import view as view
from ._view import View as View

__all__ = [
    "METH_ANY",
    "AbstractResource",
    "AbstractRouteDef",
    "DynamicResource",
    "MatchedSubAppResource",
    "PlainResource",
    "PrefixResource",
    "PrefixedSubAppResource",
    "Query",
    "ResourceRoute",
    "RouteDef",
    "RouteTableDef",
    "StaticDef",
    "UrlDispatcher",
    "View",
    "delete",
    "get",
    "head",
    "options",
    "patch",
    "post",
    "put",
    "route",
    "static",
    "view",
]
