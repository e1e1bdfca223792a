"""The seed's test, with ``aiohttp_client`` renamed ``aioweb_client`` and nothing else changed.

It carries no asyncio marker: the plugin runs it (``test_pytest_plugin.py`` proves
the same file passes in pytest-asyncio's strict mode too).
"""

# mypy: allow-untyped-defs
# The body is the seed's verbatim, quotes and all: keep the formatter off it.
# fmt: off

from aioweb import web


async def test_hello(aioweb_client):
    app = web.Application()
    app.router.add_route('GET', '/', lambda _: web.Response(text="Hello, world!"))
    client = await aioweb_client(app)
    resp = await client.get('/')
    assert resp.status == 200
    text = await resp.text()
    assert text == "Hello, world!"
