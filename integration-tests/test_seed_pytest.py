"""The seed's pytest test, as the seed writes it, with ``aiohttp_client`` -> ``aioweb_client``.

No marker and no configuration of its own: the aioweb-testing plugin makes it run.
"""

from aioweb import web


async def test_hello(aioweb_client):  # type: ignore[no-untyped-def]
    app = web.Application()
    app.router.add_route("GET", "/", lambda _: web.Response(text="Hello, world!"))
    client = await aioweb_client(app)
    resp = await client.get("/")
    assert resp.status == 200
    text = await resp.text()
    assert text == "Hello, world!"
