"""``run_gauntlet``: the phases in order, the teardown, the verdict and the run directory.

Every selected phase's input is checked first (a bad file is exit 2 before anything
starts). Then: stack up → smoke → parity → fuzz (when selected; off by default) → review →
stack down → assess → reports and history. Whatever happens — a service that dies, a target that never answers, Ctrl-C or
SIGTERM — the stack is taken down and what was finished is written; the verdict then
says block and why.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from pathlib import Path

from paritygate.config.loader import LoadedConfig
from paritygate.core.models import PhaseStatus
from paritygate.gauntlet.fingerprint import implementation_fingerprints
from paritygate.gauntlet.interrupt import RunInterrupt
from paritygate.gauntlet.preflight import parse_inputs
from paritygate.gauntlet.progress import ProgressEvent, ProgressFn, ignore_progress
from paritygate.gauntlet.result import RunResult, skipped_result
from paritygate.gauntlet.rundir import (
    allocate_run_dir,
    definition_hashes,
    report_doc,
    utc_now,
    write_and_record,
)
from paritygate.gauntlet.scaffold import ensure_state_gitignore
from paritygate.gauntlet.selection import OPTIONAL_PHASES, PHASES, STACK_PHASES, select_phases
from paritygate.gauntlet.steps import RunSteps
from paritygate.phases.assess import assess

__all__ = ["run_gauntlet", "stop_hint"]


def run_gauntlet(
    loaded: LoadedConfig,
    *,
    out_dir: Path | None = None,
    only: Iterable[str] | None = None,
    skip: Iterable[str] | None = None,
    keep_up: bool = False,
    on_progress: ProgressFn | None = None,
    record_decisions: bool = False,
    tags: Sequence[str] = (),
    case_names: Sequence[str] = (),
) -> RunResult:
    """Run the whole gauntlet and write its run directory.

    A ConfigError in a selected phase's input (smoke file, cases file, tracker, prompt
    template) is raised before anything starts or is written. No service is left running
    unless ``keep_up`` (then the stack stays detached and ``RunResult.stop_hint`` says how
    to stop it); a signal (SIGINT/SIGTERM) stops the stack and still writes what was finished.
    """
    from paritygate.history import HistoryStore

    selected = select_phases(loaded, only, skip)
    # each input file read once, before anything starts; the phases run on these
    inputs = parse_inputs(
        loaded, selected, record_decisions=record_decisions, tags=tags, case_names=case_names
    )
    definitions = definition_hashes(inputs)
    implementations = implementation_fingerprints(loaded)  # what each implementation was, for history
    history_path = loaded.project_path(loaded.model.run.history)
    ensure_state_gitignore(loaded.state_dir)  # paritygate's own files never get committed by accident
    with HistoryStore.open(history_path) as store:  # a newer or broken DB fails before anything starts
        taken = store.run_ids()
    run_id, run_dir = allocate_run_dir(loaded, out_dir, taken)
    emit = on_progress or ignore_progress
    emit(ProgressEvent("run", "info", f"{run_id}, writing to {run_dir}"))
    started_at = utc_now()
    clock = time.perf_counter()
    steps = RunSteps(loaded, run_dir, keep_up, emit, inputs, record_decisions=record_decisions)
    interrupt = RunInterrupt()
    with interrupt.installed():
        try:
            try:
                try:
                    _run_phases(steps, selected)
                finally:
                    interrupt.shield()
            except KeyboardInterrupt:
                interrupt.signal_name = interrupt.signal_name or "SIGINT"
            signal_name = interrupt.signal_name
            if signal_name is not None:
                _mark_interrupted(steps, selected, signal_name)
            stop = not keep_up or signal_name is not None
            steps.stack_down(stop=stop)
            kept_up = steps.stack is not None and not stop
            verdict = assess(
                [steps.results[p] for p in PHASES if p in steps.results],
                loaded.model.assess,
                interrupted=signal_name is not None,
            )
            doc = report_doc(
                loaded,
                run_id,
                steps.results,
                verdict,
                started_at,
                time.perf_counter() - clock,
                definitions=definitions,
                implementations=implementations,
                signal_name=signal_name,
                kept_up=kept_up,
            )
            files = write_and_record(doc, run_dir, history_path)
            emit(ProgressEvent("report", "done", f"wrote {run_dir}"))
        except BaseException:
            # A crash (a bug, not a verdict) writes no report and no stop hint, so nothing
            # would tell anyone the services are still there: stop them, even with keep_up.
            steps.abort()
            raise
    return RunResult(
        run_id,
        run_dir,
        verdict,
        steps.results,
        doc,
        files,
        interrupted=signal_name is not None,
        kept_up=kept_up,
        stop_hint=stop_hint(loaded) if kept_up else None,
        error_exit=steps.error_exit,
    )


def _run_phases(steps: RunSteps, selected: list[str]) -> None:
    loaded = steps.loaded
    needs_stack = any(p in selected for p in STACK_PHASES)
    if "stack" in selected:
        steps.run_phase("stack", steps.stack_up)
    elif needs_stack:
        steps.run_phase("stack", steps.attach)
    else:
        steps.skip("stack", "not selected")
    stack_ok = steps.results["stack"].status is PhaseStatus.PASSED
    sections = {"smoke": loaded.model.smoke, "parity": loaded.model.parity, "fuzz": loaded.model.fuzz}
    bodies = {"smoke": steps.smoke, "parity": steps.parity, "fuzz": steps.fuzz}
    # fuzz after parity, while the stack is still up: it reuses parity's noise calibration
    for phase in ("smoke", "parity", "fuzz"):
        if phase not in selected:
            if phase not in OPTIONAL_PHASES:
                steps.skip(phase, "not selected")
        elif sections[phase] is None:
            steps.skip(phase, f"no [{phase}] section in {loaded.path.name}")
        elif not stack_ok:
            steps.skip(phase, "not run: the stack did not come up (see the stack phase)")
        else:
            steps.run_phase(phase, bodies[phase])
    if "review" in selected:
        # Without reviewers the review is a dry run over the last commit (review_step.py).
        steps.run_phase("review", steps.review)
    else:
        steps.skip("review", "not selected")


def _mark_interrupted(steps: RunSteps, selected: list[str], signal_name: str) -> None:
    for phase in PHASES:
        if phase in steps.results:
            continue
        if phase == steps.current:
            result = skipped_result(phase, f"interrupted by {signal_name} while running")
            result.error = "interrupted"
            steps.results[phase] = result
        elif phase in selected:
            steps.results[phase] = skipped_result(phase, f"not reached: run interrupted by {signal_name}")
        elif phase not in OPTIONAL_PHASES:
            steps.results[phase] = skipped_result(phase, "not selected")
    steps.emit(
        ProgressEvent("run", "info", f"interrupted by {signal_name}: stopping the stack, writing the report")
    )


def stop_hint(loaded: LoadedConfig) -> str:
    """The command that stops a stack a run left up (``--keep-up``)."""
    config = "" if loaded.is_demo else f" --config {loaded.path}"
    return f"paritygate stack down{config}"
