"""A small stateful "things" API for the noise tests, in two styles (two implementations).

    python things_server.py --style a --host 127.0.0.1 --port 0 --data things-primary.json

Every answer carries ``instance`` (a random id drawn at start: per instance by nature) and
the answers that describe a thing carry ``created`` (the server clock, second precision).
State lives in the ``--data`` file, which the server locks: two instances started on one
file refuse to run, so a config that forgets ``{instance}`` fails loudly.

* ``POST /things`` {"name"} -> 201 a new thing (ids count from 1); ``GET /things`` -> the
  list; ``GET /things/count``; ``DELETE /things/{id}``; ``POST /reset`` empties the state.
* ``GET /flip`` answers 200 the first time, 400 afterwards (a flaky endpoint).
* Style ``a`` adds ``trace`` (random) to a created thing; style ``b`` lacks it, spells
  ``kind`` as ``"Thing"`` (``a``: ``"thing"``) and its clock runs ``--clock-skew`` seconds
  ahead (default 0.5), so the two styles' timestamps fall in different seconds half the time.
"""

from __future__ import annotations

import argparse
import asyncio
import fcntl
import json
import os
import secrets
import signal
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiohttp import web


class Store:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise SystemExit(f"data file {path} is in use by another instance") from None
        text = path.read_text(encoding="utf-8")
        state = json.loads(text) if text.strip() else {"next": 1, "things": []}
        self.next: int = state["next"]
        self.things: list[dict[str, Any]] = state["things"]

    def save(self) -> None:
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"next": self.next, "things": self.things}), encoding="utf-8")
        tmp.replace(self.path)


def make_app(style: str, store: Store, skew: float) -> web.Application:
    instance = str(uuid.uuid4())
    flips = {"n": 0}

    def now() -> str:
        moment = datetime.fromtimestamp(time.time() + skew, UTC)
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")

    def answer(body: dict[str, Any], status: int = 200) -> web.Response:
        return web.json_response({**body, "instance": instance}, status=status)

    async def create(request: web.Request) -> web.Response:
        doc = await request.json()
        thing = {
            "id": store.next,
            "name": doc["name"],
            "kind": "thing" if style == "a" else "Thing",
            "created": now(),
        }
        store.next += 1
        store.things.append(thing)
        store.save()
        extra = {"trace": secrets.token_hex(8)} if style == "a" else {}
        return answer({**thing, **extra}, 201)

    async def listing(request: web.Request) -> web.Response:
        return answer({"items": [{"id": t["id"], "name": t["name"]} for t in store.things]})

    async def count(request: web.Request) -> web.Response:
        return answer({"count": len(store.things)})

    async def delete(request: web.Request) -> web.Response:
        wanted = int(request.match_info["id"])
        kept = [t for t in store.things if t["id"] != wanted]
        if len(kept) == len(store.things):
            return answer({"error": "no such thing"}, 404)
        store.things = kept
        store.save()
        return answer({"deleted": wanted, "at": now()})

    async def reset(request: web.Request) -> web.Response:
        store.next, store.things = 1, []
        store.save()
        flips["n"] = 0
        return answer({"reset": True})

    async def flip(request: web.Request) -> web.Response:
        flips["n"] += 1
        return answer({"n": 1}, 200 if flips["n"] == 1 else 400)

    app = web.Application()
    app.router.add_post("/things", create)
    app.router.add_get("/things", listing)
    app.router.add_get("/things/count", count)
    app.router.add_delete("/things/{id}", delete)
    app.router.add_post("/reset", reset)
    app.router.add_get("/flip", flip)
    app.router.add_get("/health", lambda request: web.json_response({"ok": True}))
    return app


async def main(args: argparse.Namespace) -> None:
    store = Store(Path(args.data))
    skew = args.clock_skew if args.style == "b" else 0.0
    runner = web.AppRunner(make_app(args.style, store, skew), access_log=None, shutdown_timeout=0.2)
    await runner.setup()
    await web.TCPSite(runner, args.host, args.port).start()
    print(f"listening on {args.host}:{args.port}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    await runner.cleanup()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--style", choices=["a", "b"], required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--data", required=True)
    parser.add_argument("--clock-skew", type=float, default=0.5)
    asyncio.run(main(parser.parse_args()))
