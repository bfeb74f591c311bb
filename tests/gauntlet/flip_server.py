"""A tiny HTTP service for gauntlet tests (stdlib only, started by the stack from a config).

GET /health     -> 200 {"status": "ok"}
GET /stable     -> 200 {"answer": 42}, the same on every flavour
GET /flip       -> 200; flavour "right" answers {"v": 2, "note": <markup>} when the mode
                   file says "diff", else {"v": 1} like flavour "left"
GET /slow       -> sleeps 60 s (for interrupting a run mid-phase)
GET /die        -> flavour "right" crashes without answering; "left" answers {"alive": true}
GET /header     -> 200 {"same": true} on every flavour, with X-Flavour: <flavour> (a header-only difference)
GET /hangup     -> flavour "right" closes the connection without answering; "left" answers {"here": true}
"""

from __future__ import annotations

import argparse
import json
import os
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

MARKUP = '<script>alert("flip")</script><b onclick="x()">bold</b>'


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--flavour", choices=["left", "right"], required=True)
    parser.add_argument("--mode-file", type=Path, required=True)
    args = parser.parse_args()

    class Handler(BaseHTTPRequestHandler):
        def _send(self, body: object, headers: dict[str, str] | None = None) -> None:
            data = json.dumps(body).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            if self.path == "/health":
                self._send({"status": "ok"})
            elif self.path == "/stable":
                self._send({"answer": 42})
            elif self.path == "/flip":
                mode = args.mode_file.read_text().strip() if args.mode_file.exists() else "match"
                if args.flavour == "right" and mode == "diff":
                    self._send({"v": 2, "note": MARKUP})
                else:
                    self._send({"v": 1})
            elif self.path == "/die":
                if args.flavour == "right":
                    print("right: crashing on purpose", flush=True)
                    os._exit(1)
                self._send({"alive": True})
            elif self.path == "/header":
                self._send({"same": True}, {"X-Flavour": args.flavour})
            elif self.path == "/hangup":
                if args.flavour == "right":
                    self.close_connection = True  # no status line, no body: the client sees a reset
                    return
                self._send({"here": True})
            elif self.path == "/slow":
                time.sleep(60)
                self._send({"late": True})
            else:
                self.send_error(404)

        def log_message(self, format: str, *fmt_args: object) -> None:
            print(f"{self.command} {self.path}", flush=True)

    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    print(f"flip {args.flavour} listening on {args.port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
