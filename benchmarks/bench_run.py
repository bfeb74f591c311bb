"""Wall time of a cold `paritygate run` on the bundled demo (the README's main command).

Each run is a fresh subprocess (`python -m paritygate run`, imports included) in a fresh
empty working directory, so it starts the demo stack, runs smoke and parity, writes the
run directory and takes the stack down. Prints every run and the median; exits 1 when the
median exceeds the goal, or when a run does not end in ship-with-known-gap.

    .venv/bin/python benchmarks/bench_run.py [--runs N] [--goal SECONDS]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

GOAL_S = 5.0


def one_run(workdir: Path) -> float:
    env = {**os.environ, "NO_COLOR": "1"}
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "paritygate", "run"],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    took = time.perf_counter() - started
    if proc.returncode != 0 or "verdict: SHIP-WITH-KNOWN-GAP" not in proc.stdout:
        sys.exit(f"run failed (exit {proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return took


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--goal", type=float, default=GOAL_S)
    args = parser.parse_args()
    times = []
    with tempfile.TemporaryDirectory(prefix="pg-bench-run-") as tmp:
        for n in range(1, args.runs + 1):
            workdir = Path(tmp) / f"run{n}"  # no config upward: the bundled demo
            workdir.mkdir()
            took = one_run(workdir)
            times.append(took)
            print(f"run {n}: {took:.2f} s")
    median = statistics.median(times)
    verdict = "OK" if median < args.goal else "TOO SLOW"
    print(
        f"cold `paritygate run` on the demo: median {median:.2f} s over {len(times)} runs (goal < {args.goal:.1f} s): {verdict}"
    )
    return 0 if median < args.goal else 1


if __name__ == "__main__":
    raise SystemExit(main())
