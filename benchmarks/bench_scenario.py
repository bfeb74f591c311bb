"""Throughput of a 200-step scenario in lockstep vs a plain sequential loop, same run.

A scenario of one create (its id captured, per target), 198 reads of that id and one
delete goes to two stateful stand-in implementations (tests/scenarios/stateful_impls.py,
each issuing its own random ids). The probe sends each step to both targets at once,
waits for both, captures, substitutes and compares; the plain loop does the same sends
with a plain aiohttp session (the probe's client), one step at a time, and only extracts the id.
Rounds alternate between the two so drift hits both alike.

    .venv/bin/python benchmarks/bench_scenario.py [--steps 200] [--rounds 7]

Goal: the probe reaches >= 70% of the plain sequential loop's steps per second (exit 1 if not).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
import orjson

from paritygate.compare import CompareRules
from paritygate.phases.parity.probe_run import probe_sequences
from paritygate.probe import Case, Prober
from paritygate.probe.cases import load_cases_file

GOAL = 0.70
IMPLS = Path(__file__).resolve().parents[1] / "tests" / "scenarios" / "stateful_impls.py"


def scenario_toml(steps: int) -> str:
    reads = "".join(
        f'\n[[scenarios.steps]]\nname = "read_{i}"\nmethod = "GET"\npath = "/things/{{{{tid}}}}"\n'
        for i in range(steps - 2)
    )
    return (
        '[[scenarios]]\nname = "bench"\n\n[[scenarios.steps]]\nname = "create"\nmethod = "POST"\n'
        'path = "/things"\njson = { name = "widget" }\n\n[[scenarios.steps.capture]]\nname = "tid"\n'
        f'jsonpath = "$.id"\n{reads}\n[[scenarios.steps]]\nname = "delete"\nmethod = "DELETE"\n'
        'path = "/things/{{tid}}"\n'
    )


async def plain_loop(steps: list[Case], targets: dict[str, str]) -> float:
    """Steps per second of a hand-written sequential loop: both targets at once, per-target id."""
    connector = aiohttp.TCPConnector(limit=len(targets))
    async with aiohttp.ClientSession(
        connector=connector, timeout=aiohttp.ClientTimeout(total=10.0)
    ) as client:
        ids: dict[str, str] = {}

        async def one(name: str, case: Case) -> None:
            path = case.path.replace("{{tid}}", ids.get(name, ""))
            async with client.request(
                case.method,
                targets[name] + path,
                headers=case.request_headers(),
                data=case.content(),
                allow_redirects=False,
            ) as answer:
                body = await answer.read()
            if case.captures:
                ids[name] = orjson.loads(body)["id"]

        started = time.perf_counter()
        for case in steps:
            await asyncio.gather(*(one(n, case) for n in targets))
        return len(steps) / (time.perf_counter() - started)


async def probe(steps: list[Case], targets: dict[str, str]) -> float:
    async with Prober(targets, timeout=10.0) as prober:
        started = time.perf_counter()
        runs = await probe_sequences(prober, [steps], CompareRules.build(["content-type"], [], []))
        rate = len(steps) / (time.perf_counter() - started)
    compared = [r for r in runs.runs if r.state == "compared"]
    if len(compared) != len(steps) or any(r.outcome.value != "match" for r in compared):
        raise SystemExit("unexpected probe result: every step should be compared and match")
    return rate


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-scenario-") as tmp:
        path = Path(tmp) / "cases.toml"
        path.write_text(scenario_toml(args.steps), encoding="utf-8")
        steps = load_cases_file(path).cases
        proc = subprocess.Popen(
            [sys.executable, str(IMPLS), "random", "random"], stdout=subprocess.PIPE, text=True
        )
        try:
            assert proc.stdout is not None
            ports = json.loads(proc.stdout.readline())
            targets = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}

            async def rounds() -> tuple[list[float], list[float]]:
                await plain_loop(steps[:40], targets)  # warm-up
                await probe(steps[:40], targets)
                plain_rates, probe_rates = [], []
                for n in range(args.rounds):
                    if n % 2:
                        probe_rates.append(await probe(steps, targets))
                    plain_rates.append(await plain_loop(steps, targets))
                    if not n % 2:
                        probe_rates.append(await probe(steps, targets))
                return plain_rates, probe_rates

            plain_rates, probe_rates = asyncio.run(rounds())
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    plain_median, probe_median = statistics.median(plain_rates), statistics.median(probe_rates)
    ratio = probe_median / plain_median
    print(f"steps per scenario: {args.steps} (to 2 targets each), rounds: {args.rounds}")
    print(
        "plain sequential loop steps/s: "
        + ", ".join(f"{r:.0f}" for r in plain_rates)
        + f"  median {plain_median:.0f}"
    )
    print(
        "parity probe (lockstep) steps/s: "
        + ", ".join(f"{r:.0f}" for r in probe_rates)
        + f"  median {probe_median:.0f}"
    )
    verdict = "OK" if ratio >= GOAL else "MISSED"
    print(f"ratio probe/plain: {ratio:.2f} (goal >= {GOAL:.2f}) {verdict}")
    return 0 if ratio >= GOAL else 1


if __name__ == "__main__":
    sys.exit(main())
