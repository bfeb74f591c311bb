"""Stand-in stateful implementations: things created, read, listed, deleted.

Each style is its own instance with its own store, on its own port:

* ``counter`` ids are 1, 2, 3... per instance (answers depend only on earlier requests);
* ``random`` ids are random hex, different on every instance (the per-target capture case);
* ``renamed`` is ``random`` but answers a create with ``thing_id`` instead of ``id``.

Creates take a short random pause, so requests in flight together really do race.
``POST /reset`` empties the store. ``python stateful_impls.py STYLE...`` prints
``{"name": port}`` once listening.
"""

from __future__ import annotations

import asyncio
import json
import random
import secrets
import signal
import socket
import sys

from aiohttp import web


def make_app(style: str) -> web.Application:
    things: dict[str, str] = {}
    counter = [0]

    def new_id() -> str:
        if style == "counter":
            counter[0] += 1
            return str(counter[0])
        return secrets.token_hex(8)

    async def create(request: web.Request) -> web.Response:
        body = await request.json()
        await asyncio.sleep(random.uniform(0, 0.02))
        thing_id = new_id()
        things[thing_id] = body["name"]
        key = "thing_id" if style == "renamed" else "id"
        return web.json_response({key: thing_id, "name": body["name"]}, status=201)

    async def listing(request: web.Request) -> web.Response:
        return web.json_response({"count": len(things), "names": sorted(things.values())})

    async def read(request: web.Request) -> web.Response:
        thing_id = request.match_info["id"]
        if thing_id not in things:
            return web.json_response({"error": "no such thing"}, status=404)
        return web.json_response({"id": thing_id, "name": things[thing_id]})

    async def delete(request: web.Request) -> web.Response:
        if things.pop(request.match_info["id"], None) is None:
            return web.json_response({"error": "no such thing"}, status=404)
        return web.Response(status=204)

    async def reset(request: web.Request) -> web.Response:
        things.clear()
        counter[0] = 0
        return web.Response(status=204)

    app = web.Application()
    app.router.add_post("/things", create)
    app.router.add_get("/things", listing)
    app.router.add_get("/things/{id}", read)
    app.router.add_delete("/things/{id}", delete)
    app.router.add_post("/reset", reset)
    return app


async def main(styles: list[str]) -> None:
    runners: list[web.AppRunner] = []
    ports: dict[str, int] = {}
    for style in styles:
        runner = web.AppRunner(make_app(style), access_log=None, shutdown_timeout=0.2)
        await runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        await web.SockSite(runner, sock).start()
        name, n = style, 1
        while name in ports:
            n += 1
            name = f"{style}-{n}"
        ports[name] = sock.getsockname()[1]
        runners.append(runner)
    print(json.dumps(ports), flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGINT, stop.set)
    await stop.wait()
    for runner in runners:
        await runner.cleanup()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1:]))
