"""The run directory: its name, the run document (``paritygate.report/3``), the services' logs,
and writing it all (plus the history entry) at the end of a run or a re-assessment."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
from collections.abc import Iterable
from pathlib import Path

from paritygate.config.loader import LoadedConfig
from paritygate.core.fs import copy_masked
from paritygate.core.models import PhaseResult
from paritygate.core.run_doc import Implementation, RunDocument
from paritygate.errors import RuntimeProblem, UsageError
from paritygate.gauntlet.preflight import RunInputs
from paritygate.gauntlet.selection import PHASES
from paritygate.phases.assess import Verdict

__all__ = [
    "allocate_run_dir",
    "copy_service_logs",
    "definition_hashes",
    "iso",
    "report_doc",
    "utc_now",
    "write_and_record",
]


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def iso(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _make_dir(path: Path, *, exist_ok: bool) -> bool:
    """Create ``path``; False when it already exists (and ``exist_ok`` is off)."""
    try:
        path.mkdir(parents=True, exist_ok=exist_ok)
    except FileExistsError:
        if exist_ok or not path.is_dir():
            raise RuntimeProblem(f"cannot create the run directory {path}: a file is in the way") from None
        return False
    except OSError as exc:
        raise RuntimeProblem(f"cannot create the run directory {path}: {exc.strerror or exc}") from None
    return True


def allocate_run_dir(loaded: LoadedConfig, out_dir: Path | None, taken: set[str]) -> tuple[str, Path]:
    """A fresh run id (its UTC start time, ``-2``... on a clash) and its directory, created."""
    stamp = utc_now().strftime("%Y%m%dT%H%M%SZ")
    if out_dir is not None:
        _make_dir(out_dir, exist_ok=True)
        return stamp, out_dir.resolve()
    base = loaded.project_path(loaded.model.run.out_dir)
    for n in range(1, 1000):
        run_id = stamp if n == 1 else f"{stamp}-{n}"
        if run_id in taken:
            continue
        path = base / run_id
        if _make_dir(path, exist_ok=False):
            return run_id, path.resolve()
    raise UsageError(f"cannot allocate a run directory under {base}")


def copy_service_logs(run_dir: Path, logs: Iterable[tuple[str, Path]], *, since: float) -> None:
    """Copy each (service, log file) into ``run_dir/logs/``; a log not written since ``since``
    (a wall-clock time) is an old one from a service that did not start this time: left out."""
    target = run_dir / "logs"
    target.mkdir(exist_ok=True)
    for name, source in logs:
        with contextlib.suppress(OSError):
            if source.stat().st_mtime >= since - 1:
                copy_masked(source, target / f"{name}.log")


def definition_hashes(inputs: RunInputs) -> dict[str, dict[str, str]]:
    """A short hash of each smoke check's and parity case's definition (name -> hash), taken
    from the parsed inputs the phases run on, so the history can tell a flaky case (same
    definition, other outcome) from an edited one. Secret values never enter a hash."""
    from paritygate.history.snapshot import definition_digest

    out: dict[str, dict[str, str]] = {"smoke": {}, "parity": {}}
    if inputs.smoke is not None:
        plan = inputs.smoke
        secret = set(plan.secrets)
        variables = {k: v for k, v in plan.variables.items() if v not in secret}
        for chain in plan.chains:
            for check in chain.checks:
                definition = {
                    "chain": chain.name,
                    "check": {
                        "name": check.name,
                        "service": check.service,
                        "url": check.url,
                        "method": check.method,
                        "path": check.path,
                        "query": check.query,
                        "headers": check.headers,
                        "body_kind": check.body_kind,
                        "body": check.body,
                        "assertions": [
                            [a.subject, a.selector, a.operator, a.expected] for a in check.assertions
                        ],
                        "captures": [[c.name, c.source, c.selector] for c in check.captures],
                        "retry": check.retry,
                        "interval": check.interval,
                        "timeout": check.timeout,
                    },
                    "vars": variables,
                }
                out["smoke"][f"{chain.name}/{check.name}"] = definition_digest(definition)
    if inputs.parity is not None:
        out["parity"] = {case.name: definition_digest(case.to_dict()) for case in inputs.parity.cases}
    return out


def report_doc(
    loaded: LoadedConfig,
    run_id: str,
    results: dict[str, PhaseResult],
    verdict: Verdict,
    started_at: dt.datetime,
    duration_s: float,
    *,
    definitions: dict[str, dict[str, str]],
    signal_name: str | None,
    kept_up: bool,
    implementations: dict[str, dict[str, str]] | None = None,
) -> RunDocument:
    """The run document (docs/phase-data.md); ``files`` is filled in on writing.

    ``definitions`` is :func:`definition_hashes` of the parsed inputs: what ran, even if a
    file was edited while it ran."""
    from paritygate import __version__

    parity = results.get("parity")
    parity_cfg = loaded.model.parity
    return RunDocument(
        paritygate_version=__version__,
        run_id=run_id,
        project=loaded.model.name,
        config=str(loaded.path),
        demo=loaded.is_demo,
        tracker=str(loaded.resolve(parity_cfg.tracker)) if parity_cfg is not None else None,
        started_at=iso(started_at),
        finished_at=iso(utc_now()),
        duration_s=round(duration_s, 3),
        verdict=verdict.verdict,
        reasons=verdict.reasons,
        warnings=verdict.warnings,
        interrupted=signal_name is not None,
        signal=signal_name,
        kept_up=kept_up,
        tally=parity.parity.tally if parity is not None and parity.parity else None,
        # as report.json keeps them, so a run's reports read the same now and re-rendered later
        phases={
            p: dataclasses.replace(results[p], duration_s=round(results[p].duration_s, 4))
            for p in PHASES
            if p in results
        },
        definitions=definitions,
        implementations={name: Implementation(**info) for name, info in (implementations or {}).items()},
    )


def write_and_record(doc: RunDocument, run_dir: Path, history_path: Path) -> list[Path]:
    """Write every file of the run directory from ``doc`` and record the run in the history."""
    from paritygate.history import HistoryStore, snapshot_from_report
    from paritygate.reports.run_files import write_run_reports

    files = write_run_reports(run_dir, doc)
    with HistoryStore.open(history_path) as store:
        store.record(snapshot_from_report(doc, str(run_dir)))
    return files
