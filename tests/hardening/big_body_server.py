"""An HTTP service that streams a large JSON body without holding it (stdlib only).

``python big_body_server.py PORT FLAVOUR``; GET /big?size=N answers about N bytes of one
JSON object ``{"items": [...], "flavour": FLAVOUR}``: the two flavours differ only in the
last bytes (``&same=1``: both answer the same bytes). GET /health answers {"ok": true}.
"""

from __future__ import annotations

import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

ITEM = b'{"id": 1234567, "name": "item", "tags": ["a", "b", "c"]},'


def main() -> None:
    port, flavour = int(sys.argv[1]), sys.argv[2]

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            url = urlparse(self.path)
            if url.path == "/health":
                self._send_small(b'{"ok": true}')
                return
            query = parse_qs(url.query)
            size = int(query.get("size", ["1000000"])[0])
            name = b"same" if query.get("same") == ["1"] else flavour.encode()
            count = max(1, size // len(ITEM))
            tail = b'{"id": 0}], "flavour": "' + name + b'"}'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(b'{"items": [') + count * len(ITEM) + len(tail)))
            self.end_headers()
            self.wfile.write(b'{"items": [')
            block = ITEM * 1024
            left = count
            while left:
                n = min(left, 1024)
                self.wfile.write(block if n == 1024 else ITEM * n)
                left -= n
            self.wfile.write(tail)

        def _send_small(self, data: bytes) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: object) -> None:
            pass

    ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()


if __name__ == "__main__":
    main()
