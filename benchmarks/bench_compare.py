"""Speed of compare() against deepdiff.DeepDiff on a pair of ~1 MB JSON bodies.

Both sides are generated deterministically (seeded): records with nested objects and
arrays; the right side has a few scattered changes (a changed value, a missing key, a
reordered small array). compare() gets the raw bodies (so its time includes orjson
parsing and canonicalisation); DeepDiff gets the already parsed pair. Prints the median
of several runs of each and the ratio; exits 1 when compare() is not at least 10x faster.
Also checks that a 10,000-level nested JSON body compares without RecursionError.

    .venv/bin/python benchmarks/bench_compare.py [--runs N] [--size-mb 1.0]
"""

from __future__ import annotations

import argparse
import copy
import random
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

import orjson
from deepdiff import DeepDiff

from corpus import WORDS  # benchmarks/ is on sys.path when a script runs
from paritygate.compare import Outcome, Response, compare

GOAL = 10.0


def make_record(rng: random.Random, n: int) -> dict[str, Any]:
    return {
        "id": f"R-{n:06d}",
        "created_at": f"2026-05-{rng.randint(1, 28):02d}T{rng.randint(0, 23):02d}:00:00Z",
        "active": rng.random() < 0.8,
        "score": round(rng.uniform(0, 100), 3),
        "owner": {
            "name": " ".join(rng.choice(WORDS) for _ in range(2)),
            "email": f"user{rng.randint(1, 9999)}@example.org",
            "address": {"city": rng.choice(WORDS), "zip": f"{rng.randint(10000, 99999)}"},
        },
        "tags": [rng.choice(WORDS) for _ in range(rng.randint(1, 5))],
        "items": [
            {"sku": f"S-{rng.randint(1, 99999)}", "qty": rng.randint(1, 9), "price": rng.randint(1, 999) / 10}
            for _ in range(rng.randint(1, 4))
        ],
        "note": None if rng.random() < 0.5 else " ".join(rng.choice(WORDS) for _ in range(6)),
    }


def make_pair(size_mb: float, seed: int = 20260502) -> tuple[Any, Any]:
    rng = random.Random(seed)
    records: list[dict[str, Any]] = []
    left: dict[str, Any] = {"schema": "bench/1", "records": records}
    while len(orjson.dumps(left)) < size_mb * 1_000_000:
        records.extend(make_record(rng, len(records)) for _ in range(200))
    right = copy.deepcopy(left)
    recs = right["records"]
    recs[len(recs) // 5]["score"] = -1.0  # a changed value
    del recs[len(recs) // 2]["owner"]["email"]  # a missing key
    recs[4 * len(recs) // 5]["tags"] = ["zulu", "yankee", "xray"]  # a changed small array
    # a reordered small array: the last record with at least two distinct items
    target = next(r for r in reversed(recs) if len(r["items"]) > 1 and r["items"][0] != r["items"][-1])
    target["items"].reverse()
    return left, right


def median_seconds(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def check_deep_nesting() -> str:
    depth = 10_000
    body = b"[" * depth + b"1" + b"]" * depth
    other = b"[" * depth + b"2" + b"]" * depth
    headers = [("content-type", "application/json")]
    result = compare(Response(200, headers, body), Response(200, headers, other))
    return f"{depth}-level JSON: outcome {result.outcome.value}, notes: {result.notes[0][:70]}..."


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--size-mb", type=float, default=1.0)
    args = parser.parse_args()

    left, right = make_pair(args.size_mb)
    headers = [("content-type", "application/json")]
    lresp = Response(200, headers, orjson.dumps(left))
    rresp = Response(200, headers, orjson.dumps(right))
    result = compare(lresp, rresp)
    if result.outcome is Outcome.MATCH:
        print("error: the generated pair compared equal", file=sys.stderr)
        return 1
    ddiff = DeepDiff(left, right, ignore_order=False)

    ours = median_seconds(lambda: compare(lresp, rresp), args.runs)
    theirs = median_seconds(lambda: DeepDiff(left, right, ignore_order=False), max(3, args.runs // 2))
    ratio = theirs / ours
    print(
        f"bodies: {len(lresp.body) / 1e6:.2f} MB and {len(rresp.body) / 1e6:.2f} MB, "
        f"{len(left['records'])} records"
    )
    print(
        f"compare():  {ours * 1000:8.1f} ms median of {args.runs}  "
        f"({result.outcome.value}, {len(result.differences)} differences)"
    )
    for diff in result.differences:
        print(f"    {diff.kind:8} {diff.path}")
    print(f"DeepDiff(): {theirs * 1000:8.1f} ms median  ({len(ddiff.affected_paths)} affected paths)")
    print(f"ratio: {ratio:.1f}x (goal >= {GOAL:.0f}x)")
    print(check_deep_nesting())
    if ratio < GOAL:
        print(f"FAIL: compare() is only {ratio:.1f}x faster than DeepDiff", file=sys.stderr)
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
