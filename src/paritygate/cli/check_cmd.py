"""``paritygate check``: validate the config and show what would start, without starting anything."""

from __future__ import annotations

from pathlib import Path

import click
import orjson
from rich.table import Table

from paritygate.cli.common import config_option, console, json_option, load_for_command

__all__ = ["check"]


@click.command()
@config_option
@json_option
def check(config_path: Path | None, as_json: bool) -> int:
    """Validate paritygate.toml; print services, ports and dependency order. Starts nothing."""
    loaded = load_for_command(config_path, quiet=as_json)
    services = loaded.model.services
    rows = [
        {
            "name": name,
            "command": services[name].command,
            "port": services[name].port,
            "ready": services[name].ready.model_dump(exclude_defaults=True) if services[name].ready else None,
            "depends_on": services[name].depends_on,
        }
        for name in loaded.order
    ]
    if as_json:
        doc = {"config": str(loaded.path), "demo": loaded.is_demo, "order": loaded.order, "services": rows}
        click.echo(orjson.dumps(doc, option=orjson.OPT_INDENT_2).decode())
        return 0
    console.print(f"config: {loaded.path}" + (" (bundled demo)" if loaded.is_demo else ""), markup=False)
    table = Table("#", "service", "port", "ready", "depends on", "command")
    for i, row in enumerate(rows, 1):
        port = row["port"]
        ready = row["ready"] or {}
        table.add_row(
            str(i),
            str(row["name"]),
            "free" if port == 0 else ("-" if port is None else str(port)),
            ", ".join(f"{k}={v}" for k, v in ready.items()) or "-",
            ", ".join(row["depends_on"]) or "-",
            " ".join(row["command"]),
        )
    console.print(table)
    console.print(f"OK: {len(rows)} service(s), start order: {' -> '.join(loaded.order) or '(none)'}", markup=False)
    return 0
