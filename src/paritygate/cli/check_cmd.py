"""``paritygate check``: validate the config and show what would start, without starting anything."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
import orjson
from rich.table import Table

from paritygate.cli.common import config_option, console, json_option, load_for_command
from paritygate.config import LoadedConfig
from paritygate.gauntlet.preflight import RunInputs

__all__ = ["check"]


def _service_rows(loaded: LoadedConfig) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for name in loaded.order:
        svc = loaded.model.services[name]
        ready = svc.ready.model_dump(exclude_defaults=True) if svc.ready is not None else {}
        rows.append(
            {
                "name": name,
                "command": svc.command,
                "port": svc.port,
                "ready": ready,
                "depends_on": svc.depends_on,
            }
        )
    return rows


def _inputs_summary(inputs: RunInputs) -> list[str]:
    lines = []
    if inputs.smoke is not None:
        lines.append(f"smoke: {len(inputs.smoke.chains)} chain(s), {inputs.smoke.total} check(s)")
    if inputs.parity is not None:
        parity = inputs.parity
        lines.append(f"parity cases: {parity.cases_file}: {len(parity.cases)} case(s)")
        tracker = parity.tracker
        if tracker.table is not None:
            lines.append(f"tracker: {tracker.path}: {len(tracker.rows)} row(s)")
        else:
            lines.append(f"tracker: {tracker.path}: none yet (every divergence is new)")
    if inputs.fuzz is not None:  # what `fuzz` (and a run that selects it) generates from
        lines.append(f"fuzz: {inputs.fuzz.source}")
    return lines


@click.command()
@config_option
@json_option
def check(config_path: Path | None, as_json: bool) -> int:
    """Validate everything `run` reads: the config, its placeholders, every service's program
    on PATH, the smoke and cases files, the tracker and its table, the review template.
    Prints services, ports and dependency order. Starts nothing."""
    from paritygate.gauntlet import PHASES, check_inputs

    loaded = load_for_command(config_path, quiet=as_json)
    inputs = check_inputs(loaded, list(PHASES))
    checked = _inputs_summary(inputs)
    rows = _service_rows(loaded)
    if as_json:
        doc = {
            "config": str(loaded.path),
            "demo": loaded.is_demo,
            "order": loaded.order,
            "services": rows,
            "inputs": checked,
        }
        click.echo(orjson.dumps(doc, option=orjson.OPT_INDENT_2).decode())
        return 0
    suffix = " (bundled demo)" if loaded.is_demo else ""
    console.print(f"config: {loaded.path}{suffix}", markup=False)
    table = Table("#", "service", "port", "ready", "depends on", "command")
    for i, row in enumerate(rows, 1):
        port = row["port"]
        ready: dict[str, Any] = row["ready"]
        depends: list[str] = row["depends_on"]
        command: list[str] = row["command"]
        table.add_row(
            str(i),
            str(row["name"]),
            "free" if port == 0 else ("-" if port is None else str(port)),
            ", ".join(f"{k}={v}" for k, v in ready.items()) or "-",
            ", ".join(depends) or "-",
            " ".join(command),
        )
    console.print(table)
    for line in checked:
        console.print(f"  {line}", markup=False)
    order = " -> ".join(loaded.order) or "(none)"
    console.print(f"OK: {len(rows)} service(s), start order: {order}", markup=False)
    return 0
