"""JSON bodies: key order, arrays, outcomes, status, headers, errors."""

from __future__ import annotations

from typing import Any

import pytest
from compare_helpers import jresp, raw

from paritygate.compare import CompareRules, Comparison, Difference, Outcome, Response, compare
from paritygate.compare.walk import diff_trees


def kinds(result: Comparison) -> list[tuple[str, str]]:
    return [(d.path, d.kind) for d in result.differences]


def test_key_order_is_ignored() -> None:
    left = raw(b'{"a": 1, "b": {"x": [1, 2], "y": null}}', "application/json")
    right = raw(b'{"b": {"y": null, "x": [1, 2]}, "a": 1}', "application/json")
    result = compare(left, right)
    assert result.outcome is Outcome.MATCH
    assert result.differences == []


def test_identical_bytes_match_without_walking() -> None:
    body = b'{"a": [1, 2, 3]}'
    assert compare(raw(body, "application/json"), raw(body, "application/json")).outcome is Outcome.MATCH


def test_value_difference_lists_path_and_both_values() -> None:
    result = compare(jresp({"user": {"name": "Ada", "age": 36}}), jresp({"user": {"name": "Ada", "age": 37}}))
    assert result.outcome is Outcome.VALUE
    assert result.differences == [Difference("$.user.age", "value", 36, 37)]


def test_every_differing_path_is_listed_in_document_order() -> None:
    left = {"a": 1, "b": {"c": 2, "d": [1, 2]}, "e": "x"}
    right = {"a": 2, "b": {"c": 3, "d": [1, 3]}, "e": "y"}
    result = compare(jresp(left), jresp(right))
    assert kinds(result) == [("$.a", "value"), ("$.b.c", "value"), ("$.b.d[1]", "value"), ("$.e", "value")]


@pytest.mark.parametrize(
    ("left", "right", "expected"),
    [
        pytest.param({"a": 1}, {"a": "1"}, [("$.a", "type")], id="number-vs-string"),
        pytest.param({"a": True}, {"a": 1}, [("$.a", "type")], id="bool-vs-int"),
        pytest.param({"a": [True]}, {"a": [1]}, [("$.a[0]", "type")], id="bool-vs-int-in-array"),
        pytest.param({"a": {}}, {"a": []}, [("$.a", "type")], id="object-vs-array"),
        pytest.param({"a": 1, "b": 2}, {"a": 1}, [("$.b", "missing")], id="missing"),
        pytest.param({"a": 1}, {"a": 1, "b": 2}, [("$.b", "extra")], id="extra"),
        pytest.param({"a": [1, 2]}, {"a": [1, 2, 3]}, [("$.a", "length"), ("$.a[2]", "extra")], id="length"),
    ],
)
def test_shape_differences(left: object, right: object, expected: list[tuple[str, str]]) -> None:
    result = compare(jresp(left), jresp(right))
    assert result.outcome is Outcome.SHAPE
    assert kinds(result) == expected


def test_int_and_float_of_same_value_differ_as_value() -> None:
    result = compare(jresp({"n": 1}), jresp({"n": 1.0}))
    assert result.outcome is Outcome.VALUE
    assert result.differences == [Difference("$.n", "value", 1, 1.0)]


def test_reordered_array_is_order() -> None:
    result = compare(jresp({"tags": ["a", "b", "c"]}), jresp({"tags": ["c", "a", "b"]}))
    assert result.outcome is Outcome.ORDER
    assert result.differences == [Difference("$.tags", "order", ["a", "b", "c"], ["c", "a", "b"])]


def test_insertion_is_aligned_not_a_cascade() -> None:
    left = {"items": [{"id": 1}, {"id": 2}, {"id": 3}]}
    right = {"items": [{"id": 0}, {"id": 1}, {"id": 2}, {"id": 3}]}
    result = compare(jresp(left), jresp(right))
    assert kinds(result) == [("$.items", "length"), ("$.items[0]", "extra")]
    assert result.differences[1].right == {"id": 0}


def test_aligned_pair_at_other_index_carries_right_path() -> None:
    left = {"items": ["a", {"v": 1}, "z"]}
    right = {"items": ["new", "a", {"v": 2}, "z"]}
    result = compare(jresp(left), jresp(right))
    value = next(d for d in result.differences if d.kind == "value")
    assert (value.path, value.right_path, value.left, value.right) == ("$.items[1].v", "$.items[2].v", 1, 2)


def test_most_severe_outcome_wins() -> None:
    result = compare(jresp({"a": [1, 2], "b": 1, "c": 1}), jresp({"a": [2, 1], "b": 2}))
    assert {d.kind for d in result.differences} == {"order", "value", "missing"}
    assert result.outcome is Outcome.SHAPE


def test_status_dominates_but_body_is_still_diffed() -> None:
    result = compare(jresp({"ok": True}, status=200), jresp({"ok": False}, status=500))
    assert result.outcome is Outcome.STATUS
    assert kinds(result) == [("status", "status"), ("$.ok", "value")]
    assert result.differences[0].left == 200 and result.differences[0].right == 500
    assert not result.status_match and not result.body_match


def test_error_when_one_side_did_not_answer() -> None:
    result = compare(jresp({"ok": True}), Response(None, error="timeout"))
    assert result.outcome is Outcome.ERROR
    assert result.differences == [Difference("error", "error", None, "timeout")]


def test_headers_allow_list_compared_rest_recorded() -> None:
    left = Response(200, [("Content-Type", "application/json"), ("Date", "Mon"), ("X-Id", "1")], b"{}")
    right = Response(200, [("content-type", "application/json"), ("date", "Tue")], b"{}")
    result = compare(left, right)
    assert result.outcome is Outcome.MATCH
    assert result.left_canonical is not None
    assert result.left_canonical.recorded_headers == {"date": "Mon", "x-id": "1"}
    rules = CompareRules.build(headers=["Content-Type", "X-Id"])
    result = compare(left, right, rules)
    assert result.differences == [Difference("header:x-id", "header", "1", None)]
    assert result.outcome is Outcome.VALUE and result.body_match


def test_content_type_is_normalised_but_still_compared() -> None:
    a = Response(200, [("Content-Type", "Application/JSON;charset=UTF-8")], b"{}")
    b = Response(200, [("Content-Type", "application/json; charset=utf-8")], b"{}")
    c = Response(200, [("Content-Type", "application/json")], b"{}")
    assert compare(a, b).outcome is Outcome.MATCH
    assert compare(b, c).differences == [
        Difference("header:content-type", "header", "application/json; charset=utf-8", "application/json")
    ]


def test_invalid_json_falls_back_to_text_and_says_so() -> None:
    left = raw(b'{"a": 1,}', "application/json")
    right = raw(b'{"a": 1}', "application/json")
    result = compare(left, right)
    assert result.left_canonical is not None and result.left_canonical.kind == "text"
    [diff] = result.differences
    assert (diff.path, diff.kind, diff.left, diff.right) == ("$", "body_kind", "text", "json")
    assert diff.detail == (
        "the left is application/json, which does not parse as JSON: compared as text;"
        " the right is application/json, compared as JSON"
    )
    assert result.outcome is Outcome.SHAPE
    assert result.notes and result.notes[0].startswith("left: declared JSON but not valid JSON")


def test_deeply_nested_json_does_not_crash() -> None:
    depth = 10_000
    left = raw(b"[" * depth + b"1" + b"]" * depth, "application/json")
    right = raw(b"[" * depth + b"2" + b"]" * depth, "application/json")
    result = compare(left, right)
    assert result.outcome is Outcome.VALUE  # compared as text: the one line differs
    assert result.differences[0].path == "$[0]"
    assert "not valid JSON" in result.notes[0]


def test_nesting_within_the_parser_limit_is_walked_without_recursion_error() -> None:
    depth = 1000  # orjson parses up to 1024 levels; Python's == recursion limit is ~1000
    left = raw(b'{"a":' * depth + b"1" + b"}" * depth, "application/json")
    right = raw(b'{"a":' * depth + b"2" + b"}" * depth, "application/json")
    result = compare(left, right)
    assert result.outcome is Outcome.VALUE
    assert result.differences[0].path == "$" + ".a" * depth
    same = raw(b' {"a":' * depth + b" 1 " + b"}" * depth, "application/json")  # equal, other bytes
    assert compare(left, same).outcome is Outcome.MATCH


def test_a_tree_deeper_than_any_parser_gives_is_walked_and_its_paths_formatted() -> None:
    # diff_trees takes any tree: its paths are cells as deep as the tree, and nothing may
    # recurse along them (hashing nested tuples does, in C, and crashed the interpreter)
    depth = 200_000
    left: Any = 1
    right: Any = 2
    for _ in range(depth):
        left, right = {"k": left}, {"k": right}
    [diff] = diff_trees(left, right, CompareRules())
    assert (diff.kind, diff.left, diff.right) == ("value", 1, 2)
    assert diff.path == "$" + ".k" * depth


def test_partial_reorder_plus_change_reports_both() -> None:
    result = compare(jresp({"v": ["x", "y", "z"]}), jresp({"v": ["y", "x", "w"]}))
    assert kinds(result) == [("$.v", "order"), ("$.v[2]", "value")]
    assert result.differences[1].left == "z" and result.differences[1].right == "w"
    assert result.outcome is Outcome.VALUE
