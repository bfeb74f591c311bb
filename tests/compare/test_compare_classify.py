"""Causes and divergence classes: one cause, one class, one stable key."""

from __future__ import annotations

import itertools
import random
from typing import Any

import pytest
from compare_helpers import HAPPY, SEED_CASES, jresp

from paritygate.compare import (
    KEY_SEPARATOR,
    Cause,
    CompareRules,
    DivergenceClass,
    IgnoreRule,
    Occurrence,
    Outcome,
    Response,
    compare,
    decompose,
    group_causes,
)
from paritygate.compare.classify import TITLE_MAX, leaf_place

DEMO_RULES = CompareRules(ignore=(IgnoreRule(path="$.elapsed_ms"),))
TAGGED_KEY = "mapping·tagged-enum~flat-kind"


def causes_of(
    left: Any, right: Any, status: int = 200, rules: CompareRules = DEMO_RULES, **kw: Any
) -> list[Cause]:
    lresp = jresp(left, status, kw.get("lheaders"))
    rresp = jresp(right, kw.get("rstatus", status), kw.get("rheaders"))
    return decompose(compare(lresp, rresp, rules, noise=kw.get("noise", ())), lresp, rresp)


def keys_of(left: Any, right: Any, **kw: Any) -> list[str]:
    return [c.key for c in causes_of(left, right, **kw)]


def one(left: Any, right: Any, **kw: Any) -> Cause:
    found = causes_of(left, right, **kw)
    assert len(found) == 1, [c.key for c in found]
    return found[0]


def classes_of(pairs: list[tuple[str, str, Any, Any]], group_by: str = "cause") -> list[DivergenceClass]:
    """(case, operation, left body, right body) → the classes of all of them, targets a and b."""
    occurrences = [
        Occurrence(case, op, "a", "b", c) for case, op, left, right in pairs for c in causes_of(left, right)
    ]
    return group_causes(occurrences, group_by=group_by)


# --- the demo's mapping -----------------------------------------------------------------


def test_seed_cases_form_one_tagged_enum_class_with_a_short_readable_key() -> None:
    found = [causes_of(tagged, flat, status) for _, status, tagged, flat in SEED_CASES]
    assert all([c.key for c in f] == [TAGGED_KEY] for f in found)
    cause = found[0][0]
    assert cause.mapping is not None and cause.mapping.name == "tagged enum vs flat kind field"
    assert "MarshalJSON" in cause.mapping.fix and '#[serde(tag = "kind")]' in cause.mapping.fix
    assert cause.outcome is Outcome.SHAPE and cause.kind == "mapping"
    classes = classes_of([(n, "POST /v1/validate", t, f) for n, _, t, f in SEED_CASES])
    assert [c.title for c in classes] == ["tagged enum vs flat kind field"]
    assert classes[0].operations == {"POST /v1/validate": 5}
    assert classes[0].summary == "tagged enum vs flat kind field — 5 cases on POST /v1/validate"


def test_demo_key_is_stable_across_releases() -> None:
    # Keys are persisted in decisions trackers (the demo ships this one in
    # ARCHITECTURE_COMPARISON.md); changing how keys are built orphans every recorded row.
    _, status, tagged, flat = SEED_CASES[0]
    assert keys_of(tagged, flat, status=status) == ["mapping·tagged-enum~flat-kind"]


def test_happy_case_matches_and_has_no_cause() -> None:
    left, right = HAPPY
    assert compare(jresp(left), jresp(right), DEMO_RULES).outcome is Outcome.MATCH
    assert causes_of(left, right) == []


def test_tagged_side_may_be_either_and_may_be_nested() -> None:
    _, status, tagged, flat = SEED_CASES[0]
    assert keys_of(flat, tagged, status=status) == [TAGGED_KEY]
    nested = causes_of({"error": tagged, "request": 7}, {"error": flat, "request": 7}, status)
    assert [c.key for c in nested] == [TAGGED_KEY] and nested[0].places == ("$.error",)


@pytest.mark.parametrize(
    ("tagged", "flat", "expected"),
    [
        pytest.param(
            {"Schema": {"field": "x", "reason": "y"}},
            {"Kind": "schema", "Field": "x", "Reason": "z"},
            {
                "shape·missing·$.Schema",
                "shape·missing·$.Kind",
                "shape·missing·$.Field",
                "shape·missing·$.Reason",
            },
            id="payload-differs",
        ),
        pytest.param(
            {"Schema": {"field": "x", "reason": "y"}},
            {"Kind": "schema", "Reason": "y"},
            {"shape·missing·$.Schema", "shape·missing·$.Kind", "shape·missing·$.Reason"},
            id="field-lost",
        ),
    ],
)
def test_tagged_enum_needs_information_equivalence(tagged: Any, flat: Any, expected: set[str]) -> None:
    assert set(keys_of(tagged, flat, status=422)) == expected


# --- decomposition ------------------------------------------------------------------------


def test_a_mapping_explains_its_part_and_the_other_causes_stay_their_own() -> None:
    _, status, tagged, flat = SEED_CASES[0]
    keys = keys_of({"error": tagged, "count": "1.50"}, {"error": flat, "count": "1.5"}, status=status)
    assert keys == [TAGGED_KEY, "value·number-spelling·*.count"]


def test_a_header_difference_is_its_own_cause_next_to_a_mapping() -> None:
    # The mutation "detect a mapping while a header also differs" (the header difference
    # folded into the mapping, or lost) must fail here.
    _, status, tagged, flat = SEED_CASES[0]
    rules = CompareRules(headers=("content-type", "x-version"), ignore=DEMO_RULES.ignore)
    alone = keys_of(tagged, flat, status=status, rules=rules)
    with_header = causes_of(
        tagged,
        flat,
        status,
        rules,
        lheaders=[("content-type", "application/json"), ("x-version", "1")],
        rheaders=[("content-type", "application/json"), ("x-version", "2")],
    )
    assert alone == [TAGGED_KEY]
    assert [c.key for c in with_header] == ["header·x-version", TAGGED_KEY]
    header, mapping = with_header
    assert [d.path for d in header.differences] == ["header:x-version"]
    assert all(d.path.startswith("$") for d in mapping.differences)


def test_a_case_with_three_causes_is_in_three_classes() -> None:
    left = {"user": {"email": "a@x"}, "price": {"N": "1.50"}, "state": "ACTIVE"}
    right = {"user": {"mail": "a@x"}, "price": {"N": "1.5"}, "state": "active"}
    found = causes_of(left, right)
    assert [c.key for c in found] == [
        "mapping·rename·email~mail",
        "value·case-only·*.state",
        "value·number-spelling·*.N",
    ]


def test_the_key_of_a_cause_does_not_depend_on_the_other_causes_of_its_case() -> None:
    base_left, base_right = {"a": {"N": "1.50"}}, {"a": {"N": "1.5"}}
    alone = keys_of(base_left, base_right)
    crowded = keys_of({**base_left, "x": 1, "y": [1, 2]}, {**base_right, "x": 2, "z": True})
    assert alone == ["value·number-spelling·*.N"]
    assert set(alone) < set(crowded)


def test_places_are_part_of_the_key() -> None:
    # The mutation "drop the places from the key" must fail here: two causes of the same
    # kind at different places in the same body shape are two classes ...
    assert keys_of({"a": 1, "b": 1}, {"a": 2, "b": 1}) != keys_of({"a": 1, "b": 1}, {"a": 1, "b": 2})
    assert keys_of({"a": 1, "b": 1}, {"b": 1}) != keys_of({"a": 1, "b": 1}, {"a": 1})
    # ... and the same cause at the same place in different shapes is one.
    assert keys_of({"items": [{"price": 1}]}, {"items": [{"price": 2}]}) == keys_of(
        {"items": [{"price": 5}, {"price": 1}], "extra": {"deep": [1]}},
        {"items": [{"price": 5}, {"price": 9}], "extra": {"deep": [1]}},
    )


@pytest.mark.parametrize(
    ("left", "right", "key"),
    [
        pytest.param(
            {"v": {"N": "1.50"}}, {"v": {"N": "1.5"}}, "value·number-spelling·*.N", id="number-spelling"
        ),
        pytest.param({"v": 1}, {"v": 1.0}, "value·number-spelling·*.v", id="int-vs-float"),
        pytest.param({"v": "3"}, {"v": 3}, "shape·number~string·*.v", id="number-string"),
        pytest.param({"v": "Active"}, {"v": "ACTIVE"}, "value·case-only·*.v", id="case"),
        pytest.param({"v": "a  b"}, {"v": "a b"}, "value·whitespace-only·*.v", id="whitespace"),
        pytest.param(
            {"at": "2026-05-02T08:59:17.123456789Z"},
            {"at": "2026-05-02T08:59:17.123+00:00"},
            "value·timestamp-precision·*.at",
            id="timestamp",
        ),
        pytest.param(
            {"__type": "com.amazonaws.kinesis.v20131202#ResourceNotFoundException"},
            {"__type": "com.amazon.coral.validate#ResourceNotFoundException"},
            "value·same-suffix·*.__type",
            id="suffix",
        ),
        pytest.param(
            {"m": "Stream s1 under account 1 not found."},
            {"m": "Stream s1 under account 1 was not found"},
            "value·same-prefix·*.m",
            id="prefix",
        ),
        pytest.param(
            {"__type": "InvalidArgumentException"},
            {"__type": "ValidationException"},
            "value·different·*.__type",
            id="shared-word-is-no-affix",
        ),
        pytest.param(
            {"arn": "arn:aws:kinesis:us-east-1:123456789012:stream/orders"},
            {"arn": "arn:aws:kinesis:us-east-1:000000000000:stream/orders"},
            "value·same-prefix-and-suffix·*.arn",
            id="middle",
        ),
        pytest.param({"k": "a%20b%2Fc"}, {"k": "a b/c"}, "value·percent-encoding·*.k", id="percent"),
        pytest.param({"k": "", "x": 1}, {"x": 1}, "shape·empty~absent·$.k", id="empty-absent"),
        pytest.param({"k": None, "x": 1}, {"x": 1}, "shape·null~absent·$.k", id="null-absent"),
        pytest.param({"k": None}, {"k": 4}, "shape·null~value·*.k", id="null-value"),
        pytest.param({"k": "x"}, {"k": [1]}, "shape·type·*.k", id="type"),
        pytest.param({"k": "cat"}, {"k": "dog"}, "value·different·*.k", id="different"),
        pytest.param({"l": [1, 2]}, {"l": [1, 2, 3]}, "shape·missing·$.l[*]", id="array-extra"),
    ],
)
def test_value_relations_name_the_cause(left: Any, right: Any, key: str) -> None:
    cause = one(left, right)
    assert cause.key == key
    assert one(right, left).key == key  # orientation-free


def test_relations_with_a_known_fix_carry_their_mapping() -> None:
    assert one({"v": "3"}, {"v": 3}).mapping is not None
    assert one({"k": None, "x": 1}, {"x": 1}).mapping is not None
    assert one({"v": "cat"}, {"v": "dog"}).mapping is None


def test_key_case_styles_are_one_mapping_and_spare_the_rest() -> None:
    left = {"user_id": 1, "created_at": "x", "tags": [{"tag_name": "a"}], "n": 1}
    right = {"userId": 1, "createdAt": "x", "tags": [{"tagName": "a"}], "n": 2}
    found = causes_of(left, right)
    assert [c.key for c in found] == ["mapping·key-case·camelCase~snake_case", "value·different·*.n"]
    assert found[0].mapping is not None and found[0].mapping.name == "key case styles"
    # a renamed key holding a different value is no key-case mapping
    assert keys_of({"user_id": 1}, {"userId": 2}) == ["shape·missing·$.userId", "shape·missing·$.user_id"]


def test_status_and_no_answer_causes() -> None:
    ok, bad = jresp({"a": 1}, 200), jresp({"b": 2}, 500)
    status = decompose(compare(ok, bad), ok, bad)
    assert [c.key for c in status] == ["status·200~500"]  # the body difference is subsumed
    assert [c.key for c in decompose(compare(bad, ok), bad, ok)] == ["status·200~500"]
    down = Response(None, error="refused: connection refused")
    error = decompose(compare(ok, down), ok, down)
    assert [c.key for c in error] == ["no-answer·answered~refused"]


def test_keys_are_safe_for_a_markdown_cell_and_long_places_are_hashed() -> None:
    cause = one({"a|b": 1}, {"a|b": 2})
    assert "|" not in cause.key and "\n" not in cause.key
    deep: dict[str, Any] = {}
    node = deep
    for i in range(30):
        node[f"level_{i}"] = node = {}
    node["v"] = 1
    left = deep
    missing = one(left, {})
    short = missing.key.split(KEY_SEPARATOR)[-1]
    assert len(missing.key) < 100 and "…" not in short  # only the top of the subtree differs
    wide = one({"k" * 120: 1, "x": 0}, {"x": 0})
    assert len(wide.key) <= 100 and "…" in wide.key


def test_leaf_places() -> None:
    assert leaf_place("$.Items[2].price.N") == "*.N"
    assert leaf_place("$.a.b[3]") == "*.b[*]"
    assert leaf_place("$[4]") == "$[*]"
    assert leaf_place("$.order.note[0]['#text']") == "*.note[*]['#text']"


# --- grouping across cases and operations --------------------------------------------------


def test_a_rename_on_four_endpoints_is_one_class_listing_its_operations() -> None:
    pairs = [
        ("get_1", "GET /users/{id}", {"id": 1, "email": "a@x"}, {"id": 1, "mail": "a@x"}),
        ("get_2", "GET /users/{id}", {"id": 2, "email": "b@x"}, {"id": 2, "mail": "b@x"}),
        ("list", "GET /users", [{"id": 1, "email": "a@x"}], [{"id": 1, "mail": "a@x"}]),
        ("create", "POST /users", {"id": 3, "email": "c@x"}, {"id": 3, "mail": "c@x"}),
    ]
    classes = classes_of(pairs)
    assert [c.key for c in classes] == ["mapping·rename·email~mail"]
    rename = classes[0]
    assert rename.operations == {"GET /users/{id}": 2, "GET /users": 1, "POST /users": 1}
    assert rename.title == "field renamed: `email` (a) vs `mail` (b)"
    assert rename.places == ["$", "$[*]"]
    assert rename.mapping is not None and rename.mapping.name == "field renamed"
    more = classes_of([*pairs, ("get_3", "GET /users/{id}", {"id": 9, "email": "z"}, {"id": 9, "mail": "z"})])
    assert [c.key for c in more] == ["mapping·rename·email~mail"]
    assert more[0].operations["GET /users/{id}"] == 3


def test_a_rename_is_not_guessed_when_values_differ_or_are_ambiguous() -> None:
    assert keys_of({"email": "a@x"}, {"mail": "b@x"}) == ["shape·missing·$.email", "shape·missing·$.mail"]
    ambiguous = keys_of({"a": 1, "b": 1}, {"c": 1, "d": 1})
    assert not any(k.startswith("mapping") for k in ambiguous)
    assert keys_of({"flag": None}, {"other": None}) == [
        "shape·null~absent·$.flag",
        "shape·null~absent·$.other",
    ]


def test_numbers_spelled_differently_at_four_paths_in_four_operations_are_one_class() -> None:
    pairs = [
        (
            "put",
            "DynamoDB_20120810.PutItem",
            {"Attributes": {"p": {"N": "1.50"}}},
            {"Attributes": {"p": {"N": "1.5"}}},
        ),
        ("get", "DynamoDB_20120810.GetItem", {"Item": {"q": {"N": "2.0"}}}, {"Item": {"q": {"N": "2"}}}),
        (
            "query",
            "DynamoDB_20120810.Query",
            {"Items": [{"r": {"N": "10"}}, {"r": {"N": "3.10"}}]},
            {"Items": [{"r": {"N": "10"}}, {"r": {"N": "3.1"}}]},
        ),
        (
            "update",
            "DynamoDB_20120810.UpdateItem",
            {"Attributes": {"s": {"N": "0.50"}}},
            {"Attributes": {"s": {"N": "0.5"}}},
        ),
    ]
    classes = classes_of(pairs)
    assert [c.key for c in classes] == ["value·number-spelling·*.N"]
    found = classes[0]
    assert len(found.operations) == 4 and found.cases == ["put", "get", "query", "update"]
    assert (
        found.summary
        == "numbers spelled differently at `*.N`: `1.50` (a) vs `1.5` (b) — 4 cases on 4 operations"
    )
    split = classes_of(pairs, group_by="operation")
    assert len(split) == 4
    assert split[0].key == "DynamoDB_20120810.PutItem·value·number-spelling·*.N"


def test_keys_do_not_depend_on_case_order_target_order_or_how_many_cases() -> None:
    pairs = [
        (f"c{i}", f"OP{i % 3}", {"v": {"N": f"{i}.50"}, "x": i, "gone": [i]}, {"v": {"N": f"{i}.5"}, "x": -i})
        for i in range(1, 8)
    ]
    reference = {c.key for c in classes_of(pairs)}
    rng = random.Random(11)
    for _ in range(10):
        shuffled = pairs[:]
        rng.shuffle(shuffled)
        subset = shuffled[: rng.randint(1, len(shuffled))]
        flipped = [(n, op, r, left) for n, op, left, r in subset]
        assert {c.key for c in classes_of(subset)} <= reference
        assert {c.key for c in classes_of(flipped)} == {c.key for c in classes_of(subset)}
    assert {c.key for c in classes_of(pairs)} == reference


def test_keys_do_not_change_when_noise_removes_a_path() -> None:
    left = {"v": {"N": "1.50"}, "request_id": "r-1", "at": "2026-01-01T00:00:01Z"}
    right = {"v": {"N": "1.5"}, "request_id": "r-2", "at": "2026-01-01T00:00:02Z"}
    plain = set(keys_of(left, right))
    quiet = set(keys_of(left, right, noise=["$.request_id", "$.at"]))
    assert quiet == {"value·number-spelling·*.N"} and quiet < plain


def test_titles_are_short_and_say_what_differs() -> None:
    long = "x" * 300
    classes = classes_of([("c", "GET /" + "y" * 200, {"k": long, "m": 1}, {"k": long + "z", "m": 1})])
    assert all(len(c.title) <= TITLE_MAX and len(c.summary) <= TITLE_MAX for c in classes)
    assert classes[0].summary.endswith("— 1 case")


def test_presence_on_either_side_in_different_cases_is_one_class() -> None:
    classes = classes_of([("c1", "OP", {"a": 1, "z": 1}, {"a": 1}), ("c2", "OP", {"a": 1}, {"a": 1, "z": 1})])
    assert [c.key for c in classes] == ["shape·missing·$.z"]
    assert classes[0].title == "`$.z` present on one side only"


def test_group_by_is_checked() -> None:
    with pytest.raises(ValueError, match="group_by"):
        classes_of([("c", "OP", {"a": 1}, {"a": 2})], group_by="endpoint")


@pytest.mark.parametrize("seed", range(3))
def test_random_bodies_give_orientation_free_keys(seed: int) -> None:
    rng = random.Random(seed)
    values: list[Any] = [1, 1.0, "1", "1.50", "a", "A", None, "", [1], {"k": 1}, True]
    for left_v, right_v in itertools.islice(itertools.product(values, values), seed, None, 3):
        left = {"p": left_v, "q": rng.choice(values)}
        right = {"p": right_v, "q": left["q"]}
        assert keys_of(left, right) == keys_of(right, left)
