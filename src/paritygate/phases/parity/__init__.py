"""Phase 4, parity: send every case to every implementation at once and compare.

See docs/parity.md for the cases format, ignore rules, noise learning and the
decisions tracker.
"""

from paritygate.phases.parity.document import apply_tracker, findings_from, status_from, summary_from
from paritygate.phases.parity.runner import (
    ParityInputs,
    check_inputs,
    load_inputs,
    run_parity,
    run_parity_async,
    select_cases,
)
from paritygate.phases.parity.tracker import DecisionRow, Tracker, read_tracker, record_rows

__all__ = [
    "DecisionRow",
    "ParityInputs",
    "Tracker",
    "apply_tracker",
    "check_inputs",
    "findings_from",
    "load_inputs",
    "read_tracker",
    "record_rows",
    "run_parity",
    "run_parity_async",
    "select_cases",
    "status_from",
    "summary_from",
]
