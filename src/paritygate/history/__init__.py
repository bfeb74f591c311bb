"""The SQLite run history: recording runs, flaky cases, regressions and run diffs."""

from paritygate.history.analysis import (
    CaseChange,
    ClassChange,
    Flaky,
    ImplementationChange,
    Regression,
    RunDiff,
    diff_runs,
    flaky_cases,
    implementation_changes,
    regressions,
)
from paritygate.history.snapshot import (
    CaseOutcome,
    ClassRecord,
    PhaseRecord,
    RunSnapshot,
    snapshot_from_report,
)
from paritygate.history.store import SCHEMA_VERSION, HistoryStore

__all__ = [
    "SCHEMA_VERSION",
    "CaseChange",
    "CaseOutcome",
    "ClassChange",
    "ClassRecord",
    "Flaky",
    "HistoryStore",
    "ImplementationChange",
    "PhaseRecord",
    "Regression",
    "RunDiff",
    "RunSnapshot",
    "diff_runs",
    "flaky_cases",
    "implementation_changes",
    "regressions",
    "snapshot_from_report",
]
