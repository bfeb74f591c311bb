"""An HTTP service that leaks everything it is given (stdlib only, started by the stack).

On start it prints its argv and its ``API_TOKEN`` environment variable to its log.
GET /health -> 200 {"ok": true}
GET /echo   -> 200 {"flavour": ..., "auth": <Authorization header>, "argv": ..., "env": API_TOKEN}
"""

from __future__ import annotations

import json
import os
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def main() -> None:
    port, flavour = int(sys.argv[1]), sys.argv[2]
    print(f"argv {sys.argv} env {os.environ.get('API_TOKEN')}", flush=True)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path == "/health":
                body: object = {"ok": True}
            else:
                body = {
                    "flavour": flavour,
                    "auth": self.headers.get("Authorization"),
                    "argv": sys.argv,
                    "env": os.environ.get("API_TOKEN"),
                }
            data = json.dumps(body).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("X-Echo", str(self.headers.get("Authorization")))
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: object) -> None:
            print(f"{self.requestline} auth={self.headers.get('Authorization')}", flush=True)

    ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()


if __name__ == "__main__":
    main()
