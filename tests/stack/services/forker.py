"""Forks a child that ignores SIGTERM (a daemon's worker that would outlive its parent).

The parent exits on SIGTERM (the default action); only SIGKILL of the whole process
group ends the child. The parent says ``ready`` only after the child has told it, over
a pipe, that SIGTERM is ignored: otherwise a teardown that comes quickly (a loaded
machine delays the child's first instructions) would find a child still on the default
action and the test would see it die of SIGTERM.
"""

import os
import signal
import time

read_end, write_end = os.pipe()
child = os.fork()
if child == 0:
    os.close(read_end)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    os.write(write_end, b"ignoring\n")
    os.close(write_end)
    while True:
        time.sleep(1)
os.close(write_end)
with os.fdopen(read_end, "rb") as pipe:
    if pipe.readline() != b"ignoring\n":
        raise SystemExit("the child died before ignoring SIGTERM")
print(f"parent {os.getpid()} child {child}", flush=True)
print("ready", flush=True)
while True:
    time.sleep(1)
