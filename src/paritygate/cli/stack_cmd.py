"""``paritygate stack up|down|status|logs``: phase 1 from the command line.

``stack up`` in the foreground stops everything on Ctrl-C, SIGTERM or when a service
dies; ``--detach`` leaves the stack running and ``stack down`` (any later shell)
stops it from the state file.
"""

from __future__ import annotations

import contextlib
import time
from pathlib import Path
from typing import Any

import click
import orjson
from rich.table import Table
from rich.text import Text

from paritygate.cli.common import config_option, console, err_console, json_option, load_for_command
from paritygate.config import LoadedConfig
from paritygate.errors import StackError, UsageError
from paritygate.stack import (
    ServiceStatus,
    Stack,
    StackEvent,
    log_dir_of,
    log_file,
    log_tail,
    status,
    stop_running,
)
from paritygate.stack.signals import Interrupted, SignalGuard

__all__ = ["stack"]

_STYLES = {
    "starting": "cyan",
    "ready": "green",
    "failed": "bold red",
    "stopping": "yellow",
    "stopped": "dim",
    "killed": "red",
}
_WATCH_INTERVAL_S = 0.25  # how often the foreground stack looks for a service that died


def _stopping_notice(signum: int) -> None:
    err_console.print("stopping the stack; please wait", markup=False)


def _print_event(event: StackEvent) -> None:
    """One progress line per event, on stderr (stdout stays clean for --json)."""
    timing = f" {event.elapsed_s:.2f}s" if event.kind in ("ready", "stopped", "killed") else ""
    detail = f"  {event.detail}" if event.detail else ""
    if console.is_terminal:
        line = Text(f"{event.service:<16}", style="bold")
        line.append(f"{event.kind}{timing}", style=_STYLES.get(event.kind, ""))
        line.append(detail, style="dim")
        err_console.print(line)
    else:
        click.echo(f"{event.service}: {event.kind}{timing}{detail}", err=True)


def _state_dir_option(func: Any) -> Any:
    return click.option(
        "--state-dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="Where the state file and logs live (default: [stack] state_dir of the config).",
    )(func)


def _services_table(rows: list[ServiceStatus], *, with_state: bool) -> Table:
    table = Table("service", *(["state"] if with_state else []))
    table.add_column("URL", overflow="fold")
    table.add_column("pid")
    table.add_column("ready")
    table.add_column("log", overflow="fold")  # a path cut short is useless; wrap it instead
    for row in rows:
        ready = f"{row.ready_s:.2f}s" if row.ready_s is not None else "-"
        state = [row.state + (f" ({row.detail})" if row.detail else "")] if with_state else []
        table.add_row(row.name, *state, row.base_url or "-", str(row.pid), ready, row.log_path)
    return table


def _doc(state_dir: Path, rows: list[ServiceStatus], **extra: object) -> str:
    doc = {"state_dir": str(state_dir), **extra, "services": [r.to_dict() for r in rows]}
    return orjson.dumps(doc, option=orjson.OPT_INDENT_2).decode()


@click.group()
def stack() -> None:
    """Bring the services up, inspect them, take them down."""


@stack.command()
@config_option
@click.option("--detach", is_flag=True, help="Leave the stack running and return once it is ready.")
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    help="Seconds the whole stack may take to get ready (default: [stack] timeout).",
)
@_state_dir_option
@json_option
def up(
    config_path: Path | None, detach: bool, timeout: float | None, state_dir: Path | None, as_json: bool
) -> int:
    """Start every service in dependency order and wait until all are ready.

    In the foreground the stack runs until Ctrl-C or SIGTERM, then everything stops.
    """
    loaded = load_for_command(config_path, quiet=as_json)
    directory = state_dir or loaded.state_dir
    for old in status(loaded, directory):
        if old.state != "running":
            err_console.print(f"ignoring stale state of {old.name}: {old.detail}", markup=False)
    guard = SignalGuard(on_repeat=_stopping_notice)

    def on_event(event: StackEvent) -> None:
        if event.kind in ("failed", "stopping"):
            guard.disarm()  # teardown has begun; let it finish
        _print_event(event)

    runner = Stack(loaded, state_dir=directory, on_event=on_event)
    with guard:
        try:
            runner.up(timeout=timeout, detach=detach)
        except Interrupted:
            err_console.print("interrupted before the stack was ready; everything started was stopped")
            return 3
        try:
            rows = status(loaded, directory)
            if as_json:
                click.echo(_doc(directory, rows, detached=detach))
            else:
                console.print(_services_table(rows, with_state=False))
            if detach:
                if not as_json:
                    console.print("detached; stop it with `paritygate stack down`", markup=False)
                return 0
            if not as_json:
                console.print("stack is up; press Ctrl-C to stop it", markup=False)
            return _watch(runner)
        except Interrupted:
            return 0
        finally:
            if not detach:
                guard.disarm()
                runner.down()


def _watch(runner: Stack) -> int:
    """Wait for a signal; a service dying on its own ends the foreground stack with exit 3."""
    while True:
        exited = runner.exited()
        if exited:
            died = ", ".join(f"{name} (exit code {code})" for name, code in exited.items())
            err_console.print(f"error: service exited: {died}; stopping the stack", markup=False)
            return 3
        time.sleep(_WATCH_INTERVAL_S)


@stack.command()
@config_option
@_state_dir_option
def down(config_path: Path | None, state_dir: Path | None) -> int:
    """Stop a running (e.g. detached) stack from its state file, dependents first."""
    loaded = load_for_command(config_path)
    directory = state_dir or loaded.state_dir
    lines = stop_running(loaded, directory, on_event=_print_event)
    if not lines:
        console.print(f"no stack state in {directory}; nothing to stop", markup=False)
        return 0
    for line in lines:
        console.print(line, markup=False)
    return 3 if any("could not be stopped" in line for line in lines) else 0


@stack.command("status")
@config_option
@_state_dir_option
@json_option
def status_cmd(config_path: Path | None, state_dir: Path | None, as_json: bool) -> int:
    """Show each recorded service: running, dead or stale. Exit 1 unless all are running."""
    loaded = load_for_command(config_path, quiet=as_json)
    directory = state_dir or loaded.state_dir
    rows = status(loaded, directory)
    all_running = bool(rows) and all(r.state == "running" for r in rows)
    if as_json:
        click.echo(_doc(directory, rows, running=all_running))
    elif not rows:
        console.print(f"no stack is running (no state file in {directory})", markup=False)
    else:
        console.print(_services_table(rows, with_state=True))
    return 0 if all_running else 1


def _log_path(loaded: LoadedConfig, directory: Path, name: str) -> Path:
    recorded = {row.name: row.log_path for row in status(loaded, directory)}
    if name in recorded:
        return Path(recorded[name])
    if name not in loaded.model.services:
        known = ", ".join(sorted(loaded.model.services)) or "none"
        raise UsageError(f"unknown service {name!r} (services: {known})")
    return log_file(log_dir_of(directory), name)


@stack.command()
@config_option
@_state_dir_option
@click.argument("name")
@click.option(
    "-n",
    "--lines",
    "count",
    type=click.IntRange(min=0),
    default=50,
    show_default=True,
    help="Lines to print.",
)
@click.option("--follow", "-f", is_flag=True, help="Keep printing new lines until Ctrl-C.")
def logs(config_path: Path | None, state_dir: Path | None, name: str, count: int, follow: bool) -> int:
    """Print the last lines of a service's log (stdout and stderr together)."""
    loaded = load_for_command(config_path)
    path = _log_path(loaded, state_dir or loaded.state_dir, name)
    if not path.is_file():
        raise StackError(f"no log for service {name!r} at {path}", hint="start it with `paritygate stack up`")
    for line in log_tail(path, count) if count else []:
        click.echo(line)
    if follow:
        with contextlib.suppress(KeyboardInterrupt):
            _follow(path)
    return 0


def _follow(path: Path) -> None:
    """Print what is appended to ``path``; start over when a new run truncates it."""
    with path.open("rb") as fh:
        fh.seek(0, 2)
        while True:
            chunk = fh.read()
            if chunk:
                click.echo(chunk.decode("utf-8", "replace"), nl=False)
                continue
            if path.stat().st_size < fh.tell():
                fh.seek(0)
            time.sleep(_WATCH_INTERVAL_S)
