from aioweb import web


# Middleware
async def handle_request(request, handler):
    # before the request is handled
    print("before handling the request")
    response = await handler(request)
    # after the request is handled
    print("after handling the request")
    return response


# Advanced routing
async def handle_hello(request):
    name = request.match_info.get('name', 'Anonymous')
    text = "Hello, " + name
    return web.Response(text=text)


app = web.Application(middlewares=[handle_request])  # add the middleware
app.add_routes([
    web.get('/', lambda _: web.Response(text="Welcome to aioweb!")),
    web.get('/hello', handle_hello),
    web.get('/hello/{name}', handle_hello),
])
app.router.add_redirect('/welcome', '/')  # a route that redirects

if __name__ == '__main__':
    web.run_app(app, host='localhost', port=8080)
