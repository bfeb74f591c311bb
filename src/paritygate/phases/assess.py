"""Phase 5: the verdict policy (ship / ship-with-known-gap / block).

The policy weighs only the phases' findings and statuses (see ``FindingKind``); each
finding carries its own evidence (its subject, the tracker row it was weighed against),
so the policy never reads a phase's document. The review phase applies ``[assess]
review_block_lineages`` itself when it tallies lineages: a converged block arrives as
REVIEW_BLOCK, a single-lineage one as REVIEW_WARNING.
Every reason names its evidence; where that evidence is shown (a report section, a
phase file, the tracker) is said by the writers (reports/refs.py), from the reason's
kind and tracker file.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import PurePath

from paritygate.config.phases import AssessConfig
from paritygate.core.models import Finding, FindingKind, PhaseResult, PhaseStatus, TrackerEvidence
from paritygate.core.run_doc import Reason, ReasonLevel, Verdict, VerdictKind  # defined with report.json

__all__ = ["Reason", "ReasonLevel", "Verdict", "VerdictKind", "assess"]

INTERRUPTED = "interrupted"


# Findings that already explain an errored phase (so no second, generic "phase errored" reason).
_SAYS_WHY = frozenset({FindingKind.PHASE_ERROR, FindingKind.UNREACHABLE})


def _said(tracker: TrackerEvidence) -> str:
    return f"tracker decision {tracker.status}: {(tracker.decision or 'no decision text').rstrip('. ')}"


def _tracked_reason(finding: Finding, phase: str, cfg: AssessConfig) -> Reason:
    """A divergence class (new, came back, known) or a ``fixed?`` tracker row."""
    kind, tracker = finding.kind, finding.tracker
    subject = finding.subject or finding.message
    file = PurePath(tracker.file).name if tracker is not None and tracker.file else None

    def reason(level: ReasonLevel, message: str) -> Reason:
        return Reason(level, kind.value, phase, finding.evidence, message, file)

    def gate(enabled: bool, message: str) -> Reason:
        return reason(ReasonLevel.BLOCK if enabled else ReasonLevel.WARNING, message)

    if kind is FindingKind.CAME_BACK:
        line = f" (line {tracker.line})" if tracker is not None and tracker.line else ""
        said = f": {tracker.decision.rstrip('. ')}" if tracker is not None and tracker.decision else ""
        return gate(
            cfg.block_on_new_divergence,
            f"divergence came back: {subject}; its tracker row{line} says fixed{said}",
        )
    if kind is FindingKind.NEW_DIVERGENCE:
        if tracker is None:
            return gate(cfg.block_on_new_divergence, f"new divergence (no tracker row): {subject}")
        if tracker.status == "accepted" and tracker.expires:
            return gate(
                cfg.block_on_new_divergence,
                f"divergence no longer accepted: its tracker row (line {tracker.line}) expired on "
                f"{tracker.expires}: {subject}; accept it again with a new --expires, or fix it",
            )
        # only a row written by this very run (--record-decisions) leaves a class new
        return gate(
            cfg.block_on_new_divergence,
            f"new divergence (recorded by this run as {tracker.status}, line {tracker.line}): {subject}",
        )
    said = f"; {_said(tracker)}" if tracker is not None else ""
    if kind is FindingKind.KNOWN_DIVERGENCE:
        return reason(ReasonLevel.GAP, f"known gap: {subject}{said}")
    message = f"fixed? a tracker row was not seen in this run (update the tracker): {subject}{said}"
    return reason(ReasonLevel.BLOCK if cfg.block_on_fixed_divergence else ReasonLevel.NOTICE, message)


_TRACKED = frozenset(
    {
        FindingKind.NEW_DIVERGENCE,
        FindingKind.CAME_BACK,
        FindingKind.KNOWN_DIVERGENCE,
        FindingKind.FIXED_DIVERGENCE,
    }
)


def _finding_reason(finding: Finding, phase: str, cfg: AssessConfig) -> Reason:
    kind = finding.kind
    ev = finding.evidence

    def reason(level: ReasonLevel, message: str) -> Reason:
        return Reason(level, kind.value, phase, ev, message)

    def gate(enabled: bool, message: str) -> Reason:
        return reason(ReasonLevel.BLOCK if enabled else ReasonLevel.WARNING, message)

    if kind in _TRACKED:
        return _tracked_reason(finding, phase, cfg)
    if kind is FindingKind.SMOKE_FAILED:
        return gate(cfg.block_on_smoke_failure, f"smoke check {ev} failed: {finding.message}")
    if kind is FindingKind.STATUS_MISMATCH:
        if finding.tracker is not None:  # a status class whose row is `_open_`: the message says it all
            return Reason(
                ReasonLevel.BLOCK if cfg.block_on_status_mismatch else ReasonLevel.WARNING,
                kind.value,
                phase,
                ev,
                finding.message,
                PurePath(finding.tracker.file).name if finding.tracker.file else None,
            )
        return gate(cfg.block_on_status_mismatch, f"status codes differ in case {ev}: {finding.message}")
    if kind is FindingKind.UNREACHABLE:
        return gate(cfg.block_on_unreachable, f"target unreachable: {finding.message}")
    if kind is FindingKind.PHASE_ERROR:
        return gate(cfg.block_on_phase_error, f"phase {phase} errored: {finding.message}")
    if kind is FindingKind.FLAKY:
        level = ReasonLevel.BLOCK if cfg.block_on_flaky else ReasonLevel.NOTICE
        return reason(level, f"flaky case {ev}: {finding.message}")
    if kind is FindingKind.REVIEW_BLOCK:
        # The review phase applies `[assess] review_block_lineages` when it tallies lineages.
        return reason(ReasonLevel.BLOCK, f"review block at {ev}: {finding.message}")
    if kind is FindingKind.REVIEW_UNREVIEWED:
        return gate(cfg.block_on_unreviewed, f"review bundle {ev} is unreviewed: {finding.message}")
    if kind is FindingKind.REVIEW_WARNING:
        return reason(ReasonLevel.WARNING, f"review warning at {ev}: {finding.message}")
    return reason(ReasonLevel.WARNING, finding.message)


def assess(
    results: Iterable[PhaseResult], config: AssessConfig | None = None, *, interrupted: bool = False
) -> Verdict:
    """Weigh every phase's findings and status into one verdict with its reasons."""
    cfg = config or AssessConfig()
    by_phase = {r.phase: r for r in results}
    reasons: list[Reason] = []
    if interrupted:
        reached = [p for p, r in by_phase.items() if r.status is not PhaseStatus.SKIPPED]
        msg = "run interrupted" + (
            f" after: {', '.join(reached)}" if reached else " before any phase finished"
        )
        reasons.append(Reason(ReasonLevel.BLOCK, INTERRUPTED, "run", "signal", msg))
    for phase, result in by_phase.items():
        kinds = {f.kind for f in result.findings}
        if result.status is PhaseStatus.ERROR and not kinds & _SAYS_WHY:
            # A phase that errored without a finding saying why still blocks, with its error as evidence.
            error = Finding(FindingKind.PHASE_ERROR, phase, result.error or result.summary or "error")
            reasons.append(_finding_reason(error, phase, cfg))
        found = [_finding_reason(f, phase, cfg) for f in result.findings if f.kind is not FindingKind.NOTE]
        if phase == "fuzz":  # its classes read like parity's: say that generated requests showed them
            for reason in found:
                reason.message = f"found by fuzz: {reason.message}"
        reasons += found
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
