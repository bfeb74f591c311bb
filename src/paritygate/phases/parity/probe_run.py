"""Run the sequences of a cases file and compare each step as soon as its answers are in.

Order is never a race. A sequence (the file's ``[[cases]]``, or one ``[[scenarios]]``)
runs one step at a time: each step goes to every target at once (lockstep) and the
next starts when every target has answered. Up to ``concurrency`` sequences are in
flight; under ``order = "parallel"`` each plain case is a sequence of its own.

Captures are per target: each target's later steps get the values that target issued.
A capture that fails makes its step an ``error`` for that target; the steps that need
the value are ``skipped`` (never sent with a literal ``{{x}}``), except teardown steps,
which still go to the targets that have what they need. Setup and teardown steps run
on every target but are not compared. Comparing inside the sequence's own task lets
the CPU work of one step overlap the network wait of the other sequences.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import httpx

from paritygate.compare import (
    CompareRules,
    Flaky,
    NoiseLearner,
    NoiseSettings,
    NoisyPath,
    Occurrence,
    class_key,
    compare,
    decompose,
)
from paritygate.compare.model import Comparison, Outcome, Response, most_severe, severity_of_kind
from paritygate.config.phases import OperationRule
from paritygate.phases.parity.nway import CaseComparison, compare_case
from paritygate.probe import Case, Prober
from paritygate.probe.bodies import slim
from paritygate.probe.cases import Order
from paritygate.probe.extract import Reply, extract_capture
from paritygate.probe.operation import operation_name
from paritygate.probe.templates import text_form

__all__ = [
    "SAFE_METHODS",
    "Calibration",
    "CaseRun",
    "Grouping",
    "PairRun",
    "ProbeRun",
    "StepState",
    "is_safe",
    "probe_cases",
    "probe_sequences",
    "recorded_probe",
    "sequences_of",
]

ProgressFn = Callable[["CaseRun"], None]
StepState = Literal["compared", "error", "skipped", "not_compared"]
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def is_safe(case: Case) -> bool:
    """May this case be re-sent? Safe methods, or a case its author marked ``safe = true``."""
    return case.safe


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
    responses: dict[str, Response]  # the first round: what is compared and reported (sent targets only)
    pairs: list[PairRun]
    groups: list[list[str]]
    odd_one_out: str | None
    noise: dict[str, list[NoisyPath]] = field(default_factory=dict)  # target -> paths that varied
    operation: str = ""
    occurrences: list[Occurrence] = field(default_factory=list)  # every cause of every pair
    # compared | error (a capture failed on a target) | skipped | not_compared (setup, teardown)
    state: StepState = "compared"
    reason: str | None = None  # why skipped
    capture_errors: dict[str, str] = field(default_factory=dict)  # target -> what failed
    captured: dict[str, dict[str, Any]] = field(default_factory=dict)  # target -> name -> value
    # each target's XML namespaces (kept from the parsed trees, which are dropped)
    namespaces: dict[str, dict[str, str]] = field(default_factory=dict)
    flaky: list[Flaky] = field(default_factory=list)
    repeated: int = 0  # extra sends of this case to each primary (safe repeats)

    @property
    def outcome(self) -> Outcome:
        own = [Outcome.ERROR] if self.capture_errors else []
        return most_severe([p.comparison.outcome for p in self.pairs] + own)

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

    @property
    def excused(self) -> Counter[str]:
        """How many differing places each matcher or learned path excused in this case."""
        return Counter(label for p in self.pairs for label, _ in p.comparison.excused)


@dataclass(slots=True)
class Calibration:
    """Which calibration ran and what it rests on (the report states it as is)."""

    mode: Literal["twins", "repeats", "twins+repeats", "none"]
    twins: dict[str, str]  # primary -> its twin's target name
    noise_runs: int
    repeated_cases: int  # safe cases re-sent noise_runs times
    unrepeated_cases: int  # unsafe cases: calibrated by twins or not at all
    observations: int  # pairs of answers of one implementation that were compared
    min_count: int
    min_ratio: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "mode": self.mode,
            "twins": dict(self.twins),
            "noise_runs": self.noise_runs,
            "repeated_cases": self.repeated_cases,
            "unrepeated_cases": self.unrepeated_cases,
            "observations": self.observations,
            "min_count": self.min_count,
            "min_ratio": self.min_ratio,
        }


@dataclass(slots=True)
class ProbeRun:
    runs: list[CaseRun]
    calibration: Calibration
    noise: list[NoisyPath]
    flaky: list[Flaky]
    operations: list[str]


def sequences_of(scenarios: list[list[Case]], order: Order) -> list[list[Case]]:
    """What runs one step at a time. Parallel splits the plain cases, never a scenario."""
    out: list[list[Case]] = []
    for steps in scenarios:
        if order == "parallel" and steps and steps[0].scenario is None:
            out += [[case] for case in steps]
        else:
            out.append(steps)
    return out


@dataclass(frozen=True, slots=True)
class Grouping:
    """How cases are named and their causes grouped into classes ([parity] operation, group_by)."""

    operation: OperationRule = field(default_factory=OperationRule)
    group_by: str = "cause"


def _without_captured(comparison: Comparison, left: dict[str, Any], right: dict[str, Any]) -> Comparison:
    """Drop the value differences that are exactly what each side issued for one capture."""
    issued = [(text_form(left[n]), text_form(right[n])) for n in left if n in right]
    if not issued:
        return comparison

    def per_target(kind: str, lv: Any, rv: Any) -> bool:
        return kind in ("value", "header") and (text_form(lv), text_form(rv)) in issued

    kept = [d for d in comparison.differences if not per_target(d.kind, d.left, d.right)]
    if len(kept) == len(comparison.differences):
        return comparison
    comparison.differences = kept
    comparison.outcome = most_severe([severity_of_kind(d.kind) for d in kept])
    return comparison


def _evaluate(
    case: Case,
    first: dict[str, Response],
    rules: CompareRules,
    reference: str | None,
    grouping: Grouping,
    issued: dict[str, dict[str, Any]],
    learned: list[NoisyPath],
    operation: str,
) -> CaseRun:
    noise: dict[str, list[NoisyPath]] = {}
    for n in learned:
        if n.operation == operation and n.target in first:
            noise.setdefault(n.target, []).append(n)
    scoped = rules.for_operation(operation)
    names = list(first)
    target_of = {id(resp): name for name, resp in first.items()}
    own = {} if case.compare_captured else issued

    def pair_compare(left: Response, right: Response) -> Comparison:
        lname, rname = target_of.get(id(left)), target_of.get(id(right))
        # a value is noise for the pair when it is noise on either side of it
        paths = []
        if noise:
            paths = sorted({p.path for t in (lname, rname) if t is not None for p in noise.get(t, [])})
        result = compare(left, right, scoped, noise=paths)
        if lname in own and rname in own and own[lname] and own[rname]:  # else nothing to drop
            result = _without_captured(result, own[lname], own[rname])
        return result

    result: CaseComparison = compare_case(names, first, reference, pair_compare)
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


def _capture(case: Case, response: Response) -> tuple[dict[str, Any], str | None]:
    """What one target's answer gives for the step's captures, or the first failure."""
    if not case.captures:
        return {}, None
    if response.error is not None or response.status is None:
        return {}, f"no answer ({response.error}), so nothing to capture"
    reply = Reply(response.status, httpx.Headers(response.headers), response.body, response.elapsed_ms)
    values: dict[str, Any] = {}
    for capture in case.captures:
        value, failure = extract_capture(capture, reply)
        if failure is not None:
            return values, f"{failure.message} (HTTP {response.status})"
        values[capture.name] = value
    return values, None


def _skipped(case: Case, reason: str) -> CaseRun:
    return CaseRun(case, {}, [], [], None, state="skipped", reason=reason)


class _Sequence:
    """The per-target state of one running sequence: values issued, and what is missing where."""

    def __init__(self, targets: list[str]) -> None:
        self.targets = targets
        self.values: dict[str, dict[str, Any]] = {t: {} for t in targets}
        self.missing: dict[str, set[str]] = {t: set() for t in targets}  # target -> capture names
        self.setup_failed: str | None = None
        self.repeatable = True  # False in a scenario with an unsafe step: repeats would see state change

    def lacking(self, case: Case) -> dict[str, list[str]]:
        return {t: sorted(case.uses & self.missing[t]) for t in self.targets if case.uses & self.missing[t]}

    def lose(self, case: Case, targets: list[str]) -> None:
        for t in targets:
            self.missing[t].update(c.name for c in case.captures)


def _skip_reason(lacking: dict[str, list[str]]) -> str:
    by_name: dict[str, list[str]] = {}
    for target, names in lacking.items():
        for name in names:
            by_name.setdefault(name, []).append(target)
    return "; ".join(f"capture '{n}' missing on {', '.join(ts)}" for n, ts in sorted(by_name.items()))


@dataclass(slots=True)
class _Pending:
    """A sent step, compared once noise has been learned over every step."""

    case: Case
    operation: str
    first: dict[str, Response]  # the primaries' answers
    twins: dict[str, Response]  # primary -> its twin's answer
    repeats: list[dict[str, Response]]
    issued: dict[str, dict[str, Any]]
    errors: dict[str, str]
    captured: dict[str, dict[str, Any]]
    reason: str | None


async def _run_step(
    prober: Prober,
    case: Case,
    seq: _Sequence,
    reference: str | None,
    noise_runs: int,
    twins: dict[str, str],
    operation_rule: OperationRule,
) -> CaseRun | _Pending:
    if seq.setup_failed is not None and case.role != "teardown":
        seq.lose(case, seq.targets)
        return _skipped(case, seq.setup_failed)
    lacking = seq.lacking(case)
    targets = [t for t in seq.targets if t not in lacking] if case.role == "teardown" else seq.targets
    if (lacking and case.role != "teardown") or not targets:
        seq.lose(case, seq.targets)
        return _skipped(case, _skip_reason(lacking))
    # each twin is its own target here: it gets every step with the values it issued itself
    if case.uses:
        specs = {t: case.render(seq.values[t]) for t in targets}
    else:  # nothing per target in it: one request for all
        specs = dict.fromkeys(targets, case.render({}))
    rounds = [await prober.send_each(specs)]
    # Repeats learn noise: only a safe case, never in a scenario with an unsafe step (a
    # repeat would see the state the other steps change), never one whose values later
    # steps use; sent to the primaries only, right after the first send.
    if case.compared and not case.captures and is_safe(case) and seq.repeatable:
        primaries = {t: spec for t, spec in specs.items() if t not in twins.values()}
        for _ in range(noise_runs):
            rounds.append(await prober.send_each(primaries))
    captured: dict[str, dict[str, Any]] = {}
    errors: dict[str, str] = {}
    for t in targets:
        values, problem = _capture(case, rounds[0][t])
        if problem is not None:
            errors[t] = problem
            seq.lose(case, [t])
        else:
            captured[t] = values
            seq.values[t].update(values)
    failed = [t for t in targets if rounds[0][t].error is not None] + list(errors)
    if case.role == "setup" and failed and seq.setup_failed is None:
        seq.setup_failed = (
            f"setup step '{case.step or case.name}' failed on {', '.join(dict.fromkeys(failed))}"
        )
    twin_names = set(twins.values())
    first = {t: r for t, r in rounds[0].items() if t not in twin_names}
    reason = _skip_reason(lacking) + " (not sent there)" if lacking else None
    if not case.compared:
        run = CaseRun(case, first, [], [], None, state="not_compared")
        run.capture_errors = {t: e for t, e in errors.items() if t not in twin_names}
        run.captured = captured
        run.reason = reason
        return run
    # every value a target issued so far is per target by nature: the echo of an id too
    return _Pending(
        case,
        operation_name(case, operation_rule),
        first,
        {p: rounds[0][t] for p, t in twins.items() if t in rounds[0] and p in first},
        rounds[1:],
        {t: seq.values[t] for t in first},
        {t: e for t, e in errors.items() if t not in twin_names},
        {t: v for t, v in captured.items() if t not in twin_names},
        reason,
    )


def _release(run: CaseRun, bodies_dir: Path | None) -> None:
    """Once a case is compared, classified and its values captured, keep only what the
    reports need: no parsed trees, and big bodies as excerpt + length + digest (the whole
    body as a file only for a target whose body diverges). Memory per finished case is
    then bounded."""
    diverged: set[str] = set()
    for pair in run.pairs:
        comparison = pair.comparison
        for name, canon in ((pair.left, comparison.left_canonical), (pair.right, comparison.right_canonical)):
            if canon is not None and canon.xml is not None and canon.xml.namespaces:
                run.namespaces.setdefault(name, dict(canon.xml.namespaces))
        comparison.left_canonical = comparison.right_canonical = None
        if not comparison.body_match:
            diverged.update((pair.left, pair.right))
    run.responses = {
        name: slim(resp, keep_in=bodies_dir if name in diverged else None)
        for name, resp in run.responses.items()
    }


async def probe_sequences(
    prober: Prober,
    sequences: list[list[Case]],
    rules: CompareRules,
    *,
    concurrency: int = 16,
    reference: str | None = None,
    noise_runs: int = 0,
    progress: ProgressFn | None = None,
    grouping: Grouping | None = None,
    twins: dict[str, str] | None = None,
    settings: NoiseSettings | None = None,
    known_noise: Sequence[NoisyPath] = (),
) -> ProbeRun:
    """Every sequence, step by step in lockstep; up to ``concurrency`` sequences in flight;
    then noise is learned over every step, then every step is compared.

    ``twins`` maps a primary target to its twin among the prober's targets (each twin gets
    every step too, with its own captures); ``noise_runs`` extra rounds per safe step.
    ``known_noise`` is noise learned earlier on the same targets (parity's, for the fuzz
    phase of a run): excused as if learned here.
    """
    grouping = grouping or Grouping()
    twins = dict(twins or {})
    twin_names = set(twins.values())
    targets = list(prober.targets)
    primaries = [t for t in targets if t not in twin_names]
    started = datetime.now(UTC)

    results: list[list[CaseRun | _Pending]] = [[] for _ in sequences]
    queue = iter(range(len(sequences)))

    async def worker() -> None:
        # `concurrency` workers take the sequences in order, one at a time each: as many
        # tasks as slots, not one per sequence waiting on a semaphore (the per-case cost
        # and the heap the collector walks stay the same however many cases a run has)
        for n in queue:
            steps = sequences[n]
            seq = _Sequence(targets)
            seq.repeatable = not steps or steps[0].scenario is None or all(is_safe(c) for c in steps)
            for case in steps:
                results[n].append(
                    await _run_step(prober, case, seq, reference, noise_runs, twins, grouping.operation)
                )

    await asyncio.gather(*(worker() for _ in range(min(concurrency, len(sequences)))))
    done = [step for steps in results for step in steps]
    base = settings or NoiseSettings()
    window = NoiseSettings(base.min_count, base.min_ratio, (started, datetime.now(UTC)))
    twin_learner = NoiseLearner(rules, "twins", window)
    repeat_learner = NoiseLearner(rules, "repeats", window)
    pending = [p for p in done if isinstance(p, _Pending)]
    for p in pending:
        op = p.operation
        for primary, answer in p.twins.items():
            twin_learner.observe(primary, op, p.case.name, p.first[primary], answer)
        for repeat in p.repeats:
            for name in primaries:
                if name in repeat and name in p.first:
                    repeat_learner.observe(name, op, p.case.name, p.first[name], repeat[name])
    learned = _merge(_merge(twin_learner.learn(), repeat_learner.learn()), list(known_noise))
    flaky = twin_learner.flaky + repeat_learner.flaky
    runs: list[CaseRun] = []
    for step in done:
        if isinstance(step, _Pending):
            run = _evaluate(
                step.case, step.first, rules, reference, grouping, step.issued, learned, step.operation
            )
            run.state = "error" if step.errors else "compared"
            run.capture_errors, run.captured, run.reason = step.errors, step.captured, step.reason
            run.repeated = len(step.repeats)
            run.flaky = [f for f in flaky if f.case == step.case.name]
        else:
            run = step
        _release(run, prober.bodies_dir)
        if progress is not None:
            progress(run)
        runs.append(run)
    repeated = sum(1 for p in pending if p.repeats)
    mode: Literal["twins", "repeats", "twins+repeats", "none"]
    if twins and repeated:
        mode = "twins+repeats"
    elif twins:
        mode = "twins"
    elif repeated:
        mode = "repeats"
    else:
        mode = "none"
    calibration = Calibration(
        mode,
        twins,
        noise_runs,
        repeated,
        len(pending) - repeated if noise_runs else 0,
        twin_learner.observations + repeat_learner.observations,
        base.min_count,
        base.min_ratio,
    )
    operations = sorted({p.operation for p in pending})
    return ProbeRun(runs, calibration, learned, flaky, operations)


def recorded_probe(
    runs: list[CaseRun], calibration: Calibration | None = None, noise: Sequence[NoisyPath] = ()
) -> ProbeRun:
    """Runs compared elsewhere (e.g. the shrunk cases of a fuzz run): no calibration ran,
    unless the runs were compared with the ``calibration`` and ``noise`` of an earlier one."""
    used = calibration or Calibration("none", {}, 0, 0, 0, 0, 1, 0.5)
    return ProbeRun(runs, used, list(noise), [], sorted({r.operation for r in runs}))


def _merge(twins: list[NoisyPath], repeats: list[NoisyPath]) -> list[NoisyPath]:
    """Twins' findings first; a repeat finding for the same (target, operation, path) adds nothing."""
    seen = {(n.target, n.operation, n.path) for n in twins}
    return twins + [n for n in repeats if (n.target, n.operation, n.path) not in seen]


async def probe_cases(
    prober: Prober,
    cases: list[Case],
    rules: CompareRules,
    *,
    order: Order = "parallel",
    concurrency: int = 16,
    reference: str | None = None,
    noise_runs: int = 0,
    progress: ProgressFn | None = None,
    grouping: Grouping | None = None,
    twins: dict[str, str] | None = None,
    settings: NoiseSettings | None = None,
    known_noise: Sequence[NoisyPath] = (),
) -> ProbeRun:
    """Independent cases (each its own sequence under ``parallel``), or one ordered sequence."""
    sequences = [[c] for c in cases] if order == "parallel" else [cases]
    return await probe_sequences(
        prober,
        sequences,
        rules,
        concurrency=concurrency,
        reference=reference,
        noise_runs=noise_runs,
        progress=progress,
        grouping=grouping,
        twins=twins,
        settings=settings,
        known_noise=known_noise,
    )
