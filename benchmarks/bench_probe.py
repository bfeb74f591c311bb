"""Throughput of the parity probe vs a plain send loop, on the bundled demo stack.

Both sides send the same requests (the six seed cases, repeated) to both demo
implementations, each case to both targets at once, with the same httpx.AsyncClient
settings and the same concurrency. The probe also compares every case (canonical
trees, diff, divergence class); the plain loop only reads the answers. Rounds
alternate between the two so drift hits both alike.

    .venv/bin/python benchmarks/bench_probe.py [--cases 300] [--rounds 7] [--concurrency 16]

Goal: the probe reaches >= 80% of the plain loop's cases per second (exit 1 if not).
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

from paritygate.compare import CompareRules
from paritygate.config import load_config
from paritygate.config.loader import demo_config_path
from paritygate.core.models import Endpoint
from paritygate.phases.parity.probe_run import probe_cases
from paritygate.probe import Case, Prober, load_cases
from paritygate.stack import Stack

GOAL = 0.80


async def plain_loop(
    cases: list[Case], targets: dict[str, Endpoint], concurrency: int, timeout: float
) -> float:
    """Cases per second of sending without comparing: same client settings, same fan-out."""
    connections = concurrency * len(targets)
    semaphore = asyncio.Semaphore(concurrency)
    async with httpx.AsyncClient(
        timeout=httpx.Timeout(timeout),
        follow_redirects=False,
        limits=httpx.Limits(max_connections=connections, max_keepalive_connections=connections),
        trust_env=False,
    ) as client:

        async def one(case: Case) -> None:
            async with semaphore:
                await asyncio.gather(
                    *(
                        client.request(
                            case.method,
                            t.base_url + case.path,
                            params=case.query or None,
                            headers=case.request_headers(),
                            content=case.content(),
                        )
                        for t in targets.values()
                    )
                )

        started = time.perf_counter()
        await asyncio.gather(*(one(c) for c in cases))
        return len(cases) / (time.perf_counter() - started)


async def probe(
    cases: list[Case], targets: dict[str, Endpoint], rules: CompareRules, concurrency: int, timeout: float
) -> float:
    """Cases per second of the real probe: send, compare, classify."""
    async with Prober(
        {n: t.base_url for n, t in targets.items()}, concurrency=concurrency, timeout=timeout
    ) as p:
        started = time.perf_counter()
        runs = await probe_cases(p, cases, rules)
        rate = len(cases) / (time.perf_counter() - started)
    shapes = sum(1 for r in runs if r.outcome.value == "shape")
    if shapes != len(cases) * 5 // 6:
        raise SystemExit(f"unexpected probe result: {shapes} shape divergences in {len(cases)} cases")
    return rate


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--cases", type=int, default=300, help="cases per round (the six seed cases repeated)"
    )
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-probe-") as state:
        loaded = load_config(demo_config_path())
        cfg = loaded.model.parity
        assert cfg is not None and cfg.cases is not None
        seed = load_cases(loaded.resolve(cfg.cases))
        cases = [
            dataclasses.replace(seed[i % len(seed)], name=f"{seed[i % len(seed)].name}#{i}")
            for i in range(args.cases)
        ]
        rules = CompareRules.build(cfg.headers, cfg.ignore, cfg.arrays)
        with Stack(loaded, state_dir=Path(state)) as stack:
            targets = stack.endpoints

            async def rounds() -> tuple[list[float], list[float]]:
                await plain_loop(cases[:60], targets, args.concurrency, cfg.timeout)  # warm-up
                await probe(cases[:60], targets, rules, args.concurrency, cfg.timeout)
                plain_rates, probe_rates = [], []
                for n in range(args.rounds):
                    # alternate which side goes first, so load drift does not favour one
                    if n % 2:
                        probe_rates.append(await probe(cases, targets, rules, args.concurrency, cfg.timeout))
                    plain_rates.append(await plain_loop(cases, targets, args.concurrency, cfg.timeout))
                    if not n % 2:
                        probe_rates.append(await probe(cases, targets, rules, args.concurrency, cfg.timeout))
                return plain_rates, probe_rates

            plain_rates, probe_rates = asyncio.run(rounds())

    plain_median = statistics.median(plain_rates)
    probe_median = statistics.median(probe_rates)
    ratio = probe_median / plain_median
    print(
        f"cases per round: {args.cases} ({args.cases * 2} requests), rounds: {args.rounds}, "
        f"concurrency: {args.concurrency}"
    )
    print(
        "plain loop cases/s: " + ", ".join(f"{r:.0f}" for r in plain_rates) + f"  median {plain_median:.0f}"
    )
    print(
        "parity probe cases/s: " + ", ".join(f"{r:.0f}" for r in probe_rates) + f"  median {probe_median:.0f}"
    )
    verdict = "OK" if ratio >= GOAL else "MISSED"
    print(f"ratio probe/plain: {ratio:.2f} (goal >= {GOAL:.2f}) {verdict}")
    return 0 if ratio >= GOAL else 1


if __name__ == "__main__":
    sys.exit(main())
