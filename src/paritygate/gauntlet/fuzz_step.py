"""``fuzz`` as a library call: the fuzz phase's search, judged by the parity engine.

The fuzz phase (``phases/fuzz``) generates and shrinks; it may not import the parity
phase, so the composition lives here: each generated case is classified by parity's own
``probe_cases`` (same compare rules, ignore rules, operation names and class keys), and
the shrunk case of every class found is then run as a regular parity run, so its
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
from paritygate.core.models import Endpoint, PhaseResult
from paritygate.errors import ConfigError
from paritygate.phases.fuzz import (
    Budget,
    ClassifyFn,
    SearchProgress,
    SearchResult,
    mutated_cases,
    request_key,
    search,
)
from paritygate.phases.fuzz.openapi import load_openapi, openapi_cases, operations
from paritygate.phases.parity import ParityInputs, load_inputs, run_parity_async
from paritygate.phases.parity.calibrated import LearnedNoise
from paritygate.phases.parity.probe_run import CaseRun, Grouping, probe_cases
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
    strategy: SearchStrategy[Case]
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
        strategy = openapi_cases(doc, invalid=fuzz_cfg.invalid if invalid is None else invalid)
        where = Path("openapi") if source.startswith(("http://", "https://")) else loaded.resolve(source)
        inputs = load_inputs(
            loaded,
            tracker_path=tracker_path,
            cases=CasesFile(where, [Scenario(None, [])]),
            record_decisions=record_decisions,
        )
        count = len(operations(doc))
        return FuzzPlan(inputs, strategy, f"{source} ({count} operation(s))")
    if cases_path is None and fuzz_cfg.cases is not None:
        cases_path = loaded.resolve(fuzz_cfg.cases)
    inputs = load_inputs(
        loaded, cases_path=cases_path, tracker_path=tracker_path, record_decisions=record_decisions
    )
    # a step that uses a captured {{value}} only means something after its scenario's earlier
    # steps: it is left out (a mutated copy would be sent without the value)
    seeds = [c for c in inputs.cases if not c.uses and (c.has_json or c.query or c.path.count("/") > 1)]
    if not seeds:
        raise ConfigError(
            "no case without captured values has a JSON body, a query or a path to vary",
            file=inputs.cases_file,
        )
    return FuzzPlan(inputs, mutated_cases(seeds), f"{inputs.cases_file} ({len(seeds)} case(s) mutated)")


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
    cases: list[Case]  # one shrunk case per class, named and tagged "fuzz"

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
    new = [c for c in cases if c.name not in names]
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


def _regression_case(case: Case, key: str) -> Case:
    """A shrunk request as a standalone case of its own (no scenario, no captures)."""
    return dataclasses.replace(
        case,
        name=case_name(key),
        tags=sorted({*case.tags, "fuzz"}),
        source="",
        scenario=None,
        step="",
        role="step",
        captures=[],
        capture_specs=[],
        compare_captured=False,
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
    answered: dict[bytes, CaseRun] = {}  # each request's compared answers, kept for the report
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

            async def classify(case: Case) -> list[str]:
                probed = await probe_cases(
                    prober, [case], rules, reference=ref, grouping=grouping, known_noise=noise
                )
                runs = probed.runs
                answered[request_key(case)] = runs[0]
                return runs[0].class_keys

            yield classify

    found = await asyncio.to_thread(search, strategy, classifier, budget, progress)
    shrunk = [_regression_case(f.case, f.key) for f in found.found]
    # the report shows the answers the shrinker saw: a stateful service answers a request
    # sent again differently (the stream now exists), so nothing is re-sent for it
    recorded = [
        _renamed(answered[request_key(f.case)], case) for f, case in zip(found.found, shrunk, strict=True)
    ]
    parity_inputs = dataclasses.replace(
        inputs,
        cases=shrunk,
        file=CasesFile(inputs.cases_file, [Scenario(None, shrunk)], order="parallel"),
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
            FuzzClassDoc(f.key, c.to_dict(), f.first_case.to_dict())
            for f, c in zip(found.found, shrunk, strict=True)
        ],
    )
    fuzzed = dataclasses.replace(result, phase="fuzz", summary=doc.summary(result.summary), data=doc)
    return FuzzOutcome(fuzzed, found, shrunk)
