"""Check time of the bundled demo smoke chain: the demo stack is brought up once, then the
whole chain (every check against both daemons) runs N times. Check time is the smoke phase's
own clock: from the first request to the last reply, stack start-up excluded.

    .venv/bin/python benchmarks/bench_smoke.py [--runs 7] [--jobs N] [--goal 1.0]

Prints each run and the median/min/max; exits 1 when a run fails a check or the median
misses the goal (seconds).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

from paritygate.config import load_config
from paritygate.config.loader import demo_config_path
from paritygate.core.models import PhaseStatus
from paritygate.phases.smoke import load_smoke, run_plan
from paritygate.stack import Stack


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--jobs", type=int, default=None, help="parallel chains (default: CPUs)")
    parser.add_argument("--goal", type=float, default=1.0, help="median check time to stay under, seconds")
    args = parser.parse_args()

    loaded = load_config(demo_config_path())
    plan = load_smoke(loaded)
    times: list[float] = []
    with tempfile.TemporaryDirectory() as state, Stack(loaded, state_dir=Path(state)) as stack:
        for run in range(1, args.runs + 1):
            result = run_plan(plan, stack.endpoints, jobs=args.jobs)
            print(f"run {run}: {result.summary}  ({result.duration_s * 1000:.1f} ms)")
            if result.status is not PhaseStatus.PASSED:
                return 1
            times.append(result.duration_s)
    median = statistics.median(times)
    print(
        f"{plan.total} checks, median {median * 1000:.1f} ms, "
        f"min {min(times) * 1000:.1f} ms, max {max(times) * 1000:.1f} ms (goal < {args.goal:.2f}s)"
    )
    return 0 if median < args.goal else 1


if __name__ == "__main__":
    sys.exit(main())
