"""JSON dialects: vendor JSON types, NDJSON, generic types holding JSON, repeated keys."""

from __future__ import annotations

import pytest
from compare_helpers import raw

from paritygate.compare import CompareRules, Outcome, RuleError, canonicalize, compare
from paritygate.compare.canonical import reconcile
from paritygate.compare.jsonbody import loads_json

AMZ = "application/x-amz-json-1.1"


@pytest.mark.parametrize(
    "media",
    [AMZ, "application/x-amz-json-1.0", "application/vnd.api+json", "text/json", "application/json"],
)
def test_json_types_are_compared_as_json(media: str) -> None:
    left = raw(b'{"TableNames": [], "LastEvaluatedTableName": null}', media)
    right = raw(b'{"LastEvaluatedTableName":null,"TableNames":[]}', media)
    assert compare(left, right).outcome is Outcome.MATCH
    assert canonicalize(left).kind == "json"


def test_json_vs_amz_json_is_a_header_difference_and_a_json_comparison() -> None:
    left = raw(b'{"__type": "ResourceNotFoundException", "message": "no"}', "application/json")
    right = raw(b'{"__type":"ResourceNotFoundException","message":"No"}', "application/x-amz-json-1.0")
    result = compare(left, right)
    assert [(d.path, d.kind) for d in result.differences] == [
        ("header:content-type", "header"),
        ("$.message", "value"),
    ]


def test_configured_json_types() -> None:
    rules = CompareRules(json_types=("application/vnd.acme.*",))
    left, right = raw(b'{"a": 1}', "application/vnd.acme.v2"), raw(b'{ "a" : 1 }', "application/vnd.acme.v2")
    assert compare(left, right, rules).outcome is Outcome.MATCH
    assert compare(left, right).outcome is Outcome.VALUE  # opaque bytes without the setting
    with pytest.raises(RuleError) as err:
        CompareRules.build(json_types=["not a type"])
    assert err.value.key == "json_types[0]"


def test_ndjson_line_by_line() -> None:
    left = raw(b'{"id": 1}\n{"id": 2}\n', "application/x-ndjson")
    right = raw(b'{"id":1}\r\n\r\n{"id":3}', "application/x-ndjson")
    result = compare(left, right)
    assert [(d.path, d.left, d.right) for d in result.differences] == [("$[1].id", 2, 3)]
    broken = canonicalize(raw(b'{"id": 1}\n{"id":', "application/x-ndjson"))
    assert broken.kind == "text" and broken.note is not None and "line 2" in broken.note


@pytest.mark.parametrize("generic", ["text/plain", "application/octet-stream", "binary/octet-stream", None])
def test_generic_types_holding_json_on_both_sides(generic: str | None) -> None:
    left, right = raw(b'{"a": [1, 2]}', generic), raw(b'{"a":[1,2]}\n', "text/plain")
    result = compare(left, right)
    assert not [d for d in result.differences if d.path.startswith("$")]
    assert any("both bodies parse as JSON" in n for n in result.notes)
    # JSON against a generic type holding JSON: the header differs, the body is JSON
    typed = compare(raw(b'{"a": 1}', "application/json"), raw(b'{"a": 2}', "application/octet-stream"))
    assert [(d.path, d.kind) for d in typed.differences] == [
        ("header:content-type", "header"),
        ("$.a", "value"),
    ]
    # only one side holds JSON: compared as declared
    mixed = compare(raw(b'{"a": 1}', "text/plain"), raw(b"a=1", "text/plain"))
    assert [d.path for d in mixed.differences] == ["$[0]"]


def test_reconcile_reads_json_into_copies() -> None:
    # the body readers fill in a fresh canonical form in place: reconcile's must be a copy
    left, right = (
        canonicalize(raw(b'{"a": 1}', "text/plain")),
        canonicalize(raw(b"[2]", "application/octet-stream")),
    )
    before = [(c.kind, c.body, c.note) for c in (left, right)]
    as_json = reconcile(left, right)
    assert [(c.kind, c.body) for c in as_json] == [("json", {"a": 1}), ("json", [2])]
    assert all(a is not b for a, b in zip(as_json, (left, right), strict=True))
    assert [(c.kind, c.body, c.note) for c in (left, right)] == before
    assert (left.kind, right.kind) == ("text", "bytes")


def test_repeated_keys_are_their_own_difference() -> None:
    left, right = raw(b'{"k":1,"k":2}', "application/json"), raw(b'{"k":2}', "application/json")
    result = compare(left, right)
    assert result.outcome is Outcome.SHAPE
    [diff] = result.differences
    assert (diff.path, diff.kind, diff.relation, diff.left, diff.right) == (
        "$.k",
        "duplicate_key",
        "duplicate-key",
        [1, 2],
        2,
    )
    assert compare(right, left).differences[0].right == [1, 2]
    assert compare(left, left).outcome is Outcome.MATCH
    same_repeats = raw(b'{"k": 1, "k": 2}', "application/json")
    assert compare(left, same_repeats).outcome is Outcome.MATCH
    nested = raw(b'{"items": [{"id": 1}, {"id": 1, "id": {"x": 1}}]}', "application/json")
    [diff] = compare(nested, raw(b'{"items": [{"id": 1}, {"id": {"x": 1}}]}', "application/json")).differences
    assert (diff.path, diff.left, diff.right) == ("$.items[1].id", [1, {"x": 1}], {"x": 1})
    assert compare(left, right, CompareRules(ignore=())).outcome is Outcome.SHAPE


def test_repeat_check_is_exact_around_colons_in_strings() -> None:
    assert loads_json(b'{"a": "x:y", "b": "\\u003a"}') == ({"a": "x:y", "b": ":"}, [])
    tree, repeats = loads_json(b'{"a": ":::", "a": 1}')
    assert tree == {"a": 1} and [r.values for r in repeats] == [(":::", 1)]
    assert loads_json(b'[1, 2, "no keys"]') == ([1, 2, "no keys"], [])
