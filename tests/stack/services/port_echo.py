"""Reports the port it was given by {port} and by PARITYGATE_PORT, then listens on it."""

import os
import socket
import sys
import time

print(f"argv port {sys.argv[1]} env port {os.environ['PARITYGATE_PORT']}", flush=True)
with socket.create_server(("127.0.0.1", int(sys.argv[1]))):
    print("ready", flush=True)
    while True:
        time.sleep(1)
