"""The compiled rules and the single walk against a straightforward reference (Hypothesis).

Random trees over a small key alphabet (so rules hit), random rule sets: ignore rules
(with and without ``when``, ``$..key`` descendants, ``[*]`` and ``.*`` wildcards, indexes),
array rules (unordered, by key), typed matchers and learned noise. The reference
(:mod:`reference_rules`) matches every whole path against every rule and prunes by copying.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reference_rules import ReferenceRules, ReferenceWalk

from paritygate.compare import ArrayRule, CompareRules, IgnoreRule, MatchRule
from paritygate.compare.mappings import detect_mappings
from paritygate.compare.pathrules import pruned
from paritygate.compare.walk import diff_trees

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

KEYS = ["a", "b", "id", "request_id", "kind", "Schema", "@a", "{urn:u}a"]
SEGMENTS = [
    ".a",
    ".b",
    ".id",
    ".request_id",
    ".*",
    "[0]",
    "[1]",
    "[*]",
    "..a",
    "..request_id",
    "..*",
    "..['id']",
]

scalars = st.none() | st.booleans() | st.sampled_from([0, 1, 1.0, 2, 2.5, "", "a", "x", "schema", "1"])
trees = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(KEYS), inner, max_size=4),
    max_leaves=20,
)
# rules on array elements matter where the two sides' arrays align at different indexes
ELEMENT_PATHS = ["$[1].a", "$[0].a", "$[1]", "$.a[1].b", "$[*].a", "$..a[1]"]
paths = st.lists(st.sampled_from(SEGMENTS), max_size=3).map(
    lambda segs: "$" + "".join(segs)
) | st.sampled_from(ELEMENT_PATHS)
whens = st.none() | st.sampled_from(["^1$", "a", "^$", "1", "^[0-9.]+$"])
ignores = st.builds(IgnoreRule, path=paths, when=whens)
arrays = st.one_of(
    st.builds(ArrayRule, path=paths),
    st.builds(ArrayRule, path=paths, mode=st.just("by_key"), key=st.sampled_from(["id", "a"])),
)
matchers = st.one_of(
    st.builds(MatchRule, path=paths, kind=st.sampled_from(["present", "number", "timestamp", "uuid"])),
    st.builds(MatchRule, path=paths, tolerance=st.sampled_from([0.0, 0.5, 2.0])),
    st.builds(MatchRule, path=paths, kind=st.just("regex"), pattern=st.sampled_from(["^a", "x|1"])),
)
rule_sets = st.builds(
    CompareRules,
    ignore=st.lists(ignores, max_size=3).map(tuple),
    arrays=st.lists(arrays, max_size=2).map(tuple),
    match=st.lists(matchers, max_size=2).map(tuple),
    noise=st.lists(paths, max_size=2).map(tuple),
)


@st.composite
def edited(draw: st.DrawFn, doc: Any) -> Any:
    """``doc`` with a few random edits, so the pair shares most of its structure."""
    if draw(st.integers(0, 5)) == 0:
        return draw(trees)
    if isinstance(doc, dict):
        out = {k: draw(edited(v)) if draw(st.booleans()) else v for k, v in doc.items()}
        if draw(st.booleans()):
            out.pop(draw(st.sampled_from(KEYS)), None)
        if draw(st.booleans()):
            out[draw(st.sampled_from(KEYS))] = draw(trees)
        return out
    if isinstance(doc, list):
        items = [draw(edited(v)) if draw(st.booleans()) else v for v in doc]
        choice = draw(st.sampled_from(["same", "reverse", "insert", "pop"]))
        if choice == "reverse":
            items.reverse()
        elif choice == "insert":
            items.insert(draw(st.integers(0, len(items))), draw(trees))
        elif choice == "pop" and items:
            items.pop(draw(st.integers(0, len(items) - 1)))
        return items
    return doc


@st.composite
def tree_pairs(draw: st.DrawFn) -> tuple[Any, Any]:
    left = draw(trees)
    return left, draw(edited(left))


parts = st.lists(st.sampled_from(KEYS) | st.integers(0, 2), max_size=4).map(tuple)


@SETTINGS
@given(tree_pairs(), rule_sets, st.booleans())
def test_the_walk_finds_what_the_reference_finds(
    pair: tuple[Any, Any], rules: CompareRules, xml: bool
) -> None:
    left, right = pair
    excused: list[tuple[str, str]] = []
    found = diff_trees(left, right, rules, xml=xml, excused=excused)
    reference = ReferenceWalk(rules, xml)
    assert found == reference.diff(left, right)
    assert excused == reference.excused


@SETTINGS
@given(rule_sets, parts, scalars, scalars)
def test_each_rule_query_answers_as_the_reference(
    rules: CompareRules, where: tuple[Any, ...], a: Any, b: Any
) -> None:
    ref = ReferenceRules(rules)
    assert rules.body_ignored(where, (a,)) == ref.ignored(where, (a,))
    assert rules.body_ignored(where, (a, b)) == ref.ignored(where, (a, b))
    assert rules.value_excuse(where, a, b) == ref.excuse(where, a, b)
    assert rules.value_excuse(where, [a], [b]) == ref.excuse(where, [a], [b])
    assert rules.array_rule(where) == ref.array(where)
    assert rules.order_excuse(where) == ref.order_excuse(where)


@SETTINGS
@given(trees, rule_sets)
def test_pruning_shares_what_no_rule_reaches_and_drops_what_the_reference_drops(
    tree: Any, rules: CompareRules
) -> None:
    assert pruned(tree, rules.paths.root) == ReferenceRules(rules).prune(tree)


FLAT_KINDS = st.sampled_from(["kind", "type", "a"])


@st.composite
def enum_pairs(draw: st.DrawFn) -> tuple[Any, Any]:
    """A pair where one side may hold a tagged enum and the other its flat form, somewhere."""
    payload = draw(st.dictionaries(st.sampled_from(["field", "reason", "request_id"]), scalars, max_size=3))
    tagged: Any = {"Schema": payload} if payload or draw(st.booleans()) else "Schema"
    flat = {draw(FLAT_KINDS): "schema", **{k.capitalize(): v for k, v in payload.items()}}
    if draw(st.booleans()):
        flat["request_id"] = draw(scalars)
    left, right = draw(tree_pairs())
    for _ in range(draw(st.integers(0, 2))):
        key = draw(st.sampled_from(KEYS))
        left, right = {key: left, "b": tagged}, {key: right, "b": flat}
        if draw(st.booleans()):
            left, right = [left, tagged], [right, flat]
    return (left, right) if draw(st.booleans()) else (right, left)


@SETTINGS
@given(enum_pairs(), rule_sets)
def test_mappings_on_the_raw_trees_equal_mappings_on_the_pruned_trees(
    pair: tuple[Any, Any], rules: CompareRules
) -> None:
    left, right = pair
    diffs = diff_trees(left, right, rules)
    ref = ReferenceRules(rules)
    root = rules.paths.root
    pl = None if root.ignored((left,)) else ref.prune(left)
    pr = None if root.ignored((right,)) else ref.prune(right)
    expected = detect_mappings("json", pl, pr, diffs, CompareRules().paths)
    assert detect_mappings("json", left, right, diffs, rules.paths) == expected


def test_each_side_is_ruled_by_its_own_path_when_arrays_pair_other_indexes() -> None:
    # the elements swap places and the moved one changes: a[1] is paired with b[0]
    left = [{"n": 1}, {"n": 2}]
    right = [{"n": 3, "a": "x"}, {"n": 1}]
    for rule, expected in (("$[0].a", []), ("$[1].a", ["$[0].a"])):
        rules = CompareRules(ignore=(IgnoreRule(rule),))
        found = [d.path for d in diff_trees(left, right, rules) if d.kind == "extra"]
        assert (
            found == expected == [d.path for d in ReferenceWalk(rules).diff(left, right) if d.kind == "extra"]
        )
