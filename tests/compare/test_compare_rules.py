"""Ignore rules, array rules, learned noise, and rule validation."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from compare_helpers import jresp

from paritygate.compare import (
    ArrayRule,
    CompareRules,
    Difference,
    IgnoreRule,
    Outcome,
    Response,
    RuleError,
    compare,
)
from paritygate.config.phases import ArrayRule as ConfigArrayRule
from paritygate.config.phases import IgnoreRule as ConfigIgnoreRule


def ignoring(*paths: str, when: str | None = None) -> CompareRules:
    return CompareRules(ignore=tuple(IgnoreRule(path=p, when=when) for p in paths))


def test_ignore_path_drops_the_path() -> None:
    left, right = jresp({"valid": True, "elapsed_ms": 0.1}), jresp({"valid": True, "elapsed_ms": 0.9})
    assert compare(left, right).outcome is Outcome.VALUE
    assert compare(left, right, ignoring("$.elapsed_ms")).outcome is Outcome.MATCH


def test_ignore_path_drops_the_subtree_and_missing_keys() -> None:
    left = jresp({"meta": {"host": "a", "trace": [1, 2]}, "v": 1})
    right = jresp({"meta": {"host": "b"}, "v": 1})
    assert compare(left, right, ignoring("$.meta")).outcome is Outcome.MATCH
    result = compare(left, right, ignoring("$.meta.host"))
    assert result.differences == [Difference("$.meta.trace", "missing", [1, 2], None)]


def test_recursive_descent_ignores_at_any_depth() -> None:
    left = jresp(
        {"request_id": "a", "items": [{"request_id": "b", "n": 1}], "deep": {"x": {"request_id": 1}}}
    )
    right = jresp(
        {"request_id": "z", "items": [{"request_id": "y", "n": 1}], "deep": {"x": {"request_id": 2}}}
    )
    assert compare(left, right).outcome is Outcome.VALUE
    assert compare(left, right, ignoring("$..request_id")).outcome is Outcome.MATCH


def test_wildcard_index_ignores_in_every_element() -> None:
    left = jresp({"items": [{"id": 1, "n": "a"}, {"id": 2, "n": "b"}]})
    right = jresp({"items": [{"id": 7, "n": "a"}, {"id": 8, "n": "c"}]})
    result = compare(left, right, ignoring("$.items[*].id"))
    assert result.differences == [Difference("$.items[1].n", "value", "b", "c")]


def test_when_regex_ignores_only_matching_values() -> None:
    rules = ignoring("$.id", when=r"^[0-9a-f]{8}$")
    assert compare(jresp({"id": "deadbeef"}), jresp({"id": "0badf00d"}), rules).outcome is Outcome.MATCH
    # one side does not match the pattern: a real divergence, not hidden
    result = compare(jresp({"id": "deadbeef"}), jresp({"id": None}), rules)
    assert result.differences == [Difference("$.id", "type", "deadbeef", None)]


def test_when_regex_sees_numbers_and_json_of_containers() -> None:
    assert (
        compare(jresp({"n": 10}), jresp({"n": 12}), ignoring("$.n", when=r"^1\d$")).outcome is Outcome.MATCH
    )
    rules = ignoring("$.o", when=r'"debug":true')
    assert compare(
        jresp({"o": {"debug": True, "a": 1}}), jresp({"o": {"debug": True, "a": 2}}), rules
    ).outcome is (Outcome.MATCH)


def test_header_ignore_and_when() -> None:
    rules = CompareRules(
        headers=("content-type", "server"), ignore=(IgnoreRule(header="Server", when="^uvicorn"),)
    )
    a = Response(200, [("Server", "uvicorn"), ("Content-Type", "application/json")], b"{}")
    b = Response(200, [("Server", "uvicorn/2"), ("Content-Type", "application/json")], b"{}")
    c = Response(200, [("Server", "aiohttp"), ("Content-Type", "application/json")], b"{}")
    assert compare(a, b, rules).outcome is Outcome.MATCH
    assert compare(a, c, rules).differences == [Difference("header:server", "header", "uvicorn", "aiohttp")]
    always = CompareRules(headers=("content-type", "server"), ignore=(IgnoreRule(header="server"),))
    assert compare(a, c, always).outcome is Outcome.MATCH


def test_noise_argument_ignores_learned_paths_and_headers() -> None:
    rules = CompareRules(headers=("content-type", "x-req"))
    a = Response(200, [("Content-Type", "application/json"), ("X-Req", "1")], b'{"t": 1, "v": 1}')
    b = Response(200, [("Content-Type", "application/json"), ("X-Req", "2")], b'{"t": 2, "v": 1}')
    assert compare(a, b, rules).outcome is Outcome.VALUE
    assert compare(a, b, rules, noise=["$.t", "header:x-req"]).outcome is Outcome.MATCH


def test_unordered_array_rule() -> None:
    rules = CompareRules(arrays=(ArrayRule("$.tags"),))
    assert (
        compare(jresp({"tags": ["a", "b", "a"]}), jresp({"tags": ["a", "a", "b"]}), rules).outcome
        is Outcome.MATCH
    )
    result = compare(jresp({"tags": ["a", "b", "c"]}), jresp({"tags": ["c", "x", "a"]}), rules)
    assert result.outcome is Outcome.VALUE
    assert result.differences == [Difference("$.tags[1]", "value", "b", "x")]
    result = compare(jresp({"tags": ["a", "b"]}), jresp({"tags": ["b"]}), rules)
    assert [(d.path, d.kind) for d in result.differences] == [("$.tags", "length"), ("$.tags[0]", "missing")]


def test_unordered_rule_respects_ignores_inside_elements() -> None:
    rules = CompareRules(ignore=(IgnoreRule(path="$.rows[*].ts"),), arrays=(ArrayRule("$.rows"),))
    left = jresp({"rows": [{"n": 1, "ts": 5}, {"n": 2, "ts": 6}]})
    right = jresp({"rows": [{"n": 2, "ts": 9}, {"n": 1, "ts": 8}]})
    assert compare(left, right, rules).outcome is Outcome.MATCH


def test_by_key_array_rule_pairs_elements_by_key() -> None:
    rules = CompareRules(arrays=(ArrayRule("$.users", mode="by_key", key="id"),))
    left = jresp({"users": [{"id": 1, "name": "Ada"}, {"id": 2, "name": "Bo"}, {"id": 3, "name": "Cy"}]})
    right = jresp({"users": [{"id": 3, "name": "Cy"}, {"id": 4, "name": "Di"}, {"id": 1, "name": "Ann"}]})
    result = compare(left, right, rules)
    assert result.outcome is Outcome.SHAPE
    assert [(d.path, d.right_path, d.kind) for d in result.differences] == [
        ("$.users[0].name", "$.users[2].name", "value"),
        ("$.users[1]", None, "missing"),
        ("$.users[1]", None, "extra"),
    ]
    assert result.differences[1].left == {"id": 2, "name": "Bo"}
    assert result.differences[2].right == {"id": 4, "name": "Di"}
    reordered = jresp({"users": [{"id": 3, "name": "Cy"}, {"id": 1, "name": "Ada"}, {"id": 2, "name": "Bo"}]})
    assert compare(left, reordered, rules).outcome is Outcome.MATCH
    assert compare(left, reordered).outcome is Outcome.ORDER  # without the rule: order matters


def test_build_accepts_config_models_and_mappings() -> None:
    rules = CompareRules.build(
        ["Content-Type"],
        [ConfigIgnoreRule(path="$.elapsed_ms", reason="volatile"), {"header": "date"}],
        [
            ConfigArrayRule(path="$.x", mode="by_key", key="id"),
            SimpleNamespace(path="$.y", mode="unordered", key=None),
        ],
    )
    assert rules.headers == ("content-type",)
    assert rules.ignore == (IgnoreRule(path="$.elapsed_ms"), IgnoreRule(header="date"))
    assert rules.arrays == (ArrayRule("$.x", "by_key", "id"), ArrayRule("$.y"))


@pytest.mark.parametrize(
    ("kwargs", "key", "fragment"),
    [
        pytest.param({"ignore": [{"path": "$.a["}]}, "ignore[0].path", "expected an index", id="bad-path"),
        pytest.param({"ignore": [{"path": "elapsed"}]}, "ignore[0].path", "starts with '$'", id="no-dollar"),
        pytest.param(
            {"ignore": [{"path": "$.a", "when": "("}]}, "ignore[0].when", "invalid regular", id="bad-re"
        ),
        pytest.param({"ignore": [{"path": "$.a", "header": "x"}]}, "ignore[0]", "exactly one", id="both"),
        pytest.param({"ignore": [{}]}, "ignore[0]", "exactly one", id="neither"),
        pytest.param(
            {"arrays": [{"path": "$.a", "mode": "by_key"}]}, "arrays[0].key", "needs `key`", id="no-key"
        ),
        pytest.param(
            {"arrays": [{"path": "$.a", "key": "id"}]}, "arrays[0].key", "only used", id="stray-key"
        ),
        pytest.param(
            {"arrays": [{"path": "$.a", "mode": "sorted"}]}, "arrays[0].mode", "'unordered'", id="mode"
        ),
        pytest.param({"headers": [""]}, "headers[0]", "header name", id="empty-header"),
    ],
)
def test_bad_rules_raise_precise_errors(kwargs: dict[str, list[object]], key: str, fragment: str) -> None:
    with pytest.raises(RuleError) as info:
        CompareRules.build(**kwargs)  # type: ignore[arg-type]
    assert info.value.key == key
    assert fragment in str(info.value)
    assert isinstance(info.value, ValueError)


def test_bad_noise_path_is_reported_as_noise() -> None:
    with pytest.raises(RuleError) as info:
        compare(jresp({}), jresp({}), noise=["$.["])
    assert info.value.key == "noise"
