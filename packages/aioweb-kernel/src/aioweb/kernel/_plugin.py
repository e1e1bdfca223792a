"""The kernel's built-in plugin: the ``application/x-www-form-urlencoded`` body decoder."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final
from urllib.parse import parse_qsl

from multidict import MultiDict, MultiDictProxy

from ._interfaces import BODY_DECODER
from ._registry import PluginSpec, Registry

if TYPE_CHECKING:
    from ._request import FileField, Request

__all__ = ["MAX_FORM_FIELDS", "decode_urlencoded", "plugin"]

#: Fields accepted in one urlencoded body (more is a 400, not a CPU sink).
MAX_FORM_FIELDS: Final = 10_000


async def decode_urlencoded(request: Request) -> MultiDictProxy[str | bytes | FileField]:
    """Decode an urlencoded body (read within ``client_max_size``).

    Raises:
        HTTPBadRequest: the body is not valid in its charset or has too many fields.
    """
    from ._web_exceptions import HTTPBadRequest

    body = await request.read()
    charset = request.charset or "utf-8"
    try:
        pairs = parse_qsl(
            body.decode(charset),
            keep_blank_values=True,
            encoding=charset,
            errors="strict",
            max_num_fields=MAX_FORM_FIELDS,
        )
    except (UnicodeDecodeError, LookupError, ValueError) as exc:
        raise HTTPBadRequest(text=f"invalid form body: {exc}") from exc
    out: MultiDict[str | bytes | FileField] = MultiDict(pairs)
    return MultiDictProxy(out)


def _setup(registry: Registry) -> None:
    registry.provide(BODY_DECODER, "application/x-www-form-urlencoded", decode_urlencoded)


plugin: Final = PluginSpec(name="kernel", api_version=(1, 0), setup=_setup)
