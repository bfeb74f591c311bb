"""Prints a line that no readiness regex expects, then waits forever (a service that never gets ready)."""

import time

print("warming up", flush=True)
while True:
    time.sleep(1)
