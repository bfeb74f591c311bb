"""The verdict policy over synthetic phase results (docs/phase-data.md shapes)."""

from __future__ import annotations

from typing import Any

import pytest

from paritygate.config.phases import AssessConfig
from paritygate.core.models import Finding, FindingKind, PhaseResult, PhaseStatus
from paritygate.phases.assess import ReasonLevel, VerdictKind, assess

KEY = "POST /v1/validate shape $.Schema"


def _phase(
    name: str,
    *findings: Finding,
    status: PhaseStatus = PhaseStatus.PASSED,
    data: dict[str, Any] | None = None,
    error: str | None = None,
) -> PhaseResult:
    return PhaseResult(name, status, f"{name} summary", list(findings), data or {}, error=error)


def _parity_data(status: str = "known") -> dict[str, Any]:
    decision = (
        {"status": "_open_", "decision": "Go side: custom MarshalJSON", "evidence": "seed"}
        if status == "known"
        else None
    )
    return {
        "classes": [
            {
                "key": KEY,
                "title": "error wire shape",
                "endpoint": "POST /v1/validate",
                "outcome": "shape",
                "mapping": {"name": "tagged enum vs flat kind field", "fix": "MarshalJSON"},
                "cases": ["a", "b"],
                "status": status,
                "decision": decision,
            }
        ],
        "fixed": [],
    }


def test_all_passed_is_ship_without_reasons() -> None:
    verdict = assess([_phase("stack"), _phase("smoke"), _phase("parity")])
    assert verdict.verdict is VerdictKind.SHIP
    assert verdict.reasons == [] and verdict.exit_code == 0


def test_known_divergence_is_ship_with_known_gap_naming_the_decision() -> None:
    parity = _phase("parity", Finding(FindingKind.KNOWN_DIVERGENCE, KEY, "5 cases"), data=_parity_data())
    verdict = assess([_phase("smoke"), parity])
    assert verdict.verdict is VerdictKind.SHIP_WITH_KNOWN_GAP
    (reason,) = verdict.reasons
    assert reason.level is ReasonLevel.GAP and reason.evidence == KEY
    assert "_open_" in reason.message and "custom MarshalJSON" in reason.message
    assert "divergence-classes" in reason.ref
    assert verdict.exit_code == 0


@pytest.mark.parametrize(
    ("kind", "evidence", "ref_part"),
    [
        pytest.param(FindingKind.SMOKE_FAILED, "health-tagged", "smoke-checks", id="smoke"),
        pytest.param(FindingKind.STATUS_MISMATCH, "playbook_happy", "parity-cases", id="status"),
        pytest.param(FindingKind.NEW_DIVERGENCE, KEY, "divergence-classes", id="new"),
        pytest.param(FindingKind.UNREACHABLE, "flat", "parity-cases", id="unreachable"),
        pytest.param(FindingKind.PHASE_ERROR, "parity", "phases", id="phase-error"),
    ],
)
def test_each_blocker_blocks_and_names_its_evidence(kind: FindingKind, evidence: str, ref_part: str) -> None:
    known = Finding(FindingKind.KNOWN_DIVERGENCE, "other", "known one")
    verdict = assess([_phase("parity", known, Finding(kind, evidence, "details"), status=PhaseStatus.FAILED)])
    assert verdict.verdict is VerdictKind.BLOCK and verdict.exit_code == 1
    first = verdict.reasons[0]
    assert first.level is ReasonLevel.BLOCK and first.evidence == evidence and ref_part in first.ref
    assert [r.level for r in verdict.reasons] == [ReasonLevel.BLOCK, ReasonLevel.GAP]  # blockers first


def test_errored_phase_without_finding_blocks_with_its_error_as_evidence() -> None:
    verdict = assess([_phase("smoke", status=PhaseStatus.ERROR, error="target flat refused the connection")])
    assert verdict.verdict is VerdictKind.BLOCK
    assert verdict.reasons[0].evidence == "smoke" and "refused" in verdict.reasons[0].message


def test_new_class_reason_claims_no_tracker_decision() -> None:
    parity = _phase("parity", Finding(FindingKind.NEW_DIVERGENCE, KEY, "new"), data=_parity_data("new"))
    (reason,) = assess([parity]).reasons
    assert "error wire shape on POST /v1/validate (2 cases)" in reason.message
    assert "tracker decision" not in reason.message


def test_unreachable_target_explains_the_errored_phase_once() -> None:
    parity = _phase(
        "parity",
        Finding(FindingKind.UNREACHABLE, "flat", "flat never answered: refused"),
        status=PhaseStatus.ERROR,
    )
    verdict = assess([parity])
    assert [(r.kind, r.evidence) for r in verdict.reasons] == [("unreachable", "flat")]


def test_fixed_row_is_reported_loudly_but_does_not_block_by_default() -> None:
    row = {
        "key": "old-row",
        "area": "GET /x",
        "divergence": "old shape",
        "status": "_open_",
        "decision": "fix it",
    }
    data = {"classes": [], "fixed": [row]}
    fixed = _phase("parity", Finding(FindingKind.FIXED_DIVERGENCE, "old-row", "not seen"), data=data)
    verdict = assess([fixed])
    assert verdict.verdict is VerdictKind.SHIP
    assert [r.level for r in verdict.reasons] == [ReasonLevel.NOTICE]
    assert "fixed?" in verdict.reasons[0].message and "_open_: fix it" in verdict.reasons[0].message
    strict = assess([fixed], AssessConfig(block_on_fixed_divergence=True))
    assert strict.verdict is VerdictKind.BLOCK


def test_disabled_blocker_becomes_a_warning() -> None:
    smoke = _phase(
        "smoke", Finding(FindingKind.SMOKE_FAILED, "health", "status 500"), status=PhaseStatus.FAILED
    )
    verdict = assess([smoke], AssessConfig(block_on_smoke_failure=False))
    assert verdict.verdict is VerdictKind.SHIP
    assert verdict.warnings[0].evidence == "health"


def test_converged_review_block_blocks_single_lineage_is_a_warning() -> None:
    converged = Finding(FindingKind.REVIEW_BLOCK, "src/x.py:10", "block converged across 2 lineages")
    verdict = assess([_phase("review", converged)])
    assert verdict.verdict is VerdictKind.BLOCK
    assert verdict.reasons[0].evidence == "src/x.py:10" and "#review" in verdict.reasons[0].ref
    single = Finding(FindingKind.REVIEW_WARNING, "src/x.py:10", "single-lineage block (anthropic)")
    verdict = assess([_phase("review", single)])
    assert verdict.verdict is VerdictKind.SHIP
    assert verdict.warnings[0].evidence == "src/x.py:10" and "single-lineage" in verdict.warnings[0].message


def test_interrupted_run_blocks_with_run_interrupted() -> None:
    results = [_phase("stack"), PhaseResult("smoke", PhaseStatus.SKIPPED, "interrupted", error="interrupted")]
    verdict = assess(results, interrupted=True)
    assert verdict.verdict is VerdictKind.BLOCK
    assert len(verdict.reasons) == 1 and verdict.reasons[0].message.startswith("run interrupted")


def test_notes_never_change_the_verdict() -> None:
    verdict = assess([_phase("parity", Finding(FindingKind.NOTE, "x", "just so you know"))])
    assert verdict.verdict is VerdictKind.SHIP and not verdict.reasons and not verdict.warnings
