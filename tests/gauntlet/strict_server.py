"""A pair that diverges only for some inputs (stdlib only, started by the stack from a config).

GET  /health -> 200 {"status": "ok"}
POST /items  -> 200 {"ok": true, "token": <fresh uuid>} on both flavours, except that
                flavour "strict" refuses a negative "count" (400 {"ok": false}); the token
                differs on every answer, so it is noise the parity phase's twins learn
"""

from __future__ import annotations

import argparse
import json
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--flavour", choices=["lenient", "strict"], required=True)
    args = parser.parse_args()

    class Handler(BaseHTTPRequestHandler):
        def _send(self, status: int, body: object) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            self._send(200 if self.path == "/health" else 404, {"status": "ok"})

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("content-length") or 0))
            try:
                body: Any = json.loads(raw)
            except ValueError:
                body = None
            count = body.get("count") if isinstance(body, dict) else None
            negative = isinstance(count, int) and not isinstance(count, bool) and count < 0
            if args.flavour == "strict" and negative:
                self._send(400, {"ok": False})
            else:
                self._send(200, {"ok": True, "token": uuid.uuid4().hex})

        def log_message(self, format: str, *args: Any) -> None:
            pass

    ThreadingHTTPServer(("127.0.0.1", args.port), Handler).serve_forever()


if __name__ == "__main__":
    main()
