"""The typed documents' JSON codec: absent is not null, versions are checked, errors name the path."""

from __future__ import annotations

import pytest

from paritygate.core.jsondoc import ABSENT, DocumentError
from paritygate.core.models import Finding, FindingKind, PhaseResult, PhaseStatus, TrackerEvidence
from paritygate.core.parity_doc import (
    SCHEMA,
    CaseDoc,
    DifferenceDoc,
    PairDoc,
    ParityDocument,
    TargetAnswer,
    TargetRef,
)


def _doc() -> ParityDocument:
    diffs = [
        DifferenceDoc("$.a", "missing", left={"x": 1}),
        DifferenceDoc("$.b", "extra", right="y"),
        DifferenceDoc("$.c", "value", left=1, right=None),  # JSON null on the right
    ]
    case = CaseDoc(
        name="c",
        method="GET",
        path="/c",
        targets={
            "l": TargetAnswer(200, body=None),  # a JSON null body
            "r": TargetAnswer(None, error="refused"),  # no answer: no body at all
        },
        outcome="error",
        status_match=False,
        body_match=False,
        pairs=[PairDoc("l", "r", "shape", differences=diffs)],
    )
    return ParityDocument("p", "2026-05-02T08:59:17Z", [TargetRef("l", "u"), TargetRef("r", "v")], [case])


def test_absent_and_null_are_distinct_both_ways() -> None:
    raw = _doc().to_json()
    diffs = raw["cases"][0]["pairs"][0]["differences"]  # type: ignore[index]
    assert diffs == [
        {"path": "$.a", "kind": "missing", "left": {"x": 1}, "right_path": None},
        {"path": "$.b", "kind": "extra", "right": "y", "right_path": None},
        {"path": "$.c", "kind": "value", "left": 1, "right": None, "right_path": None},
    ]
    targets = raw["cases"][0]["targets"]  # type: ignore[index]
    assert "body" in targets["l"] and targets["l"]["body"] is None
    assert "body" not in targets["r"]
    back = ParityDocument.from_json(raw)
    assert back == _doc()
    d = back.cases[0].pairs[0].differences
    assert (d[0].right, d[1].left, d[2].right) == (ABSENT, ABSENT, None)
    assert back.cases[0].targets["r"].body is ABSENT and back.cases[0].targets["l"].body is None


def test_the_tally_is_written_but_derived_from_the_cases() -> None:
    raw = _doc().to_json()
    assert raw["tally"] == {
        "cases": 1,
        "status_match": 0,
        "match": 0,
        "diff": 0,
        "body_match": 0,
        "body_diff": 0,
        "header_only": 0,
        "errors": 1,
    }
    raw["tally"] = {"cases": 99}
    assert ParityDocument.from_json(raw).tally.cases == 1


@pytest.mark.parametrize("schema", ["paritygate.parity/1", "paritygate.parity/3", None])
def test_another_schema_version_is_refused_clearly(schema: str | None) -> None:
    raw = _doc().to_json()
    raw["schema"] = schema
    with pytest.raises(DocumentError) as caught:
        ParityDocument.from_json(raw)
    assert caught.value.where == "schema"
    assert f"expected {SCHEMA!r}, got {schema!r}" in str(caught.value)


@pytest.mark.parametrize(
    ("path", "value", "where", "says"),
    [
        (("cases", 0, "targets", "l", "status"), "200", "cases[0].targets.l.status", "expected"),
        (("cases", 0, "outcome"), 3, "cases[0].outcome", "expected a string"),
        (("targets", 1), "r", "targets[1]", "expected an object"),
        (("cases", 0, "status_match"), 1, "cases[0].status_match", "expected true or false"),
    ],
)
def test_a_bad_value_names_its_json_path(
    path: tuple[str | int, ...], value: object, where: str, says: str
) -> None:
    raw = _doc().to_json()
    node: object = raw
    for step in path[:-1]:
        node = node[step]  # type: ignore[index]
    node[path[-1]] = value  # type: ignore[index]
    with pytest.raises(DocumentError) as caught:
        ParityDocument.from_json(raw)
    assert caught.value.where == where and says in caught.value.detail


def test_a_missing_required_key_is_named() -> None:
    raw = _doc().to_json()
    del raw["cases"][0]["name"]  # type: ignore[attr-defined]
    with pytest.raises(DocumentError, match=r"cases\[0\]\.name: missing"):
        ParityDocument.from_json(raw)


def test_a_phase_result_round_trips_with_its_typed_document_and_findings() -> None:
    finding = Finding(FindingKind.CAME_BACK, "k", "m", "s", TrackerEvidence("T.md", "fixed", "done", 4))
    result = PhaseResult("parity", PhaseStatus.FAILED, "sum", [finding], _doc(), 0.5)
    back = PhaseResult.from_dict(result.to_dict())
    assert back == result and back.parity == _doc()
    none = PhaseResult("smoke", PhaseStatus.SKIPPED, "x")  # a phase that made no document
    assert none.to_dict()["data"] == {} and PhaseResult.from_dict(none.to_dict()) == none


def test_a_phase_document_of_an_unknown_kind_is_rejected() -> None:
    raw = PhaseResult("smoke", PhaseStatus.PASSED, "x").to_dict() | {"data": {"schema": "elsewhere/1"}}
    with pytest.raises(DocumentError, match=r"^phases\.smoke\.data\.schema: expected one of .*'elsewhere/1'"):
        PhaseResult.from_dict(raw, "phases.smoke")
