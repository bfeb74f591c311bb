"""The one rule that matches a divergence class against the decisions tracker."""

from __future__ import annotations

from pathlib import Path

import pytest

from paritygate.phases.parity.tracker import DecisionRow, Tracker, match_class, unmatched_rows

KEY = "POST /v1/validate·shape·tagged-enum~flat-kind·5d06913e"


def _tracker(*rows: tuple[str, str]) -> Tracker:
    return Tracker(
        Path("T.md"),
        rows=[DecisionRow(k, "a", "d", s, f"said {n}", "e", n + 3) for n, (k, s) in enumerate(rows)],
    )


@pytest.mark.parametrize("status", ["_open_", "accepted"])
def test_an_active_row_makes_the_class_known(status: str) -> None:
    match = match_class(_tracker((KEY, status)), KEY)
    assert (match.status, match.came_back) == ("known", False)
    assert match.row is not None and match.row.status == status


def test_no_row_is_new_without_a_row_and_did_not_come_back() -> None:
    match = match_class(_tracker(("other", "_open_"), ("other2", "fixed")), KEY)
    assert (match.status, match.row, match.came_back) == ("new", None, False)


def test_only_a_fixed_row_is_new_and_came_back_showing_that_row() -> None:
    match = match_class(_tracker((KEY, "fixed")), KEY)
    assert (match.status, match.came_back) == ("new", True)
    assert match.row is not None and match.row.status == "fixed"


def test_an_active_row_wins_over_a_fixed_one_either_order() -> None:
    for rows in (((KEY, "fixed"), (KEY, "accepted")), ((KEY, "accepted"), (KEY, "fixed"))):
        match = match_class(_tracker(*rows), KEY)
        assert (match.status, match.came_back) == ("known", False)
        assert match.row is not None and match.row.status == "accepted"


def test_the_latest_row_is_shown_when_none_is_active() -> None:
    match = match_class(_tracker((KEY, "fixed"), ("x", "_open_"), (KEY, "fixed")), KEY)
    assert match.row is not None and match.row.line == 5


def test_a_row_recorded_by_this_run_leaves_the_class_new() -> None:
    match = match_class(_tracker((KEY, "_open_")), KEY, recorded=True)
    assert (match.status, match.came_back) == ("new", False)
    assert match.row is not None and match.row.status == "_open_"
    back = match_class(_tracker((KEY, "fixed"), (KEY, "_open_")), KEY, recorded=True)
    assert (back.status, back.came_back) == ("new", True)


def test_other_keys_never_match() -> None:
    assert match_class(_tracker((KEY + "x", "_open_")), KEY).status == "new"
    assert match_class(_tracker((KEY[:-1], "_open_")), KEY).status == "new"


def test_unmatched_rows_are_the_active_rows_no_class_has_each_key_once() -> None:
    tracker = _tracker(("a", "_open_"), ("b", "accepted"), ("c", "fixed"), ("a", "accepted"), (KEY, "_open_"))
    assert [(r.key, r.line) for r in unmatched_rows(tracker, {KEY})] == [("a", 3), ("b", 4)]
    assert unmatched_rows(tracker, {"a", "b", KEY}) == []
    assert [r.key for r in unmatched_rows(tracker, set())] == ["a", "b", KEY]
