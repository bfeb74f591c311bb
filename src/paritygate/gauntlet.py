"""``paritygate run`` as a library call.

stack up → smoke → parity → review → assess → stack down, writing one run directory
(report.md, report.html, report.json, junit.xml, logs/ and the phases' own files) and
recording the run in the history database. Whatever happens — a service that dies, a
target that never answers, Ctrl-C or SIGTERM — the stack is taken down and what was
finished is written; the verdict then says block and why.

The phases are imported lazily, so this module (and ``paritygate --help``) stays cheap.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import shutil
import signal
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import orjson

from paritygate.config.loader import LoadedConfig
from paritygate.core.models import Endpoint, Finding, FindingKind, PhaseResult, PhaseStatus
from paritygate.errors import ConfigError, ParitygateError, UsageError
from paritygate.phases.assess import Verdict, assess

if TYPE_CHECKING:
    from paritygate.stack import Stack, StackEvent

__all__ = [
    "PHASES",
    "ProgressEvent",
    "RunResult",
    "definition_hashes",
    "reassess_run",
    "reclassify_parity",
    "run_gauntlet",
    "select_phases",
]

PHASES: tuple[str, ...] = ("stack", "smoke", "parity", "review")

ProgressState = Literal["start", "done", "skipped", "info"]


@dataclass(slots=True, frozen=True)
class ProgressEvent:
    phase: str  # a phase name, "assess" or "report"
    state: ProgressState
    message: str
    status: PhaseStatus | None = None


@dataclass(slots=True)
class RunResult:
    run_id: str
    run_dir: Path
    verdict: Verdict
    phases: dict[str, PhaseResult]
    report: dict[str, Any]  # the paritygate.report/1 document written to report.json
    files: list[Path] = field(default_factory=list)
    interrupted: bool = False
    kept_up: bool = False
    stop_hint: str | None = None  # how to stop a stack left up by --keep-up
    error_exit: int | None = None  # 2/3 when a phase failed on bad input or the environment
    stack: Stack | None = None  # the stack left up by ``keep_up``; ``stack.down()`` stops it

    @property
    def exit_code(self) -> int:
        return self.error_exit if self.error_exit is not None else self.verdict.exit_code


ProgressFn = Callable[[ProgressEvent], None]


def select_phases(loaded: LoadedConfig, only: Iterable[str] | None, skip: Iterable[str] | None) -> list[str]:
    """The phases to run, in gauntlet order; unknown names are a UsageError (exit 2).

    Without "stack" (``--skip stack``, or ``[run] phases`` without it) smoke and parity
    attach to a stack already running (``paritygate stack up --detach``)."""
    only_set = _phase_names(only, "--only")
    skip_set = _phase_names(skip, "--skip")
    if only_set:
        base = set(only_set)
        # `--only parity` still needs services to probe: the stack comes along unless skipped.
        if base & {"smoke", "parity"}:
            base.add("stack")
    else:
        base = set(loaded.model.run.phases)
    return [p for p in PHASES if p in base and p not in skip_set]


def _phase_names(values: Iterable[str] | None, option: str) -> set[str]:
    names: set[str] = set()
    for value in values or ():
        for name in value.split(","):
            name = name.strip()
            if not name:
                continue
            if name not in PHASES:
                raise UsageError(f"{option}: unknown phase {name!r} (expected: {', '.join(PHASES)})")
            names.add(name)
    return names


class _Interrupt:
    """Turns SIGINT/SIGTERM into KeyboardInterrupt while phases run; remembers which signal came."""

    def __init__(self) -> None:
        self.signal_name: str | None = None
        self._saved: dict[signal.Signals, Any] = {}

    def _raise(self, signum: int, _frame: object) -> None:
        self.signal_name = signal.Signals(signum).name
        raise KeyboardInterrupt(self.signal_name)

    def _note(self, signum: int, _frame: object) -> None:
        # While tearing down and writing reports a second signal must not cut the report short.
        self.signal_name = self.signal_name or signal.Signals(signum).name

    @contextlib.contextmanager
    def installed(self) -> Iterator[None]:
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        for sig in (signal.SIGINT, signal.SIGTERM):
            self._saved[sig] = signal.signal(sig, self._raise)
        try:
            yield
        finally:
            for sig, old in self._saved.items():
                signal.signal(sig, old)

    def shield(self) -> None:
        if self._saved:
            for sig in self._saved:
                signal.signal(sig, self._note)


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _iso(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _allocate_run_dir(loaded: LoadedConfig, out_dir: Path | None, taken: set[str]) -> tuple[str, Path]:
    stamp = _utc_now().strftime("%Y%m%dT%H%M%SZ")
    base = loaded.project_path(loaded.model.run.out_dir)
    for n in range(1, 1000):
        run_id = stamp if n == 1 else f"{stamp}-{n}"
        if run_id in taken:
            continue
        if out_dir is not None:
            out_dir.mkdir(parents=True, exist_ok=True)
            return run_id, out_dir.resolve()
        path = base / run_id
        try:
            path.mkdir(parents=True, exist_ok=False)
        except FileExistsError:
            continue
        return run_id, path.resolve()
    raise UsageError(f"cannot allocate a run directory under {base}")


def _skipped(phase: str, why: str) -> PhaseResult:
    return PhaseResult(phase, PhaseStatus.SKIPPED, why)


def _errored(phase: str, exc: BaseException, started: float) -> PhaseResult:
    if isinstance(exc, ParitygateError):
        error = str(exc)
    else:
        # A bug in a phase must still leave a report; keep the innermost frames as evidence.
        frames = traceback.format_exception(exc, limit=-3)
        error = f"internal error {type(exc).__name__}: {exc}\n{''.join(frames[-3:])}".rstrip()
    first = error.splitlines()[0] if error else type(exc).__name__
    return PhaseResult(
        phase,
        PhaseStatus.ERROR,
        f"error: {first}",
        findings=[Finding(FindingKind.PHASE_ERROR, phase, error)],
        duration_s=time.perf_counter() - started,
        error=error,
    )


def _stack_result(endpoints: Mapping[str, Endpoint], started: float) -> PhaseResult:
    services = [
        {"name": ep.name, "url": ep.base_url, "log": f"logs/{ep.name}.log" if ep.log_path else None}
        for ep in endpoints.values()
    ]
    took = time.perf_counter() - started
    return PhaseResult(
        "stack",
        PhaseStatus.PASSED,
        f"{len(services)} service(s) up in {took:.2f}s",
        data={"schema": "paritygate.stack/1", "services": services},
        duration_s=took,
    )


def _digest(value: Any) -> str:
    return hashlib.sha256(orjson.dumps(value, option=orjson.OPT_SORT_KEYS, default=str)).hexdigest()[:16]


def definition_hashes(loaded: LoadedConfig) -> dict[str, dict[str, str]]:
    """A short hash of each smoke check's and parity case's definition (name -> hash), so the
    history can tell a flaky case (same definition, other outcome) from an edited one.
    A file that cannot be read contributes nothing (its phase reports the problem)."""
    out: dict[str, dict[str, str]] = {"smoke": {}, "parity": {}}
    smoke = loaded.model.smoke
    if smoke is not None:
        from paritygate.config.smoke import load_smoke_file

        with contextlib.suppress(ParitygateError):
            chains, variables = list(smoke.chains), dict(smoke.vars)
            if smoke.file is not None:
                smoke_file = load_smoke_file(loaded.resolve(smoke.file))
                chains += smoke_file.chains
                variables.update(smoke_file.vars)
            out["smoke"] = {
                f"{chain.name}/{check.name}": _digest(
                    {"chain": chain.name, "check": check.model_dump(mode="json"), "vars": variables}
                )
                for chain in chains
                for check in chain.checks
            }
    parity = loaded.model.parity
    if parity is not None and parity.cases:
        from paritygate.probe.cases import load_cases

        with contextlib.suppress(ParitygateError):
            out["parity"] = {
                case.name: _digest(case.to_dict()) for case in load_cases(loaded.resolve(parity.cases))
            }
    return out


class _Runner:
    """One run's state: which phases ran, the stack, and whether a signal cut it short."""

    def __init__(self, loaded: LoadedConfig, run_dir: Path, keep_up: bool, emit: ProgressFn) -> None:
        self.loaded = loaded
        self.run_dir = run_dir
        self.keep_up = keep_up
        self.emit = emit
        self.results: dict[str, PhaseResult] = {}
        self.endpoints: dict[str, Endpoint] = {}
        self.stack: Stack | None = None
        self.current: str | None = None
        self.error_exit: int | None = None
        self.started_wall = time.time()

    def run_phase(self, name: str, body: Callable[[], PhaseResult]) -> None:
        self.current = name
        self.emit(ProgressEvent(name, "start", f"{name}: running"))
        started = time.perf_counter()
        try:
            result = body()
        except ParitygateError as exc:
            result = _errored(name, exc, started)
            if exc.exit_code > 1:
                self.error_exit = max(self.error_exit or 0, exc.exit_code)
        except Exception as exc:  # a crashing phase must still leave a report
            result = _errored(name, exc, started)
            self.error_exit = 3
        if not result.duration_s:
            result.duration_s = time.perf_counter() - started
        self.results[name] = result
        self.current = None
        self.emit(ProgressEvent(name, "done", result.summary, result.status))

    def skip(self, name: str, why: str) -> None:
        self.results[name] = _skipped(name, why)
        self.emit(ProgressEvent(name, "skipped", why, PhaseStatus.SKIPPED))

    # -- the phases -------------------------------------------------------------------------------

    def stack_up(self) -> PhaseResult:
        from paritygate.stack import Stack

        started = time.perf_counter()
        self.stack = Stack(self.loaded, state_dir=self.loaded.state_dir, on_event=self._stack_event)
        timeout = self.loaded.model.stack.timeout
        if self.keep_up:
            self.endpoints = dict(self.stack.up(timeout=timeout, detach=True))
        else:
            self.endpoints = dict(self.stack.up(timeout=timeout))
        return _stack_result(self.endpoints, started)

    def attach(self) -> PhaseResult:
        """``--skip stack``: use a stack already running (``paritygate stack up --detach``)."""
        from paritygate.stack import load_running

        started = time.perf_counter()
        self.endpoints = dict(load_running(self.loaded))
        result = _stack_result(self.endpoints, started)
        result.summary = f"attached to a running stack ({len(self.endpoints)} service(s)); left running"
        return result

    def _stack_event(self, event: StackEvent) -> None:
        detail = f" {event.detail}" if event.detail else ""
        self.emit(ProgressEvent("stack", "info", f"{event.service}: {event.kind}{detail}"))

    def smoke(self) -> PhaseResult:
        from paritygate.phases.smoke import run_smoke

        return run_smoke(self.loaded, self.endpoints)

    def parity(self) -> PhaseResult:
        from paritygate.phases.parity import run_parity

        return run_parity(self.loaded, self.endpoints, out_dir=self.run_dir)

    def review(self) -> PhaseResult:
        from paritygate.phases.review import run_review

        return run_review(self.loaded, repo=self.loaded.project_dir, out_dir=self.run_dir)

    # -- teardown ---------------------------------------------------------------------------------

    def stack_down(self, *, stop: bool) -> None:
        if self.stack is not None and stop:
            try:
                self.stack.down()
            except ParitygateError as exc:
                self.emit(ProgressEvent("stack", "info", f"stack down: {exc}"))
                self.error_exit = max(self.error_exit or 0, exc.exit_code)
        self._copy_logs()

    def _copy_logs(self) -> None:
        logs = self.run_dir / "logs"
        logs.mkdir(exist_ok=True)
        for name in self.loaded.order:
            endpoint = self.endpoints.get(name)
            if endpoint is not None and endpoint.log_path is not None:
                source = endpoint.log_path
            elif self.stack is not None:
                source = self.stack.log_dir / f"{name}.log"
            else:
                continue
            # A service that did not start this time may have an old log lying there: leave it out.
            with contextlib.suppress(OSError):
                if source.stat().st_mtime >= self.started_wall - 1:
                    shutil.copyfile(source, logs / f"{name}.log")


def run_gauntlet(
    loaded: LoadedConfig,
    *,
    out_dir: Path | None = None,
    only: Iterable[str] | None = None,
    skip: Iterable[str] | None = None,
    keep_up: bool = False,
    on_progress: ProgressFn | None = None,
) -> RunResult:
    """Run the whole gauntlet and write its run directory. No service is left running unless
    ``keep_up`` (then the stack stays detached and ``RunResult.stop_hint`` says how to stop it);
    a signal (SIGINT/SIGTERM) stops the stack and still writes what was finished."""
    from paritygate.history import HistoryStore

    selected = select_phases(loaded, only, skip)
    history_path = loaded.project_path(loaded.model.run.history)
    with HistoryStore.open(history_path) as store:  # a newer or broken DB fails before anything starts
        taken = store.run_ids()
    run_id, run_dir = _allocate_run_dir(loaded, out_dir, taken)
    emit = on_progress or (lambda _event: None)
    emit(ProgressEvent("run", "info", f"{run_id}, writing to {run_dir}"))
    started_at = _utc_now()
    clock = time.perf_counter()
    runner = _Runner(loaded, run_dir, keep_up, emit)
    interrupt = _Interrupt()
    with interrupt.installed():
        try:
            try:
                _run_phases(runner, selected)
            finally:
                interrupt.shield()  # from here on a signal is only noted: teardown and reports must finish
        except KeyboardInterrupt:
            interrupt.signal_name = interrupt.signal_name or "SIGINT"
        signal_name = interrupt.signal_name
        if signal_name is not None:
            _mark_interrupted(runner, selected, signal_name)
        stop = not keep_up or signal_name is not None
        runner.stack_down(stop=stop)
        kept_up = runner.stack is not None and not stop
        verdict = assess(
            [runner.results[p] for p in PHASES if p in runner.results],
            loaded.model.assess,
            interrupted=signal_name is not None,
        )
        doc = _report_doc(
            loaded,
            run_id,
            run_dir,
            runner.results,
            verdict,
            started_at,
            time.perf_counter() - clock,
            interrupted=signal_name is not None,
            signal_name=signal_name,
            kept_up=kept_up,
        )
        files = _write_and_record(doc, run_dir, history_path, emit)
    return RunResult(
        run_id,
        run_dir,
        verdict,
        runner.results,
        doc,
        files,
        interrupted=signal_name is not None,
        kept_up=kept_up,
        stop_hint=_stop_hint(loaded) if kept_up else None,
        error_exit=runner.error_exit,
        stack=runner.stack if kept_up else None,
    )


def _run_phases(runner: _Runner, selected: list[str]) -> None:
    loaded = runner.loaded
    needs_stack = any(p in selected for p in ("smoke", "parity"))
    if "stack" in selected:
        runner.run_phase("stack", runner.stack_up)
    elif needs_stack:
        runner.run_phase("stack", runner.attach)
    else:
        runner.skip("stack", "not selected")
    stack_ok = runner.results["stack"].status is PhaseStatus.PASSED
    sections = {"smoke": loaded.model.smoke, "parity": loaded.model.parity}
    bodies = {"smoke": runner.smoke, "parity": runner.parity}
    for phase in ("smoke", "parity"):
        if phase not in selected:
            runner.skip(phase, "not selected")
        elif sections[phase] is None:
            runner.skip(phase, f"no [{phase}] section in {loaded.path.name}")
        elif not stack_ok:
            runner.skip(phase, "not run: the stack did not come up (see the stack phase)")
        else:
            runner.run_phase(phase, bodies[phase])
    if "review" not in selected:
        runner.skip("review", "not selected")
    elif loaded.model.review is None:
        runner.skip(
            "review",
            f"skipped: no [review] section in {loaded.path.name}; add [review] and [[review.reviewers]]"
            " to enable it (docs/review.md)",
        )
    else:
        runner.run_phase("review", runner.review)


def _mark_interrupted(runner: _Runner, selected: list[str], signal_name: str) -> None:
    for phase in PHASES:
        if phase in runner.results:
            continue
        if phase == runner.current:
            result = _skipped(phase, f"interrupted by {signal_name} while running")
            result.error = "interrupted"
            runner.results[phase] = result
        elif phase in selected:
            runner.results[phase] = _skipped(phase, f"not reached: run interrupted by {signal_name}")
        else:
            runner.results[phase] = _skipped(phase, "not selected")
    runner.emit(
        ProgressEvent("run", "info", f"interrupted by {signal_name}: stopping the stack, writing the report")
    )


def _stop_hint(loaded: LoadedConfig) -> str:
    config = "" if loaded.is_demo else f" --config {loaded.path}"
    return f"paritygate stack down{config}"


def _report_doc(
    loaded: LoadedConfig,
    run_id: str,
    run_dir: Path,
    results: dict[str, PhaseResult],
    verdict: Verdict,
    started_at: dt.datetime,
    duration_s: float,
    *,
    interrupted: bool,
    signal_name: str | None,
    kept_up: bool,
) -> dict[str, Any]:
    from paritygate import __version__
    from paritygate.reports.run_json import REPORT_SCHEMA

    parity = results.get("parity")
    parity_cfg = loaded.model.parity
    return {
        "schema": REPORT_SCHEMA,
        "paritygate_version": __version__,
        "run_id": run_id,
        "project": loaded.model.name,
        "config": str(loaded.path),
        "demo": loaded.is_demo,
        "tracker": str(loaded.resolve(parity_cfg.tracker)) if parity_cfg is not None else None,
        "started_at": _iso(started_at),
        "finished_at": _iso(_utc_now()),
        "duration_s": round(duration_s, 3),
        **verdict.to_dict(),
        "interrupted": interrupted,
        "signal": signal_name,
        "kept_up": kept_up,
        "tally": parity.data.get("tally") if parity is not None else None,
        "phases": {p: results[p].to_dict() for p in PHASES if p in results},
        "definitions": definition_hashes(loaded),
        "files": {},  # filled in by write_run_reports
    }


def _write_and_record(doc: dict[str, Any], run_dir: Path, history_path: Path, emit: ProgressFn) -> list[Path]:
    from paritygate.history import HistoryStore, snapshot_from_report
    from paritygate.reports.run_files import write_run_reports

    files = write_run_reports(run_dir, doc)
    emit(ProgressEvent("report", "done", f"wrote {run_dir}"))
    with HistoryStore.open(history_path) as store:
        store.record(snapshot_from_report(doc, str(run_dir)))
    return files


def reassess_run(run_dir: Path, loaded: LoadedConfig) -> RunResult:
    """``paritygate assess DIR``: recompute a finished run's verdict without re-probing.

    Parity classes are re-read against the tracker as it is NOW (so adding or removing a
    row flips known/new), the ``[assess]`` policy of ``loaded`` is applied, and the run's
    reports and history entry are rewritten."""
    from paritygate.reports.run_json import read_report

    doc = read_report(run_dir)
    results = {name: PhaseResult.from_dict(raw) for name, raw in doc["phases"].items()}
    parity_cfg = loaded.model.parity
    if "parity" in results and parity_cfg is not None and results["parity"].status is not PhaseStatus.SKIPPED:
        tracker_path = loaded.resolve(parity_cfg.tracker)
        results["parity"] = reclassify_parity(results["parity"], tracker_path, source=run_dir / "report.json")
        doc["tracker"] = str(tracker_path)
    interrupted = bool(doc.get("interrupted"))
    verdict = assess([results[p] for p in results], loaded.model.assess, interrupted=interrupted)
    doc.update(verdict.to_dict())
    doc["phases"] = {name: result.to_dict() for name, result in results.items()}
    doc["reassessed_at"] = _iso(_utc_now())
    history_path = loaded.project_path(loaded.model.run.history)
    files = _write_and_record(doc, run_dir, history_path, lambda _e: None)
    return RunResult(
        str(doc["run_id"]),
        run_dir,
        verdict,
        results,
        doc,
        files,
        interrupted=interrupted,
    )


def reclassify_parity(result: PhaseResult, tracker_path: Path, *, source: Path | None = None) -> PhaseResult:
    """The parity result with every class marked known/new against the tracker file as it is
    now, the tracker's active rows no class matched listed as ``fixed``, and the findings,
    status and summary derived again from that document (as the parity phase derives them)."""
    from paritygate.phases.parity.document import findings_from, status_from, summary_from
    from paritygate.phases.parity.tracker import read_tracker

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
