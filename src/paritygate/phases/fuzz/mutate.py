"""Mutation fuzzing: Hypothesis strategies that vary an existing case, seeded from its values.

Every JSON value of a case's body, every query value and every id-like path segment is
varied by a strategy of the *same type* whose first alternative is the example value
itself, so Hypothesis's shrinker walks a failing request back towards the original case
and only what is needed to show the divergence stays changed. Besides same-type values,
fields may go missing, gain an extra sibling or become null; arrays may become empty.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any
from urllib.parse import quote

from hypothesis import strategies as st

from paritygate.probe import Case

__all__ = ["mutated_case", "mutated_cases", "mutated_json"]

_MISSING = object()  # a field left out of the mutated object
# numbers at the boundaries implementations disagree on: signedness, 32/53/64-bit limits
_INT_EDGES = [0, -1, 1, 2**31 - 1, 2**31, -(2**31) - 1, 2**53, 2**53 + 1, 2**63 - 1, 2**63, -(2**63)]
# what a JSON encoder writes as an integer (signed or unsigned 64-bit)
_INTEGERS = st.integers(min_value=-(2**63), max_value=2**64 - 1)
_FLOAT_EDGES = [0.0, -0.0, 0.5, -1.5, 1e-300, 1.7976931348623157e308, 2.0]
_JSON_SCALARS = st.one_of(
    st.none(), st.booleans(), _INTEGERS, st.floats(allow_nan=False, allow_infinity=False), st.text()
)
_ID_SEGMENT = re.compile(r".*\d.*")  # a path segment with a digit in it is taken for an id
_TEMPLATE = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*\}")


def _text_like(example: str) -> st.SearchStrategy[str]:
    """Strings: any unicode text, text keeping the example's prefix (so a value that must start
    with ``fill: `` still does), long text, and, for numeric strings, other numbers."""
    options: list[st.SearchStrategy[str]] = [
        st.text(),
        st.text().map(lambda tail: example + tail),
        st.text(min_size=60, max_size=300),
    ]
    if re.fullmatch(r"-?\d+", example):
        options.append(st.one_of(st.sampled_from(_INT_EDGES), st.integers()).map(str))
    return st.one_of(*options)


def _same_type(example: Any, depth: int) -> st.SearchStrategy[Any]:
    if isinstance(example, bool):
        return st.booleans()
    if isinstance(example, int):
        return st.one_of(_INTEGERS, st.sampled_from(_INT_EDGES))
    if isinstance(example, float):
        return st.one_of(st.floats(allow_nan=False, allow_infinity=False), st.sampled_from(_FLOAT_EDGES))
    if isinstance(example, str):
        return _text_like(example)
    if isinstance(example, list):
        return _array(example, depth)
    if isinstance(example, dict):
        return _object(example, depth)
    return _JSON_SCALARS


def mutated_json(example: Any, depth: int = 0) -> st.SearchStrategy[Any]:
    """The example value (first, the shrink target), a value of its type, or null."""
    if depth > 12:  # deep enough; deeper bodies are kept as they are
        return st.just(example)
    options = [st.just(example), _same_type(example, depth + 1)]
    if example is not None:
        options.append(st.none())
    return st.one_of(*options)


def _array(example: list[Any], depth: int) -> st.SearchStrategy[list[Any]]:
    if not example:
        return st.lists(_JSON_SCALARS, max_size=4)
    items = st.one_of(*(mutated_json(v, depth) for v in example[:4]))
    return st.one_of(
        st.tuples(*(mutated_json(v, depth) for v in example)).map(list),  # same length, items varied
        st.lists(items, max_size=len(example) + 3),  # shorter, longer or empty
    )


def _object(example: dict[str, Any], depth: int) -> st.SearchStrategy[dict[str, Any]]:
    fields = {k: st.one_of(mutated_json(v, depth), st.just(_MISSING)) for k, v in example.items()}
    extra = st.dictionaries(st.text(min_size=1, max_size=12), _JSON_SCALARS, max_size=2)

    def build(parts: tuple[dict[str, Any], dict[str, Any]]) -> dict[str, Any]:
        kept, more = parts
        out = {k: v for k, v in kept.items() if v is not _MISSING}
        out.update({k: v for k, v in more.items() if k not in example})
        return out

    return st.tuples(st.fixed_dictionaries(fields), extra).map(build)


def _path(case: Case) -> st.SearchStrategy[str]:
    segments = case.path.split("/")
    route = case.route.split("/") if case.route else None
    parts: list[st.SearchStrategy[str]] = []
    for i, seg in enumerate(segments):
        templated = route is not None and i < len(route) and _TEMPLATE.fullmatch(route[i]) is not None
        if seg and (templated or (route is None and _ID_SEGMENT.fullmatch(seg))):
            parts.append(
                st.one_of(st.just(seg), _text_like(seg).filter(bool).map(lambda s: quote(s, safe="")))
            )
        else:
            parts.append(st.just(seg))
    return st.tuples(*parts).map("/".join)


def _query(case: Case) -> st.SearchStrategy[dict[str, list[str]]]:
    if not case.query:
        return st.just({})
    fields = {
        k: st.one_of(st.just(list(v)), st.lists(st.one_of(*(_text_like(x) for x in v)), max_size=3))
        for k, v in case.query.items()
    }
    return st.fixed_dictionaries(fields).map(lambda q: {k: v for k, v in q.items() if v})


def mutated_case(case: Case) -> st.SearchStrategy[Case]:
    """``case`` with its path ids, query values and JSON body varied (headers and raw bodies as given)."""
    body = mutated_json(case.json) if case.has_json else st.just(case.json)
    return st.builds(
        lambda path, query, json: dataclasses.replace(case, path=path, query=query, json=json),
        _path(case),
        _query(case),
        body,
    )


def mutated_cases(cases: list[Case]) -> st.SearchStrategy[Case]:
    """Any one of ``cases``, mutated; shrinking moves towards the first case of the file."""
    if not cases:
        raise ValueError("no case to mutate")
    return st.one_of(*(mutated_case(c) for c in cases))
