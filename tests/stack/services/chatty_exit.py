"""Prints 30 numbered lines, then exits with code 4 (a service that crashes during start-up)."""

import sys

for i in range(1, 31):
    print(f"line {i}")
sys.exit(4)
