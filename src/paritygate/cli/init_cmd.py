"""``paritygate init``: scaffold a project that passes ``paritygate check`` and runs."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from paritygate.cli.common import console
from paritygate.errors import UsageError
from paritygate.gauntlet.scaffold import ServiceSpec, parse_service, scaffold

__all__ = ["init"]


def _ask() -> list[ServiceSpec]:
    """On a terminal: one service per prompt pair, an empty name ends."""
    console.print("One implementation per service; {port} in a command is its free port.", markup=False)
    specs: list[ServiceSpec] = []
    while True:
        name = click.prompt(
            f"service {len(specs) + 1} name (empty to finish)", default="", show_default=False
        )
        if not name.strip():
            return specs
        command = click.prompt(f"command of {name.strip()}", default="", show_default=False)
        specs.append(parse_service(f"{name.strip()}={command}"))


@click.command()
@click.option(
    "--service",
    "services",
    multiple=True,
    metavar="NAME=COMMAND",
    help='An implementation, e.g. a="python3 -m http.server {port}" (repeat; at least two).',
)
@click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    help="Project directory (default: the current one).",
)
def init(services: tuple[str, ...], directory: Path) -> int:
    """Scaffold paritygate.toml, smoke and cases files, a decisions tracker and .paritygate/.gitignore.

    Refuses to overwrite any of them. Without --service, asks on a terminal."""
    if services:
        specs = [parse_service(s) for s in services]
    elif sys.stdin.isatty():
        specs = _ask()
    else:
        raise UsageError("no --service NAME=COMMAND given (and stdin is not a terminal to ask on)")
    written = scaffold(directory, specs)
    for path in written:
        console.print(f"wrote {path}", markup=False)
    console.print("next: `paritygate check`, then `paritygate run`", markup=False)
    return 0
