"""How long the bundled demo stack takes to get ready: time from calling ``Stack.up()`` until
both daemons answer their readiness check, over N runs (each torn down before the next).

    .venv/bin/python benchmarks/bench_stack_up.py [--runs 7] [--goal 1.5]

Prints each run and the median/min/max; exits 1 when the median misses the goal.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from paritygate.config import load_config
from paritygate.config.loader import demo_config_path
from paritygate.stack import Stack, StackEvent


def one_run(state_dir: Path) -> tuple[float, dict[str, float]]:
    """Seconds from up() to all-ready, and each service's ready time (from up())."""
    loaded = load_config(demo_config_path())
    ready: dict[str, float] = {}

    def record(event: StackEvent) -> None:
        if event.kind == "ready":
            ready[event.service] = event.elapsed_s

    stack = Stack(loaded, state_dir=state_dir, on_event=record)
    started = time.perf_counter()
    try:
        stack.up()
        elapsed = time.perf_counter() - started
    finally:
        stack.down()
    return elapsed, ready


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=7, help="number of runs (default 7)")
    parser.add_argument("--goal", type=float, default=1.5, help="median goal in seconds (default 1.5)")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")

    times: list[float] = []
    with tempfile.TemporaryDirectory(prefix="paritygate-bench-") as tmp:
        for n in range(1, args.runs + 1):
            elapsed, ready = one_run(Path(tmp))
            times.append(elapsed)
            per_service = "  ".join(f"{name} {at:.3f}s" for name, at in sorted(ready.items()))
            print(f"run {n}: {elapsed:.3f}s  ({per_service})")

    median = statistics.median(times)
    verdict = "OK" if median <= args.goal else "TOO SLOW"
    print(
        f"median {median:.3f}s  min {min(times):.3f}s  max {max(times):.3f}s  goal {args.goal:.2f}s  {verdict}"
    )
    return 0 if median <= args.goal else 1


if __name__ == "__main__":
    sys.exit(main())
