"""Requests per second of `fuzz` vs `parity` on the same targets, same run.

One stack of the project (default: the bundled demo's two daemons) is brought up once;
then, round after round, the parity phase probes the project's cases (repeated until
there are ``--requests`` of them, in the file's own order) and the fuzz phase generates
``--requests`` requests from ``[fuzz]`` (the demo: its OpenAPI document), both against
the same endpoints, alternating so both see the same machine load. A request is one
request sent to every target at once, as each phase counts it: parity's cases, fuzz's
distinct generated requests (the shrinker's replays of an answer it has are not sent).
Time is each phase's whole library call (fuzz: search, shrinking, the parity report of
the shrunk cases). Prints every round, the medians and the same-run ratio fuzz / parity.

    .venv/bin/python benchmarks/bench_fuzz.py [--rounds N] [--requests N] [--config paritygate.toml]

Exits 1 when a round fails (a phase errored, or fuzz sent nothing).
"""

from __future__ import annotations

import argparse
import dataclasses
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from paritygate.config import LoadedConfig, load_config
from paritygate.core.aio import blocking
from paritygate.core.models import Endpoint, PhaseStatus
from paritygate.gauntlet.fuzz_step import fuzz_budget, plan_fuzz, run_fuzz_async
from paritygate.phases.parity import ParityInputs, load_inputs, run_parity
from paritygate.probe.cases import CasesFile, Scenario
from paritygate.stack import Stack


def _repeated(inputs: ParityInputs, count: int) -> ParityInputs:
    """The project's plain cases, repeated (each copy named apart) until there are ``count``."""
    plain = [c for c in inputs.cases if c.scenario is None and not c.uses]
    if not plain:
        sys.exit(f"{inputs.cases_file}: no plain case (without a scenario or captured values) to repeat")
    cases = [
        dataclasses.replace(plain[i % len(plain)], name=f"{plain[i % len(plain)].name}-{i}")
        for i in range(count)
    ]
    file = CasesFile(
        inputs.cases_file, [Scenario(None, cases)], inputs.file.order, inputs.file.unsafe_parallel
    )
    return dataclasses.replace(inputs, cases=cases, file=file)


def _parity_rate(loaded: LoadedConfig, endpoints: dict[str, Endpoint], inputs: ParityInputs) -> float:
    started = time.perf_counter()
    result = run_parity(loaded, endpoints, inputs=inputs, noise_runs=0)
    took = time.perf_counter() - started
    if result.status is PhaseStatus.ERROR or result.parity is None:
        sys.exit(f"parity errored: {result.summary}")
    return len(result.parity.cases) / took


def _fuzz_rate(
    loaded: LoadedConfig, endpoints: dict[str, Endpoint], requests: int, seed: int
) -> tuple[float, int]:
    plan = plan_fuzz(loaded)
    budget = dataclasses.replace(fuzz_budget(loaded, max_examples=requests, seed=seed), deadline_s=None)
    started = time.perf_counter()
    outcome = blocking(run_fuzz_async)(loaded, endpoints, budget=budget, plan=plan)
    took = time.perf_counter() - started
    if outcome.result.status is PhaseStatus.ERROR or outcome.search.sent == 0:
        sys.exit(f"fuzz errored or sent nothing: {outcome.result.summary}")
    return outcome.search.sent / took, outcome.search.sent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--requests", type=int, default=200, help="requests per phase and round")
    parser.add_argument("--config", type=Path, default=None)
    args = parser.parse_args()
    parity_rates: list[float] = []
    fuzz_rates: list[float] = []
    with tempfile.TemporaryDirectory(prefix="pg-bench-fuzz-") as tmp:
        if args.config is None:  # a copy of the demo: its stack state must not land in the package
            from paritygate.config.loader import demo_config_path

            shutil.copytree(demo_config_path().parent, Path(tmp) / "demo")
            args.config = Path(tmp) / "demo" / "paritygate.toml"
        loaded = load_config(args.config.resolve())
        inputs = _repeated(load_inputs(loaded), args.requests)
        stack = Stack(loaded)
        endpoints = stack.up()
        try:
            for n in range(1, args.rounds + 1):
                parity = _parity_rate(loaded, endpoints, inputs)
                fuzz, sent = _fuzz_rate(loaded, endpoints, args.requests, seed=n)
                parity_rates.append(parity)
                fuzz_rates.append(fuzz)
                print(
                    f"round {n}: parity {parity:.0f} req/s ({len(inputs.cases)} cases), "
                    f"fuzz {fuzz:.0f} req/s ({sent} generated)"
                )
        finally:
            stack.down()
    p, f = statistics.median(parity_rates), statistics.median(fuzz_rates)
    targets = ", ".join(sorted(endpoints))
    print(f"{args.config} ({targets}): parity {p:.0f} req/s, fuzz {f:.0f} req/s (medians of {args.rounds})")
    print(f"fuzz / parity requests per second: x{f / p:.2f} (same run, same targets)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
