"""Progress events of ``Stack.up()`` / ``down()``, for a CLI or a report to show."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["EVENT_KINDS", "StackEvent"]

EVENT_KINDS = ("starting", "ready", "failed", "stopping", "stopped", "killed")


@dataclass(slots=True, frozen=True)
class StackEvent:
    service: str
    kind: str  # one of EVENT_KINDS
    elapsed_s: float  # since up() began (start events) or since down() began (stop events)
    detail: str = ""
