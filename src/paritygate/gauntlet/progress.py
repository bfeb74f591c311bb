"""What a run tells its caller while it goes: one event per phase start, finish, skip or note."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from paritygate.core.models import PhaseStatus

__all__ = ["ProgressEvent", "ProgressFn", "ProgressState", "ignore_progress"]

ProgressState = Literal["start", "done", "skipped", "info"]


@dataclass(slots=True, frozen=True)
class ProgressEvent:
    phase: str  # a phase name, "run", "assess" or "report"
    state: ProgressState
    message: str  # for "done" and "skipped": the phase's one-line summary
    status: PhaseStatus | None = None


ProgressFn = Callable[[ProgressEvent], None]


def ignore_progress(_event: ProgressEvent) -> None:
    """The default listener: a library caller that passed none hears nothing."""
