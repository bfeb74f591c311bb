"""Reading values out of one HTTP answer: the one capture implementation.

The smoke chain (captures and assertions) and the parity scenarios (per-target
captures) both select values here, so a capture means the same thing in both.
Subjects: ``status``, ``jsonpath`` (the path grammar of core.paths), ``xpath``
(lxml with a safe parser, prefixes from ``namespaces``), ``header``, ``body`` and,
for captures, ``regex`` on the body text and ``jsonpointer`` (RFC 6901, resolved by
the jsonpointer library: the form OpenAPI links write, where ``/0`` is an array index
or an object key depending on the document).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import httpx
import orjson
from jsonpointer import EndOfList, JsonPointer, JsonPointerException
from lxml import etree

from paritygate.config.capture import CaptureConfig
from paritygate.core.paths import PathPattern, PathSyntaxError, parse_path
from paritygate.probe.templates import render_text

__all__ = [
    "Capture",
    "CaptureSpecError",
    "Failure",
    "Reply",
    "ReplyFormatError",
    "Selection",
    "compile_capture",
    "compile_pointer",
    "compile_regex",
    "compile_xpath",
    "extract_capture",
    "safe_xml_parser",
    "select",
    "shown",
]

_SHOWN = 300  # characters of a value shown in a failure


def safe_xml_parser() -> etree.XMLParser:
    # No entities, no DTD, no network: a reply cannot make us read files or fetch URLs.
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


class ReplyFormatError(ValueError):
    """The body is not the format a selector needs (JSON for jsonpath, XML for xpath)."""


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
        except etree.XMLSyntaxError as exc:
            return False, str(exc)  # e.g. an entity the safe parser refused to expand

    def xml(self) -> Any:
        ok, doc = self._xml
        if not ok or doc is None:
            why = f": {doc}" if isinstance(doc, str) and doc else ""
            raise ReplyFormatError(f"body is not usable XML{why}")
        return doc


@dataclass(slots=True, frozen=True)
class Failure:
    assertion: str
    expected: str
    actual: str

    def to_dict(self) -> dict[str, str]:
        return {"assertion": self.assertion, "expected": self.expected, "actual": self.actual}

    @property
    def message(self) -> str:
        return f"{self.assertion}: expected {self.expected}, got {self.actual}"


@dataclass(slots=True, frozen=True)
class Selection:
    found: bool
    value: Any
    count: int | None  # None when the subject is not a collection (an XPath number, the body)


@dataclass(slots=True, frozen=True)
class Capture:
    name: str
    source: str  # "jsonpath" | "jsonpointer" | "xpath" | "header" | "regex" | "status"
    selector: str
    path: PathPattern | None = None
    pointer: JsonPointer | None = None
    xpath: etree.XPath | None = None
    regex: re.Pattern[str] | None = None

    @property
    def label(self) -> str:
        return f"capture {self.name} from {self.source} {self.selector}".rstrip()


class CaptureSpecError(ValueError):
    """A capture whose selector does not compile; ``key`` is the field at fault (``jsonpath``...)."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key
        self.message = message


def shown(value: Any) -> str:
    """A value as it appears in a failure: JSON, shortened."""
    text = orjson.dumps(value, default=str).decode()
    return text if len(text) <= _SHOWN else text[: _SHOWN - 1] + "…"


def _node_text(node: Any) -> Any:
    if isinstance(node, etree._Element):
        return "".join(node.itertext())
    return str(node) if isinstance(node, str) else node


def select(subject: str, selector: str, path: PathPattern | None, xpath: Any, reply: Reply) -> Selection:
    """What ``subject``/``selector`` selects in ``reply``; ReplyFormatError when the body cannot hold it."""
    if subject == "status":
        return Selection(True, reply.status, None)
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
    raise AssertionError(f"unknown subject {subject}")  # plans and cases only build known subjects


def extract_capture(capture: Capture, reply: Reply) -> tuple[Any, Failure | None]:
    """The captured value, or a failure naming the capture when the reply does not hold it."""
    label = capture.label
    if capture.source == "regex" and capture.regex is not None:
        match = capture.regex.search(reply.text)
        if match is None:
            return None, Failure(label, "a match", "(no match in body)")
        return match.group(1 if capture.regex.groups else 0), None
    if capture.source == "jsonpointer" and capture.pointer is not None:
        return _pointed(capture, reply)
    try:
        sel = select(capture.source, capture.selector, capture.path, capture.xpath, reply)
    except ReplyFormatError as exc:
        return None, Failure(label, "a value", f"({exc})")
    except etree.XPathEvalError as exc:  # e.g. a prefix the namespaces do not define
        return None, Failure(label, "a value", f"(XPath error: {exc})")
    if not sel.found:
        return None, Failure(label, "a value", "(nothing selected)")
    # A wildcard path or a multi-node XPath selects a list; the capture takes its first value.
    value = sel.value
    wildcard = capture.source == "jsonpath" and capture.path is not None and not capture.path.is_concrete
    if wildcard or (capture.source == "xpath" and isinstance(value, list)):
        value = value[0]
    return value, None


def _pointed(capture: Capture, reply: Reply) -> tuple[Any, Failure | None]:
    assert capture.pointer is not None
    try:
        value = capture.pointer.resolve(reply.json())
    except ReplyFormatError as exc:
        return None, Failure(capture.label, "a value", f"({exc})")
    except JsonPointerException:
        return None, Failure(capture.label, "a value", "(nothing at that pointer)")
    if isinstance(value, EndOfList):  # "/-": the place after the last item holds nothing
        return None, Failure(capture.label, "a value", "(nothing at that pointer)")
    return value, None


def compile_pointer(text: str) -> JsonPointer:
    """Raises CaptureSpecError naming the problem (a pointer is "" or starts with '/')."""
    try:
        return JsonPointer(text)
    except JsonPointerException as exc:
        raise CaptureSpecError(
            "jsonpointer", f"bad JSON pointer {text!r}: {exc} (expected '' or /key/0/key, ~0 for ~, ~1 for /)"
        ) from None


def compile_xpath(text: str, namespaces: dict[str, str] | None = None) -> etree.XPath:
    """Raises CaptureSpecError naming the problem; a prefix must be declared in ``namespaces``."""
    try:
        return etree.XPath(text, namespaces=namespaces or None)
    except etree.XPathSyntaxError as exc:
        hint = " (declare its prefix in namespaces = { ... })" if "prefix" in str(exc).lower() else ""
        raise CaptureSpecError("xpath", f"bad XPath {text!r}: {exc}{hint}") from None


class _Anything(dict[str, Any]):
    def __contains__(self, key: object) -> bool:
        return True

    def __missing__(self, key: str) -> str:
        return "x"


def compile_regex(text: str, key: str = "regex") -> re.Pattern[str]:
    # Variables become literal text at run time; check the syntax with a stand-in.
    try:
        return re.compile(render_text(text, _Anything()))
    except re.error as exc:
        raise CaptureSpecError(key, f"bad regular expression {text!r}: {exc}") from None


def compile_capture(spec: CaptureConfig) -> Capture:
    """The runnable capture of a validated spec; CaptureSpecError when its selector is bad."""
    source, selector = spec.source, spec.selector
    path = xpath = regex = pointer = None
    if source == "jsonpointer":
        pointer = compile_pointer(selector)
    elif source == "jsonpath":
        try:
            path = parse_path(selector)
        except PathSyntaxError as exc:
            raise CaptureSpecError("jsonpath", f"bad JSONPath: {exc}") from None
    elif source == "xpath":
        xpath = compile_xpath(selector, spec.namespaces)
    elif source == "regex":
        regex = compile_regex(selector)
    return Capture(spec.name, source, selector, path=path, xpath=xpath, regex=regex, pointer=pointer)
