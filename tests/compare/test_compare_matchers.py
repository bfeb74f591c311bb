"""Typed matchers ([[parity.match]]): values may differ, presence and type may not."""

from __future__ import annotations

import pytest
from compare_helpers import jresp, raw

from paritygate.compare import CompareRules, Outcome, Response, RuleError, compare
from paritygate.compare.matchers import as_datetime, is_uuid, kind_accepts


def rules(**match: object) -> CompareRules:
    return CompareRules.build(match=[match])


def kinds(result_rules: CompareRules, left: object, right: object) -> list[tuple[str, str]]:
    return [(d.path, d.kind) for d in compare(jresp(left), jresp(right), result_rules).differences]


def test_timestamps_may_differ_but_must_both_be_timestamps() -> None:
    r = rules(path="$..CreationDateTime", kind="timestamp")
    a = {"S": {"CreationDateTime": "2026-12-01T21:00:00Z"}}
    b = {"S": {"CreationDateTime": "2026-12-01T21:00:01.5+00:00"}}
    result = compare(jresp(a), jresp(b), r)
    assert result.outcome is Outcome.MATCH
    assert result.excused == [("match:$..CreationDateTime", "$.S.CreationDateTime")]
    assert kinds(r, a, {"S": {"CreationDateTime": "N/A"}}) == [("$.S.CreationDateTime", "value")]
    assert kinds(r, a, {"S": {"CreationDateTime": 1764622800}}) == [("$.S.CreationDateTime", "type")]
    assert kinds(r, a, {"S": {}}) == [("$.S.CreationDateTime", "missing")]
    epoch = rules(path="$.t", kind="timestamp")
    assert kinds(epoch, {"t": 1764622800.25}, {"t": 1764622801}) == []
    assert kinds(epoch, {"t": 5}, {"t": 6}) == [("$.t", "value")]


def test_uuid_number_tolerance_regex_and_present() -> None:
    u = rules(path="$.id", kind="uuid")
    assert (
        kinds(
            u,
            {"id": "0b7f5a6e-3f0c-4c47-9a43-9d1c2d6a0e11"},
            {"id": "{1B7F5A6E-3F0C-4C47-9A43-9D1C2D6A0E11}"},
        )
        == []
    )
    assert kinds(u, {"id": "0b7f5a6e-3f0c-4c47-9a43-9d1c2d6a0e11"}, {"id": "x-1"}) == [("$.id", "value")]
    tol = rules(path="$.p", tolerance=0.01)
    assert kinds(tol, {"p": 1.50}, {"p": 1.505}) == []
    assert kinds(tol, {"p": 1.50}, {"p": 1.6}) == [("$.p", "value")]
    assert kinds(tol, {"p": 1.5}, {"p": "1.5"}) == [("$.p", "type")]
    rx = rules(path="$.req", kind="regex", pattern="^req-[0-9a-f]+$")
    assert kinds(rx, {"req": "req-ab12"}, {"req": "req-ff"}) == []
    assert kinds(rx, {"req": "req-ab12"}, {"req": "none"}) == [("$.req", "value")]
    present = rules(path="$.meta", kind="present")
    assert kinds(present, {"meta": {"a": 1}}, {"meta": {"b": [2]}}) == []
    assert kinds(present, {"meta": {"a": 1}}, {}) == [("$.meta", "missing")]
    assert kinds(present, {"meta": {"a": 1}}, {"meta": [1]}) == [("$.meta", "type")]


def test_header_matchers_compare_presence_too() -> None:
    r = CompareRules.build(headers=["content-type", "x-req"], match=[{"header": "x-req", "kind": "uuid"}])
    base = [("content-type", "application/json")]
    one = Response(200, [*base, ("x-req", "0b7f5a6e-3f0c-4c47-9a43-9d1c2d6a0e11")], b"{}")
    two = Response(200, [*base, ("x-req", "1b7f5a6e-3f0c-4c47-9a43-9d1c2d6a0e11")], b"{}")
    assert compare(one, two, r).outcome is Outcome.MATCH
    assert compare(one, Response(200, base, b"{}"), r).outcome is Outcome.VALUE
    n = CompareRules.build(headers=["content-length"], match=[{"header": "content-length", "tolerance": 5}])
    size = [("content-type", "application/json")]
    assert (
        compare(
            Response(200, [*size, ("content-length", "230")], b"{}"),
            Response(200, [*size, ("content-length", "235")], b"{}"),
            n,
        ).outcome
        is Outcome.MATCH
    )
    assert (
        compare(
            Response(200, [*size, ("content-length", "0")], b"{}"),
            Response(200, [*size, ("content-length", "235")], b"{}"),
            n,
        ).outcome
        is Outcome.VALUE
    )


def test_rules_scoped_to_an_operation_apply_to_it_only() -> None:
    r = CompareRules.build(
        ignore=[{"path": "$.t", "operation": "GET /a"}],
        match=[{"path": "$.id", "kind": "present", "operation": "GET /b"}],
    )
    a, b = {"t": 1, "id": "x"}, {"t": 2, "id": "y"}
    assert kinds(r.for_operation("GET /a"), a, b) == [("$.id", "value")]
    assert kinds(r.for_operation("GET /b"), a, b) == [("$.t", "value")]
    assert kinds(r.for_operation("GET /c"), a, b) == [("$.t", "value"), ("$.id", "value")]
    assert r.for_operation("GET /a") is r.for_operation("GET /a")


@pytest.mark.parametrize(
    ("entry", "key", "fragment"),
    [
        ({"path": "$.x"}, "match[0].kind", "expected one of timestamp"),
        ({"path": "$.x", "kind": "date"}, "match[0].kind", "got 'date'"),
        (
            {"path": "$.x", "kind": "uuid", "tolerance": 1},
            "match[0].tolerance",
            "only used with kind = 'number'",
        ),
        ({"path": "$.x", "kind": "regex"}, "match[0].pattern", "needs `pattern`"),
        ({"path": "$.x", "kind": "regex", "pattern": "("}, "match[0].pattern", "invalid regular expression"),
        ({"path": "$.x", "header": "h", "kind": "present"}, "match[0]", "exactly one of"),
        ({"path": "$.sha256", "kind": "present"}, "match[0].path", "opaque (bytes) body"),
    ],
)
def test_bad_matchers_name_their_key(entry: dict[str, object], key: str, fragment: str) -> None:
    with pytest.raises(RuleError) as info:
        CompareRules.build(match=[entry])
    assert info.value.key == key and fragment in info.value.detail


def test_rules_on_an_opaque_digest_are_refused_and_never_apply() -> None:
    for path in ("$.sha256", "$.length", " $.length "):
        with pytest.raises(RuleError, match="opaque") as info:
            CompareRules.build(ignore=[{"path": path}])
        assert info.value.key == "ignore[0].path"
    quoted = CompareRules.build(ignore=[{"path": "$['length']"}])  # a JSON field named length
    assert compare(jresp({"length": 1}), jresp({"length": 2}), quoted).outcome is Outcome.MATCH
    # learned noise or a wildcard never reaches inside a body compared as bytes
    blob_a, blob_b = raw(b"\x00\xff\x01", "image/png"), raw(b"\x00\xff\x02", "image/png")
    assert compare(blob_a, blob_b, noise=["$.sha256"]).outcome is Outcome.VALUE
    assert compare(blob_a, blob_b, CompareRules.build(ignore=[{"path": "$..*"}])).outcome is Outcome.VALUE


def test_kind_helpers() -> None:
    assert as_datetime("Tue, 01 Dec 2026 21:12:47 GMT") is not None
    assert as_datetime("2026-12-01") is not None and as_datetime("yesterday") is None
    assert as_datetime(True) is None and as_datetime(12) is None
    assert is_uuid("0b7f5a6e3f0c4c479a439d1c2d6a0e11") and not is_uuid(7)
    assert not kind_accepts("number", True, False)  # booleans are not numbers
    assert not kind_accepts("nonsense", 1, 2)
