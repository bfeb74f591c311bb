"""``fuzz`` as a library call: the fuzz phase's search, judged by the parity engine.

The fuzz phase (``phases/fuzz``) generates and shrinks; it may not import the parity
phase, so the composition lives here: each generated sequence (one request, or calls along
OpenAPI links) is classified by parity's own ``probe_sequences`` (lockstep steps, per-target
captures, same compare rules, ignore rules, operation names and class keys), and the shrunk
case or scenario of every class found is then run as a regular parity run, so its
document has the same classes, checked against the same tracker, as ``parity`` would give.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import re
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from hypothesis.strategies import SearchStrategy

from paritygate.config import LoadedConfig
from paritygate.config.phases import FuzzConfig, ParityConfig
from paritygate.core.fs import atomic_write_text
from paritygate.core.fuzz_doc import FuzzClassDoc, FuzzDocument
from paritygate.core.jsondoc import ABSENT
from paritygate.core.models import Endpoint, PhaseResult
from paritygate.errors import ConfigError
from paritygate.phases.fuzz import (
    Budget,
    ClassifyFn,
    SearchProgress,
    SearchResult,
    Steps,
    mutated_cases,
    search,
    sequence_key,
)
from paritygate.phases.fuzz.links import document_links, openapi_sequences
from paritygate.phases.fuzz.openapi import load_openapi, operations
from paritygate.phases.parity import ParityInputs, load_inputs, run_parity_async
from paritygate.phases.parity.calibrated import LearnedNoise
from paritygate.phases.parity.probe_run import CaseRun, Grouping, probe_sequences
from paritygate.phases.parity.targets import choose_targets
from paritygate.probe import Case, Prober, dump_cases_jsonl, dump_cases_toml, load_cases
from paritygate.probe.auth import auth_for_targets
from paritygate.probe.cases import CasesFile, Scenario

__all__ = [
    "FuzzOutcome",
    "FuzzPlan",
    "case_name",
    "fuzz_budget",
    "plan_fuzz",
    "run_fuzz_async",
    "save_cases",
]


@dataclass(slots=True)
class FuzzPlan:
    """What a fuzz run sends and how it is judged, checked before anything starts."""

    inputs: ParityInputs  # compare rules, tracker and auth from [parity]; cases: the seeds
    strategy: SearchStrategy[Steps]  # single requests, or sequences along OpenAPI links
    source: str  # "openapi.json (2 operations)" or "cases.toml (6 cases mutated)"


def plan_fuzz(
    loaded: LoadedConfig,
    *,
    openapi: str | None = None,
    cases_path: Path | None = None,
    tracker_path: Path | None = None,
    invalid: bool | None = None,
    record_decisions: bool = False,
) -> FuzzPlan:
    """Read and check the fuzz inputs (exit 2 on a bad one): the OpenAPI document
    (``--openapi`` or ``[fuzz] openapi``), else the cases file to mutate. ``record_decisions``:
    the run records parity's new classes, so a tracker it is about to create may be absent."""
    fuzz_cfg = loaded.model.fuzz or FuzzConfig()
    source = openapi or fuzz_cfg.openapi
    if source is not None and cases_path is None:
        doc = load_openapi(source, loaded.config_dir)  # --openapi comes resolved from the CLI
        remote = source.startswith(("http://", "https://"))
        where = Path("openapi") if remote else loaded.resolve(source)
        ops = operations(doc)
        links = document_links(doc, ops, source if remote else where)
        strategy = openapi_sequences(
            doc, ops, links, invalid=fuzz_cfg.invalid if invalid is None else invalid
        )
        inputs = load_inputs(
            loaded,
            tracker_path=tracker_path,
            cases=CasesFile(where, [Scenario(None, [])]),
            record_decisions=record_decisions,
        )
        linked = sum(map(len, links.values()))
        return FuzzPlan(
            inputs,
            strategy,
            f"{source} ({len(ops)} operation(s)" + (f", {linked} link(s))" if linked else ")"),
        )
    if cases_path is None and fuzz_cfg.cases is not None:
        cases_path = loaded.resolve(fuzz_cfg.cases)
    inputs = load_inputs(
        loaded, cases_path=cases_path, tracker_path=tracker_path, record_decisions=record_decisions
    )
    # a step that uses a captured {{value}} only means something after its scenario's earlier
    # steps: it is left out (a mutated copy would be sent without the value)
    # and each mutated case is sent on its own, so its captures would feed no later step: a capture
    # failing on an error answer would turn a classified divergence into an error
    seeds = [
        _without_captures(c)
        for c in inputs.cases
        if not c.uses and (c.has_json or c.query or c.path.count("/") > 1)
    ]
    if not seeds:
        raise ConfigError(
            "no case without captured values has a JSON body, a query or a path to vary",
            file=inputs.cases_file,
        )
    return FuzzPlan(
        inputs,
        mutated_cases(seeds).map(lambda case: [case]),
        f"{inputs.cases_file} ({len(seeds)} case(s) mutated)",
    )


def fuzz_budget(
    loaded: LoadedConfig,
    *,
    max_examples: int | None = None,
    deadline: float | None = None,
    seed: int | None = None,
) -> Budget:
    """The search's budget: the options given, else ``[fuzz]``'s (else its defaults)."""
    cfg = loaded.model.fuzz or FuzzConfig()
    return Budget(
        max_examples=max_examples if max_examples is not None else cfg.max_examples,
        deadline_s=deadline if deadline is not None else cfg.deadline,
        seed=seed if seed is not None else cfg.seed,
    )


@dataclass(slots=True)
class FuzzOutcome:
    result: PhaseResult  # phase "fuzz"; data: its FuzzDocument (the shrunk cases' parity document inside)
    search: SearchResult
    sequences: list[list[Case]]  # per class: one shrunk case, or a scenario's steps; tagged "fuzz"

    @property
    def cases(self) -> list[Case]:
        """Every shrunk case and scenario step, in class order."""
        return [case for steps in self.sequences for case in steps]

    @property
    def document(self) -> FuzzDocument:
        doc = self.result.fuzz
        assert doc is not None
        return doc


def case_name(key: str) -> str:
    """A stable case name for a class key: readable part plus a short digest."""
    slug = re.sub(r"[^A-Za-z0-9]+", "-", key).strip("-").lower()[:40] or "class"
    return f"fuzz-{slug}-{hashlib.sha256(key.encode()).hexdigest()[:8]}"


def save_cases(path: Path, cases: list[Case]) -> list[Case]:
    """Append the cases whose name the file does not hold yet (never rewriting what is there);
    returns the ones appended."""
    existing = load_cases(path) if path.exists() and path.stat().st_size > 0 else []
    names = {c.name for c in existing}
    # a scenario is appended whole or not at all (its name is taken once it is in the file)
    taken = {c.scenario for c in existing if c.scenario is not None}
    new = [c for c in cases if c.name not in names and (c.scenario is None or c.scenario not in taken)]
    if not new:
        return []
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    if path.suffix.lower() in (".jsonl", ".ndjson"):
        text = dump_cases_jsonl(new)
    else:
        text = dump_cases_toml(new, comment="Found and shrunk by `paritygate fuzz`")
    sep = "" if not old or old.endswith("\n") else "\n"
    atomic_write_text(path, old + sep + ("\n" if old else "") + text)
    return new


def _without_captures(case: Case) -> Case:
    return dataclasses.replace(case, captures=[], capture_specs=[], compare_captured=False)


def _regression_case(case: Case, key: str) -> Case:
    """A shrunk request as a standalone case of its own (no scenario, no captures)."""
    return dataclasses.replace(
        _without_captures(case),
        name=case_name(key),
        tags=sorted({*case.tags, "fuzz"}),
        source="",
        scenario=None,
        step="",
        role="step",
    )


def _regression(steps: Steps, key: str) -> list[Case]:
    """A shrunk request as a standalone case; a shrunk sequence as a scenario whose steps
    keep their captures and ``{{names}}``, so ``parity`` replays it per target."""
    if len(steps) == 1:
        return [_regression_case(steps[0], key)]
    scenario = case_name(key)
    out = []
    for i, case in enumerate(steps, 1):
        step = f"{i} {case.method} {case.route or case.path}"
        out.append(
            dataclasses.replace(
                case,
                name=f"{scenario}/{step}",
                tags=sorted({*case.tags, "fuzz"}),
                source="",
                scenario=scenario,
                step=step,
                role="step",
            )
        )
    return out


def _class_doc(key: str, steps: list[Case], first_steps: Steps) -> FuzzClassDoc:
    """A class of fuzz.json: its shrunk case (the step that shows it), and for a sequence
    the scenario's name and every step, before and after shrinking."""
    if len(steps) == 1 and len(first_steps) == 1:
        return FuzzClassDoc(key, steps[0].to_dict(), first_steps[0].to_dict())
    return FuzzClassDoc(
        key,
        steps[-1].to_dict(),
        first_steps[-1].to_dict(),
        scenario=steps[-1].scenario or ABSENT,
        steps=[c.to_dict() for c in steps],
        first_steps=[c.to_dict() for c in first_steps],
    )


def _renamed(run: CaseRun, case: Case) -> CaseRun:
    occurrences = [dataclasses.replace(o, case=case.name) for o in run.occurrences]
    return dataclasses.replace(run, case=case, occurrences=occurrences)


async def run_fuzz_async(
    loaded: LoadedConfig,
    endpoints: dict[str, Endpoint],
    *,
    budget: Budget,
    plan: FuzzPlan,
    targets: list[str] | None = None,
    reference: str | None = None,
    out_dir: Path | None = None,
    progress: Callable[[SearchProgress], None] | None = None,
    learned: LearnedNoise | None = None,
) -> FuzzOutcome:
    """Fuzz ``endpoints`` with the plan's requests; shrink and report each class found.

    ``learned`` is the noise a parity run calibrated on these targets (the fuzz phase of
    ``paritygate run``): what it learned is excused in every comparison here too."""
    cfg = loaded.model.parity or ParityConfig()
    chosen, ref = choose_targets(loaded, endpoints, targets, reference)
    inputs, strategy = plan.inputs, plan.strategy
    grouping = Grouping(cfg.operation, cfg.group_by)
    rules = inputs.rules
    answered: dict[bytes, list[CaseRun]] = {}  # each sequence's compared answers, for the report
    noise = learned.noise if learned is not None else []

    @asynccontextmanager
    async def classifier() -> AsyncIterator[ClassifyFn]:
        urls = {t.name: t.base_url for t in chosen}
        async with Prober(
            urls,
            concurrency=1,
            timeout=cfg.timeout,
            retries=cfg.retries,
            max_body_bytes=cfg.max_body_bytes,
            auth=auth_for_targets(cfg.auth, urls),
        ) as prober:

            async def classify(steps: Steps) -> list[str]:
                # one step at a time, each to every target at once; captures per target
                probed = await probe_sequences(
                    prober, [steps], rules, reference=ref, grouping=grouping, known_noise=noise
                )
                answered[sequence_key(steps)] = probed.runs
                return sorted({key for run in probed.runs for key in run.class_keys})

            yield classify

    found = await asyncio.to_thread(search, strategy, classifier, budget, progress)
    sequences = [_regression(f.steps, f.key) for f in found.found]
    # the report shows the answers the shrinker saw: a stateful service answers a request
    # sent again differently (the stream now exists), so nothing is re-sent for it
    recorded = [
        _renamed(run, case)
        for f, steps in zip(found.found, sequences, strict=True)
        for run, case in zip(answered[sequence_key(f.steps)], steps, strict=True)
    ]
    shrunk = [case for steps in sequences for case in steps]
    singles = [steps[0] for steps in sequences if steps[0].scenario is None]
    scenarios = [Scenario(steps[0].scenario, steps) for steps in sequences if steps[0].scenario is not None]
    parity_inputs = dataclasses.replace(
        inputs,
        cases=shrunk,
        file=CasesFile(inputs.cases_file, [Scenario(None, singles), *scenarios], order="parallel"),
        order="parallel",
        # the generated requests cover what they cover: a tracker row they did not show is
        # no sign it was fixed (parity, over every case, says `fixed?`)
        selection="generated requests",
    )
    result = await run_parity_async(
        loaded,
        endpoints,
        targets=targets,
        reference=reference,
        inputs=parity_inputs,
        noise_runs=0,
        out_dir=out_dir,
        recorded=recorded,
        learned=learned,
    )
    parity_doc = result.parity
    assert parity_doc is not None
    doc = FuzzDocument(
        source=plan.source,
        seed=budget.seed,
        max_examples=budget.max_examples,
        parity=parity_doc,
        deadline_s=budget.deadline_s,
        deadline_hit=found.deadline_hit,
        sent=found.sent,
        examples=found.examples,
        rounds=found.rounds,
        duration_s=round(found.duration_s, 4),
        requests_per_s=round(found.rate, 2),
        classes=[
            _class_doc(f.key, steps, f.first_steps) for f, steps in zip(found.found, sequences, strict=True)
        ],
    )
    fuzzed = dataclasses.replace(result, phase="fuzz", summary=doc.summary(result.summary), data=doc)
    return FuzzOutcome(fuzzed, found, sequences)
