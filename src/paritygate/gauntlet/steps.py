"""One run's state and the body of each phase: which phases ran, the stack, the endpoints.

Every phase runs through :meth:`RunSteps.run_phase`, so an exception becomes an errored
phase result (with its exit code remembered) instead of ending the run without a report.
The phases are imported lazily, so importing the gauntlet stays cheap.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from paritygate.config.loader import LoadedConfig
from paritygate.core.models import Endpoint, PhaseResult, PhaseStatus
from paritygate.core.stack_doc import StackDocument, StackService
from paritygate.errors import ParitygateError
from paritygate.gauntlet.preflight import RunInputs
from paritygate.gauntlet.progress import ProgressEvent, ProgressFn
from paritygate.gauntlet.result import errored_result, skipped_result
from paritygate.gauntlet.rundir import copy_service_logs

if TYPE_CHECKING:
    from paritygate.stack import Stack, StackEvent

__all__ = ["FUZZ_CASES", "RunSteps"]

FUZZ_CASES = "fuzz-cases.toml"  # the shrunk case of each class the fuzz phase found


def _stack_result(endpoints: Mapping[str, Endpoint], started: float) -> PhaseResult:
    services = [
        StackService(name=ep.name, url=ep.base_url, log=f"logs/{ep.name}.log" if ep.log_path else None)
        for ep in endpoints.values()
    ]
    took = time.perf_counter() - started
    return PhaseResult(
        "stack",
        PhaseStatus.PASSED,
        f"{len(services)} service(s) up in {took:.2f}s",
        data=StackDocument(services=services),
        duration_s=took,
    )


class RunSteps:
    """One run's state: which phases ran, the stack, and the phase that is running."""

    def __init__(
        self,
        loaded: LoadedConfig,
        run_dir: Path,
        keep_up: bool,
        emit: ProgressFn,
        inputs: RunInputs,
        *,
        record_decisions: bool = False,
    ) -> None:
        self.loaded = loaded
        self.record_decisions = record_decisions
        self.inputs = inputs
        self.run_dir = run_dir
        self.keep_up = keep_up
        self.emit = emit
        self.results: dict[str, PhaseResult] = {}
        self.endpoints: dict[str, Endpoint] = {}
        self.stack: Stack | None = None
        self.current: str | None = None
        self.error_exit: int | None = None
        self.started_wall = time.time()

    def run_phase(self, name: str, body: Callable[[], PhaseResult]) -> None:
        self.current = name
        self.emit(ProgressEvent(name, "start", f"{name}: running"))
        started = time.perf_counter()
        try:
            result = body()
        except ParitygateError as exc:
            result = errored_result(name, exc, started)
            if exc.exit_code > 1:
                self.error_exit = max(self.error_exit or 0, exc.exit_code)
        except Exception as exc:  # a crashing phase must still leave a report
            result = errored_result(name, exc, started)
            self.error_exit = 3
        if not result.duration_s:
            result.duration_s = time.perf_counter() - started
        self.results[name] = result
        self.current = None
        self.emit(ProgressEvent(name, "done", result.summary, result.status))

    def skip(self, name: str, why: str) -> None:
        self.results[name] = skipped_result(name, why)
        self.emit(ProgressEvent(name, "skipped", why, PhaseStatus.SKIPPED))

    # -- the phases -------------------------------------------------------------------------------

    def stack_up(self) -> PhaseResult:
        from paritygate.stack import Stack

        started = time.perf_counter()
        from paritygate.phases.parity.targets import twin_candidates

        parity = self.loaded.model.parity
        twins = twin_candidates(self.loaded) if parity is not None and parity.noise == "twin" else []
        self.stack = Stack(self.loaded, on_event=self._stack_event, twins=twins)
        self.endpoints = self.stack.up(detach=self.keep_up)  # [stack] state_dir and timeout
        return _stack_result(self.endpoints, started)

    def attach(self) -> PhaseResult:
        """``--skip stack``: use a stack already running (``paritygate stack up --detach``)."""
        from paritygate.stack import load_running

        started = time.perf_counter()
        self.endpoints = load_running(self.loaded)
        result = _stack_result(self.endpoints, started)
        result.summary = f"attached to a running stack ({len(self.endpoints)} service(s)); left running"
        return result

    def _stack_event(self, event: StackEvent) -> None:
        detail = f" {event.detail}" if event.detail else ""
        self.emit(ProgressEvent("stack", "info", f"{event.service}: {event.kind}{detail}"))

    def smoke(self) -> PhaseResult:
        from paritygate.phases.smoke import load_smoke, run_plan

        plan = self.inputs.smoke if self.inputs.smoke is not None else load_smoke(self.loaded)
        return run_plan(plan, self.endpoints)

    def parity(self) -> PhaseResult:
        from paritygate.phases.parity import run_parity

        # run_files writes parity.json; the inputs parsed before the run are the ones probed;
        # bodies over the limit are kept next to it
        return run_parity(
            self.loaded,
            self.endpoints,
            inputs=self.inputs.parity,
            bodies_dir=self.run_dir / "bodies",
            record_decisions=self.record_decisions,
        )

    def fuzz(self) -> PhaseResult:
        """Generated requests after parity, on the stack parity probed: the same targets,
        tracker and compare rules, with the noise parity learned excused. Each class's
        shrunk case is also written as a regular case (``fuzz-cases.toml``), ready to be
        added to the cases file."""
        from paritygate.core.aio import blocking
        from paritygate.gauntlet.fuzz_step import fuzz_budget, plan_fuzz, run_fuzz_async, save_cases
        from paritygate.phases.fuzz import SearchProgress
        from paritygate.phases.parity.calibrated import learned_noise

        plan = self.inputs.fuzz if self.inputs.fuzz is not None else plan_fuzz(self.loaded)
        parity = self.results.get("parity")
        parity_doc = parity.parity if parity is not None else None
        classes = 0

        def progress(p: SearchProgress) -> None:
            nonlocal classes
            if p.classes > classes:  # one line per class found, not one per request
                classes = p.classes
                self.emit(ProgressEvent("fuzz", "info", f"{p.classes} class(es) after {p.sent} request(s)"))

        outcome = blocking(run_fuzz_async)(
            self.loaded,
            self.endpoints,
            budget=fuzz_budget(self.loaded),
            plan=plan,
            progress=progress,
            learned=learned_noise(parity_doc) if parity_doc is not None else None,
        )
        if outcome.cases:
            save_cases(self.run_dir / FUZZ_CASES, outcome.cases)
            outcome.document.saved_cases = FUZZ_CASES
        return outcome.result

    def review(self) -> PhaseResult:
        from paritygate.gauntlet.review_step import review_in_run

        return review_in_run(self.loaded, self.run_dir)

    # -- teardown ---------------------------------------------------------------------------------

    def abort(self) -> None:
        """Stop the stack after a crash; never raises over the crash being reported."""
        if self.stack is not None:
            with contextlib.suppress(Exception):
                self.stack.down()

    def stack_down(self, *, stop: bool) -> None:
        """Stop the stack this run started (unless ``stop`` is False) and copy its logs."""
        if self.stack is not None and stop:
            try:
                self.stack.down()
            except ParitygateError as exc:
                self.emit(ProgressEvent("stack", "info", f"stack down: {exc}"))
                self.error_exit = max(self.error_exit or 0, exc.exit_code)
        logs: list[tuple[str, Path]] = []
        for name in self.loaded.order:
            endpoint = self.endpoints.get(name)
            if endpoint is not None and endpoint.log_path is not None:
                logs.append((name, endpoint.log_path))
            elif self.stack is not None:
                from paritygate.stack import log_file

                logs.append((name, log_file(self.stack.log_dir, name)))
        copy_service_logs(self.run_dir, logs, since=self.started_wall)
