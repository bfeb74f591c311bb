"""Send every case (plus noise repeats) and compare each case as soon as its answers are in.

Comparing inside the case's own task lets the CPU work of one case overlap the network
wait of the others, so the comparison costs little throughput over a plain send loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field

from paritygate.compare import (
    CompareRules,
    NoisyPath,
    Occurrence,
    class_key,
    compare,
    decompose,
    detect_noise,
)
from paritygate.compare.model import Comparison, Outcome, Response, most_severe
from paritygate.config.phases import OperationRule
from paritygate.phases.parity.nway import CaseComparison, compare_case
from paritygate.probe import Case, Prober
from paritygate.probe.operation import operation_name

__all__ = ["CaseRun", "Grouping", "PairRun", "probe_cases"]

ProgressFn = Callable[["CaseRun"], None]


@dataclass(slots=True)
class PairRun:
    left: str
    right: str
    comparison: Comparison
    class_keys: list[str] = field(default_factory=list)  # one per cause, sorted

    @property
    def class_key(self) -> str | None:
        return self.class_keys[0] if self.class_keys else None


@dataclass(slots=True)
class CaseRun:
    case: Case
    responses: dict[str, Response]  # the first round: what is compared and reported
    pairs: list[PairRun]
    groups: list[list[str]]
    odd_one_out: str | None
    noise: dict[str, list[NoisyPath]] = field(default_factory=dict)  # target -> paths that varied
    operation: str = ""
    occurrences: list[Occurrence] = field(default_factory=list)  # every cause of every pair

    @property
    def outcome(self) -> Outcome:
        return most_severe([p.comparison.outcome for p in self.pairs])

    @property
    def status_match(self) -> bool:
        statuses = {r.status for r in self.responses.values()}
        return None not in statuses and len(statuses) == 1

    @property
    def body_match(self) -> bool:
        return all(p.comparison.body_match for p in self.pairs)

    @property
    def class_keys(self) -> list[str]:
        """Every class this case is in (a case with three causes is in three classes)."""
        return sorted({k for p in self.pairs for k in p.class_keys})

    @property
    def class_key(self) -> str | None:
        keys = self.class_keys
        return keys[0] if keys else None


def _learn_noise(rounds: list[dict[str, Response]], rules: CompareRules) -> dict[str, list[NoisyPath]]:
    """Paths whose value changes between repeats to the SAME target."""
    noise: dict[str, list[NoisyPath]] = {}
    for name in rounds[0]:
        # a body over the limit has no paths to learn (it is compared by digest)
        samples = [r[name] for r in rounds if r[name].error is None and not r[name].oversized]
        if len(samples) >= 2:
            found = detect_noise(samples, rules)
            if found:
                noise[name] = found
    return noise


@dataclass(frozen=True, slots=True)
class Grouping:
    """How cases are named and their causes grouped into classes ([parity] operation, group_by)."""

    operation: OperationRule = field(default_factory=OperationRule)
    group_by: str = "cause"


def _evaluate(
    case: Case,
    rounds: list[dict[str, Response]],
    rules: CompareRules,
    reference: str | None,
    grouping: Grouping,
) -> CaseRun:
    first = rounds[0]
    noise = _learn_noise(rounds, rules) if len(rounds) > 1 else {}
    noisy_paths = sorted({p.path for paths in noise.values() for p in paths})
    names = list(first)

    def pair_compare(left: Response, right: Response) -> Comparison:
        return compare(left, right, rules, noise=noisy_paths)

    result: CaseComparison = compare_case(names, first, reference, pair_compare)
    operation = operation_name(case, grouping.operation)
    pairs: list[PairRun] = []
    occurrences: list[Occurrence] = []
    for left, right, comparison in result.pairs:
        pair = PairRun(left, right, comparison)
        # a pair where a target gave no answer is reported as an error, not as a class
        if comparison.outcome not in (Outcome.MATCH, Outcome.ERROR):
            for cause in decompose(comparison, first[left], first[right]):
                occurrences.append(Occurrence(case.name, operation, left, right, cause))
                pair.class_keys.append(class_key(cause, operation, grouping.group_by))
            pair.class_keys = sorted(set(pair.class_keys))
        pairs.append(pair)
    return CaseRun(case, first, pairs, result.groups, result.odd_one_out, noise, operation, occurrences)


async def probe_cases(
    prober: Prober,
    cases: list[Case],
    rules: CompareRules,
    *,
    reference: str | None = None,
    noise_runs: int = 0,
    progress: ProgressFn | None = None,
    grouping: Grouping | None = None,
) -> list[CaseRun]:
    """Every case to every target at once; ``noise_runs`` extra rounds per case learn noise."""

    async def one(case: Case) -> CaseRun:
        rounds = [await prober.send(case)]
        for _ in range(noise_runs):
            rounds.append(await prober.send(case))
        run = _evaluate(case, rounds, rules, reference, grouping or Grouping())
        if progress is not None:
            progress(run)
        return run

    return list(await asyncio.gather(*(one(c) for c in cases)))
