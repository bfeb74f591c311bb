"""Properties over arbitrary JSON pairs (Hypothesis)."""

from __future__ import annotations

import json
from typing import Any

import orjson
from compare_helpers import raw
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from paritygate.compare import Comparison, Outcome, compare
from paritygate.core.paths import format_path, parse_path

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(st.characters(codec="utf-8"), max_size=6)
)
keys = st.text(st.characters(codec="utf-8"), max_size=5)
documents = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(keys, inner, max_size=5),
    max_leaves=25,
)


@st.composite
def mutated(draw: st.DrawFn, doc: Any) -> Any:
    """A copy of ``doc`` with a few random edits: changed leaves, removed/added keys, reorders."""
    if isinstance(doc, dict):
        out = {}
        for key, value in doc.items():
            action = draw(st.sampled_from(["keep", "keep", "keep", "drop", "edit"]))
            if action != "drop":
                out[key] = draw(mutated(value)) if action == "edit" else value
        if draw(st.booleans()) and draw(st.booleans()):
            out[draw(keys)] = draw(documents)
        return out
    if isinstance(doc, list):
        items = [draw(mutated(v)) if draw(st.booleans()) else v for v in doc]
        choice = draw(st.sampled_from(["same", "same", "reverse", "append", "pop"]))
        if choice == "reverse":
            items.reverse()
        elif choice == "append":
            items.insert(draw(st.integers(0, len(items))), draw(documents))
        elif choice == "pop" and items:
            items.pop(draw(st.integers(0, len(items) - 1)))
        return items
    return draw(st.one_of(st.just(doc), scalars))


@st.composite
def pairs(draw: st.DrawFn) -> tuple[Any, Any]:
    left = draw(documents)
    return left, draw(mutated(left))


def run(a: Any, b: Any) -> Comparison:
    return compare(raw(orjson.dumps(a), "application/json"), raw(orjson.dumps(b), "application/json"))


def found(doc: Any, path: str) -> Any:
    hits = parse_path(path).find(doc)
    assert len(hits) == 1, (path, hits)
    concrete, value = hits[0]
    assert format_path(concrete) == path  # the printed path is the concrete path, round-tripped
    return value


def same(x: Any, y: Any) -> bool:
    return orjson.dumps(x, option=orjson.OPT_SORT_KEYS) == orjson.dumps(y, option=orjson.OPT_SORT_KEYS)


@SETTINGS
@given(documents)
def test_a_document_matches_itself_whatever_its_bytes(doc: Any) -> None:
    assert run(doc, doc).outcome is Outcome.MATCH
    other_bytes = raw(json.dumps(doc, sort_keys=True, indent=1).encode(), "application/json")
    assert compare(raw(orjson.dumps(doc), "application/json"), other_bytes).outcome is Outcome.MATCH


@SETTINGS
@given(pairs())
def test_outcome_is_symmetric(pair: tuple[Any, Any]) -> None:
    a, b = pair
    assert run(a, b).outcome is run(b, a).outcome


@SETTINGS
@given(pairs())
def test_match_iff_equal_and_every_path_locates_its_values(pair: tuple[Any, Any]) -> None:
    a, b = pair
    result = run(a, b)
    assert (result.outcome is Outcome.MATCH) == same(a, b) or _only_signed_zero(a, b)
    for diff in result.differences:
        if diff.kind == "extra":
            assert same(found(b, diff.path), diff.right)
            continue
        left_value = found(a, diff.path)
        if diff.kind == "missing":
            assert same(left_value, diff.left)
            continue
        right_value = found(b, diff.right_path or diff.path)
        if diff.kind == "length":
            assert (len(left_value), len(right_value)) == (diff.left, diff.right)
        else:
            assert same(left_value, diff.left) and same(right_value, diff.right)


def _only_signed_zero(a: Any, b: Any) -> bool:
    """0.0 and -0.0 are one JSON number; they serialise differently."""
    return same(
        json.loads(json.dumps(a).replace("-0.0", "0.0")), json.loads(json.dumps(b).replace("-0.0", "0.0"))
    )
