"""``paritygate tracker``: the decisions tracker from the command line.

``migrate`` rewrites the keys of rows written before classes were keyed by cause
(``POST /v1/validate·shape·tagged-enum~flat-kind·5d06913e`` → ``mapping·tagged-enum~flat-kind``),
every other byte of the file unchanged.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
import orjson

from paritygate.cli.common import config_option, console, load_for_command
from paritygate.config.phases import ParityConfig
from paritygate.core.jsondoc import DocumentError
from paritygate.core.parity_doc import ParityDocument
from paritygate.errors import ConfigError

__all__ = ["tracker"]


@click.group()
def tracker() -> None:
    """Inspect and edit the decisions tracker."""


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
@click.option(
    "--tracker", "tracker_path", type=click.Path(dir_okay=False, path_type=Path), help="Decisions tracker."
)
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
