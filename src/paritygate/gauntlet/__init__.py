"""``paritygate run`` as a library call.

stack up → smoke → parity → fuzz (off by default) → review → assess → stack down, writing one run directory
(report.md, report.html, report.json, junit.xml, logs/ and the phases' own files) and
recording the run in the history database.

Modules: ``selection`` (which phases), ``preflight`` (every phase's input parsed once, before
anything starts), ``runner`` (sequencing, teardown, verdict), ``steps`` (each phase's body
and the run's state), ``review_step`` (the review inside a run: a dry run over the last
commit when no reviewer is configured), ``interrupt`` (SIGINT/SIGTERM), ``progress``
(events), ``rundir`` (the run directory and report document), ``reassess``
(``paritygate assess DIR``), ``result`` (``RunResult``).
"""

from paritygate.gauntlet.preflight import RunInputs, check_inputs, parse_inputs
from paritygate.gauntlet.progress import ProgressEvent, ProgressFn, ProgressState
from paritygate.gauntlet.reassess import reassess_run, reclassify_parity
from paritygate.gauntlet.result import RunResult
from paritygate.gauntlet.rundir import definition_hashes
from paritygate.gauntlet.runner import run_gauntlet, stop_hint
from paritygate.gauntlet.selection import PHASES, select_phases

__all__ = [
    "PHASES",
    "ProgressEvent",
    "ProgressFn",
    "ProgressState",
    "RunInputs",
    "RunResult",
    "check_inputs",
    "definition_hashes",
    "parse_inputs",
    "reassess_run",
    "reclassify_parity",
    "run_gauntlet",
    "select_phases",
    "stop_hint",
]
