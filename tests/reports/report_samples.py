"""Synthetic phase results shaped exactly as docs/phase-data.md describes them."""

from __future__ import annotations

from typing import Any

from paritygate.core.models import Finding, FindingKind, PhaseResult, PhaseStatus
from paritygate.core.parity_doc import ParityDocument
from paritygate.core.review_doc import ReviewDocument
from paritygate.core.run_doc import FilesListing, RunDocument
from paritygate.core.smoke_doc import SmokeDocument
from paritygate.phases.assess import assess

HOSTILE = '<script>alert("pwned")</script><b onmouseover="x()">bold</b> & <img src=x onerror=alert(1)>'
CLASS_KEY = "POST /v1/validate shape $.Schema"


def smoke_result(*, fail: bool = False) -> PhaseResult:
    checks = [
        {
            "chain": "envelope",
            "name": "health-tagged",
            "target": "tagged",
            "method": "GET",
            "url": "http://127.0.0.1:40001/health",
            "status": "pass",
            "duration_ms": 3.1,
            "attempts": [{"n": 1, "status_code": 200, "duration_ms": 3.1, "passed": True, "error": None}],
            "failures": [],
            "body_snippet": "",
            "log_tail": [],
        },
        {
            "chain": "envelope",
            "name": "bad-json-flat",
            "target": "flat",
            "method": "POST",
            "url": "http://127.0.0.1:40002/v1/validate",
            "status": "fail" if fail else "pass",
            "duration_ms": 2.0,
            "attempts": [],
            "failures": [{"assertion": "status", "expected": "418", "actual": "400"}] if fail else [],
            "body_snippet": HOSTILE if fail else "",
            "log_tail": ["GET /health 200", HOSTILE] if fail else [],
        },
    ]
    failed = 1 if fail else 0
    return PhaseResult(
        "smoke",
        PhaseStatus.FAILED if fail else PhaseStatus.PASSED,
        f"{2 - failed}/2 PASS",
        findings=[Finding(FindingKind.SMOKE_FAILED, "bad-json-flat", "status: expected 418, got 400")]
        if fail
        else [],
        data=SmokeDocument.from_json(
            {
                "schema": "paritygate.smoke/1",
                "total": 2,
                "passed": 2 - failed,
                "failed": failed,
                "errors": 0,
                "duration_s": 0.01,
                "checks": checks,
            }
        ),
    )


def _case(
    name: str,
    tagged_body: Any,
    flat_body: Any,
    outcome: str,
    *,
    known: bool | None,
    key: str | None,
    diffs: list[dict[str, Any]],
) -> dict[str, Any]:
    return {
        "name": name,
        "method": "POST",
        "path": "/v1/validate",
        "tags": [],
        "targets": {
            "tagged": {
                "status": 422 if outcome != "match" else 200,
                "headers": {"content-type": "application/json"},
                "body": tagged_body,
                "error": None,
                "elapsed_ms": 1.2,
            },
            "flat": {
                "status": 422 if outcome != "match" else 200,
                "headers": {"content-type": "application/json"},
                "body": flat_body,
                "error": None,
                "elapsed_ms": 1.4,
            },
        },
        "status_match": True,
        "body_match": outcome == "match",
        "outcome": outcome,
        "class_key": key,
        "known": known,
        "pairs": [
            {
                "left": "tagged",
                "right": "flat",
                "outcome": outcome,
                "class_key": key,
                "differences": diffs,
                "notes": [],
            }
        ],
        "groups": [["tagged", "flat"]] if outcome == "match" else [["tagged"], ["flat"]],
        "odd_one_out": None,
        "odd_one_out_text": None,
        "noise_paths": [],
    }


def parity_result(*, known: bool = True, hostile: bool = False) -> PhaseResult:
    reason = HOSTILE if hostile else "missing — required for Phase 25 validity window"
    tagged = {"Schema": {"field": "fingerprint", "reason": reason}}
    flat = {"Kind": "schema", "Field": "fingerprint", "Reason": reason}
    diffs: list[dict[str, Any]] = [
        {
            "path": "$.Schema",
            "kind": "missing",
            "left": {"field": "fingerprint", "reason": reason},
        },  # a missing path has no right value: the key is absent (not null)
        {"path": "$.Kind", "kind": "extra", "right": "schema"},
    ]
    cases = [
        _case(
            "playbook_happy",
            {"valid": True, "kind": "playbook"},
            {"valid": True, "kind": "playbook"},
            "match",
            known=None,
            key=None,
            diffs=[],
        ),
        _case("playbook_missing_fingerprint", tagged, flat, "shape", known=known, key=CLASS_KEY, diffs=diffs),
    ]
    decision = (
        {
            "key": CLASS_KEY,
            "area": "validatord",
            "divergence": "error wire shape",
            "status": "_open_",
            "decision": "custom MarshalJSON on the Go side",
            "evidence": "seed",
        }
        if known
        else None
    )
    classes = [
        {
            "key": CLASS_KEY,
            "title": "error wire shape: tagged enum vs flat kind field",
            "endpoint": "POST /v1/validate",
            "outcome": "shape",
            "mapping": {
                "name": "tagged enum vs flat kind field",
                "description": "tagged enum vs kind field",
                "fix": "~50 LOC MarshalJSON",
            },
            "cases": ["playbook_missing_fingerprint"],
            "status": "known" if known else "new",
            "decision": decision,
            "came_back": False,
            "recorded": False,
        }
    ]
    kind = FindingKind.KNOWN_DIVERGENCE if known else FindingKind.NEW_DIVERGENCE
    return PhaseResult(
        "parity",
        PhaseStatus.PASSED if known else PhaseStatus.FAILED,
        "2/2 status match · 1 body match · 1 diff",
        findings=[Finding(kind, CLASS_KEY, "error wire shape (1 case)")],
        data=ParityDocument.from_json(
            {
                "schema": "paritygate.parity/2",
                "date": "2026-05-02T08:59:17Z",
                "targets": [
                    {"name": "tagged", "url": "http://127.0.0.1:3100"},
                    {"name": "flat", "url": "http://127.0.0.1:4110"},
                ],
                "reference": None,
                "cases": cases,
                "tally": {
                    "cases": 2,
                    "status_match": 2,
                    "body_match": 1,
                    "body_diff": 1,
                    "errors": 0,
                    "match": 1,
                    "diff": 1,
                },
                "unreachable": [],
                "fixed_skipped": None,
                "project": "sample",
                "compared_headers": ["content-type"],
                "ignored": ["$.elapsed_ms"],
                "cases_file": "cases.toml",
                "tracker": "ARCHITECTURE_COMPARISON.md",
                "noise_runs": 2,
                "duration_s": 0.05,
                "classes": classes,
                "fixed": [],
                "calibration": {
                    "mode": "repeats",
                    "noise_runs": 2,
                    "repeated_cases": 2,
                    "observations": 4,
                    "text": "noise from repeats: 2 safe case(s) re-sent 2 time(s); 0 stateful case(s) not calibrated",
                },
                "noise": [
                    {
                        "target": "tagged",
                        "path": "$.elapsed_ms",
                        "operation": "POST /v1/validate",
                        "source": "repeats",
                        "observations": 2,
                        "differed": 2,
                        "kind": "number",
                        "excused": 1,
                        "examples": [0.1, 0.2],
                        "suggested_rule": '[[parity.match]]\npath = "$.elapsed_ms"\nkind = "number"',
                        "cases": ["playbook_happy"],
                    }
                ],
                "suggestions": [
                    {
                        "path": "$.elapsed_ms",
                        "kind": "number",
                        "targets": ["tagged"],
                        "observations": 2,
                        "differed": 2,
                        "rule": '[[parity.match]]\npath = "$.elapsed_ms"\nkind = "number"',
                    }
                ],
            }
        ),
    )


def review_result(*, lineages: int = 1) -> PhaseResult:
    names = ["moonshot", "anthropic", "alibaba"][:lineages]
    finding = {
        "id": "f1",
        "bundle": "c1",
        "path": "src/x.py",
        "start": 10,
        "end": 12,
        "severity": "block",
        "what": HOSTILE,
        "why": "because",
        "reviewers": names,
        "lineages": names,
        "convergence": lineages,
        "line_kind": "added",
        "retracted": False,
        "votes": [
            {
                "reviewer": n,
                "lineage": [n],
                "where": "src/x.py:10-12",
                "path": "src/x.py",
                "start": 10,
                "end": 12,
                "severity": "block",
                "what": HOSTILE,
                "why": "because",
                "line_kind": "added",
            }
            for n in names
        ],
    }
    kind = FindingKind.REVIEW_BLOCK if lineages >= 2 else FindingKind.REVIEW_WARNING
    return PhaseResult(
        "review",
        PhaseStatus.FAILED if lineages >= 2 else PhaseStatus.PASSED,
        "1 finding",
        findings=[Finding(kind, "src/x.py:10", "unchecked input")],
        data=ReviewDocument.from_json(
            {
                "schema": "paritygate.review/2",
                "dry_run": False,
                "dry_run_reason": None,
                "range": "A..B",
                "summary": "1 bundle(s) × 1 reviewer(s)",
                "limits": {
                    "warn_kb": 60,
                    "max_kb": 100,
                    "match_window": 3,
                    "max_span_lines": 20,
                    "claim_similarity": 50,
                    "block_lineages": 2,
                    "quorum": "warn",
                },
                "bundles": [
                    {
                        "id": "c1",
                        "component": "validatord",
                        "bytes": 47104,
                        "tokens_est": 11776,
                        "tokens_method": "estimate:bytes/2.5",
                        "files": [],
                        "left_out": [],
                        "part": 1,
                        "parts": 1,
                        "convergent": 0,
                        "distinct": 1,
                        "tally_line": "c1 validatord (46KB) → 0 convergent / 1 distinct",
                    }
                ],
                "reviewers": [
                    {
                        "name": "kimi",
                        "lineage": ["moonshot"],
                        "provider": "openai",
                        "model": "kimi-k2",
                        "status": "ok",
                        "tokens_out": 250,
                        "finish_reason": "stop",
                        "served_model": "k2",
                        "rejected_locations": 0,
                    }
                ],
                "findings": [finding],
            }
        ),
    )


def sample_doc(results: list[PhaseResult] | None = None, *, interrupted: bool = False) -> RunDocument:
    results = (
        results if results is not None else [smoke_result(), parity_result(hostile=True), review_result()]
    )
    verdict = assess(results, interrupted=interrupted)
    return RunDocument(
        paritygate_version="0.1.0",
        run_id="20260502T085917Z",
        project="sample",
        config="/tmp/paritygate.toml",
        demo=False,
        tracker=None,
        started_at="2026-05-02T08:59:17Z",
        finished_at="2026-05-02T08:59:19Z",
        duration_s=2.0,
        verdict=verdict.verdict,
        reasons=verdict.reasons,
        warnings=verdict.warnings,
        interrupted=interrupted,
        signal=None,
        kept_up=False,
        tally=None,
        phases={r.phase: r for r in results},
        definitions={},
        implementations={},
        files=FilesListing(
            reports=["report.md", "report.html", "report.json", "junit.xml", "logs/"],
            phase_files=["parity.md"],
            logs=["logs/tagged.log"],
        ),
    )


def sample_json(results: list[PhaseResult] | None = None) -> dict[str, Any]:
    """A sample run document's JSON object, for tests that hand-edit report.json."""
    return sample_doc(results).to_json()


def review_doc(result: PhaseResult) -> ReviewDocument:
    """The review document of a sample review result."""
    doc = result.review
    assert doc is not None
    return doc
