"""``paritygate history`` (recent runs, flaky cases, regressions) and ``paritygate diff A B``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
import orjson
from rich import box
from rich.table import Table

from paritygate.cli.common import config_option, console, json_option, load_for_command
from paritygate.core.escaping import one_line
from paritygate.history import (
    HistoryStore,
    RunDiff,
    RunSnapshot,
    diff_runs,
    flaky_cases,
    implementation_changes,
    regressions,
    snapshot_from_report,
)

__all__ = ["diff", "history"]


def _history_path(config_path: Path | None, quiet: bool) -> Path:
    loaded = load_for_command(config_path, quiet=quiet)
    return loaded.project_path(loaded.model.run.history)


def _counts(run: RunSnapshot, phase: str) -> str:
    info = run.phases.get(phase)
    if info is None or info.status == "skipped":
        return "-"
    c = info.counts
    if phase == "smoke":
        return f"{c.get('passed', '?')}/{c.get('total', '?')} pass"
    if phase == "parity":
        return (
            f"{c.get('body_match', '?')} match, {c.get('body_diff', '?')} diff, {c.get('new_classes', 0)} new"
        )
    if phase == "review" and c.get("dry_run"):
        return f"dry run, {c.get('bundles', '?')} bundle(s)"
    if phase == "review" and "findings" in c:
        return f"{info.status}, {c['findings']} finding(s), {c.get('block', 0)} block"
    return info.status


@click.command()
@config_option
@click.option(
    "-n", "limit", type=click.IntRange(min=1), default=10, show_default=True, help="How many recent runs."
)
@json_option
def history(config_path: Path | None, limit: int, as_json: bool) -> int:
    """Recent runs, FLAKY cases (outcome changed, definition and implementations did not),
    CHANGED implementations and REGRESSIONS (a divergence class that was fixed and came back)."""
    path = _history_path(config_path, as_json)
    with HistoryStore.open(path) as store:
        runs = store.recent(limit)
    flaky, back, changed = flaky_cases(runs), regressions(runs), implementation_changes(runs)
    if as_json:
        doc = {
            "history": str(path),
            "runs": [r.to_dict() for r in reversed(runs)],
            "flaky": [f.to_dict() for f in flaky],
            "implementation_changes": [c.to_dict() for c in changed],
            "regressions": [r.to_dict() for r in back],
        }
        click.echo(orjson.dumps(doc, option=orjson.OPT_INDENT_2).decode())
        return 0
    if not runs:
        console.print(f"no runs recorded yet in {path}; run `paritygate run`", markup=False)
        return 0
    # The run id is its UTC start time, so it doubles as the "when" column.
    table = Table(box=box.SIMPLE_HEAD, title=f"last {len(runs)} run(s) · {path}", title_justify="left")
    table.add_column("run", no_wrap=True)
    table.add_column("verdict", no_wrap=True)
    for name in ("smoke", "parity", "review"):
        table.add_column(name)
    for run in reversed(runs):
        verdict = run.verdict + (" (interrupted)" if run.interrupted else "")
        table.add_row(
            run.run_id, verdict, _counts(run, "smoke"), _counts(run, "parity"), _counts(run, "review")
        )
    console.print(table)
    console.print(f"FLAKY: {len(flaky)} case(s)" + (":" if flaky else ""), markup=False)
    for f in flaky:
        seq = ", ".join(f"{o} ({r})" for r, o in f.outcomes)
        console.print(
            f"  FLAKY {f.phase}/{f.name}: {seq}; definition ({f.definition_hash}) and implementations unchanged",
            markup=False,
        )
    console.print(f"CHANGED implementations: {len(changed)}" + (":" if changed else ""), markup=False)
    for c in changed:
        console.print(
            f"  CHANGED {c.service} in {c.run_id}: fingerprint {c.before} -> {c.after}", markup=False
        )
    console.print(f"REGRESSIONS: {len(back)}" + (":" if back else ""), markup=False)
    for r in back:
        console.print(
            f"  REGRESSION {r.key}{f' ({r.title})' if r.title else ''}: fixed in {r.fixed_in} ({r.how}), back in {r.reappeared_in}",
            markup=False,
        )
    return 0


def _snapshot(ref: str, store: HistoryStore) -> RunSnapshot:
    """A run id, latest/previous, or a run directory (recorded or not)."""
    candidate = Path(ref)
    if candidate.is_dir() and (candidate / "report.json").is_file():
        from paritygate.reports.run_json import read_report

        return snapshot_from_report(read_report(candidate), str(candidate.resolve()))
    return store.get(store.resolve(ref))


def _print_diff(result: RunDiff, names: tuple[str, str] = ("", "")) -> None:
    a = f"{names[0]} ({result.a})" if names[0] and names[0] != result.a else result.a
    b = f"{names[1]} ({result.b})" if names[1] and names[1] != result.b else result.b
    console.print(f"diff A -> B: from {a} to {b}", markup=False)
    a_verdict, b_verdict = result.verdict
    console.print(
        f"verdict: {a_verdict}" + (f" -> {b_verdict}" if a_verdict != b_verdict else " (unchanged)"),
        markup=False,
    )
    sections: list[tuple[str, list[Any]]] = [
        ("new divergences", result.new),
        ("fixed divergences", result.fixed),
        ("changed divergences", result.changed),
    ]
    for title, rows in sections:
        console.print(f"{title}: {len(rows)}", markup=False)
        for row in rows:
            console.print(
                one_line(
                    f"  {row.key}: {row.before} -> {row.after}" + (f"  ({row.title})" if row.title else "")
                ),
                markup=False,
            )
    console.print(f"changed case outcomes: {len(result.cases)}", markup=False)
    for case in result.cases:
        note = "  (definition changed)" if case.definition_changed else ""
        console.print(
            one_line(f"  {case.phase}/{case.name}: {case.before} -> {case.after}{note}"), markup=False
        )
    if result.empty:
        console.print("no differences", markup=False)


@click.command()
@click.argument("run_a")
@click.argument("run_b")
@config_option
@json_option
def diff(run_a: str, run_b: str, config_path: Path | None, as_json: bool) -> int:
    """What changed from RUN_A to RUN_B: new, fixed and changed divergences, changed case outcomes.

    Each run is a run id (see `paritygate history`), `latest`, `previous`, or a run directory.
    """
    path = _history_path(config_path, True)
    with HistoryStore.open(path) as store:
        a, b = _snapshot(run_a, store), _snapshot(run_b, store)
    result = diff_runs(a, b)
    if as_json:
        click.echo(orjson.dumps(result.to_dict(), option=orjson.OPT_INDENT_2).decode())
    else:
        _print_diff(result, (run_a, run_b))
        if a.started_at and b.started_at and b.started_at < a.started_at:
            console.print("  (B is older than A: this reads backwards in time)", markup=False)
    return 0
