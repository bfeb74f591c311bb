"""Causes and divergence classes: one cause is counted once, however many cases show it.

:func:`decompose` splits the differences of one compared pair into **causes**, and
:func:`group_causes` turns the causes of a whole run into **classes**: one class per
cause key, listing the operations (with a count of cases each) and the cases that showed
it. A case with three causes is in three classes.

A cause is one of (``·`` separates the parts of a key; a key never holds ``|`` or a
newline, so it fits a Markdown table cell)::

    status·400~404                         a status pair (a status difference subsumes the
                                           header and body differences of that pair)
    no-answer·answered~timeout             a target gave no answer
    header·content-type                    one compared header
    mapping·tagged-enum~flat-kind          a wire-shape mapping explaining a set of body
    mapping·key-case·camelCase~snake_case  differences (see compare.mappings)
    shape·missing·$.ConsumedCapacity       present on one side only, at a generalised path
    shape·null~absent·$.Tags               ... where the present value is null (or empty)
    shape·length·$.items / order·reordered·$.items / shape·body-kind·json~text
    shape·namespace·urn:a~urn:b            an XML namespace URI for another (on any element)
    value·number-spelling·*.N              a value relation (compare.relations) at a leaf:
    shape·number~string·*.Count            the leaf's name, array indexes as [*]

Keys depend only on the cause: never on which other causes the case has, what noise
removed, which target is on the left (every part is orientation-free), or which and how
many cases showed it. With ``group_by = "operation"`` the operation is prefixed:
``GET /users/{id}·shape·missing·$.email``.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import orjson

from paritygate.compare.canonical import canonicalize
from paritygate.compare.mappings import RELATION_MAPPINGS, MappingMatch, WireMapping, detect_mappings
from paritygate.compare.model import Comparison, Difference, Outcome, Response, severity_of_kind
from paritygate.compare.places import concrete_parts, generalize_path
from paritygate.compare.relations import RELATION_TEXT, shared_affixes, value_relation
from paritygate.compare.rules import CompareRules
from paritygate.core.paths import format_path

__all__ = [
    "GROUP_BY",
    "KEY_SEPARATOR",
    "Cause",
    "DivergenceClass",
    "Occurrence",
    "class_key",
    "decompose",
    "group_causes",
]

KEY_SEPARATOR = "·"
GROUP_BY = ("cause", "operation")
TITLE_MAX = 120
_PLACE_MAX = 80  # longer places are cut and disambiguated by a hash
_VALUE_MAX = 24
_EXAMPLES = 3
_EMPTY: tuple[Any, ...] = (None, "", [], {})
_OUTCOMES = frozenset(o.value for o in Outcome)


@dataclass(frozen=True, slots=True)
class Cause:
    """One cause of one compared pair, with the differences it explains (as oriented in
    that pair: ``left`` is the pair's left target)."""

    key: str
    kind: str  # "status" | "no-answer" | "header" | "mapping" | "shape" | "value" | "order"
    outcome: Outcome
    relation: str  # "400~404", "content-type", "tagged-enum~flat-kind", "missing", "number-spelling", ...
    place: str  # generalised path, leaf place, header name, or "" for status / no answer / mappings
    mapping: WireMapping | None
    differences: tuple[Difference, ...]
    places: tuple[str, ...] = ()  # for a mapping: where it was seen


_SPACES = re.compile(r"\s+")


def _clean(text: str) -> str:
    return _SPACES.sub(" ", text).strip().replace("|", "¦")


@functools.lru_cache(maxsize=4096)  # a run's causes share a few keys, asked for in every case
def _key(*parts: str) -> str:
    return KEY_SEPARATOR.join(_clean(p) for p in parts if p)


@functools.lru_cache(maxsize=4096)
def _short_place(place: str) -> str:
    place = _clean(place)
    if len(place) <= _PLACE_MAX:
        return place
    digest = hashlib.sha256(place.encode()).hexdigest()[:8]
    return f"{place[: _PLACE_MAX - 10]}…{digest}"


@functools.lru_cache(maxsize=4096)  # the same places recur in every case of a run
def leaf_place(path: str) -> str:
    """``$.Items[2].price.N`` → ``*.N``: a value's place is its leaf name (array indexes as
    ``[*]``); an XML ``#text`` or ``@attr`` leaf keeps its element's name; a path without a
    named part stays whole (``$[*]``)."""
    parts = concrete_parts(path)
    if parts is None:
        return generalize_path(path)
    named = [i for i, p in enumerate(parts) if isinstance(p, str)]
    if not named:
        return generalize_path(path)
    start = named[-1]
    if str(parts[start]).startswith(("#", "@")) and len(named) > 1:
        start = named[-2]
    return "*" + "".join("[*]" if isinstance(p, int) else format_path([p])[1:] for p in parts[start:])


def _presence(d: Difference) -> tuple[str, str]:
    present = d.left if d.kind == "missing" else d.right
    if any(type(present) is type(e) and present == e for e in _EMPTY):
        return "shape", "null~absent" if present is None else "empty~absent"
    return "shape", "missing"


def _cause_of(d: Difference) -> tuple[str, str, str]:
    """(kind, relation, place) of one body difference."""
    kind = d.kind
    if kind in ("missing", "extra"):
        group, relation = _presence(d)
        return group, relation, generalize_path(d.path)
    if d.relation is not None:  # the engine named it (text line endings, opaque bytes, XML child order)
        place = leaf_place(d.path) if kind == "value" else generalize_path(d.path)
        return severity_of_kind(kind).value, d.relation, place
    if kind in ("value", "type"):
        relation = value_relation(d.left, d.right)
        group = "value" if kind == "value" and relation != "type" else "shape"
        return group, relation, leaf_place(d.path)
    if kind == "body_kind":
        return "shape", "body-kind", "~".join(sorted((str(d.left), str(d.right))))
    if kind == "order":
        return "order", "reordered", generalize_path(d.path)
    if kind == "element_vs_attribute":
        return "shape", "element~attribute", generalize_path(d.path)
    if kind == "namespace":  # one namespace URI for another: the same cause on every element
        return "shape", "namespace", "~".join(sorted(str(v or "(none)") for v in (d.left, d.right)))
    return severity_of_kind(kind).value, kind.replace("_", "-"), generalize_path(d.path)


def _mappings(
    comparison: Comparison, left: Response, right: Response, body: list[Difference]
) -> list[MappingMatch]:
    """The wire-shape mappings among the body differences, on the trees compare() parsed
    (the ignore rules are applied as the mapping search walks them, nothing is copied)."""
    rules = comparison.rules or CompareRules()
    lc = comparison.left_canonical or canonicalize(left, rules)
    rc = comparison.right_canonical or canonicalize(right, rules)
    kind = lc.kind if lc.kind == rc.kind else "mixed"
    return detect_mappings(kind, lc.body, rc.body, body, rules.paths)


def _element_arrays(body: list[Difference]) -> set[str]:
    """The generalised arrays that have missing or extra elements."""
    return {
        generalize_path(d.path).removesuffix("[*]")
        for d in body
        if d.kind in ("missing", "extra") and generalize_path(d.path).endswith("[*]")
    }


def decompose(comparison: Comparison, left: Response, right: Response) -> list[Cause]:
    """The causes of one compared pair (empty for a match), in a stable order."""
    outcome = comparison.outcome
    if outcome is Outcome.MATCH:
        return []
    diffs = tuple(comparison.differences)
    if outcome is Outcome.ERROR:
        # the short label of an error ("timeout", "refused"), never its detail
        labels = [(r.error or "answered").partition(":")[0].strip() for r in (left, right)]
        errors = "~".join(sorted(labels))
        return [Cause(_key("no-answer", errors), "no-answer", outcome, errors, "", None, diffs)]
    if left.status != right.status:
        pair = "~".join(sorted((str(left.status), str(right.status))))
        return [Cause(_key("status", pair), "status", Outcome.STATUS, pair, "", None, diffs)]
    causes: list[Cause] = []
    body: list[Difference] = []
    for d in diffs:
        if d.path.startswith("$"):
            body.append(d)
        elif d.path.startswith("header:"):
            name = d.path.partition(":")[2]
            causes.append(Cause(_key("header", name), "header", Outcome.VALUE, name, name, None, (d,)))
    explained: set[int] = set()
    if body:
        for match in _mappings(comparison, left, right, body):
            explained.update(match.explained)
            found = tuple([body[i] for i in match.explained])
            key = _key("mapping", match.slug)
            causes.append(
                Cause(key, "mapping", Outcome.SHAPE, match.slug, "", match.mapping, found, match.places)
            )
    grouped: dict[str, tuple[str, str, str, list[Difference]]] = {}
    element_arrays: set[str] | None = None  # found once a length difference asks
    for i, d in enumerate(body):
        if i in explained:
            continue
        if d.kind == "length":
            # an array's length difference is the same cause as its missing or extra elements
            if element_arrays is None:
                element_arrays = _element_arrays(body)
            if generalize_path(d.path) in element_arrays:
                continue
        group, relation, place = _cause_of(d)
        key = _key(group, relation, _short_place(place))
        grouped.setdefault(key, (group, relation, place, []))[3].append(d)
    for key, (group, relation, place, found_diffs) in grouped.items():
        outcome_of = Outcome(group) if group in _OUTCOMES else Outcome.VALUE
        mapping = RELATION_MAPPINGS.get(relation)
        causes.append(Cause(key, group, outcome_of, relation, place, mapping, tuple(found_diffs)))
    return sorted(causes, key=lambda c: c.key)


@dataclass(frozen=True, slots=True)
class Occurrence:
    """A cause seen in one case, between two named targets."""

    case: str
    operation: str
    left: str
    right: str
    cause: Cause


@dataclass(slots=True)
class DivergenceClass:
    key: str
    kind: str
    outcome: Outcome
    title: str  # the cause in one line (at most TITLE_MAX characters), without counts
    summary: str  # the title with its counts: "... — 4 cases on 4 operations"
    relation: str
    place: str
    mapping: WireMapping | None
    operations: dict[str, int] = field(default_factory=dict)  # operation -> cases, first seen first
    cases: list[str] = field(default_factory=list)
    examples: list[dict[str, Any]] = field(default_factory=list)
    places: list[str] = field(default_factory=list)

    @property
    def endpoint(self) -> str:
        """The operations as one line (what older readers show as "on <endpoint>")."""
        return ", ".join(self.operations)

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "kind": self.kind,
            "title": self.title,
            "summary": self.summary,
            "endpoint": self.endpoint,
            "outcome": self.outcome.value,
            "relation": self.relation,
            "place": self.place,
            "mapping": self.mapping.to_dict() if self.mapping else None,
            "operations": [{"name": name, "cases": n} for name, n in self.operations.items()],
            "cases": list(self.cases),
            "examples": list(self.examples),
            "places": list(self.places),
        }


def _show(value: Any) -> str:
    text = value if isinstance(value, str) else orjson.dumps(value, default=str).decode()
    text = " ".join(text.split())
    return text if len(text) <= _VALUE_MAX else text[: _VALUE_MAX - 1] + "…"


def _leaf_name(place: str) -> str:
    concrete = place.replace("[*]", "[0]")
    parts = concrete_parts(concrete if concrete.startswith("$") else "$" + concrete[1:])
    named = [p for p in parts or () if isinstance(p, str)]
    return named[-1] if named else place


def _differing(left: Any, right: Any, relation: str) -> tuple[str, str]:
    """Both values as shown in a title; for an affix relation only the parts that differ."""
    if relation.startswith("same-") and isinstance(left, str) and isinstance(right, str):
        prefix, suffix = shared_affixes(left, right)
        prefix = prefix if "prefix" in relation else 0
        suffix = suffix if "suffix" in relation else 0

        def middle(text: str) -> str:
            core = text[prefix : len(text) - suffix]
            return ("…" if prefix else "") + _show(core) + ("…" if suffix else "")

        return middle(left), middle(right)
    return _show(left), _show(right)


def _holder(o: Occurrence) -> tuple[str, str]:
    """(target that has the field, target that lacks it) for a presence cause."""
    d = o.cause.differences[0]
    return (o.left, o.right) if d.kind == "missing" else (o.right, o.left)


def _title(first: Occurrence, seen: list[Occurrence]) -> str:
    c = first.cause
    d = c.differences[0]
    lt, rt = first.left, first.right
    if c.kind == "no-answer":
        silent = [t for t, e in ((lt, d.left), (rt, d.right)) if e is not None]
        errors = sorted({str(e) for e in (d.left, d.right) if e is not None})
        return f"{' and '.join(silent)} gave no answer ({', '.join(errors)})"
    if c.kind == "status":
        return f"status codes differ: {lt} {d.left if d.kind == 'status' else '?'}, {rt} {d.right if d.kind == 'status' else '?'}"
    if c.kind == "header":
        return f"header {c.place} differs: `{_show(d.left)}` ({lt}) vs `{_show(d.right)}` ({rt})"
    if c.kind == "mapping" and c.relation.startswith("rename"):
        d_left = next((x for x in c.differences if x.kind == "missing"), d)
        d_right = next((x for x in c.differences if x.kind == "extra"), d)
        return f"field renamed: `{_leaf_name(d_left.path)}` ({lt}) vs `{_leaf_name(d_right.path)}` ({rt})"
    if c.kind == "mapping" and c.mapping is not None:
        return (
            c.mapping.name
            if c.relation == "tagged-enum~flat-kind"
            else f"{c.mapping.name} ({c.relation.split(KEY_SEPARATOR)[-1].replace('~', ' vs ')})"
        )
    if c.relation in ("missing", "null~absent", "empty~absent"):
        holders = {_holder(o) for o in seen}
        name = _leaf_name(c.place)
        if len(holders) > 1:
            return f"`{c.place}` present on one side only"
        has, lacks = holders.pop()
        if c.relation == "missing" and c.place.endswith("[*]"):
            return f"{has} returns more elements in `{name}` than {lacks} (at {c.place})"
        if c.relation == "missing":
            return f"{has} returns `{name}` that {lacks} does not (at {c.place})"
        empty = "null" if c.relation == "null~absent" else "empty"
        return f"{has} sends `{name}` as {empty}, {lacks} leaves it out (at {c.place})"
    if c.relation == "length":
        return f"array length differs at `{c.place}`: {d.left} ({lt}) vs {d.right} ({rt})"
    if c.relation == "reordered":
        return f"order differs at `{c.place}`"
    if c.relation == "namespace":
        return f"XML namespace differs: `{d.left or '(none)'}` ({lt}) vs `{d.right or '(none)'}` ({rt})"
    if c.relation == "body-kind":
        return f"body kinds differ: {d.left} ({lt}) vs {d.right} ({rt})"
    text = RELATION_TEXT.get(c.relation, c.relation.replace("-", " "))
    if c.relation == "type":
        return f"{text} at `{c.place}`: {_json_type(d.left)} ({lt}) vs {_json_type(d.right)} ({rt})"
    shown_left, shown_right = _differing(d.left, d.right, c.relation)
    return f"{text} at `{c.place}`: `{shown_left}` ({lt}) vs `{shown_right}` ({rt})"


_JSON_TYPES = {str: "string", int: "number", float: "number", bool: "boolean", dict: "object", list: "array"}


def _json_type(value: Any) -> str:
    return "null" if value is None else _JSON_TYPES.get(type(value), type(value).__name__)


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _summary(title: str, operations: dict[str, int], cases: int) -> str:
    counted = f"{cases} case{'s' if cases != 1 else ''}"
    if len(operations) > 1:
        counted += f" on {len(operations)} operations"
    elif operations:
        counted += f" on {next(iter(operations))}"
    tail = f" — {counted}"
    if len(title) + len(tail) > TITLE_MAX and len(operations) == 1:
        tail = f" — {cases} case{'s' if cases != 1 else ''}"
    return _cut(title, TITLE_MAX - len(tail)) + tail


def _example(o: Occurrence) -> dict[str, Any]:
    d = o.cause.differences[0]
    return {
        "case": o.case,
        "operation": o.operation,
        "path": d.path,
        "left": {"target": o.left, "value": _show(d.left)},
        "right": {"target": o.right, "value": _show(d.right)},
    }


def class_key(cause: Cause, operation: str, group_by: str = "cause") -> str:
    """The key of the class ``cause`` belongs to: the cause's key, prefixed by the operation
    when classes are grouped by operation."""
    if group_by not in GROUP_BY:
        raise ValueError(f"group_by must be one of {', '.join(GROUP_BY)}, got {group_by!r}")
    return cause.key if group_by == "cause" else _key(operation, cause.key)


def group_causes(occurrences: Iterable[Occurrence], *, group_by: str = "cause") -> list[DivergenceClass]:
    """One class per cause key (per operation and cause with ``group_by="operation"``), in
    the order first seen."""
    seen: dict[str, list[Occurrence]] = {}
    for o in occurrences:
        seen.setdefault(class_key(o.cause, o.operation, group_by), []).append(o)
    out: list[DivergenceClass] = []
    for key, items in seen.items():
        first = items[0]
        operations: dict[str, int] = {}
        cases: list[str] = []
        for o in items:
            if o.case not in cases:
                cases.append(o.case)
                operations[o.operation] = operations.get(o.operation, 0) + 1
        title = _cut(_title(first, items), TITLE_MAX)
        c = first.cause
        places = sorted({p for o in items for p in o.cause.places})
        out.append(
            DivergenceClass(
                key=key,
                kind=c.kind,
                outcome=c.outcome,
                title=title,
                summary=_summary(title, operations, len(cases)),
                relation=c.relation,
                place=c.place,
                mapping=c.mapping,
                operations=operations,
                cases=cases,
                examples=[_example(o) for o in items[:_EXAMPLES]],
                places=places,
            )
        )
    return out
