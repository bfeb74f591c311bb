"""Forks a child that ignores SIGTERM (a daemon's worker that would outlive its parent).

The parent exits on SIGTERM (the default action); only SIGKILL of the whole process
group ends the child.
"""

import os
import signal
import time

child = os.fork()
if child == 0:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    while True:
        time.sleep(1)
print(f"parent {os.getpid()} child {child}", flush=True)
print("ready", flush=True)
while True:
    time.sleep(1)
