"""``paritygate init``: a new project's files, each one valid and passing ``paritygate check``.

Written: ``paritygate.toml`` (one service per implementation, free ports, TCP readiness),
``smoke.toml`` (one reachability check per service), ``cases.toml`` (one example case),
``DECISIONS.md`` (the decisions tracker with its empty table) and ``.paritygate/.gitignore``
(paritygate's state, logs and runs never get committed). Nothing is overwritten: when
any of these files exists, nothing is written at all.
"""

from __future__ import annotations

import re
import shlex
import tomllib
from dataclasses import dataclass
from pathlib import Path

import tomli_w

from paritygate.config.loader import parse_config
from paritygate.core.fs import atomic_write_text
from paritygate.errors import ConfigError, UsageError

__all__ = ["STATE_GITIGNORE", "ServiceSpec", "ensure_state_gitignore", "parse_service", "scaffold"]

STATE_GITIGNORE = "# paritygate's state, logs and runs: never committed\n*\n"
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")

TRACKER = """\
# Decisions

Divergences between the implementations and what was decided about them. `paritygate
run --record-decisions` adds an `_open_` row for each new divergence class; decide one with
`paritygate tracker accept KEY --note "..."`, `tracker fix KEY` or `tracker reopen KEY`.
Status is one of `_open_`, `accepted`, `fixed`.

| key | area | divergence | status | decision | evidence |
|---|---|---|---|---|---|
"""

CASES = """\
# Parity cases: every case is sent to every implementation at once and the answers compared.
# Format: method, path, query, headers, json or body, tags (select with `paritygate run --tag`).

[[cases]]
name = "root"
method = "GET"
path = "/"
tags = ["example"]
"""


@dataclass(slots=True, frozen=True)
class ServiceSpec:
    name: str
    command: list[str]


def parse_service(spec: str) -> ServiceSpec:
    """``NAME=COMMAND`` (the command split like a shell would, never run by one)."""
    name, sep, command = spec.partition("=")
    name = name.strip()
    if not sep or not _NAME.fullmatch(name):
        raise UsageError(
            f"--service {spec!r}: expected NAME=COMMAND with a NAME of letters, digits, - and _",
        )
    try:
        argv = shlex.split(command)
    except ValueError as exc:
        raise UsageError(f"--service {name}: cannot split the command ({exc})") from None
    if not argv:
        raise UsageError(f"--service {name}: the command is empty")
    return ServiceSpec(name, argv)


def _config_text(project: str, services: list[ServiceSpec]) -> str:
    doc: dict[str, object] = {
        "name": project,
        "services": {
            s.name: {"command": s.command, "port": 0, "ready": {"tcp": True}, "deadline": 30.0}
            for s in services
        },
        "smoke": {"file": "smoke.toml"},
        "parity": {"cases": "cases.toml", "tracker": "DECISIONS.md", "targets": [s.name for s in services]},
    }
    head = (
        "# paritygate config: docs in the README (Configuration reference).\n"
        "# {port} is the free port paritygate picks for each service.\n\n"
    )
    return head + tomli_w.dumps(doc)


def _smoke_text(services: list[ServiceSpec]) -> str:
    doc = {
        "chains": [
            {
                "name": "reachable",
                "checks": [
                    {
                        "name": f"root-{s.name}",
                        "target": s.name,
                        "path": "/",
                        "expect": {"status": [200, 204, 301, 302, 404]},
                    }
                    for s in services
                ],
            }
        ]
    }
    head = "# Smoke checks (docs/smoke.md): each service answers on / (any ordinary status).\n\n"
    return head + tomli_w.dumps(doc)


def ensure_state_gitignore(state_dir: Path) -> None:
    """A ``.gitignore`` of ``*`` in paritygate's state directory, unless one is there."""
    path = state_dir / ".gitignore"
    if not path.exists():
        atomic_write_text(path, STATE_GITIGNORE)


def scaffold(directory: Path, services: list[ServiceSpec]) -> list[Path]:
    """Write a new project's files into ``directory``; returns them. Refuses to overwrite."""
    if len(services) < 2:
        raise UsageError(
            "give at least two services (--service NAME=COMMAND): parity compares implementations"
        )
    names = [s.name for s in services]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise UsageError(f"service {twice[0]!r} given twice")
    files = {
        "paritygate.toml": _config_text(directory.resolve().name or "project", services),
        "smoke.toml": _smoke_text(services),
        "cases.toml": CASES,
        "DECISIONS.md": TRACKER,
        ".paritygate/.gitignore": STATE_GITIGNORE,
    }
    existing = [name for name in files if (directory / name).exists()]
    if existing:
        raise UsageError(
            f"refusing to overwrite {', '.join(existing)} in {directory}",
            hint="run `paritygate init` in a new directory, or move these files away",
        )
    config = directory / "paritygate.toml"
    try:
        parse_config(tomllib.loads(files["paritygate.toml"]), config)  # never write a config we reject
    except ConfigError as exc:
        raise UsageError(f"these services do not make a valid config: {exc.message}") from None
    written = []
    for name, text in files.items():
        atomic_write_text(directory / name, text)
        written.append(directory / name)
    return written
