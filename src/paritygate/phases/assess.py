"""Phase 5: the verdict policy (ship / ship-with-known-gap / block).

The policy weighs only the phases' findings and statuses (see ``FindingKind``); the
parity data is consulted for wording only (a divergence class's title and tracker
decision). The review phase applies ``[assess] review_block_lineages`` itself when it
tallies lineages: a converged block arrives as REVIEW_BLOCK, a single-lineage one as
REVIEW_WARNING.
Every reason names its evidence and the report section where it is shown, so a
reader can go from the verdict to the proof in one step.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from paritygate.config.phases import AssessConfig
from paritygate.core.models import Finding, FindingKind, PhaseResult, PhaseStatus

__all__ = ["Reason", "ReasonLevel", "Verdict", "VerdictKind", "assess"]

INTERRUPTED = "interrupted"


class VerdictKind(enum.StrEnum):
    SHIP = "ship"
    SHIP_WITH_KNOWN_GAP = "ship-with-known-gap"
    BLOCK = "block"


class ReasonLevel(enum.StrEnum):
    BLOCK = "block"  # makes the verdict block
    GAP = "gap"  # a documented, accepted-or-open gap: ship-with-known-gap
    NOTICE = "notice"  # reported loudly, changes nothing (e.g. a `fixed?` tracker row)
    WARNING = "warning"  # worth a look (single-lineage review block, a disabled blocker)


@dataclass(slots=True)
class Reason:
    level: ReasonLevel
    kind: str  # a FindingKind value, or "interrupted"
    phase: str
    evidence: str  # check name, case name, class key, path:line, phase name
    message: str
    ref: str  # where the evidence is shown, e.g. "report.md#divergence-classes, parity.md"

    def to_dict(self) -> dict[str, str]:
        return {
            "level": self.level.value,
            "kind": self.kind,
            "phase": self.phase,
            "evidence": self.evidence,
            "message": self.message,
            "ref": self.ref,
        }

    def line(self) -> str:
        return f"[{self.level.value}] {self.message} (evidence: {self.evidence}; see {self.ref})"


@dataclass(slots=True)
class Verdict:
    verdict: VerdictKind
    reasons: list[Reason] = field(default_factory=list)  # block, gap and notice reasons
    warnings: list[Reason] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return 1 if self.verdict is VerdictKind.BLOCK else 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict.value,
            "reasons": [r.to_dict() for r in self.reasons],
            "warnings": [w.to_dict() for w in self.warnings],
        }


# Where each kind of evidence is shown in a run directory (report.md headings, phase files).
_REFS: dict[str, str] = {
    "smoke": "report.md#smoke-checks",
    "status": "report.md#parity-cases, parity.md",
    "class": "report.md#divergence-classes, parity.md",
    "fixed": "report.md#fixed-tracker-rows, parity.md",
    "unreachable": "report.md#parity-cases, logs/",
    "phase": "report.md#phases, logs/",
    "review": "report.md#review",
}


# Findings that already explain an errored phase (so no second, generic "phase errored" reason).
_SAYS_WHY = frozenset({FindingKind.PHASE_ERROR, FindingKind.UNREACHABLE})
_TRACKED = frozenset({FindingKind.NEW_DIVERGENCE, FindingKind.KNOWN_DIVERGENCE, FindingKind.FIXED_DIVERGENCE})


def _class_index(results: dict[str, PhaseResult]) -> dict[str, dict[str, Any]]:
    parity = results.get("parity")
    if parity is None:
        return {}
    classes = parity.data.get("classes", [])
    fixed = parity.data.get("fixed", [])
    index: dict[str, dict[str, Any]] = {}
    for row in [*fixed, *classes]:
        if isinstance(row, dict) and isinstance(row.get("key"), str):
            index[row["key"]] = row
    return index


def _describe_class(key: str, row: dict[str, Any] | None, fallback: str) -> str:
    if row is None:
        return fallback
    title = row.get("title") or row.get("divergence") or key
    where = row.get("endpoint") or row.get("area") or ""
    cases = row.get("cases") or []
    parts = [f"{title}"]
    if where:
        parts.append(f"on {where}")
    if cases:
        parts.append(f"({len(cases)} case{'s' if len(cases) != 1 else ''})")
    mapping = row.get("mapping") or {}
    text = " ".join(parts)
    if mapping.get("name") and mapping["name"] != title:
        text += f" ({mapping['name']})"
    # A class carries its tracker row as {"status", "decision", ...}; a `fixed` entry IS the row.
    decision = row.get("decision")
    status, said = None, None
    if isinstance(decision, dict):
        status, said = decision.get("status"), decision.get("decision")
    elif isinstance(decision, str):
        status, said = row.get("status"), decision
    if status or said:
        text += f"; tracker decision {status or '?'}: {str(said or 'no decision text').rstrip('. ')}"
    return text


def _finding_reason(
    finding: Finding,
    phase: str,
    cfg: AssessConfig,
    classes: dict[str, dict[str, Any]],
) -> Reason:
    kind = finding.kind
    ev = finding.evidence

    def reason(level: ReasonLevel, message: str, ref: str) -> Reason:
        return Reason(level, kind.value, phase, ev, message, ref)

    def gate(enabled: bool, message: str, ref: str) -> Reason:
        return reason(ReasonLevel.BLOCK if enabled else ReasonLevel.WARNING, message, ref)

    if kind is FindingKind.SMOKE_FAILED:
        return gate(cfg.block_on_smoke_failure, f"smoke check {ev} failed: {finding.message}", _REFS["smoke"])
    if kind is FindingKind.STATUS_MISMATCH:
        message = f"status codes differ in case {ev}: {finding.message}"
        return gate(cfg.block_on_status_mismatch, message, _REFS["status"])
    if kind is FindingKind.UNREACHABLE:
        return gate(cfg.block_on_unreachable, f"target unreachable: {finding.message}", _REFS["unreachable"])
    if kind is FindingKind.PHASE_ERROR:
        return gate(cfg.block_on_phase_error, f"phase {phase} errored: {finding.message}", _REFS["phase"])
    if kind in _TRACKED:
        text = _describe_class(ev, classes.get(ev), finding.message)
        if kind is FindingKind.NEW_DIVERGENCE:
            return gate(
                cfg.block_on_new_divergence, f"new divergence (no tracker row): {text}", _REFS["class"]
            )
        if kind is FindingKind.KNOWN_DIVERGENCE:
            return reason(ReasonLevel.GAP, f"known gap: {text}", _REFS["class"])
        message = f"fixed? a tracker row was not seen in this run (update the tracker): {text}"
        level = ReasonLevel.BLOCK if cfg.block_on_fixed_divergence else ReasonLevel.NOTICE
        return reason(level, message, _REFS["fixed"])
    if kind is FindingKind.REVIEW_BLOCK:
        # The review phase applies `[assess] review_block_lineages` when it tallies lineages.
        return reason(ReasonLevel.BLOCK, f"review block at {ev}: {finding.message}", _REFS["review"])
    if kind is FindingKind.REVIEW_WARNING:
        return reason(ReasonLevel.WARNING, f"review warning at {ev}: {finding.message}", _REFS["review"])
    return reason(ReasonLevel.WARNING, finding.message, _REFS["phase"])


def assess(
    results: Iterable[PhaseResult], config: AssessConfig | None = None, *, interrupted: bool = False
) -> Verdict:
    """Weigh every phase's findings and status into one verdict with its reasons."""
    cfg = config or AssessConfig()
    by_phase = {r.phase: r for r in results}
    classes = _class_index(by_phase)
    parity = by_phase.get("parity")
    tracker = str(parity.data.get("tracker") or "") if parity is not None else ""
    reasons: list[Reason] = []
    if interrupted:
        reached = [p for p, r in by_phase.items() if r.status is not PhaseStatus.SKIPPED]
        msg = "run interrupted" + (
            f" after: {', '.join(reached)}" if reached else " before any phase finished"
        )
        reasons.append(Reason(ReasonLevel.BLOCK, INTERRUPTED, "run", "signal", msg, _REFS["phase"]))
    for phase, result in by_phase.items():
        kinds = {f.kind for f in result.findings}
        if result.status is PhaseStatus.ERROR and not kinds & _SAYS_WHY:
            # A phase that errored without a finding saying why still blocks, with its error as evidence.
            error = Finding(FindingKind.PHASE_ERROR, phase, result.error or result.summary or "error")
            reasons.append(_finding_reason(error, phase, cfg, classes))
        for finding in result.findings:
            if finding.kind is FindingKind.NOTE:
                continue
            reason = _finding_reason(finding, phase, cfg, classes)
            if tracker and finding.kind in _TRACKED:
                reason.ref += f", {PurePath(tracker).name}"  # where the decision lives
            reasons.append(reason)
    levels = {r.level for r in reasons}
    if ReasonLevel.BLOCK in levels:
        verdict = VerdictKind.BLOCK
    elif ReasonLevel.GAP in levels:
        verdict = VerdictKind.SHIP_WITH_KNOWN_GAP
    else:
        verdict = VerdictKind.SHIP
    order = {ReasonLevel.BLOCK: 0, ReasonLevel.GAP: 1, ReasonLevel.NOTICE: 2}
    main = sorted((r for r in reasons if r.level in order), key=lambda r: order[r.level])
    warnings = [r for r in reasons if r.level is ReasonLevel.WARNING]
    return Verdict(verdict, main, warnings)
