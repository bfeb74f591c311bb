"""What a run returns (``RunResult``), and the phase results the gauntlet makes up itself:
a phase it skipped, and a phase that raised instead of returning."""

from __future__ import annotations

import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from paritygate.core.models import Finding, FindingKind, PhaseResult, PhaseStatus
from paritygate.core.run_doc import RunDocument
from paritygate.errors import ParitygateError
from paritygate.phases.assess import Verdict

__all__ = ["RunResult", "errored_result", "skipped_result"]


@dataclass(slots=True)
class RunResult:
    run_id: str
    run_dir: Path
    verdict: Verdict
    phases: dict[str, PhaseResult]
    report: RunDocument  # the document written to report.json
    files: list[Path] = field(default_factory=list)  # reports, phase files, then logs/
    interrupted: bool = False
    kept_up: bool = False
    stop_hint: str | None = None  # how to stop a stack left up by ``keep_up``
    error_exit: int | None = None  # 2/3 when a phase failed on bad input or the environment

    @property
    def exit_code(self) -> int:
        return self.error_exit if self.error_exit is not None else self.verdict.exit_code


def skipped_result(phase: str, why: str) -> PhaseResult:
    return PhaseResult(phase, PhaseStatus.SKIPPED, why)


def errored_result(phase: str, exc: BaseException, started: float) -> PhaseResult:
    """The result of a phase that raised; ``started`` is its ``time.perf_counter()`` start."""
    if isinstance(exc, ParitygateError):
        error = str(exc)
    else:
        # A bug in a phase must still leave a report; keep the innermost frames as evidence.
        frames = traceback.format_exception(exc, limit=-3)
        error = f"internal error {type(exc).__name__}: {exc}\n{''.join(frames[-3:])}".rstrip()
    first = error.splitlines()[0] if error else type(exc).__name__
    return PhaseResult(
        phase,
        PhaseStatus.ERROR,
        f"error: {first}",
        findings=[Finding(FindingKind.PHASE_ERROR, phase, error)],
        duration_s=time.perf_counter() - started,
        error=error,
    )
