"""``paritygate assess DIR``: judge a finished run again, without re-probing anything.

The parity classes are matched against the decisions tracker as it is NOW (adding or
removing a row flips a class between known and new), the ``[assess]`` policy of the
config is applied, and the run's reports and history entry are rewritten.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from paritygate.config.loader import LoadedConfig
from paritygate.core.models import PhaseResult, PhaseStatus
from paritygate.errors import ConfigError
from paritygate.gauntlet.result import RunResult
from paritygate.gauntlet.rundir import iso, utc_now, write_and_record
from paritygate.phases.assess import assess

__all__ = ["reassess_run", "reclassify_parity"]


def reassess_run(run_dir: Path, loaded: LoadedConfig) -> RunResult:
    """Recompute a finished run's verdict from its report.json and rewrite its reports."""
    from paritygate.reports.run_json import read_report

    doc = read_report(run_dir)
    source = run_dir / "report.json"
    results = {name: _phase_result(raw, source, name) for name, raw in doc["phases"].items()}
    parity_cfg = loaded.model.parity
    if "parity" in results and parity_cfg is not None and results["parity"].status is not PhaseStatus.SKIPPED:
        tracker_path = loaded.resolve(parity_cfg.tracker)
        results["parity"] = reclassify_parity(results["parity"], tracker_path, source=source)
        doc["tracker"] = str(tracker_path)
    interrupted = bool(doc.get("interrupted"))
    verdict = assess(results.values(), loaded.model.assess, interrupted=interrupted)
    doc.update(verdict.to_dict())
    doc["phases"] = {name: result.to_dict() for name, result in results.items()}
    doc["reassessed_at"] = iso(utc_now())
    history_path = loaded.project_path(loaded.model.run.history)
    files = write_and_record(doc, run_dir, history_path)
    return RunResult(str(doc["run_id"]), run_dir, verdict, results, doc, files, interrupted=interrupted)


def _phase_result(raw: dict[str, Any], source: Path, name: str) -> PhaseResult:
    """One phase of a report.json; a hand-edited or truncated entry is a ConfigError, not a traceback."""
    try:
        return PhaseResult.from_dict(raw)
    except KeyError as exc:
        raise ConfigError(f"lacks {exc}", file=source, key=f"phases.{name}") from exc
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"not a phase result: {exc}", file=source, key=f"phases.{name}") from exc


def reclassify_parity(result: PhaseResult, tracker_path: Path, *, source: Path | None = None) -> PhaseResult:
    """The parity result with every class marked known/new against the tracker file as it is
    now, the tracker's active rows no class matched listed as ``fixed``, and the findings,
    status and summary derived again from that document (as the parity phase derives them)."""
    from paritygate.phases.parity import findings_from, read_tracker, status_from, summary_from

    tracker = read_tracker(tracker_path)
    doc = dict(result.data)
    classes = []
    for row in doc.get("classes") or []:
        key = str(row["key"])
        active = tracker.active_row(key)
        shown = active or tracker.latest_row(key)
        classes.append(
            {
                **row,
                "status": "known" if active is not None else "new",
                "decision": shown.to_dict() if shown is not None else None,
                "regressed": active is None
                and any(r.key == key and r.status == "fixed" for r in tracker.rows),
            }
        )
    known = {c["key"]: c["status"] == "known" for c in classes}
    doc["classes"] = classes
    doc["cases"] = [
        {**case, "known": known.get(case["class_key"])} if case.get("class_key") else case
        for case in doc.get("cases") or []
    ]
    if not doc.get("fixed_skipped"):
        # A row is "fixed?" when it is the active row of its key and no class of this run matched it.
        doc["fixed"] = [
            {**r.to_dict(), "line": r.line}
            for r in tracker.rows
            if r.key not in known and tracker.active_row(r.key) is r
        ]
    doc["tracker"] = str(tracker_path)
    try:
        findings = findings_from(doc)
    except KeyError as exc:
        raise ConfigError(
            f"parity data lacks {exc} (written by an older paritygate?)",
            file=source,
            key="phases.parity.data",
        ) from exc
    status = result.status if result.status is PhaseStatus.ERROR and result.error else status_from(findings)
    return PhaseResult(
        result.phase, status, summary_from(doc), findings, doc, result.duration_s, result.error
    )
