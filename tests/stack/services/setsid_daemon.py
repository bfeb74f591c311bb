"""Starts a worker that leaves the service's session (``setsid()``) and listens on a port.

The worker is what a daemonising server does: fork, ``setsid()``, serve. Neither a
signal to the service's process group nor to its session reaches it. With the argument
``stubborn`` the worker also ignores SIGTERM, so only SIGKILL ends it.
Log: ``worker PID port PORT`` once the worker listens, then ``ready``.
"""

import os
import signal
import socket
import sys
import time

read_end, write_end = os.pipe()
worker = os.fork()
if worker == 0:
    os.close(read_end)
    os.setsid()
    if sys.argv[1:] == ["stubborn"]:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    os.write(write_end, str(server.getsockname()[1]).encode())
    os.close(write_end)
    while True:
        time.sleep(1)
os.close(write_end)
port = int(os.read(read_end, 16))
print(f"worker {worker} port {port}", flush=True)
print("ready", flush=True)
while True:
    time.sleep(1)
