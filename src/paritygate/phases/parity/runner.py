"""``run_parity``: the parity phase as a library call (the gauntlet and the CLI use it).

Inputs are checked before anything is sent (cases, order, auth, tracker, rules), so a
bad file is exit 2 with no traffic. Unsafe methods (POST, PUT, PATCH, DELETE) are sent
as the cases say: parity exists to send the same request everywhere. The cases of a
file run in file order, one step at a time in lockstep, unless the file (or
``[parity] order``) asks for ``parallel``, which is refused for unsafe methods unless
``unsafe_parallel`` says the user accepts the races. Secrets of ``[parity.auth]`` are
masked in the document, whatever echoed them.
"""

from __future__ import annotations

import dataclasses
import difflib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

import httpx
import orjson

from paritygate.compare import CompareRules, NoiseSettings, RuleError
from paritygate.config import LoadedConfig
from paritygate.config.phases import ParityConfig
from paritygate.core.aio import blocking
from paritygate.core.fs import atomic_write_bytes
from paritygate.core.masking import Masker
from paritygate.core.models import Endpoint, PhaseResult
from paritygate.core.parity_doc import OrderDoc, ParityDocument
from paritygate.errors import ConfigError, UsageError
from paritygate.phases.parity.calibrated import LearnedNoise
from paritygate.phases.parity.document import (
    RunFacts,
    apply_tracker,
    build_document,
    findings_from,
    new_rows,
    status_from,
    summary_from,
)
from paritygate.phases.parity.probe_run import (
    CaseRun,
    Grouping,
    probe_sequences,
    recorded_probe,
    sequences_of,
)
from paritygate.phases.parity.targets import choose_targets, twins_of
from paritygate.phases.parity.tracker import Tracker, read_tracker, record_rows
from paritygate.probe import Case, Prober
from paritygate.probe.auth import auth_for_targets, require_botocore
from paritygate.probe.cases import CasesFile, Order, Scenario, load_cases_file

__all__ = [
    "ParityInputs",
    "check_inputs",
    "load_inputs",
    "resolve_order",
    "run_parity",
    "run_parity_async",
    "select_cases",
]


@dataclass(slots=True)
class ParityInputs:
    """The parity phase's inputs, parsed once: the cases (with their scenarios and the order
    they run in, already checked), the tracker and the compare rules."""

    cases_file: Path
    cases: list[Case]  # every case and step, in file order
    tracker: Tracker
    rules: CompareRules
    file: CasesFile
    order: Order
    selection: str | None = None  # "--tag x, --case y" when only some cases are probed


def select_cases(inputs: ParityInputs, tags: Sequence[str] = (), names: Sequence[str] = ()) -> ParityInputs:
    """Only the cases named in ``names`` or carrying one of ``tags`` (both: either). A name
    no case has, or a selection that leaves nothing, is a usage error naming it."""
    if not tags and not names:
        return inputs
    known = {c.name for c in inputs.cases}
    for name in names:
        if name not in known:
            close = difflib.get_close_matches(name, sorted(known), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise UsageError(f"--case {name!r}: no such case in {inputs.cases_file}{hint}")
    chosen = [c for c in inputs.cases if c.name in names or set(c.tags) & set(tags)]
    if not chosen:
        all_tags = sorted({t for c in inputs.cases for t in c.tags}) or ["none"]
        raise UsageError(
            f"--tag {', '.join(tags)}: no case of {inputs.cases_file} has it (tags: {', '.join(all_tags)})"
        )
    selection = ", ".join([*(f"--tag {t}" for t in tags), *(f"--case {n}" for n in names)])
    picked = {c.name for c in chosen}
    scenarios = []
    for seq in inputs.file.scenarios:
        # a sequence whose steps pass captured values on runs whole, or its steps would lack them
        whole = seq.name is not None or any(c.uses for c in seq.steps)
        steps = [c for c in seq.steps if c.name in picked]
        if steps:
            scenarios.append(Scenario(seq.name, seq.steps if whole else steps))
    file = dataclasses.replace(inputs.file, scenarios=scenarios)
    return dataclasses.replace(inputs, cases=file.cases, file=file, selection=selection)


def _cases_path(loaded: LoadedConfig, cfg: ParityConfig, cases_path: Path | None) -> Path:
    if cases_path is not None:
        return cases_path
    if cfg.cases is None:
        raise ConfigError(
            "no cases file",
            file=loaded.path,
            key="parity.cases",
            hint="set [parity] cases, or pass --cases FILE",
        )
    return loaded.resolve(cfg.cases)


def _rules(loaded: LoadedConfig, cfg: ParityConfig) -> CompareRules:
    try:
        return CompareRules.build(cfg.headers, cfg.ignore, cfg.arrays, cfg.json_types, cfg.match)
    except RuleError as exc:
        raise ConfigError(exc.detail, file=loaded.path, key=f"parity.{exc.key}") from None


def _read_tracker(loaded: LoadedConfig, cfg: ParityConfig, path: Path | None, record: bool) -> Tracker:
    """The tracker. One named in the config (or given) must exist and hold a decisions
    table, unless this run records decisions (which creates it); the default path, never
    configured, may be absent: then every divergence is new."""
    configured = path is not None or "tracker" in cfg.model_fields_set
    return read_tracker(path or loaded.resolve(cfg.tracker), required=configured and not record)


def resolve_order(cases: CasesFile, cfg: ParityConfig, override: Order | None = None) -> Order:
    """The order a file runs in: ``override`` (--order), the file's own, then ``[parity] order``.

    ``parallel`` for a file whose plain cases change state is refused unless the file or
    the config sets ``unsafe_parallel = true``: concurrent writes race, and the report
    would blame the implementations for the races.
    """
    order: Order = override or cases.order or cfg.order
    if order != "parallel":
        return order
    plain = [c for s in cases.scenarios if s.name is None for c in s.steps]
    dependent = next((c for c in plain if c.uses), None)
    if dependent is not None:
        raise ConfigError(
            f'case {dependent.name!r} uses {{{{{sorted(dependent.uses)[0]}}}}} from an earlier case, which needs order = "lockstep" (or put them in a [[scenarios]])',
            file=cases.path,
            key="order",
        )
    allowed = cases.unsafe_parallel if cases.unsafe_parallel is not None else cfg.unsafe_parallel
    unsafe = [c for c in plain if not c.safe]
    if unsafe and not allowed:
        methods = " and ".join(sorted({c.method for c in unsafe}))
        raise ConfigError(
            f'"parallel" would send {len(unsafe)} {methods} case(s) concurrently (first: {unsafe[0].name!r}),'
            " and state-changing requests in flight together race; set unsafe_parallel = true to accept that,"
            ' or use order = "lockstep"',
            file=cases.path,
            key="order",
        )
    return order


def _check_auth(cfg: ParityConfig) -> None:
    specs = [("parity.auth", cfg.auth)] + [
        (f"parity.auth.targets.{n}", a) for n, a in cfg.auth.targets.items()
    ]
    for key, spec in specs:
        if spec.type == "aws_sigv4":
            require_botocore(f"{key}.type")


def _masker(cfg: ParityConfig) -> Masker:
    secrets = cfg.auth.secrets() + [v for a in cfg.auth.targets.values() for v in a.secrets()]
    return Masker(secrets)


def load_inputs(
    loaded: LoadedConfig,
    *,
    cases_path: Path | None = None,
    tracker_path: Path | None = None,
    record_decisions: bool = False,
    order: Order | None = None,
    cases: CasesFile | None = None,
) -> ParityInputs:
    """Parse the phase's inputs (cases file and its order, auth, tracker, compare rules)
    without sending anything; a ConfigError names what is wrong (a missing AWS extra is a
    RuntimeProblem). The gauntlet parses them once and hands them over. ``cases`` stands
    for the cases file when the requests come from elsewhere (fuzz from an OpenAPI document)."""
    cfg = loaded.model.parity or ParityConfig()
    cases_file = cases.path if cases is not None else _cases_path(loaded, cfg, cases_path)
    file = cases if cases is not None else load_cases_file(cases_file)
    used_order = resolve_order(file, cfg, order)
    _check_auth(cfg)
    rules = _rules(loaded, cfg)
    tracker = _read_tracker(loaded, cfg, tracker_path, record_decisions)
    return ParityInputs(cases_file, file.cases, tracker, rules, file, used_order)


def check_inputs(loaded: LoadedConfig, *, record_decisions: bool = False, order: Order | None = None) -> None:
    """Raise the error ``run_parity`` would raise on its own inputs (cases file and its order,
    auth, compare rules, tracker) without sending anything: e.g. before a stack is started for it."""
    load_inputs(loaded, record_decisions=record_decisions, order=order)


async def run_parity_async(
    loaded: LoadedConfig,
    endpoints: dict[str, Endpoint],
    *,
    out_dir: Path | None = None,
    targets: list[str] | None = None,
    reference: str | None = None,
    noise_runs: int | None = None,
    noise: Literal["repeats", "twin"] | None = None,
    record_decisions: bool = False,
    cases_path: Path | None = None,
    tracker_path: Path | None = None,
    concurrency: int | None = None,
    timeout: float | None = None,
    order: Order | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    progress: Callable[[CaseRun], None] | None = None,
    inputs: ParityInputs | None = None,
    bodies_dir: Path | None = None,
    recorded: list[CaseRun] | None = None,
    learned: LearnedNoise | None = None,
) -> PhaseResult:
    """Probe ``endpoints`` with the cases and compare; ``data`` is the parity.json document.

    With ``recorded`` (the compared runs of ``inputs.cases``, e.g. the shrunk cases of a fuzz
    run, whose state-changing requests must not be sent twice) nothing is sent: the document
    is built from those runs; ``learned`` is the calibration they were compared with (a
    parity run's, for the fuzz phase of a run), stated in the document as theirs.

    With ``out_dir`` the document is also written there as ``parity.json`` (render
    parity.md and junit.xml from it with :mod:`paritygate.reports.parity_report`).
    ``inputs`` (from :func:`load_inputs`) are used as given, without reading any file again.
    Bodies over ``[parity] max_body_bytes`` are kept in ``bodies_dir`` (default
    ``out_dir/bodies``; not kept when neither is given).
    With ``noise = "twin"`` (default ``[parity] noise``) every target needs its twin among
    ``endpoints`` as ``NAME~twin`` (``Stack(..., twins=...)`` starts them).
    """
    started = time.perf_counter()
    cfg = loaded.model.parity or ParityConfig()
    chosen, ref = choose_targets(loaded, endpoints, targets, reference)
    if inputs is None:
        inputs = load_inputs(
            loaded,
            cases_path=cases_path,
            tracker_path=tracker_path,
            record_decisions=record_decisions,
            order=order,
        )
    cases_file, tracker, rules = inputs.cases_file, inputs.tracker, inputs.rules
    used_order = resolve_order(inputs.file, cfg, order) if order is not None else inputs.order
    runs = noise_runs if noise_runs is not None else cfg.noise_runs
    if runs < 0:
        raise ConfigError(f"noise runs must be 0 or more, got {runs}", key="--noise-runs")
    mode = noise if noise is not None else cfg.noise
    twins = twins_of(chosen, endpoints) if mode == "twin" else {}
    settings = NoiseSettings(cfg.noise_min_count, cfg.noise_min_ratio)
    date = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    urls = {t.name: t.base_url for t in chosen}
    urls.update({twin.name: twin.base_url for twin in twins.values()})
    in_flight = concurrency or cfg.concurrency
    sequences = sequences_of([s.steps for s in inputs.file.scenarios], used_order)
    twin_urls = {name: twin.base_url for name, twin in twins.items()}
    most_in_flight, in_flight_note = 0, ""
    if recorded is not None:  # answers already probed (fuzz): reported, not sent again
        if learned is not None:
            probe = recorded_probe(recorded, learned.calibration, learned.noise)
            twin_urls = learned.twin_urls
        else:
            probe = recorded_probe(recorded)
    else:
        async with Prober(
            urls,
            concurrency=in_flight,
            timeout=timeout or cfg.timeout,
            retries=cfg.retries,
            transport=transport,
            max_body_bytes=cfg.max_body_bytes,
            bodies_dir=bodies_dir or (out_dir / "bodies" if out_dir is not None else None),
            auth=auth_for_targets(cfg.auth, urls),
        ) as prober:
            probe = await probe_sequences(
                prober,
                sequences,
                rules,
                concurrency=in_flight,
                reference=ref,
                noise_runs=runs,
                twins={name: twin.name for name, twin in twins.items()},
                settings=settings,
                progress=progress,
                grouping=Grouping(cfg.operation, cfg.group_by),
            )
        most_in_flight, in_flight_note = prober.gate.most_in_flight, prober.gate.note()
    facts = RunFacts(
        project=loaded.model.name,
        date=date,
        targets=chosen,
        reference=ref,
        rules=rules,
        ignored=[r.path if r.path is not None else f"header:{r.header}" for r in cfg.ignore],
        noise_runs=probe.calibration.noise_runs if recorded is not None else runs,
        twin_urls=twin_urls,
        cases_file=str(cases_file),
        duration_s=time.perf_counter() - started,
        group_by=cfg.group_by,
        operation=cfg.operation,
        order=OrderDoc(
            mode=used_order,
            sequences=len(sequences),
            scenarios=sum(1 for s in inputs.file.scenarios if s.name is not None),
            concurrency=in_flight,
            in_flight=most_in_flight,
            in_flight_note=in_flight_note,
        ),
    )
    doc = build_document(facts, probe, tracker, recorded=set())
    if inputs.selection is not None and doc.fixed_skipped is None:
        # a row whose class did not show up may belong to a case that was not selected
        doc = dataclasses.replace(doc, fixed=[], fixed_skipped=f"only some cases ran ({inputs.selection})")
    if record_decisions:
        rows = new_rows(doc)
        if rows:
            tracker = record_rows(tracker, rows)
            doc = apply_tracker(doc, tracker, recorded={r.key for r in rows})
    masker = _masker(cfg)
    if masker:  # auth secrets, wherever a server echoed them: through the JSON form, every string
        doc = ParityDocument.from_json(masker.tree(doc.to_json()))
    findings = findings_from(doc)
    if out_dir is not None:
        atomic_write_bytes(out_dir / "parity.json", orjson.dumps(doc.to_json(), option=orjson.OPT_INDENT_2))
    return PhaseResult(
        phase="parity",
        status=status_from(findings),
        summary=summary_from(doc),
        findings=findings,
        data=doc,
        duration_s=time.perf_counter() - started,
    )


run_parity = blocking(run_parity_async)
