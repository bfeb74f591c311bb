"""The building blocks without a network: variables, assertions, the XML parser, log tails."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from paritygate.core.paths import parse_path
from paritygate.phases.smoke.assertions import Assertion, evaluate, json_equal
from paritygate.phases.smoke.logtail import tail_lines
from paritygate.probe.extract import Capture, Reply, extract_capture
from paritygate.probe.templates import MissingVariable, references, render_text, render_value


def _reply(body: bytes, status: int = 200, headers: list[tuple[str, str]] | None = None) -> Reply:
    return Reply(status, httpx.Headers(headers or []), body, 1.5)


def _json(path: str, operator: str, expected: object) -> Assertion:
    return Assertion("jsonpath", path, operator, expected, path=parse_path(path))


# -- variables ----------------------------------------------------------------


def test_references_report_where_each_variable_is_used() -> None:
    value = {"a": "x {{one}} {{ env.HOME }}", "b": [1, "{{two}}"]}
    assert list(references(value)) == [(".a", "one"), (".a", "env.HOME"), (".b[1]", "two")]
    with pytest.raises(ValueError, match="bad variable reference"):
        list(references("{{ not a name }}"))


def test_a_whole_reference_keeps_the_captured_type_and_text_uses_json() -> None:
    variables = {"n": 2, "s": "two", "obj": {"k": [1]}}
    assert render_value({"count": "{{n}}", "label": "n={{n}} {{s}}", "o": "{{obj}}"}, variables) == {
        "count": 2,
        "label": "n=2 two",
        "o": {"k": [1]},
    }
    assert render_text("{{obj}}", variables) == '{"k":[1]}'
    assert render_text("^{{s}}$", {"s": "a.b"}, re.escape) == r"^a\.b$"
    with pytest.raises(MissingVariable):
        render_text("{{missing}}", variables)


# -- assertions -----------------------------------------------------------------


def test_json_equality_is_typed() -> None:
    assert json_equal(1, 1.0)
    assert not json_equal(True, 1)
    assert not json_equal("1", 1)
    assert json_equal({"a": [1, {"b": None}]}, {"a": [1, {"b": None}]})
    assert not json_equal({"a": 1}, {"a": 1, "b": 2})


@pytest.mark.parametrize(
    ("assertion", "holds"),
    [
        pytest.param(_json("$.kind", "equals", "fill"), True, id="equals"),
        pytest.param(_json("$.kind", "not_equals", "fill"), False, id="not-equals"),
        pytest.param(_json("$.valid", "equals", 1), False, id="true-is-not-1"),
        pytest.param(_json("$.names", "contains", "W-2"), True, id="contains-in-array"),
        pytest.param(_json("$.kind", "contains", "il"), True, id="contains-in-string"),
        pytest.param(_json("$", "contains", "kind"), True, id="contains-key"),
        pytest.param(_json("$.names[*]", "matches", r"^W-\d$"), True, id="matches-every-value"),
        pytest.param(_json("$.names[*]", "matches", "^W-1$"), False, id="matches-fails-on-one"),
        pytest.param(_json("$.names[*]", "count", 2), True, id="count"),
        pytest.param(_json("$..kind", "count", 1), True, id="count-descendants"),
        pytest.param(_json("$.missing", "exists", False), True, id="exists-false"),
        pytest.param(_json("$.valid", "exists", True), True, id="exists"),
        pytest.param(Assertion("header", "x-id", "matches", "^1, 2$"), True, id="repeated-header-joined"),
        pytest.param(Assertion("header", "x-id", "count", 2), True, id="header-count"),
        pytest.param(Assertion("body", "", "contains", '"kind"'), True, id="body-contains"),
        pytest.param(Assertion("status", "", "one_of", [200, 201]), True, id="status-list"),
        pytest.param(Assertion("duration", "", "below", 1.0), False, id="duration"),
    ],
)
def test_assertion_operators(assertion: Assertion, holds: bool) -> None:
    reply = _reply(
        b'{"kind": "fill", "valid": true, "names": ["W-1", "W-2"]}', headers=[("X-Id", "1"), ("X-Id", "2")]
    )
    assert (evaluate(assertion, reply, {}) is None) is holds


def test_failures_say_what_was_expected_and_what_came() -> None:
    reply = _reply(b'{"kind": "fill"}')
    failure = evaluate(_json("$.kind", "equals", "{{want}}"), reply, {"want": "playbook"})
    assert failure is not None
    assert failure.to_dict() == {
        "assertion": "jsonpath $.kind equals",
        "expected": '"playbook"',
        "actual": '"fill"',
    }
    missing = evaluate(_json("$.Schema.field", "equals", "x"), reply, {})
    assert missing is not None and missing.actual == "(nothing selected)"
    not_json = evaluate(_json("$.kind", "equals", "x"), _reply(b"<html>"), {})
    assert not_json is not None and not_json.actual == "(body is not JSON)"


def test_regex_variables_are_literal_text() -> None:
    reply = _reply(b'{"v": "a+b"}')
    assert evaluate(_json("$.v", "matches", "^{{x}}$"), reply, {"x": "a+b"}) is None
    assert evaluate(_json("$.v", "matches", "^{{x}}$"), _reply(b'{"v": "aab"}'), {"x": "a+b"}) is not None


def test_xml_entities_are_never_resolved(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET")
    body = f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file://{secret}">]><r>[&x;]</r>'.encode()
    from lxml import etree

    assertion = Assertion("xpath", "string(/r)", "contains", "TOPSECRET", xpath=etree.XPath("string(/r)"))
    failure = evaluate(assertion, _reply(body), {})
    assert failure is not None and "TOPSECRET" not in failure.actual


def test_capture_from_a_wildcard_takes_the_first_value() -> None:
    reply = _reply(b'{"fills": [{"id": "a"}, {"id": "b"}]}')
    capture = Capture("first", "jsonpath", "$.fills[*].id", path=parse_path("$.fills[*].id"))
    assert extract_capture(capture, reply) == ("a", None)


# -- log tails ------------------------------------------------------------------


def test_tail_reads_the_last_lines_of_a_large_log(tmp_path: Path) -> None:
    log = tmp_path / "big.log"
    log.write_text("".join(f"{i:06d} {'x' * 200}\n" for i in range(20_000)), encoding="utf-8")
    assert [line[:6] for line in tail_lines(log, 3)] == ["019997", "019998", "019999"]
    assert len(tail_lines(log, 50)) == 50


def test_tail_of_small_missing_and_unterminated_logs(tmp_path: Path) -> None:
    log = tmp_path / "small.log"
    log.write_bytes(b"one\ntwo\nthree \xff")
    assert tail_lines(log, 10) == ["one", "two", "three \ufffd"]
    assert tail_lines(log, 0) == []
    assert tail_lines(tmp_path / "absent.log", 5) == []
    assert tail_lines(None, 5) == []
