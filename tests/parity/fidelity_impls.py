"""Two small servers that answer the same data with different bytes, for body-fidelity tests.

    python fidelity_impls.py

binds ``one`` and ``two`` on free ports, prints ``{"one": 41001, "two": 41002}`` once both
listen, and serves until SIGTERM. They agree on the data and differ in how it is written:

- ``POST /`` (``x-amz-target: ListTables``): the same table list as ``x-amz-json-1.1``,
  with different whitespace and key order;
- ``POST /missing``: the same error, as ``application/json`` on ``one`` and as
  ``x-amz-json-1.0`` on ``two``;
- ``GET /range``, ``/crlf``, ``/invalid`` (``text/plain``): ``a`` vs ``a\\n``, CRLF vs LF,
  the invalid UTF-8 bytes ``\\xc3`` vs ``\\xc4``;
- ``GET /xml/order``: a listing whose differently named children come in another order;
- ``GET /xml/s3``, ``/xml/other``: a listing in two different namespaces whose
  ``LastModified`` differs between the servers;
- every answer of ``one`` carries ``x-served-by: one``; ``two`` sends no such header.
"""

from __future__ import annotations

import asyncio
import json
import signal
import socket

from aiohttp import web

AMZ11 = "application/x-amz-json-1.1"
S3 = "http://s3.amazonaws.com/doc/2006-03-01/"


def _listing(ns: str, stamp: str, order: list[str]) -> bytes:
    parts = {
        "Name": "<Name>bucket</Name>",
        "Prefix": "<Prefix></Prefix>",
        "KeyCount": "<KeyCount>1</KeyCount>",
        "Contents": f"<Contents><Key>a.txt</Key><LastModified>{stamp}</LastModified><Size>1</Size></Contents>",
    }
    inner = "".join(parts[name] for name in order)
    return f'<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="{ns}">{inner}</ListBucketResult>'.encode()


def make_app(style: str) -> web.Application:
    one = style == "one"
    stamp = "2026-05-02T08:59:17.000Z" if one else "2026-05-02T09:01:00.000Z"

    def answer(body: bytes, content_type: str, status: int = 200) -> web.Response:
        headers = {"Content-Type": content_type}
        if one:
            headers["X-Served-By"] = "one"
        return web.Response(body=body, status=status, headers=headers)

    async def rpc(request: web.Request) -> web.Response:
        tables = {"TableNames": ["orders", "users"], "LastEvaluatedTableName": None}
        if one:
            return answer(json.dumps(tables, indent=2).encode(), AMZ11)
        return answer(json.dumps(dict(reversed(tables.items())), separators=(",", ":")).encode(), AMZ11)

    async def missing(request: web.Request) -> web.Response:
        error = {
            "__type": "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException",
            "message": "not found",
        }
        if one:
            return answer(json.dumps(error).encode(), "application/json", 400)
        return answer(json.dumps(error, separators=(",", ":")).encode(), "application/x-amz-json-1.0", 400)

    texts = {
        "/range": (b"a", b"a\n"),
        "/crlf": (b"x\r\ny\r\n", b"x\ny\n"),
        "/invalid": (b"ok \xc3", b"ok \xc4"),
    }

    async def text(request: web.Request) -> web.Response:
        mine, theirs = texts[request.path]
        return answer(mine if one else theirs, "text/plain")

    async def xml_order(request: web.Request) -> web.Response:
        order = (
            ["Name", "Prefix", "KeyCount", "Contents"] if one else ["Name", "KeyCount", "Prefix", "Contents"]
        )
        return answer(_listing(S3, "2026-05-02T08:59:17.000Z", order), "application/xml")

    async def xml_stamp(request: web.Request) -> web.Response:
        ns = S3 if request.path == "/xml/s3" else "urn:example:other-store"
        return answer(_listing(ns, stamp, ["Name", "Prefix", "KeyCount", "Contents"]), "application/xml")

    app = web.Application()
    app.router.add_post("/", rpc)
    app.router.add_post("/missing", missing)
    for path in texts:
        app.router.add_get(path, text)
    app.router.add_get("/xml/order", xml_order)
    app.router.add_get("/xml/s3", xml_stamp)
    app.router.add_get("/xml/other", xml_stamp)
    return app


async def main() -> None:
    runners: list[web.AppRunner] = []
    ports: dict[str, int] = {}
    for style in ("one", "two"):
        runner = web.AppRunner(make_app(style), access_log=None, shutdown_timeout=0.2)
        await runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))  # a free port, chosen by the kernel
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
    asyncio.run(main())
