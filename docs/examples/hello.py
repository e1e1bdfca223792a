import asyncio
from aioweb import web

async def hello(request):
    return web.Response(text='Hello, World')

app = web.Application()
app.add_routes([web.get('/', hello)])

if __name__ == '__main__':
    loop = asyncio.get_event_loop()
    web.run_app(app, host='localhost', port=8080)
