"""Ignores SIGTERM; SIGINT (its default action) or SIGKILL stops it."""

import signal
import time

signal.signal(signal.SIGTERM, signal.SIG_IGN)
# SIGINT's default action ends it, whatever was inherited (a background job starts with SIGINT ignored)
signal.signal(signal.SIGINT, signal.SIG_DFL)
print("ready", flush=True)
while True:
    time.sleep(1)
