"""A TCP service: after an optional delay, listen on HOST PORT and accept connections until stopped."""

import socket
import sys
import time

host, port, delay = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]) if len(sys.argv) > 3 else 0.0
time.sleep(delay)
with socket.create_server((host, port)) as server:
    print(f"listening on {host}:{port}", flush=True)
    while True:
        conn, _ = server.accept()
        conn.close()
