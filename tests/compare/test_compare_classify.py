"""Divergence classes and named wire-shape mappings."""

from __future__ import annotations

import re

import pytest
from compare_helpers import HAPPY, SEED_CASES, jresp

from paritygate.compare import (
    KEY_SEPARATOR,
    CompareRules,
    DivergenceClass,
    IgnoreRule,
    Outcome,
    Response,
    classify,
    compare,
)

ENDPOINT = "POST /v1/validate"
DEMO_RULES = CompareRules(ignore=(IgnoreRule(path="$.elapsed_ms"),))


def classify_pair(
    left: object, right: object, status: int = 200, rules: CompareRules = DEMO_RULES
) -> DivergenceClass | None:
    lresp, rresp = jresp(left, status), jresp(right, status)
    return classify(ENDPOINT, compare(lresp, rresp, rules), lresp, rresp)


def test_seed_cases_form_one_tagged_enum_class() -> None:
    classes = [classify_pair(tagged, flat, status) for _, status, tagged, flat in SEED_CASES]
    assert all(c is not None for c in classes)
    keys = {c.key for c in classes if c is not None}
    assert len(keys) == 1
    first = classes[0]
    assert first is not None and first.mapping is not None
    assert first.title == "tagged enum vs flat kind field"
    assert first.mapping.name == "tagged enum vs flat kind field"
    assert "MarshalJSON" in first.mapping.fix and '#[serde(tag = "kind")]' in first.mapping.fix
    assert first.outcome is Outcome.SHAPE and first.endpoint == ENDPOINT
    key = first.key
    assert re.fullmatch(r"POST /v1/validate·shape·tagged-enum~flat-kind·[0-9a-f]{8}", key)
    assert "|" not in key and "\n" not in key


def test_happy_case_matches_and_has_no_class() -> None:
    left, right = HAPPY
    assert compare(jresp(left), jresp(right), DEMO_RULES).outcome is Outcome.MATCH
    assert classify_pair(left, right) is None


def test_key_does_not_depend_on_case_order_or_leaf_values() -> None:
    forward = [classify_pair(t, f, s) for _, s, t, f in SEED_CASES]
    backward = [classify_pair(t, f, s) for _, s, t, f in reversed(SEED_CASES)]
    assert {c.key for c in forward if c} == {c.key for c in backward if c}
    other = classify_pair(
        {"Schema": {"field": "zzz", "reason": "other words"}},
        {"Kind": "Schema", "Field": "zzz", "Reason": "other words"},
        422,
    )
    assert other is not None and other.key == forward[0].key  # type: ignore[union-attr]


def test_tagged_side_may_be_either_and_may_be_nested() -> None:
    _, status, tagged, flat = SEED_CASES[0]
    swapped = classify_pair(flat, tagged, status)
    assert swapped is not None and swapped.title == "tagged enum vs flat kind field"
    nested = classify_pair({"error": tagged, "request": 7}, {"error": flat, "request": 7}, status)
    assert nested is not None and nested.title == "tagged enum vs flat kind field"
    direct = classify_pair(tagged, flat, status)
    assert direct is not None
    # Which target is on the left does not change the class; where the enum sits does.
    assert swapped.key == direct.key
    assert nested.key != direct.key


@pytest.mark.parametrize(
    ("tagged", "flat"),
    [
        pytest.param(
            {"Schema": {"field": "x", "reason": "y"}},
            {"Kind": "schema", "Field": "x", "Reason": "z"},
            id="payload-differs",
        ),
        pytest.param(
            {"Schema": {"field": "x", "reason": "y"}},
            {"Kind": "consistency", "Field": "x", "Reason": "y"},
            id="kind-differs",
        ),
        pytest.param(
            {"Schema": {"field": "x", "reason": "y"}}, {"Kind": "schema", "Reason": "y"}, id="field-lost"
        ),
    ],
)
def test_tagged_enum_needs_information_equivalence(tagged: object, flat: object) -> None:
    result = classify_pair(tagged, flat, 422)
    assert result is not None and result.mapping is None
    assert result.key.split(KEY_SEPARATOR)[2] == "unmapped"


@pytest.mark.parametrize(
    ("left", "right", "name", "slug"),
    [
        pytest.param(
            {"user_id": 1, "created_at": "x", "tags": [{"tag_name": "a"}]},
            {"userId": 1, "createdAt": "x", "tags": [{"tagName": "a"}]},
            "key case styles",
            "key-case",
            id="key-case",
        ),
        pytest.param({"a": 1, "b": None}, {"a": 1}, "null vs absent", "null~absent", id="null-absent"),
        pytest.param(
            {"a": 1, "n": {"count": "3", "ratio": "0.5"}},
            {"a": 1, "n": {"count": 3, "ratio": 0.5}},
            "number vs numeric string",
            "number~string",
            id="number-string",
        ),
        pytest.param(
            {"at": "2026-05-02T08:59:17.123456789Z"},
            {"at": "2026-05-02T08:59:17.123+00:00"},
            "timestamp precision",
            "timestamp-precision",
            id="timestamp",
        ),
    ],
)
def test_other_mappings_are_recognised(left: object, right: object, name: str, slug: str) -> None:
    result = classify_pair(left, right)
    assert result is not None and result.mapping is not None
    assert (result.title, result.mapping.name) == (name, name)
    assert result.mapping.fix
    assert result.key.split(KEY_SEPARATOR)[2] == slug


@pytest.mark.parametrize(
    ("left", "right"),
    [
        pytest.param({"user_id": 1}, {"userId": 2}, id="key-case-but-value-differs"),
        pytest.param({"a": 1, "b": None}, {"a": 2}, id="null-absent-plus-value"),
        pytest.param({"n": "3"}, {"n": 4}, id="other-number"),
        pytest.param({"at": "2026-05-02T08:59:17.1Z"}, {"at": "2026-05-02T08:59:18.1Z"}, id="other-instant"),
    ],
)
def test_mappings_are_not_claimed_when_information_differs(left: object, right: object) -> None:
    result = classify_pair(left, right)
    assert result is not None and result.mapping is None


def test_a_timestamp_with_an_absurd_fraction_is_classified_not_crashed_on() -> None:
    # int() refuses strings of more than 4300 digits: such a value is not read as a timestamp.
    result = classify_pair(
        {"at": "2026-05-02T08:59:17." + "1" * 5000 + "Z"}, {"at": "2026-05-02T08:59:17.1Z"}
    )
    assert result is not None and result.mapping is None


def test_unmapped_classes_group_by_place_not_value() -> None:
    a = classify_pair({"items": [{"price": 1}]}, {"items": [{"price": 2}]})
    b = classify_pair({"items": [{"price": 5}, {"price": 1}]}, {"items": [{"price": 5}, {"price": 9}]})
    c = classify_pair({"items": [{"price": 1}], "total": 1}, {"items": [{"price": 1}], "total": 2})
    assert a is not None and b is not None and c is not None
    assert a.key == b.key != c.key
    assert a.title == "value difference: value at $.items[*].price"
    assert a.key.startswith("POST /v1/validate·value·unmapped·")


def test_status_and_error_classes() -> None:
    ok, bad = jresp({"a": 1}, 200), jresp({"a": 1}, 500)
    status = classify("GET /x", compare(ok, bad), ok, bad)
    assert status is not None and status.outcome is Outcome.STATUS and status.title == "status 200 vs 500"
    down = Response(None, error="refused")
    error = classify("GET /x", compare(ok, down), ok, down)
    assert error is not None and error.outcome is Outcome.ERROR and "refused" in error.title
    assert status.key != error.key


def test_endpoint_is_made_safe_for_a_markdown_cell() -> None:
    left, right = jresp({"a": 1}), jresp({"a": 2})
    result = classify("GET  /a|b\n", compare(left, right), left, right)
    assert result is not None
    assert "|" not in result.key and "\n" not in result.key
    assert result.endpoint == "GET /a¦b"
    assert result.to_dict()["mapping"] is None


def test_demo_key_is_stable_across_releases() -> None:
    # Keys are persisted in decisions trackers (the demo ships this one in
    # ARCHITECTURE_COMPARISON.md); changing how keys are built orphans every recorded row.
    _, status, tagged, flat = SEED_CASES[0]
    found = classify_pair(tagged, flat, status)
    assert found is not None
    assert found.key == "POST /v1/validate·shape·tagged-enum~flat-kind·5d06913e"
