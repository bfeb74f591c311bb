"""Needs service `a` at start-up: fetches A_URL (a placeholder) and exits 1 if it does not answer."""

import os
import sys
import time
import urllib.request

url = os.environ["A_URL"]
try:
    with urllib.request.urlopen(url, timeout=2) as resp:
        print(f"fetched {url} -> {resp.status}", flush=True)
except OSError as exc:
    print(f"cannot reach {url}: {exc}", flush=True)
    sys.exit(1)
print(f"PARITYGATE_A_URL={os.environ['PARITYGATE_A_URL']}", flush=True)
print(f"PARITYGATE_A_PORT={os.environ['PARITYGATE_A_PORT']}", flush=True)
print(f"argv={sys.argv[1:]}", flush=True)
print("ready", flush=True)
while True:
    time.sleep(1)
