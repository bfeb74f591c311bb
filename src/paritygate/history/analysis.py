"""Reading the history: flaky cases, regressions, and what changed between two runs.

* FLAKY: a case whose outcome changed between runs while neither its definition (hash)
  nor any implementation's fingerprint did (a changed implementation is a change).
* CHANGED: an implementation whose fingerprint differs from the run before.
* REGRESSION: a divergence class that was fixed — absent from a later run in which parity
  ran, or listed as fixed by the tracker — and that appears again.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from paritygate.core.jsondoc import JsonObject
from paritygate.history.snapshot import CaseOutcome, ClassRecord, RunSnapshot

__all__ = [
    "CaseChange",
    "ClassChange",
    "Flaky",
    "ImplementationChange",
    "Regression",
    "RunDiff",
    "diff_runs",
    "flaky_cases",
    "implementation_changes",
    "regressions",
]


@dataclass(slots=True)
class Flaky:
    phase: str
    name: str
    definition_hash: str
    outcomes: list[tuple[str, str]]  # (run id, outcome), oldest first

    def to_dict(self) -> JsonObject:  # for `history --json`
        return {
            "phase": self.phase,
            "name": self.name,
            "definition_hash": self.definition_hash,
            "outcomes": [{"run_id": r, "outcome": o} for r, o in self.outcomes],
        }


@dataclass(slots=True)
class Regression:
    key: str
    title: str
    fixed_in: str  # the run in which the class was absent or marked fixed
    how: str  # "absent" | "tracker says fixed"
    reappeared_in: str

    def to_dict(self) -> JsonObject:  # for `history --json`
        return asdict(self)


@dataclass(slots=True)
class ImplementationChange:
    service: str
    before: str  # fingerprint in the run before ("-": the service was not there)
    after: str
    run_id: str  # the run whose implementation differed from the run before it

    def to_dict(self) -> JsonObject:  # for `history --json`
        return asdict(self)


def _implementations_key(run: RunSnapshot) -> tuple[tuple[str, str], ...]:
    return tuple(sorted(run.implementations.items()))


def implementation_changes(runs: list[RunSnapshot]) -> list[ImplementationChange]:
    """Each implementation whose fingerprint changed from one run to the next (oldest first);
    runs recorded before fingerprints existed are skipped."""
    found: list[ImplementationChange] = []
    previous: RunSnapshot | None = None
    for run in runs:
        if not run.implementations:
            continue
        if previous is not None:
            for service in sorted(run.implementations.keys() | previous.implementations.keys()):
                before = previous.implementations.get(service, "-")
                after = run.implementations.get(service, "-")
                if before != after:
                    found.append(ImplementationChange(service, before, after, run.run_id))
        previous = run
    return found


def flaky_cases(runs: list[RunSnapshot]) -> list[Flaky]:
    """Cases that changed outcome between runs (oldest first) while their definition and every
    implementation's fingerprint stayed the same."""
    history: dict[tuple[str, str], list[tuple[str, CaseOutcome, tuple[tuple[str, str], ...]]]] = {}
    for run in runs:
        for case in run.cases:
            history.setdefault((case.phase, case.name), []).append(
                (run.run_id, case, _implementations_key(run))
            )
    found: list[Flaky] = []
    for (phase, name), seen in history.items():
        by_hash: dict[tuple[str, tuple[tuple[str, str], ...]], list[tuple[str, str]]] = {}
        for run_id, case, implementations in seen:
            by_hash.setdefault((case.definition_hash, implementations), []).append((run_id, case.outcome))
        for (digest, _), outcomes in by_hash.items():
            if len({o for _, o in outcomes}) > 1:
                found.append(Flaky(phase, name, digest, outcomes))
    return sorted(found, key=lambda f: (f.phase, f.name))


def regressions(runs: list[RunSnapshot]) -> list[Regression]:
    """Divergence classes that came back after being fixed (runs oldest first)."""
    fixed_at: dict[str, tuple[str, str]] = {}  # key -> (run id, how) while currently fixed
    seen: set[str] = set()
    titles: dict[str, str] = {}
    found: list[Regression] = []
    for run in runs:
        if not run.ran("parity"):
            continue  # absence means nothing when parity did not run
        classes = run.class_map()
        present = {k: c for k, c in classes.items() if c.status != "fixed"}
        for key, record in present.items():
            titles[key] = record.title or titles.get(key, "")
            if key in fixed_at:
                fixed_in, how = fixed_at.pop(key)
                found.append(Regression(key, titles[key], fixed_in, how, run.run_id))
            elif record.tracker_says_fixed:
                found.append(Regression(key, titles[key], run.run_id, "tracker says fixed", run.run_id))
        for key, record in classes.items():
            if record.status == "fixed":
                fixed_at.setdefault(key, (run.run_id, "tracker row not seen"))
        for key in seen - present.keys():
            fixed_at.setdefault(key, (run.run_id, "absent"))
        seen |= present.keys()
    return found


@dataclass(slots=True)
class ClassChange:
    key: str
    title: str
    before: str  # "status/outcome" in run A ("-" when absent)
    after: str

    def to_dict(self) -> JsonObject:  # for `history --json`
        return asdict(self)


@dataclass(slots=True)
class CaseChange:
    phase: str
    name: str
    before: str
    after: str
    definition_changed: bool

    def to_dict(self) -> JsonObject:  # for `history --json`
        return asdict(self)


@dataclass(slots=True)
class RunDiff:
    a: str
    b: str
    verdict: tuple[str, str]
    new: list[ClassChange] = field(default_factory=list)
    fixed: list[ClassChange] = field(default_factory=list)
    changed: list[ClassChange] = field(default_factory=list)
    cases: list[CaseChange] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return (
            not (self.new or self.fixed or self.changed or self.cases) and self.verdict[0] == self.verdict[1]
        )

    def to_dict(self) -> JsonObject:  # for `history --json`
        return {
            "a": self.a,
            "b": self.b,
            "verdict": {"a": self.verdict[0], "b": self.verdict[1]},
            "new": [c.to_dict() for c in self.new],
            "fixed": [c.to_dict() for c in self.fixed],
            "changed": [c.to_dict() for c in self.changed],
            "cases": [c.to_dict() for c in self.cases],
        }


def _class_state(record: ClassRecord | None) -> str:
    """``known/status (accepted)``: the tracker row's status too, so a decision is a visible change."""
    if record is None:
        return "-"
    state = f"{record.status}/{record.outcome}" if record.outcome else record.status
    return f"{state} ({record.decision_status})" if record.decision_status else state


def diff_runs(a: RunSnapshot, b: RunSnapshot) -> RunDiff:
    """New, fixed and changed divergence classes and changed case outcomes from run A to run B."""
    diff = RunDiff(a.run_id, b.run_id, (a.verdict, b.verdict))
    before = {k: c for k, c in a.class_map().items() if c.status != "fixed"}
    after = {k: c for k, c in b.class_map().items() if c.status != "fixed"}
    for key in sorted(after.keys() - before.keys()):
        diff.new.append(ClassChange(key, after[key].title, "-", _class_state(after[key])))
    for key in sorted(before.keys() - after.keys()):
        # Only "fixed" when B actually ran parity; otherwise we know nothing about it.
        if b.ran("parity"):
            diff.fixed.append(ClassChange(key, before[key].title, _class_state(before[key]), "-"))
    for key in sorted(before.keys() & after.keys()):
        old, new = before[key], after[key]
        if (old.status, old.outcome, old.decision_status) != (new.status, new.outcome, new.decision_status):
            diff.changed.append(ClassChange(key, new.title, _class_state(old), _class_state(new)))
    old_cases, new_cases = a.case_map(), b.case_map()
    for case_key in sorted(old_cases.keys() | new_cases.keys()):
        old_case, new_case = old_cases.get(case_key), new_cases.get(case_key)
        if old_case is not None and new_case is not None and old_case.outcome == new_case.outcome:
            continue
        diff.cases.append(
            CaseChange(
                case_key[0],
                case_key[1],
                old_case.outcome if old_case else "-",
                new_case.outcome if new_case else "-",
                definition_changed=bool(
                    old_case and new_case and old_case.definition_hash != new_case.definition_hash
                ),
            )
        )
    return diff
