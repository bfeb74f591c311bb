"""Two small, independent implementations of a users API, for the cause-classification tests.

    python users_impls.py v1 v2

binds each style on its own free port, prints ``{"v1": 41001, "v2": 41002}`` once both
listen, then serves until SIGTERM. The styles differ by three causes, each on purpose:

- v1 names the address field ``email``, v2 ``mail`` (a rename, on every operation);
- v1 spells prices ``"1.50"``, v2 ``"1.5"`` (DynamoDB-like ``{"N": "..."}`` values);
- v1 answers ``state`` as ``ACTIVE``, v2 as ``active``;

and both send a random ``request_id`` (volatile: noise learning must find it).
``GET /users/{id}``, ``GET /users``, ``POST /users``; ``/users/{id}`` for id 1 to 3.
"""

from __future__ import annotations

import asyncio
import json
import signal
import socket
import sys
import uuid
from typing import Any

from aiohttp import web

USERS = {
    1: ("ada", "ada@example.org", "1.50"),
    2: ("bob", "bob@example.org", "2.10"),
    3: ("cy", "cy@example.org", "0.50"),
}


def _user(style: str, uid: int, name: str, address: str, price: str) -> dict[str, Any]:
    field = "email" if style == "v1" else "mail"
    spelled = price if style == "v1" else str(float(price))
    return {
        "id": uid,
        "name": name,
        field: address,
        "plan": {"price": {"N": spelled}},
        "state": "ACTIVE" if style == "v1" else "active",
    }


def make_app(style: str) -> web.Application:
    def answer(body: Any, status: int = 200) -> web.Response:
        return web.json_response({"request_id": uuid.uuid4().hex, "data": body}, status=status)

    async def get_user(request: web.Request) -> web.Response:
        uid = int(request.match_info["uid"])
        if uid not in USERS:
            return answer({"error": "no such user"}, 404)
        return answer(_user(style, uid, *USERS[uid]))

    async def list_users(request: web.Request) -> web.Response:
        return answer([_user(style, uid, *row) for uid, row in sorted(USERS.items())])

    async def create_user(request: web.Request) -> web.Response:
        doc = json.loads(await request.read())
        return answer(_user(style, 4, doc["name"], doc["address"], doc["price"]), 201)

    app = web.Application()
    app.router.add_get("/users/{uid:\\d+}", get_user)
    app.router.add_get("/users", list_users)
    app.router.add_post("/users", create_user)
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
        ports[style] = sock.getsockname()[1]
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
