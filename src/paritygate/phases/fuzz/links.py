"""Stateful sequences from OpenAPI links: a call, then the calls its response links to.

A link (``responses.<status>.links.<name>`` of an operation) names a target operation
(``operationId`` or a local ``operationRef``) and fills some of its parameters and its
body from runtime expressions. A generated sequence calls an operation, then follows one
of its links, then one of the target's links, and so on; what a link does not fill is
drawn from the target's schema. Values are never evaluated here: ``$response...``
becomes a capture on the calling step (``jsonpointer``, ``header`` or ``status``) and a
``{{name}}`` in the next step, so the probe's scenario machinery evaluates it on **each
target's own** answer and sends the steps in lockstep. ``$request...``, ``$url`` and
``$method`` are read from the calling step's own request (a value it got from an earlier
capture stays a ``{{name}}``, per target too).
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlencode

from hypothesis import reject
from hypothesis import strategies as st
from jsonpointer import JsonPointer, JsonPointerException

from paritygate.config.capture import CaptureConfig
from paritygate.errors import ConfigError
from paritygate.phases.fuzz.expressions import Expression, ExpressionError, parse_value
from paritygate.phases.fuzz.mutate import mutated_case
from paritygate.phases.fuzz.openapi import Given, Operation, case_strategy, openapi_cases, resolve_ref
from paritygate.probe import Case
from paritygate.probe.extract import compile_capture
from paritygate.probe.templates import references, text_form

__all__ = ["MAX_STEPS", "Link", "document_links", "openapi_sequences"]

MAX_STEPS = 5  # calls in one sequence; shrinking makes the one reported as short as it can
_ABSENT = object()  # a request value the calling step does not have: the input is drawn instead
_REF = re.compile(r"(\{\{[^{}]*\}\})")
_LOCATIONS = ("path", "query", "header", "cookie")


@dataclass(frozen=True, slots=True)
class Link:
    name: str
    key: str  # where the document defines it, for messages
    source: Operation
    target: Operation
    parameters: tuple[tuple[str, str, Any], ...]  # (in, name, constant or expression)
    body: tuple[Any] | None  # (requestBody,) when the link gives one


def _pointer_to_op(doc: dict[str, Any], ref: str, by_place: dict[tuple[str, str], Operation]) -> Operation:
    if not ref.startswith("#/"):
        raise ValueError(f"operationRef {ref!r}: only a local reference (#/paths/...) is supported")
    try:
        parts = JsonPointer(ref[1:]).parts
    except JsonPointerException as exc:
        raise ValueError(f"operationRef {ref!r} is not a JSON pointer ({exc})") from None
    if len(parts) != 3 or parts[0] != "paths" or (parts[1], parts[2].upper()) not in by_place:
        raise ValueError(f"operationRef {ref!r} points at no operation (expected #/paths/<path>/<method>)")
    return by_place[(parts[1], parts[2].upper())]


def _target_param(target: Operation, name: str) -> tuple[str, str]:
    where, dot, bare = name.partition(".")
    if dot and where in _LOCATIONS:
        return where, bare
    if name in target.path_params:
        return "path", name
    if name in target.query_params:
        return "query", name
    if name in target.header_params:
        return "header", name
    known = [*target.path_params, *target.query_params, *target.header_params]
    raise ValueError(
        f"parameters.{name}: {target.name} has no parameter {name!r}"
        + (f" (it has {', '.join(known)})" if known else " (it has none)")
    )


def _check_value(value: Any, key: str) -> None:
    """Every expression in ``value`` (a string, or strings nested in a body) must parse."""
    if isinstance(value, str):
        try:
            parse_value(value)
        except ExpressionError as exc:
            raise ValueError(f"{key}: {exc}") from None
    elif isinstance(value, dict):
        for k, v in value.items():
            _check_value(v, f"{key}.{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            _check_value(v, f"{key}[{i}]")


def _one_link(doc: dict[str, Any], source: Operation, name: str, raw: Any, ops: list[Operation]) -> Link:
    if not isinstance(raw, dict):
        raise ValueError("expected a Link object (a table with operationId or operationRef)")
    op_id, op_ref = raw.get("operationId"), raw.get("operationRef")
    if (op_id is None) == (op_ref is None):
        raise ValueError("a link names its target with exactly one of operationId and operationRef")
    if op_id is not None:
        target = next((op for op in ops if op.operation_id == op_id), None)
        if target is None:
            raise ValueError(f"operationId {op_id!r}: no operation of the document has it")
    else:
        by_place = {(op.route, op.method): op for op in ops}
        target = _pointer_to_op(doc, str(op_ref), by_place)
    params = raw.get("parameters") or {}
    if not isinstance(params, dict):
        raise ValueError("parameters: expected a table of parameter name -> value or expression")
    bound: list[tuple[str, str, Any]] = []
    for pname, value in params.items():
        where, bare = _target_param(target, str(pname))
        _check_value(value, f"parameters.{pname}")
        bound.append((where, bare, value))
    body: tuple[Any] | None = None
    if "requestBody" in raw:
        _check_value(raw["requestBody"], "requestBody")
        body = (raw["requestBody"],)
    return Link(name, "", source, target, tuple(bound), body)


def document_links(
    doc: dict[str, Any], ops: list[Operation], file: str | Path | None = None
) -> dict[str, list[Link]]:
    """Every operation's links (by operation name), checked: a malformed expression, an
    unknown target or parameter is one ConfigError naming the link."""
    out: dict[str, list[Link]] = {op.name: [] for op in ops}
    for op in ops:
        raw_op = doc["paths"][op.route][op.method.lower()]
        responses = raw_op.get("responses") if isinstance(raw_op, dict) else None
        for status, response in (responses or {}).items():
            response = resolve_ref(doc, response)
            links = response.get("links") if isinstance(response, dict) else None
            for name, raw in (links or {}).items():
                key = f"paths.{op.route}.{op.method.lower()}.responses.{status}.links.{name}"
                try:
                    link = _one_link(doc, op, str(name), resolve_ref(doc, raw), ops)
                except ValueError as exc:
                    raise ConfigError(f"link {name!r} of {op.name}: {exc}", file=file, key=key) from None
                out[op.name].append(dataclasses.replace(link, key=key))
    return out


class _Binding:
    """A link's values for the step after ``source`` (the ``index``-th step, from 1)."""

    def __init__(self, source: Case, index: int) -> None:
        self.source = source
        self.index = index
        self.specs: dict[str, dict[str, Any]] = {}  # capture name -> spec, new on the source step
        self.named: dict[str, str] = {}  # expression -> capture name

    def capture(self, expr: Expression) -> str:
        text = str(expr)
        if text not in self.named:
            if expr.source == "statusCode":
                spec: dict[str, Any] = {"status": True}
                slug = "status"
            elif expr.location == "header":
                spec, slug = {"header": expr.name}, expr.name
            else:
                spec, slug = {"jsonpointer": expr.pointer or ""}, expr.pointer or "body"
            base = f"step{self.index}_" + (re.sub(r"[^A-Za-z0-9]+", "_", slug).strip("_").lower() or "value")
            name, n = base, 2
            while name in self.specs:
                name, n = f"{base}_{n}", n + 1
            self.specs[name] = {"name": name, **spec}
            self.named[text] = name
        return "{{" + self.named[text] + "}}"

    def request_value(self, expr: Expression) -> Any:
        case = self.source
        if expr.source == "method":
            return case.method
        if expr.source == "url":  # the base URL differs per target: the path and query are what is shared
            query = urlencode([(k, v) for k, vs in case.query.items() for v in vs])
            return case.path + (f"?{query}" if query else "")
        if expr.location == "path":
            route = (case.route or "").split("/")
            for tmpl, seg in zip(route, case.path.split("/"), strict=False):
                if tmpl == "{" + expr.name + "}":
                    return seg if _REF.fullmatch(seg) else unquote(seg)
            return _ABSENT
        if expr.location == "query":
            values = case.query.get(expr.name)
            return values[0] if values else _ABSENT
        if expr.location == "header":
            wanted = expr.name.lower()
            return next((v for k, v in case.request_headers().items() if k.lower() == wanted), _ABSENT)
        if not case.has_json:
            return _ABSENT
        if expr.pointer is None:
            return case.json
        return JsonPointer(expr.pointer).resolve(case.json, _ABSENT)

    def evaluate(self, expr: Expression) -> Any:
        if expr.source in ("response", "statusCode"):
            return self.capture(expr)
        return self.request_value(expr)

    def value(self, raw: Any) -> Any:
        """A link value as the next step sends it (``_ABSENT`` when the source lacks it)."""
        if isinstance(raw, str):
            parts = parse_value(raw)  # checked when the document was read
            if len(parts) == 1 and isinstance(parts[0], Expression):
                return self.evaluate(parts[0])
            pieces = [p if isinstance(p, str) else self.evaluate(p) for p in parts]
            if any(p is _ABSENT for p in pieces):
                return _ABSENT
            return "".join(text_form(p) for p in pieces)
        if isinstance(raw, dict):
            items = {k: self.value(v) for k, v in raw.items()}
            return _ABSENT if any(v is _ABSENT for v in items.values()) else items
        if isinstance(raw, list):
            seq = [self.value(v) for v in raw]
            return _ABSENT if any(v is _ABSENT for v in seq) else seq
        return raw  # a constant


def _path_text(value: Any) -> str:
    """A value inside a path segment: quoted, except the ``{{name}}`` filled at send time."""
    return "".join(p if _REF.fullmatch(p) else quote(p, safe="") for p in _REF.split(text_form(value)))


@dataclass(frozen=True, slots=True)
class _Values:
    given: Given
    path: dict[str, str]
    query: dict[str, str]
    headers: dict[str, str]
    body: tuple[Any] | None


def _bind(link: Link, binding: _Binding) -> _Values:
    path: dict[str, str] = {}
    query: dict[str, str] = {}
    headers: dict[str, str] = {}
    cookies: list[str] = []
    for where, name, raw in link.parameters:
        value = binding.value(raw)
        if value is _ABSENT:
            continue  # drawn from the schema instead
        if where == "path":
            path[name] = _path_text(value)
        elif where == "query":
            query[name] = text_form(value)
        elif where == "header":
            headers[name] = text_form(value)
        else:
            cookies.append(f"{name}={text_form(value)}")
    if cookies:
        headers["cookie"] = "; ".join(cookies)
    body = None
    if link.body is not None and (value := binding.value(link.body[0])) is not _ABSENT:
        body = (value,)
    given = Given(frozenset(path), frozenset(query), body is not None)
    return _Values(given, path, query, headers, body)


def _filled(case: Case, op: Operation, values: _Values) -> Case:
    path = case.path
    for name, text in values.path.items():
        path = path.replace("{" + name + "}", text)
    query = {**case.query, **{k: [v] for k, v in values.query.items()}}
    headers = {**case.headers, **values.headers}
    out = dataclasses.replace(case, path=path, query=query, headers=headers)
    if values.body is not None:
        out.json, out.has_json = values.body[0], True
        if op.media_type != "application/json":
            out.headers = {"content-type": op.media_type, **out.headers}
    return out


def _references(case: Case) -> set[str] | None:
    """The ``{{names}}`` a step's request holds (None for a malformed one)."""
    try:
        found = {n for part in (case.path, case.query, case.headers) for _, n in references(part)}
        if case.has_json:
            found |= {n for _, n in references(case.json)}
    except ValueError:
        return None
    return found


def _with_captures(case: Case, specs: dict[str, dict[str, Any]]) -> Case:
    if not specs:
        return case
    new = [compile_capture(CaptureConfig.model_validate(spec)) for spec in specs.values()]
    return dataclasses.replace(
        case, captures=[*case.captures, *new], capture_specs=[*case.capture_specs, *specs.values()]
    )


def openapi_sequences(
    doc: dict[str, Any], ops: list[Operation], links: dict[str, list[Link]], *, invalid: bool = False
) -> st.SearchStrategy[list[Case]]:
    """Sequences of calls along ``links`` (:func:`document_links`); without links, single
    requests exactly as :func:`openapi_cases` draws them."""
    if not any(links.values()):
        return openapi_cases(doc, invalid=invalid).map(lambda case: [case])
    cache: dict[tuple[str, Given], st.SearchStrategy[Case]] = {}

    def step(op: Operation, given: Given) -> st.SearchStrategy[Case]:
        if (op.name, given) not in cache:
            valid = case_strategy(doc, op, given)
            # a mutated path would lose the {name} a link's value goes into: only free steps vary
            free = given == Given()
            cache[(op.name, given)] = (
                st.one_of(valid, valid.flatmap(mutated_case)) if invalid and free else valid
            )
        return cache[(op.name, given)]

    @st.composite
    def sequence(draw: st.DrawFn) -> list[Case]:
        op = draw(st.sampled_from(ops))
        steps = [draw(step(op, Given()))]
        while len(steps) < MAX_STEPS and links[op.name] and draw(st.booleans()):
            link = draw(st.sampled_from(links[op.name]))
            binding = _Binding(steps[-1], len(steps))
            values = _bind(link, binding)
            steps[-1] = _with_captures(steps[-1], binding.specs)
            nxt = _filled(draw(step(link.target, values.given)), link.target, values)
            steps.append(nxt)
            op = link.target
        defined: set[str] = set()
        for i, case in enumerate(steps):
            refs = _references(case)
            if refs is None or not refs <= defined:
                reject()  # a drawn string that reads like {{name}} would be taken for a template
            steps[i] = dataclasses.replace(case, uses=frozenset(refs))
            defined |= {c.name for c in case.captures}
        return steps

    return sequence()
