"""Small stand-in implementations for parity tests, as one real process with one port per style.

    python impls.py tagged flat tagged silent

binds each style on its own free port (port 0), prints ``{"tagged": 41001, ...}``
(names get ``-2`` for repeats) as one JSON line once every port listens, then serves
until SIGTERM. Styles:

- ``tagged``: errors as an externally tagged enum ``{"Schema": {"field", "reason"}}``
- ``flat``: errors as ``{"Kind", "Field", "Reason"}``
- ``silent``: like tagged, but never answers ``/v1/validate``: it holds the request until
  the client gives up or the server stops (for timeouts)
- ``teapot``: like tagged, but every validation answers 418 (for status mismatches)

Every style also answers ``/echo`` (what it received, as JSON) and ``/redirect`` (302).
"""

from __future__ import annotations

import asyncio
import json
import random
import signal
import socket
import sys
from typing import Any

from aiohttp import web


def _error(style: str, field: str, reason: str) -> dict[str, Any]:
    if style == "flat":
        return {"Kind": "schema", "Field": field, "Reason": reason}
    return {"Schema": {"field": field, "reason": reason}}


def make_app(style: str) -> web.Application:
    async def validate(request: web.Request) -> web.Response:
        if style == "silent":
            await asyncio.Event().wait()  # never set: cancelled when the server stops
        try:
            doc = json.loads(await request.read())
        except ValueError:
            return web.json_response(_error(style, "body", "request body is not valid JSON"), status=400)
        artifact = doc.get("artifact") if isinstance(doc, dict) else None
        if not isinstance(artifact, dict) or not artifact.get("fingerprint"):
            status = 418 if style == "teapot" else 422
            return web.json_response(_error(style, "fingerprint", "missing"), status=status)
        # elapsed_ms is volatile on purpose: noise learning must find it
        body = {"valid": True, "kind": doc.get("kind"), "elapsed_ms": round(random.uniform(0.1, 9.9), 6)}
        return web.json_response(body, status=418 if style == "teapot" else 200)

    async def echo(request: web.Request) -> web.Response:
        return web.json_response(
            {
                "method": request.method,
                "path": request.path,
                "query": [[k, v] for k, v in request.query.items()],
                "headers": {k.lower(): v for k, v in request.headers.items()},
                "body": (await request.read()).decode("utf-8", "replace"),
            }
        )

    async def redirect(request: web.Request) -> web.Response:
        return web.Response(status=302, headers={"Location": "/elsewhere"})

    app = web.Application()
    app.router.add_route("*", "/v1/validate", validate)
    app.router.add_route("*", "/echo", echo)
    app.router.add_route("*", "/redirect", redirect)
    return app


async def main(styles: list[str]) -> None:
    runners: list[web.AppRunner] = []
    ports: dict[str, int] = {}
    for style in styles:
        runner = web.AppRunner(make_app(style), access_log=None, shutdown_timeout=0.2)
        await runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))  # a free port, chosen by the kernel
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
