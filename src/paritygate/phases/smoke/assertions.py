"""Evaluating assertions and captures against one HTTP reply.

Subjects select a value from the reply: ``status``, ``duration``, ``jsonpath``
(the one path grammar of core.paths), ``xpath`` (lxml, safe parser), ``header``
and ``body``. A concrete JSONPath selects one value; a path with wildcards
selects the list of everything it matches. Operators then compare it with the
expected value, which may hold ``{{variables}}``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import httpx
import orjson
from lxml import etree

from paritygate.core.paths import PathPattern
from paritygate.phases.smoke.templates import render_text, render_value, text_form

__all__ = ["Assertion", "Capture", "Failure", "Reply", "evaluate", "extract_capture", "safe_xml_parser"]

_SHOWN = 300  # characters of a value shown in a failure


def safe_xml_parser() -> etree.XMLParser:
    # No entities, no DTD, no network: a reply cannot make us read files or fetch URLs.
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


class ReplyFormatError(ValueError):
    """The body is not the format an assertion needs (JSON for jsonpath, XML for xpath)."""


@dataclass  # no slots: cached_property needs an instance __dict__
class Reply:
    status: int
    headers: httpx.Headers
    body: bytes
    duration_ms: float

    @cached_property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    @cached_property
    def _json(self) -> tuple[bool, Any]:
        try:
            return True, orjson.loads(self.body)
        except orjson.JSONDecodeError:
            return False, None

    def json(self) -> Any:
        ok, doc = self._json
        if not ok:
            raise ReplyFormatError("body is not JSON")
        return doc

    @cached_property
    def _xml(self) -> tuple[bool, Any]:
        try:
            return True, etree.fromstring(self.body, safe_xml_parser())
        except etree.XMLSyntaxError:
            return False, None

    def xml(self) -> Any:
        ok, doc = self._xml
        if not ok or doc is None:
            raise ReplyFormatError("body is not XML")
        return doc


@dataclass(slots=True, frozen=True)
class Failure:
    assertion: str
    expected: str
    actual: str

    def to_dict(self) -> dict[str, str]:
        return {"assertion": self.assertion, "expected": self.expected, "actual": self.actual}


@dataclass(slots=True, frozen=True)
class Selection:
    found: bool
    value: Any
    count: int | None  # None when the subject is not a collection (an XPath number, the body)


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


@dataclass(slots=True, frozen=True)
class Capture:
    name: str
    source: str  # "jsonpath" | "xpath" | "header" | "regex"
    selector: str
    path: PathPattern | None = None
    xpath: etree.XPath | None = None
    regex: re.Pattern[str] | None = None


def shown(value: Any) -> str:
    """A value as it appears in a failure: JSON, shortened."""
    text = orjson.dumps(value, default=str).decode()
    return text if len(text) <= _SHOWN else text[: _SHOWN - 1] + "…"


def _node_text(node: Any) -> Any:
    if isinstance(node, etree._Element):
        return "".join(node.itertext())
    return str(node) if isinstance(node, str) else node


def _select(subject: str, selector: str, path: PathPattern | None, xpath: Any, reply: Reply) -> Selection:
    if subject == "jsonpath" and path is not None:
        matches = path.find(reply.json())
        if path.is_concrete:
            return Selection(bool(matches), matches[0][1] if matches else None, len(matches))
        return Selection(bool(matches), [value for _, value in matches], len(matches))
    if subject == "xpath" and xpath is not None:
        result = xpath(reply.xml())
        if isinstance(result, list):
            items = [_node_text(node) for node in result]
            return Selection(bool(items), items[0] if len(items) == 1 else items, len(items))
        found = result if isinstance(result, bool) else result != ""
        return Selection(found, result, None)
    if subject == "header":
        values = reply.headers.get_list(selector)
        return Selection(bool(values), ", ".join(values), len(values))
    if subject == "body":
        return Selection(bool(reply.body), reply.text, None)
    raise AssertionError(f"unknown subject {subject}")  # the plan only builds known subjects


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
        sel = _select(assertion.subject, assertion.selector, assertion.path, assertion.xpath, reply)
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


def extract_capture(capture: Capture, reply: Reply) -> tuple[Any, Failure | None]:
    """The captured value, or a failure naming the capture when the reply does not hold it."""
    label = f"capture {capture.name} from {capture.source} {capture.selector}"
    if capture.source == "regex" and capture.regex is not None:
        match = capture.regex.search(reply.text)
        if match is None:
            return None, Failure(label, "a match", "(no match in body)")
        return match.group(1 if capture.regex.groups else 0), None
    try:
        sel = _select(capture.source, capture.selector, capture.path, capture.xpath, reply)
    except ReplyFormatError as exc:
        return None, Failure(label, "a value", f"({exc})")
    if not sel.found:
        return None, Failure(label, "a value", "(nothing selected)")
    # A wildcard path or a multi-node XPath selects a list; the capture takes its first value.
    value = sel.value
    wildcard = capture.source == "jsonpath" and capture.path is not None and not capture.path.is_concrete
    if wildcard or (capture.source == "xpath" and isinstance(value, list)):
        value = value[0]
    return value, None
