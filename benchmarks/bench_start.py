"""Start-up time of ``paritygate --help`` and ``--version`` against ``python -c "import click, rich"``.

The floor is the interpreter plus click and rich, measured in the same run with the
order rotated each round. Prints each median and the ratio; exits 1 when ``--help``
takes more than 1.5x the floor.

    .venv/bin/python benchmarks/bench_start.py [--runs N] [--goal RATIO]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

COMMANDS: dict[str, list[str]] = {
    "floor: import click, rich": [sys.executable, "-c", "import click, rich"],
    "paritygate --help": [sys.executable, "-m", "paritygate", "--help"],
    "paritygate --version": [sys.executable, "-m", "paritygate", "--version"],
}


def _once(argv: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(argv, check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--goal", type=float, default=1.5)
    args = parser.parse_args()
    names = list(COMMANDS)
    times: dict[str, list[float]] = {name: [] for name in names}
    for round_ in range(args.runs):
        shift = round_ % len(names)
        for name in names[shift:] + names[:shift]:  # rotate: no command always runs first
            times[name].append(_once(COMMANDS[name]))
    floor = statistics.median(times[names[0]])
    for name in names:
        median = statistics.median(times[name])
        print(f"{name:28} median {median * 1000:7.1f} ms   {median / floor:4.2f}x floor")
    ratio = statistics.median(times["paritygate --help"]) / floor
    ok = ratio <= args.goal
    print(f"--help / floor = {ratio:.2f} (goal <= {args.goal}): {'ok' if ok else 'SLOWER THAN GOAL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
