"""``paritygate tracker``: the decisions tracker from the command line.

``list`` shows the rows; ``accept``, ``fix`` and ``reopen`` change one row's status (a
key with no row yet gets one, from the class of the latest run). Each edit is one
atomic write of the table's row, merged with whatever the file holds at that moment.
``migrate`` rewrites the keys of rows written before classes were keyed by cause
(``POST /v1/validate·shape·tagged-enum~flat-kind·5d06913e`` → ``mapping·tagged-enum~flat-kind``),
every other byte of the file unchanged.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import click
import orjson
from rich.table import Table

from paritygate.cli.common import config_option, console, json_option, load_for_command, tracker_option
from paritygate.config.phases import ParityConfig
from paritygate.core.jsondoc import DocumentError
from paritygate.core.parity_doc import ParityDocument
from paritygate.errors import ConfigError
from paritygate.gauntlet.decide import decide, load_tracker
from paritygate.phases.parity import DecisionRow

__all__ = ["tracker"]


@click.group()
def tracker() -> None:
    """Inspect and edit the decisions tracker: list, accept, fix, reopen, migrate."""


def _state(row: DecisionRow, today: date) -> str:
    if row.expired(today):
        return f"accepted (expired {row.expires})"
    return row.status


@tracker.command("list")
@config_option
@json_option
@click.option(
    "--status",
    "statuses",
    multiple=True,
    type=click.Choice(["_open_", "accepted", "fixed", "expired"]),
    help="Only rows with this status (repeatable).",
)
def list_rows(config_path: Path | None, as_json: bool, statuses: tuple[str, ...]) -> int:
    """The tracker's rows: key, status (expired acceptances marked), owner, ticket, decision."""
    loaded = load_for_command(config_path, quiet=as_json)
    found = load_tracker(loaded)
    today = date.today()
    rows = [
        r
        for r in found.rows
        if not statuses or r.status in statuses or ("expired" in statuses and r.expired(today))
    ]
    if as_json:
        doc = {
            "tracker": str(found.path),
            "rows": [{**r.to_dict(), "line": r.line, "expired": r.expired(today)} for r in rows],
        }
        click.echo(orjson.dumps(doc, option=orjson.OPT_INDENT_2).decode())
        return 0
    console.print(f"tracker: {found.path} ({len(found.rows)} row(s))", markup=False)
    if not rows:
        console.print("no rows", markup=False)
        return 0
    table = Table("line", "key", "status", "owner", "ticket", "decision")
    for r in rows:
        table.add_row(
            str(r.line), r.key, _state(r, today), r.owner or "-", r.ticket or "-", r.decision or "-"
        )
    console.print(table)
    return 0


def _decision_options(func: Any) -> Any:
    for option in (
        click.option("--owner", default=None, help="Who owns the decision."),
        click.option("--ticket", default=None, help="The ticket that tracks it."),
        click.option(
            "--run",
            "run_dir",
            type=click.Path(file_okay=False, exists=True, path_type=Path),
            default=None,
            help="Run directory to take a new key's class from (default: the latest run).",
        ),
        config_option,
    ):
        func = option(func)
    return func


def _report(row: DecisionRow) -> int:
    extra = "".join(
        f", {name} {value}"
        for name, value in (("owner", row.owner), ("ticket", row.ticket), ("expires", row.expires))
        if value
    )
    console.print(f"{row.key}: {row.status} (line {row.line}{extra}): {row.decision}", markup=False)
    return 0


@tracker.command()
@click.argument("key")
@click.option("--note", required=True, help="Why this divergence is acceptable (the decision cell).")
@click.option("--expires", default=None, metavar="YYYY-MM-DD", help="After this date the class blocks again.")
@_decision_options
def accept(
    key: str,
    note: str,
    expires: str | None,
    owner: str | None,
    ticket: str | None,
    run_dir: Path | None,
    config_path: Path | None,
) -> int:
    """Accept KEY: its class becomes a known gap (ship-with-known-gap), until --expires."""
    loaded = load_for_command(config_path)
    row = decide(
        loaded, key, "accepted", note=note, owner=owner, ticket=ticket, expires=expires, run_dir=run_dir
    )
    return _report(row)


@tracker.command()
@click.argument("key")
@click.option("--note", default=None, help="How it was fixed (the decision cell).")
@_decision_options
def fix(
    key: str,
    note: str | None,
    owner: str | None,
    ticket: str | None,
    run_dir: Path | None,
    config_path: Path | None,
) -> int:
    """Mark KEY fixed: if its class shows up again, that is a regression."""
    loaded = load_for_command(config_path)
    row = decide(loaded, key, "fixed", note=note, owner=owner, ticket=ticket, expires="", run_dir=run_dir)
    return _report(row)


@tracker.command()
@click.argument("key")
@click.option("--note", default=None, help="Why it is open again (the decision cell).")
@_decision_options
def reopen(
    key: str,
    note: str | None,
    owner: str | None,
    ticket: str | None,
    run_dir: Path | None,
    config_path: Path | None,
) -> int:
    """Reopen KEY as `_open_`: known but undecided (status classes still block)."""
    loaded = load_for_command(config_path)
    row = decide(loaded, key, "_open_", note=note, owner=owner, ticket=ticket, expires="", run_dir=run_dir)
    return _report(row)


def _run_classes(path: Path) -> list[dict[str, Any]]:
    """The classes of a finished run: PATH is a parity.json or a directory holding one."""
    file = path / "parity.json" if path.is_dir() else path
    try:
        raw = orjson.loads(file.read_bytes())
    except OSError as exc:
        raise ConfigError(f"cannot read the run's parity.json: {exc.strerror or exc}", file=file) from None
    except orjson.JSONDecodeError as exc:
        raise ConfigError(f"not JSON: {exc}", file=file) from None
    try:
        doc = ParityDocument.from_json(raw)
    except DocumentError as exc:
        raise ConfigError(exc.detail, file=file, key=exc.where) from None
    return [c.to_json() for c in doc.classes]


@tracker.command()
@config_option
@tracker_option
@click.option(
    "--run",
    "run_path",
    type=click.Path(exists=True, path_type=Path),
    help="A finished run (its directory or parity.json) whose classes tell the new keys apart.",
)
@click.option("--dry-run", is_flag=True, help="Say what would change; write nothing.")
def migrate(config_path: Path | None, tracker_path: Path | None, run_path: Path | None, dry_run: bool) -> int:
    """Rewrite tracker keys of the old format to the keys classes have now.

    Exit 0 when no old-format key is left, 1 when some could not be decided (each named
    with its candidates: edit those by hand, or pass --run with a run that shows them)."""
    from paritygate.phases.parity.tracker_keys import migrate_tracker

    loaded = load_for_command(config_path)
    cfg = loaded.model.parity or ParityConfig()
    path = tracker_path or loaded.resolve(cfg.tracker)
    classes = _run_classes(run_path) if run_path is not None else []
    result = migrate_tracker(path, classes, dry_run=dry_run)
    verb = "would rewrite" if dry_run else "rewrote"
    for item in result.migrated:
        console.print(f"{path}:{item.row.line}: {verb} `{item.row.key}` → `{item.likely[0]}`", markup=False)
    for item in result.left:
        console.print(f"{path}:{item.row.line}: {item.message}", markup=False)
    if not result.migrated and not result.left:
        console.print(f"{path}: no key in the old format", markup=False)
    return 1 if result.left else 0
