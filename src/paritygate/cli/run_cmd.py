"""``paritygate run`` (the whole gauntlet) and ``paritygate assess DIR`` (re-judge a finished run)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
import orjson
from rich.console import Console
from rich.status import Status

from paritygate.cli.common import (
    case_selection_options,
    config_option,
    console,
    err_console,
    json_option,
    load_for_command,
    out_option,
)
from paritygate.cli.console import PIPED_WIDTH
from paritygate.config import LoadedConfig, load_config
from paritygate.core.escaping import keep_lines
from paritygate.core.models import PhaseStatus
from paritygate.gauntlet import PHASES, ProgressEvent, RunResult, reassess_run, run_gauntlet
from paritygate.phases.assess import VerdictKind

__all__ = ["assess", "run"]

_MARKS = {
    PhaseStatus.PASSED: ("✓", "green"),
    PhaseStatus.FAILED: ("✗", "red"),
    PhaseStatus.ERROR: ("!", "red"),
    PhaseStatus.SKIPPED: ("-", "yellow"),
}
_VERDICT_STYLE = {"ship": "bold green", "ship-with-known-gap": "bold yellow", "block": "bold red"}


class Progress:
    """One line per finished phase; a live spinner for the running one when stdout is a terminal."""

    def __init__(self, out: Console) -> None:
        self.out = out
        self.live = out.is_terminal
        self.status: Status | None = None

    def __call__(self, event: ProgressEvent) -> None:
        if event.state == "start":
            self._spin(f"{event.phase}: running…")
        elif event.state == "info":
            if self.live and self.status is not None:
                self.status.update(f"{event.phase}: {event.message}")
            elif not self.live:
                self.out.print(f"  {event.phase}: {keep_lines(event.message)}", markup=False, highlight=False)
        else:
            self.stop()
            mark, colour = _MARKS[event.status] if event.status is not None else ("✓", "green")
            label = f"{event.phase:<7} {event.status.value if event.status else event.state:<8}"
            if self.live:
                self.out.print(f"[{colour}]{mark}[/] {label} ", end="")
                self.out.print(keep_lines(event.message), markup=False, highlight=False)
            else:
                self.out.print(f"{mark} {label} {keep_lines(event.message)}", markup=False, highlight=False)

    def _spin(self, text: str) -> None:
        if not self.live:
            self.out.print(f"… {keep_lines(text)}", markup=False, highlight=False)
            return
        self.stop()
        self.status = Status(text, console=self.out)
        self.status.start()

    def stop(self) -> None:
        if self.status is not None:
            self.status.stop()
            self.status = None


def _exit_code(result: RunResult, strict: bool) -> int:
    if strict and result.error_exit is None and result.verdict.verdict is VerdictKind.SHIP_WITH_KNOWN_GAP:
        return 1
    return result.exit_code


def _summary_json(result: RunResult, exit_code: int) -> dict[str, Any]:
    return {
        "run_id": result.run_id,
        "run_dir": str(result.run_dir),
        **result.verdict.to_json(),
        "interrupted": result.interrupted,
        "kept_up": result.kept_up,
        "stop_hint": result.stop_hint,
        "files": [str(p) for p in result.files],
        "exit_code": exit_code,
    }


def print_summary(result: RunResult, out: Console) -> None:
    from paritygate.reports.refs import reason_line

    verdict = result.verdict.verdict.value
    out.print()
    style = _VERDICT_STYLE.get(verdict, "bold")
    if out.width >= PIPED_WIDTH:  # piped: a rule would be as wide as the no-limit layout
        out.print(f"[{style}]== verdict: {verdict.upper()} ==[/]")
    else:
        out.rule(f"[{style}]verdict: {verdict.upper()}[/]")
    if result.interrupted:
        out.print(f"run interrupted ({result.report.signal}); the stack was stopped", markup=False)
    if result.verdict.reasons:
        out.print("reasons:")
        for reason in result.verdict.reasons:
            out.print(f"  {reason_line(reason)}", markup=False)
    else:
        out.print("reasons: none; every phase that ran passed")
    if result.verdict.warnings:
        out.print("warnings:")
        for warning in result.verdict.warnings:
            out.print(f"  {reason_line(warning)}", markup=False)
    out.print(f"run dir: {result.run_dir}", markup=False)
    out.print("files:")
    for path in result.files:
        name = f"{path.name}/" if path.is_dir() else path.name
        extra = ""
        if path.is_dir():
            extra = " (" + (", ".join(sorted(p.name for p in path.iterdir())) or "empty") + ")"
        out.print(f"  {name}{extra}", markup=False)
    if result.kept_up and result.stop_hint:
        out.print(f"the stack is still running (--keep-up); stop it with: {result.stop_hint}", markup=False)


def _finish(result: RunResult, *, strict: bool, as_json: bool) -> int:
    """Print the run's summary (JSON on stdout, or the human one) and return the exit code."""
    code = _exit_code(result, strict)
    if as_json:
        click.echo(orjson.dumps(_summary_json(result, code), option=orjson.OPT_INDENT_2).decode())
    else:
        print_summary(result, console)
    return code


@click.command()
@config_option
@out_option
@click.option(
    "--only",
    multiple=True,
    metavar="PHASES",
    help=f"Run only these phases (comma-separated: {','.join(PHASES)}).",
)
@click.option(
    "--skip",
    multiple=True,
    metavar="PHASES",
    help="Skip these phases (--skip stack: use a stack already running).",
)
@click.option(
    "--keep-up", is_flag=True, help="Leave the stack running (detached) afterwards; prints how to stop it."
)
@click.option("--strict", is_flag=True, help="Exit 1 for ship-with-known-gap too.")
@click.option(
    "--record-decisions",
    is_flag=True,
    help="Append an _open_ tracker row for each new divergence class (creates the tracker if needed).",
)
@case_selection_options
@json_option
def run(
    config_path: Path | None,
    out_dir: Path | None,
    only: tuple[str, ...],
    skip: tuple[str, ...],
    keep_up: bool,
    strict: bool,
    record_decisions: bool,
    tags: tuple[str, ...],
    case_names: tuple[str, ...],
    as_json: bool,
) -> int:
    """Run the whole gauntlet: stack up, smoke, parity, review, assess, stack down.

    Writes report.md, report.html, report.json, junit.xml and logs/ into one run
    directory (default .paritygate/runs/<UTC timestamp>/). Exit 0 for ship and
    ship-with-known-gap, 1 for block, 2 for a usage or config error, 3 when the
    environment failed (a service did not come up).
    """
    loaded = load_for_command(config_path, quiet=as_json)
    progress = Progress(err_console if as_json else console)
    try:
        result = run_gauntlet(
            loaded,
            out_dir=out_dir,
            only=only,
            skip=skip,
            keep_up=keep_up,
            on_progress=progress,
            record_decisions=record_decisions,
            tags=tags,
            case_names=case_names,
        )
    finally:
        progress.stop()
    return _finish(result, strict=strict, as_json=as_json)


def _config_for_run(config_path: Path | None, run_dir: Path) -> LoadedConfig:
    """The config a finished run is re-judged with: --config, else the one it ran with."""
    if config_path is not None:
        return load_for_command(config_path)
    from paritygate.reports.run_json import read_report

    doc = read_report(run_dir)
    recorded = Path(doc.config)
    if not doc.demo and doc.config and recorded.is_file():
        return load_config(recorded)
    return load_for_command(None)


@click.command()
@click.argument("run_dir", type=click.Path(file_okay=False, exists=True, path_type=Path))
@config_option
@click.option("--strict", is_flag=True, help="Exit 1 for ship-with-known-gap too.")
@json_option
def assess(run_dir: Path, config_path: Path | None, strict: bool, as_json: bool) -> int:
    """Recompute the verdict of a finished run from its report.json, without re-probing.

    Parity classes are matched against the decisions tracker as it is now, so adding or
    removing a tracker row changes the verdict. report.* in RUN_DIR are rewritten.
    """
    loaded = _config_for_run(config_path, run_dir)
    return _finish(reassess_run(run_dir.resolve(), loaded), strict=strict, as_json=as_json)
