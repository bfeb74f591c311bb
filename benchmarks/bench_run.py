"""Wall time of a cold `paritygate run` on the bundled demo (the README's main command),
inside a git checkout and outside one, in the same run.

Each run is a fresh subprocess (`python -m paritygate run`, imports included) in a fresh
working directory with no config upward, so it starts the demo stack, runs smoke and
parity, reviews (a dry run over the last commit, inside a checkout), writes the run
directory and takes the stack down. The checkout is a shallow clone of this repository
(its last commit is what the dry-run review scans); the other directory is empty, so the
review is skipped there. The two alternate, the first of each round rotating. Prints every
run, the medians and their ratio; exits 1 when the median inside the checkout exceeds the
goal, when the review did not run there, or when a run does not end in ship-with-known-gap.

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
REPO = Path(__file__).resolve().parent.parent


def one_run(workdir: Path, *, reviewed: bool) -> float:
    env = {**os.environ, "NO_COLOR": "1"}
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "paritygate", "run"],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    took = time.perf_counter() - started
    if proc.returncode != 0 or "verdict: SHIP-WITH-KNOWN-GAP" not in proc.stdout:
        sys.exit(f"run failed (exit {proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    review = next((line for line in proc.stdout.splitlines() if line[2:].startswith("review ")), "")
    if reviewed != ("skipped" not in review):
        sys.exit(f"the review {'did not run' if reviewed else 'ran'} in {workdir}: {review!r}")
    return took


def checkout(into: Path) -> Path:
    """A shallow clone of this repository (its last commit, and the one before to diff against)."""
    subprocess.run(
        ["git", "clone", "--quiet", "--depth", "2", REPO.as_uri(), str(into)], check=True, capture_output=True
    )
    return into


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--goal", type=float, default=GOAL_S)
    args = parser.parse_args()
    if subprocess.run(["git", "-C", str(REPO), "rev-parse"], capture_output=True, check=False).returncode:
        sys.exit(f"error: {REPO} is not a git checkout (this benchmark clones it)")
    times: dict[str, list[float]] = {"in a git checkout": [], "outside git": []}
    with tempfile.TemporaryDirectory(prefix="pg-bench-run-") as tmp:
        for n in range(1, args.runs + 1):
            order = list(times) if n % 2 else list(reversed(times))
            for where in order:
                if where == "outside git":
                    workdir = Path(tmp) / f"plain{n}"  # no config upward: the bundled demo
                    workdir.mkdir()
                else:
                    workdir = checkout(Path(tmp) / f"clone{n}")
                took = one_run(workdir, reviewed=where == "in a git checkout")
                times[where].append(took)
                print(f"run {n} {where}: {took:.2f} s")
    med = {where: statistics.median(t) for where, t in times.items()}
    inside, outside = med["in a git checkout"], med["outside git"]
    verdict = "OK" if inside < args.goal else "TOO SLOW"
    print(f"cold `paritygate run` on the demo, medians over {args.runs} runs each (same run, alternating):")
    print(
        f"  in a git checkout (review dry run over the last commit): {inside:.2f} s (goal < {args.goal:.1f} s)"
    )
    print(f"  outside git (review skipped):                            {outside:.2f} s")
    print(f"  ratio in / out: {inside / outside:.2f}x: {verdict}")
    return 0 if inside < args.goal else 1


if __name__ == "__main__":
    raise SystemExit(main())
