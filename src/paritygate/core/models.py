"""Value objects that cross layer boundaries: endpoints of a running stack and phase results.

Phases produce a :class:`PhaseResult`; the assessor reads only its ``findings``; the
report writers read its ``data`` (a JSON-ready dict whose shape each phase documents).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["Endpoint", "Finding", "FindingKind", "PhaseResult", "PhaseStatus"]


@dataclass(slots=True, frozen=True)
class Endpoint:
    """Where a service of a stack answers. ``log_path`` is None for ad-hoc ``--target NAME=URL``."""

    name: str
    base_url: str
    log_path: Path | None = None


class FindingKind(enum.StrEnum):
    """Everything a phase reports that the verdict policy may weigh."""

    SMOKE_FAILED = "smoke_failed"  # evidence: check name
    STATUS_MISMATCH = "status_mismatch"  # evidence: case name
    NEW_DIVERGENCE = "new_divergence"  # evidence: class key
    KNOWN_DIVERGENCE = "known_divergence"  # evidence: class key (tracker row open/accepted)
    FIXED_DIVERGENCE = "fixed_divergence"  # evidence: class key of a tracker row not seen any more
    UNREACHABLE = "unreachable"  # evidence: target name (and case)
    PHASE_ERROR = "phase_error"  # evidence: phase name
    REVIEW_BLOCK = "review_block"  # evidence: path:line; converged across >= 2 lineages
    REVIEW_WARNING = "review_warning"  # evidence: path:line; single-lineage block
    NOTE = "note"  # informational, never changes the verdict


@dataclass(slots=True)
class Finding:
    kind: FindingKind
    evidence: str
    message: str

    def to_dict(self) -> dict[str, str]:
        return {"kind": self.kind.value, "evidence": self.evidence, "message": self.message}

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Finding:
        return cls(FindingKind(raw["kind"]), str(raw["evidence"]), str(raw["message"]))


class PhaseStatus(enum.StrEnum):
    PASSED = "passed"  # ran, found nothing that fails
    FAILED = "failed"  # ran, found a failure
    ERROR = "error"  # could not run to the end (crash, unreachable, bad input)
    SKIPPED = "skipped"


@dataclass(slots=True)
class PhaseResult:
    phase: str  # "stack" | "smoke" | "parity" | "review"
    status: PhaseStatus
    summary: str  # one human line, e.g. "21/21 PASS in 0.31s"
    findings: list[Finding] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)
    duration_s: float = 0.0
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "phase": self.phase,
            "status": self.status.value,
            "summary": self.summary,
            "findings": [f.to_dict() for f in self.findings],
            "data": self.data,
            "duration_s": round(self.duration_s, 4),
            "error": self.error,
        }

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> PhaseResult:
        return cls(
            phase=str(raw["phase"]),
            status=PhaseStatus(raw["status"]),
            summary=str(raw.get("summary", "")),
            findings=[Finding.from_dict(f) for f in raw.get("findings", [])],
            data=dict(raw.get("data", {})),
            duration_s=float(raw.get("duration_s", 0.0)),
            error=raw.get("error"),
        )
