"""``paritygate assess DIR``: judge a finished run again, without re-probing anything.

The parity (and fuzz) classes are matched against the decisions tracker as it is NOW (adding or
removing a row flips a class between known and new), the ``[assess]`` policy of the
config is applied, and the run's reports and history entry are rewritten.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from paritygate.config.loader import LoadedConfig
from paritygate.core.models import PhaseResult, PhaseStatus
from paritygate.gauntlet.result import RunResult
from paritygate.gauntlet.rundir import iso, utc_now, write_and_record
from paritygate.phases.assess import assess

__all__ = ["reassess_run", "reclassify_parity"]


def reassess_run(run_dir: Path, loaded: LoadedConfig) -> RunResult:
    """Recompute a finished run's verdict from its report.json and rewrite its reports.
    A report.json of another schema version, or hand-edited out of shape, is a ConfigError
    naming the file and key (exit 2)."""
    from paritygate.reports.run_json import read_report

    doc = read_report(run_dir)
    results = doc.phases
    parity_cfg = loaded.model.parity
    for name in ("parity", "fuzz"):  # fuzz's classes are parity classes of its shrunk cases
        if name in results and parity_cfg is not None and results[name].status is not PhaseStatus.SKIPPED:
            tracker_path = loaded.resolve(parity_cfg.tracker)
            results[name] = reclassify_parity(results[name], tracker_path)
            doc.tracker = str(tracker_path)
    verdict = assess(results.values(), loaded.model.assess, interrupted=doc.interrupted)
    doc.judge(verdict)
    doc.reassessed_at = iso(utc_now())
    history_path = loaded.project_path(loaded.model.run.history)
    files = write_and_record(doc, run_dir, history_path)
    return RunResult(doc.run_id, run_dir, verdict, dict(results), doc, files, interrupted=doc.interrupted)


def reclassify_parity(result: PhaseResult, tracker_path: Path) -> PhaseResult:
    """The parity result with its classes matched against the tracker file as it is now
    (the parity phase's own rule, ``apply_tracker``), and the findings, status and summary
    derived again from that document (as the parity phase derives them)."""
    from paritygate.phases.parity import apply_tracker, findings_from, read_tracker, status_from, summary_from

    doc = result.parity
    if doc is None:  # parity errored before it had a document: nothing to match again
        return result
    doc = apply_tracker(doc, read_tracker(tracker_path), recorded=set())
    findings = findings_from(doc)
    status = result.status if result.status is PhaseStatus.ERROR and result.error else status_from(findings)
    fuzz = result.fuzz
    if fuzz is not None:  # the fuzz document keeps what was generated; its summary says so
        data = dataclasses.replace(fuzz, parity=doc)
        summary = data.summary(summary_from(doc))
        return PhaseResult(result.phase, status, summary, findings, data, result.duration_s, result.error)
    return PhaseResult(
        result.phase, status, summary_from(doc), findings, doc, result.duration_s, result.error
    )
