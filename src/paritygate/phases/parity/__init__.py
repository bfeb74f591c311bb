"""Phase 4, parity: send every case to every implementation at once and compare.

See docs/parity.md for the cases format, ignore rules, noise learning and the
decisions tracker.
"""

from paritygate.config import LoadedConfig
from paritygate.config.phases import ParityConfig
from paritygate.phases.parity.document import findings_from, status_from, summary_from
from paritygate.phases.parity.runner import _cases_path, _rules, run_parity, run_parity_async
from paritygate.phases.parity.tracker import DecisionRow, Tracker, read_tracker, record_rows
from paritygate.probe import load_cases

__all__ = [
    "DecisionRow",
    "Tracker",
    "check_inputs",
    "findings_from",
    "read_tracker",
    "record_rows",
    "run_parity",
    "run_parity_async",
    "status_from",
    "summary_from",
]


def check_inputs(loaded: LoadedConfig) -> None:
    """Raise the ConfigError ``run_parity`` would raise on its own inputs (cases file, compare
    rules, tracker) without sending anything: e.g. before a stack is started for it."""
    cfg = loaded.model.parity or ParityConfig()
    load_cases(_cases_path(loaded, cfg, None))
    _rules(loaded, cfg)
    read_tracker(loaded.resolve(cfg.tracker))
