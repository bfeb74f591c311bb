"""The one path grammar: printed paths paste back into patterns."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from paritygate.core.paths import PathSyntaxError, format_path, parse_path

DOC = {"a": {"b": [{"id": 1, "x": "p"}, {"id": 2, "x": "q"}]}, "weird key": {"it's": True}, "x": 0}


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("$.a.b[0].id", [1]),
        ("$.a.b[-1].id", [2]),
        ("$.a.b[*].x", ["p", "q"]),
        ("$..x", ["p", "q", 0]),
        ("$['weird key']['it\\'s']", [True]),
        ("$.a.*", [[{"id": 1, "x": "p"}, {"id": 2, "x": "q"}]]),
        ("$.missing", []),
        ("$", [DOC]),
    ],
)
def test_find(pattern: str, expected: list[object]) -> None:
    assert [value for _, value in parse_path(pattern).find(DOC)] == expected


@pytest.mark.parametrize("bad", ["a.b", "$.", "$[", "$[x]", "$['open", "$..", "$.a b"])
def test_syntax_errors(bad: str) -> None:
    with pytest.raises(PathSyntaxError):
        parse_path(bad)


def test_matches_descendant_and_prefix() -> None:
    pattern = parse_path("$..request_id")
    assert pattern.matches(("request_id",))
    assert pattern.matches(("meta", 3, "request_id"))
    assert not pattern.matches(("meta", "request_id", "x"))
    assert pattern.matches_prefix(("meta", "request_id", "x"))
    assert parse_path("$.items[*].id").matches(("items", 7, "id"))


keys = st.one_of(st.text(max_size=8), st.integers(min_value=0, max_value=50))


@given(st.lists(keys, max_size=6))
def test_format_then_parse_round_trips(parts: list[str | int]) -> None:
    pattern = parse_path(format_path(parts))
    assert pattern.is_concrete
    assert list(pattern.concrete_parts()) == parts
    assert pattern.matches(parts)
