"""``run_parity``: the parity phase as a library call (the gauntlet and the CLI use it).

Inputs are checked before anything is sent (cases, tracker, rules), so a bad file is
exit 2 with no traffic. Unsafe methods (POST, PUT, PATCH, DELETE) are sent as the
cases say: parity exists to send the same request everywhere.
"""

from __future__ import annotations

import dataclasses
import difflib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
import orjson

from paritygate.compare import CompareRules, RuleError
from paritygate.config import LoadedConfig
from paritygate.config.phases import ParityConfig
from paritygate.core.aio import blocking
from paritygate.core.fs import atomic_write_bytes
from paritygate.core.models import Endpoint, PhaseResult
from paritygate.errors import ConfigError, UsageError
from paritygate.phases.parity.document import (
    RunFacts,
    apply_tracker,
    build_document,
    findings_from,
    new_rows,
    status_from,
    summary_from,
)
from paritygate.phases.parity.probe_run import CaseRun, Grouping, probe_cases
from paritygate.phases.parity.targets import choose_targets
from paritygate.phases.parity.tracker import Tracker, read_tracker, record_rows
from paritygate.probe import Case, Prober, load_cases

__all__ = ["ParityInputs", "check_inputs", "load_inputs", "run_parity", "run_parity_async", "select_cases"]


@dataclass(slots=True)
class ParityInputs:
    """The parity phase's inputs, parsed once: the cases, the tracker and the compare rules."""

    cases_file: Path
    cases: list[Case]
    tracker: Tracker
    rules: CompareRules
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
    return dataclasses.replace(inputs, cases=chosen, selection=selection)


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
        return CompareRules.build(cfg.headers, cfg.ignore, cfg.arrays, cfg.json_types)
    except RuleError as exc:
        raise ConfigError(exc.detail, file=loaded.path, key=f"parity.{exc.key}") from None


def _read_tracker(loaded: LoadedConfig, cfg: ParityConfig, path: Path | None, record: bool) -> Tracker:
    """The tracker. One named in the config (or given) must exist and hold a decisions
    table, unless this run records decisions (which creates it); the default path, never
    configured, may be absent: then every divergence is new."""
    configured = path is not None or "tracker" in cfg.model_fields_set
    return read_tracker(path or loaded.resolve(cfg.tracker), required=configured and not record)


def load_inputs(
    loaded: LoadedConfig,
    *,
    cases_path: Path | None = None,
    tracker_path: Path | None = None,
    record_decisions: bool = False,
) -> ParityInputs:
    """Parse the phase's inputs (cases file, tracker, compare rules) without sending anything;
    a ConfigError names what is wrong. The gauntlet parses them once and hands them over."""
    cfg = loaded.model.parity or ParityConfig()
    cases_file = _cases_path(loaded, cfg, cases_path)
    cases = load_cases(cases_file)
    rules = _rules(loaded, cfg)
    tracker = _read_tracker(loaded, cfg, tracker_path, record_decisions)
    return ParityInputs(cases_file, cases, tracker, rules)


def check_inputs(loaded: LoadedConfig, *, record_decisions: bool = False) -> None:
    """Raise the ConfigError ``run_parity`` would raise on its own inputs (cases file, compare
    rules, tracker) without sending anything: e.g. before a stack is started for it."""
    load_inputs(loaded, record_decisions=record_decisions)


async def run_parity_async(
    loaded: LoadedConfig,
    endpoints: dict[str, Endpoint],
    *,
    out_dir: Path | None = None,
    targets: list[str] | None = None,
    reference: str | None = None,
    noise_runs: int | None = None,
    record_decisions: bool = False,
    cases_path: Path | None = None,
    tracker_path: Path | None = None,
    concurrency: int | None = None,
    timeout: float | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    progress: Callable[[CaseRun], None] | None = None,
    inputs: ParityInputs | None = None,
    bodies_dir: Path | None = None,
) -> PhaseResult:
    """Probe ``endpoints`` with the cases and compare; ``data`` is the parity.json document.

    With ``out_dir`` the document is also written there as ``parity.json`` (render
    parity.md and junit.xml from it with :mod:`paritygate.reports.parity_report`).
    ``inputs`` (from :func:`load_inputs`) are used as given, without reading any file again.
    Bodies over ``[parity] max_body_bytes`` are kept in ``bodies_dir`` (default
    ``out_dir/bodies``; not kept when neither is given).
    """
    started = time.perf_counter()
    cfg = loaded.model.parity or ParityConfig()
    chosen, ref = choose_targets(loaded, endpoints, targets, reference)
    if inputs is None:
        inputs = load_inputs(
            loaded, cases_path=cases_path, tracker_path=tracker_path, record_decisions=record_decisions
        )
    cases_file, cases, tracker, rules = inputs.cases_file, inputs.cases, inputs.tracker, inputs.rules
    runs = noise_runs if noise_runs is not None else cfg.noise_runs
    if runs < 0:
        raise ConfigError(f"noise runs must be 0 or more, got {runs}", key="--noise-runs")
    date = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    async with Prober(
        {t.name: t.base_url for t in chosen},
        concurrency=concurrency or cfg.concurrency,
        timeout=timeout or cfg.timeout,
        retries=cfg.retries,
        transport=transport,
        max_body_bytes=cfg.max_body_bytes,
        bodies_dir=bodies_dir or (out_dir / "bodies" if out_dir is not None else None),
    ) as prober:
        case_runs = await probe_cases(
            prober,
            cases,
            rules,
            reference=ref,
            noise_runs=runs,
            progress=progress,
            grouping=Grouping(cfg.operation, cfg.group_by),
        )
    facts = RunFacts(
        project=loaded.model.name,
        date=date,
        targets=chosen,
        reference=ref,
        rules=rules,
        ignored=[r.path if r.path is not None else f"header:{r.header}" for r in cfg.ignore],
        noise_runs=runs,
        cases_file=str(cases_file),
        duration_s=time.perf_counter() - started,
        group_by=cfg.group_by,
        operation=cfg.operation,
    )
    doc = build_document(facts, case_runs, tracker, recorded=set())
    if inputs.selection is not None and doc.fixed_skipped is None:
        # a row whose class did not show up may belong to a case that was not selected
        doc = dataclasses.replace(doc, fixed=[], fixed_skipped=f"only some cases ran ({inputs.selection})")
    if record_decisions:
        rows = new_rows(doc)
        if rows:
            tracker = record_rows(tracker, rows)
            doc = apply_tracker(doc, tracker, recorded={r.key for r in rows})
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
