"""The verdict policy over synthetic findings: it weighs findings and their evidence only."""

from __future__ import annotations

import pytest

from paritygate.config.phases import AssessConfig
from paritygate.core.models import Finding, FindingKind, PhaseResult, PhaseStatus, TrackerEvidence
from paritygate.phases.assess import ReasonLevel, VerdictKind, assess
from paritygate.reports.refs import reason_ref

KEY = "POST /v1/validate shape $.Schema"
SUBJECT = "error wire shape on POST /v1/validate (2 cases) (tagged enum vs flat kind field)"
TRACKER = "/p/docs/ARCHITECTURE_COMPARISON.md"


def _phase(
    name: str,
    *findings: Finding,
    status: PhaseStatus = PhaseStatus.PASSED,
    error: str | None = None,
) -> PhaseResult:
    return PhaseResult(name, status, f"{name} summary", list(findings), error=error)


def _class_finding(kind: FindingKind, status: str | None = None, decision: str = "") -> Finding:
    tracker = None if status is None else TrackerEvidence(TRACKER, status, decision, 12)
    return Finding(kind, KEY, "phase wording", SUBJECT, tracker)


def test_all_passed_is_ship_without_reasons() -> None:
    verdict = assess([_phase("stack"), _phase("smoke"), _phase("parity")])
    assert verdict.verdict is VerdictKind.SHIP
    assert verdict.reasons == [] and verdict.exit_code == 0


def test_known_divergence_is_ship_with_known_gap_naming_the_decision() -> None:
    finding = _class_finding(FindingKind.KNOWN_DIVERGENCE, "_open_", "Go side: custom MarshalJSON.")
    verdict = assess([_phase("smoke"), _phase("parity", finding)])
    assert verdict.verdict is VerdictKind.SHIP_WITH_KNOWN_GAP
    (reason,) = verdict.reasons
    assert reason.level is ReasonLevel.GAP and reason.evidence == KEY
    assert reason.message == f"known gap: {SUBJECT}; tracker decision _open_: Go side: custom MarshalJSON"
    ref = reason_ref(reason)
    assert ref == "report.md#divergence-classes, parity.md, ARCHITECTURE_COMPARISON.md"
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
    assert first.level is ReasonLevel.BLOCK and first.evidence == evidence
    assert ref_part in reason_ref(first)
    assert [r.level for r in verdict.reasons] == [ReasonLevel.BLOCK, ReasonLevel.GAP]  # blockers first


def test_errored_phase_without_finding_blocks_with_its_error_as_evidence() -> None:
    verdict = assess([_phase("smoke", status=PhaseStatus.ERROR, error="target flat refused the connection")])
    assert verdict.verdict is VerdictKind.BLOCK
    assert verdict.reasons[0].evidence == "smoke" and "refused" in verdict.reasons[0].message


def test_new_class_reason_claims_no_tracker_decision() -> None:
    (reason,) = assess([_phase("parity", _class_finding(FindingKind.NEW_DIVERGENCE))]).reasons
    assert reason.message == f"new divergence (no tracker row): {SUBJECT}"
    assert reason.level is ReasonLevel.BLOCK


def test_a_fixed_row_whose_class_is_back_gives_one_came_back_reason() -> None:
    finding = _class_finding(FindingKind.CAME_BACK, "fixed", "fixed in PR 7.")
    verdict = assess([_phase("parity", finding, status=PhaseStatus.FAILED)])
    assert verdict.verdict is VerdictKind.BLOCK
    (reason,) = verdict.reasons
    assert (
        reason.message
        == f"divergence came back: {SUBJECT}; its tracker row (line 12) says fixed: fixed in PR 7"
    )
    assert "new" not in reason.message
    relaxed = assess([_phase("parity", finding)], AssessConfig(block_on_new_divergence=False))
    assert relaxed.verdict is VerdictKind.SHIP and relaxed.warnings[0].kind == "came_back"


def test_a_class_recorded_by_this_run_is_new_and_says_where_it_was_recorded() -> None:
    (reason,) = assess([_phase("parity", _class_finding(FindingKind.NEW_DIVERGENCE, "_open_"))]).reasons
    assert reason.level is ReasonLevel.BLOCK
    assert reason.message == f"new divergence (recorded by this run as _open_, line 12): {SUBJECT}"


@pytest.mark.parametrize(
    ("setting", "finding"),
    [
        ("block_on_smoke_failure", Finding(FindingKind.SMOKE_FAILED, "health", "status 500")),
        ("block_on_status_mismatch", Finding(FindingKind.STATUS_MISMATCH, "c1", "tagged 200 · flat 500")),
        ("block_on_new_divergence", Finding(FindingKind.NEW_DIVERGENCE, KEY, "new", SUBJECT)),
        ("block_on_unreachable", Finding(FindingKind.UNREACHABLE, "flat", "flat never answered")),
        ("block_on_phase_error", Finding(FindingKind.PHASE_ERROR, "parity", "boom")),
    ],
)
def test_every_block_on_setting_turns_its_blocker_into_a_warning(setting: str, finding: Finding) -> None:
    phase = _phase("parity", finding, status=PhaseStatus.FAILED)
    on = assess([phase], AssessConfig())
    assert on.verdict is VerdictKind.BLOCK and [r.kind for r in on.reasons] == [finding.kind.value]
    off = assess([phase], AssessConfig.model_validate({setting: False}))
    assert off.verdict is VerdictKind.SHIP and off.reasons == []
    assert [(w.level, w.kind, w.evidence) for w in off.warnings] == [
        (ReasonLevel.WARNING, finding.kind.value, finding.evidence)
    ]
    # every other setting off leaves this blocker blocking
    others = {k: False for k in AssessConfig.model_fields if k.startswith("block_on_") and k != setting}
    assert assess([phase], AssessConfig.model_validate(others)).verdict is VerdictKind.BLOCK


def test_unreachable_target_explains_the_errored_phase_once() -> None:
    parity = _phase(
        "parity",
        Finding(FindingKind.UNREACHABLE, "flat", "flat never answered: refused"),
        status=PhaseStatus.ERROR,
    )
    verdict = assess([parity])
    assert [(r.kind, r.evidence) for r in verdict.reasons] == [("unreachable", "flat")]


def test_fixed_row_is_reported_loudly_but_does_not_block_by_default() -> None:
    tracker = TrackerEvidence(TRACKER, "_open_", "fix it", 7)
    finding = Finding(FindingKind.FIXED_DIVERGENCE, "old-row", "not seen", "old shape on GET /x", tracker)
    fixed = _phase("parity", finding)
    verdict = assess([fixed])
    assert verdict.verdict is VerdictKind.SHIP
    assert [r.level for r in verdict.reasons] == [ReasonLevel.NOTICE]
    assert verdict.reasons[0].message == (
        "fixed? a tracker row was not seen in this run (update the tracker): old shape on GET /x;"
        " tracker decision _open_: fix it"
    )
    assert reason_ref(verdict.reasons[0]).startswith("report.md#fixed-tracker-rows")
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
    assert verdict.reasons[0].evidence == "src/x.py:10"
    assert reason_ref(verdict.reasons[0]) == "report.md#review"
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
