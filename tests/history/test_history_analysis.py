"""Flaky cases, regressions and run diffs over synthetic snapshots."""

from __future__ import annotations

from paritygate.history import ClassRecord, PhaseRecord, RunSnapshot, diff_runs, flaky_cases, regressions
from paritygate.history.snapshot import CaseOutcome


def snap(
    run_id: str,
    cases: list[CaseOutcome] | None = None,
    classes: list[ClassRecord] | None = None,
    *,
    parity_ran: bool = True,
    verdict: str = "ship",
) -> RunSnapshot:
    phases = {"parity": PhaseRecord("passed" if parity_ran else "skipped", "")}
    return RunSnapshot(run_id, run_id, verdict, phases=phases, cases=cases or [], classes=classes or [])


def case(outcome: str, digest: str = "h1", name: str = "c1") -> CaseOutcome:
    return CaseOutcome("parity", name, outcome, digest)


def test_outcome_flip_with_same_definition_is_flaky() -> None:
    runs = [snap("r1", [case("match")]), snap("r2", [case("shape")]), snap("r3", [case("match")])]
    (flaky,) = flaky_cases(runs)
    assert (flaky.phase, flaky.name) == ("parity", "c1")
    assert flaky.outcomes == [("r1", "match"), ("r2", "shape"), ("r3", "match")]


def test_outcome_change_after_editing_the_case_is_not_flaky() -> None:
    runs = [snap("r1", [case("match", "h1")]), snap("r2", [case("shape", "h2")])]
    assert flaky_cases(runs) == []


def test_stable_outcomes_are_not_flaky() -> None:
    assert flaky_cases([snap("r1", [case("shape")]), snap("r2", [case("shape")])]) == []


K = "POST /v1/validate shape $.Schema"


def test_class_absent_then_back_is_a_regression() -> None:
    present = [ClassRecord(K, "known", "shape", title="wire shape")]
    runs = [snap("r1", classes=present), snap("r2"), snap("r3", classes=present)]
    (reg,) = regressions(runs)
    assert (reg.key, reg.fixed_in, reg.how, reg.reappeared_in) == (K, "r2", "absent", "r3")


def test_absence_in_a_run_without_parity_is_not_a_fix() -> None:
    present = [ClassRecord(K, "known", "shape")]
    runs = [snap("r1", classes=present), snap("r2", parity_ran=False), snap("r3", classes=present)]
    assert regressions(runs) == []


def test_class_the_tracker_marks_fixed_is_a_regression_when_seen() -> None:
    runs = [snap("r1", classes=[ClassRecord(K, "new", "shape", decision_status="fixed")])]
    (reg,) = regressions(runs)
    assert reg.how == "tracker says fixed" and reg.reappeared_in == "r1"


def test_diff_lists_new_fixed_changed_classes_and_cases() -> None:
    a = snap(
        "a",
        [case("match"), case("shape", name="c2"), CaseOutcome("smoke", "health", "pass", "s")],
        [ClassRecord("gone", "known", "shape"), ClassRecord("kept", "new", "value")],
        verdict="block",
    )
    b = snap(
        "b",
        [case("shape"), case("shape", name="c2"), CaseOutcome("smoke", "health", "fail", "s")],
        [ClassRecord("kept", "known", "value"), ClassRecord("fresh", "new", "shape")],
    )
    result = diff_runs(a, b)
    assert [c.key for c in result.new] == ["fresh"]
    assert [c.key for c in result.fixed] == ["gone"]
    assert [(c.key, c.before, c.after) for c in result.changed] == [("kept", "new/value", "known/value")]
    assert [(c.phase, c.name, c.before, c.after) for c in result.cases] == [
        ("parity", "c1", "match", "shape"),
        ("smoke", "health", "pass", "fail"),
    ]
    assert result.to_dict()["verdict"] == {"a": "block", "b": "ship"} and not result.empty


def test_diff_of_identical_runs_is_empty() -> None:
    runs = [snap(r, [case("shape")], [ClassRecord(K, "known", "shape")]) for r in ("a", "b")]
    assert diff_runs(*runs).empty
