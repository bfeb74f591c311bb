"""Evaluating assertions against one HTTP reply (captures: probe.extract, shared with parity).

Subjects select a value from the reply: ``status``, ``duration``, ``jsonpath``
(the one path grammar of core.paths), ``xpath`` (lxml, safe parser), ``header``
and ``body``. A concrete JSONPath selects one value; a path with wildcards
selects the list of everything it matches. Operators then compare it with the
expected value, which may hold ``{{variables}}``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from lxml import etree

from paritygate.core.paths import PathPattern
from paritygate.probe.extract import Failure, Reply, ReplyFormatError, select, shown
from paritygate.probe.templates import render_text, render_value, text_form

__all__ = ["Assertion", "evaluate", "json_equal"]


@dataclass(slots=True, frozen=True)
class Assertion:
    subject: str  # "status" | "duration" | "jsonpath" | "xpath" | "header" | "body"
    selector: str  # the path, XPath or header name as written; "" for status, duration, body
    operator: str  # equals | not_equals | contains | matches | exists | count | one_of | below
    expected: Any
    path: PathPattern | None = None
    xpath: etree.XPath | None = None

    @property
    def label(self) -> str:
        return f"{self.subject} {self.selector} {self.operator}".replace("  ", " ")


def json_equal(left: Any, right: Any) -> bool:
    """JSON equality: true is not 1, 1 equals 1.0, objects compare by key."""
    if isinstance(left, bool) or isinstance(right, bool):
        return isinstance(left, bool) and isinstance(right, bool) and left == right
    if isinstance(left, int | float) and isinstance(right, int | float):
        return left == right
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(json_equal(a, b) for a, b in zip(left, right, strict=True))
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(json_equal(left[k], right[k]) for k in left)
    return type(left) is type(right) and bool(left == right)


def _contains(actual: Any, expected: Any) -> bool:
    if isinstance(actual, str):
        return isinstance(expected, str) and expected in actual
    if isinstance(actual, list):
        return any(json_equal(item, expected) for item in actual)
    if isinstance(actual, dict):
        return isinstance(expected, str) and expected in actual
    return False


def _matches(actual: Any, regex: re.Pattern[str]) -> bool:
    # For a wildcard path every selected value must match.
    items = actual if isinstance(actual, list) else [actual]
    return bool(items) and all(regex.search(text_form(item)) is not None for item in items)


def evaluate(assertion: Assertion, reply: Reply, variables: dict[str, Any]) -> Failure | None:
    """None when the assertion holds, else what was expected and what came."""
    op, expected = assertion.operator, assertion.expected
    if assertion.subject == "status":
        codes = expected if isinstance(expected, list) else [expected]
        if reply.status in codes:
            return None
        want = str(codes[0]) if len(codes) == 1 else "one of " + ", ".join(map(str, codes))
        return Failure("status", want, str(reply.status))
    if assertion.subject == "duration":
        if reply.duration_ms < expected:
            return None
        return Failure("duration_ms", f"< {expected}", f"{reply.duration_ms:.1f}")
    try:
        sel = select(assertion.subject, assertion.selector, assertion.path, assertion.xpath, reply)
    except ReplyFormatError as exc:
        return Failure(assertion.label, _expected_text(assertion, variables), f"({exc})")
    if op == "exists":
        return None if sel.found == expected else Failure(assertion.label, shown(expected), shown(sel.found))
    if op == "count":
        if sel.count is None:
            return Failure(assertion.label, str(expected), "(not a node-set: nothing to count)")
        return None if sel.count == expected else Failure(assertion.label, str(expected), str(sel.count))
    if not sel.found:
        return Failure(assertion.label, _expected_text(assertion, variables), "(nothing selected)")
    if op == "matches":
        regex = re.compile(render_text(str(expected), variables, re.escape))
        ok = _matches(sel.value, regex)
        return None if ok else Failure(assertion.label, f"/{regex.pattern}/", shown(sel.value))
    want = render_value(expected, variables)
    if op == "equals":
        ok = json_equal(sel.value, want)
    elif op == "not_equals":
        ok = not json_equal(sel.value, want)
    else:  # contains
        ok = _contains(sel.value, want)
    return (
        None
        if ok
        else Failure(assertion.label, ("not " if op == "not_equals" else "") + shown(want), shown(sel.value))
    )


def _expected_text(assertion: Assertion, variables: dict[str, Any]) -> str:
    if assertion.operator == "matches":
        return f"/{render_text(str(assertion.expected), variables, re.escape)}/"
    if assertion.operator == "count":
        return str(assertion.expected)
    return shown(render_value(assertion.expected, variables))
