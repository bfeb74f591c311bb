"""The run document (report.json, ``paritygate.report/3``): one codec, its version checked
first, and absent kept apart from null."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from paritygate.core.jsondoc import ABSENT, DocumentError
from paritygate.core.models import Finding, FindingKind, PhaseResult, PhaseStatus
from paritygate.core.run_doc import SCHEMA, Reason, ReasonLevel, RunDocument, VerdictKind

MakeDoc = Callable[..., RunDocument]


def test_a_document_reads_back_equal(run_document: MakeDoc) -> None:
    reason = Reason(ReasonLevel.GAP, "known_divergence", "parity", "k", "known gap: x", "TRACKER.md")
    doc = run_document(
        verdict=VerdictKind.SHIP_WITH_KNOWN_GAP,
        reasons=[reason],
        phases={
            "smoke": PhaseResult(
                "smoke", PhaseStatus.FAILED, "0/1", [Finding(FindingKind.SMOKE_FAILED, "a/b", "m")]
            )
        },
        definitions={"smoke": {"a/b": "0123456789abcdef"}},
    )
    back = RunDocument.from_json(doc.to_json())
    assert back == doc
    assert back.judged.verdict is VerdictKind.SHIP_WITH_KNOWN_GAP and back.judged.reasons == [reason]


def test_never_reassessed_is_absent_and_no_signal_is_null(run_document: MakeDoc) -> None:
    raw = run_document().to_json()
    assert "reassessed_at" not in raw  # absent: the key is left out
    assert raw["signal"] is None and raw["tracker"] is None and raw["tally"] is None  # null: written
    back = RunDocument.from_json(raw)
    assert back.reassessed_at is ABSENT and back.signal is None
    again = RunDocument.from_json({**raw, "reassessed_at": "2026-05-03T10:00:00Z"})
    assert again.reassessed_at == "2026-05-03T10:00:00Z"
    assert again.to_json()["reassessed_at"] == "2026-05-03T10:00:00Z"


def test_a_null_where_only_absent_is_allowed_and_a_missing_null_are_errors(run_document: MakeDoc) -> None:
    raw = run_document().to_json()
    with pytest.raises(DocumentError, match=r"^reassessed_at: expected a string, got NoneType"):
        RunDocument.from_json({**raw, "reassessed_at": None})
    without_signal = {k: v for k, v in raw.items() if k != "signal"}
    with pytest.raises(DocumentError, match=r"^signal: missing$"):
        RunDocument.from_json(without_signal)


@pytest.mark.parametrize("schema", ["paritygate.report/2", "paritygate.report/4", None])
def test_another_version_is_rejected_before_anything_else(schema: str | None) -> None:
    raw = {"schema": schema} if schema is not None else {}
    with pytest.raises(DocumentError) as info:
        RunDocument.from_json(raw)
    assert info.value.where == "schema"
    assert info.value.detail.startswith(f"expected {SCHEMA!r}, got {schema!r}")


def test_a_phase_document_of_another_version_is_named_by_its_path(run_document: MakeDoc) -> None:
    raw = run_document().to_json()
    raw["phases"] = {
        "parity": {"phase": "parity", "status": "passed", "data": {"schema": "paritygate.parity/1"}}
    }
    with pytest.raises(DocumentError) as info:
        RunDocument.from_json(raw)
    assert info.value.where == "phases.parity.data.schema"
