"""The state file ``<state_dir>/stack.json``: what a running stack is made of, for a later shell.

It is written atomically after every spawn (before readiness), so even a ``stack up``
killed with SIGKILL leaves enough behind for ``stack down``. Nothing in it is
trusted: each entry is checked against /proc (pid + start time) before use.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import orjson

from paritygate.core.fs import atomic_write_bytes
from paritygate.errors import StackError
from paritygate.stack.processes import Group, classify

__all__ = [
    "SCHEMA",
    "STATE_FILE",
    "ServiceRecord",
    "StackState",
    "read_state",
    "remove_state",
    "state_path",
    "write_state",
]

STATE_FILE = "stack.json"
SCHEMA = "paritygate.stack-state/1"


@dataclass(slots=True)
class ServiceRecord:
    name: str
    pid: int
    pgid: int
    start_ticks: int  # /proc/<pid>/stat field 22: tells a reused pid apart
    port: int | None
    base_url: str | None
    log_path: str
    command: list[str]
    stop_signal: str
    grace_period: float
    depends_on: list[str] = field(default_factory=list)
    ready_s: float | None = None  # seconds from up() until ready; None while waiting
    stack_id: str | None = None  # the environment mark of its processes (stack.processes)

    def group(self) -> Group:
        return Group(
            self.name, self.pid, self.start_ticks, self.stop_signal, self.grace_period, stack_id=self.stack_id
        )

    def liveness(self) -> tuple[str, str]:
        return classify(self.group())


@dataclass(slots=True)
class StackState:
    config: str
    started_at: str  # ISO 8601, UTC
    owner_pid: int  # the process that ran `stack up`
    detached: bool = False
    services: dict[str, ServiceRecord] = field(default_factory=dict)  # in start order

    def to_json(self) -> bytes:
        doc = {"schema": SCHEMA, **asdict(self)}
        return orjson.dumps(doc, option=orjson.OPT_INDENT_2)


def state_path(state_dir: Path) -> Path:
    return state_dir / STATE_FILE


def write_state(state_dir: Path, state: StackState) -> None:
    atomic_write_bytes(state_path(state_dir), state.to_json())


def _parse(raw: dict[str, Any]) -> StackState:
    if raw.get("schema") != SCHEMA:
        raise ValueError(f"schema is {raw.get('schema')!r}, expected {SCHEMA!r}")
    services = {
        str(name): ServiceRecord(**{**rec, "command": list(rec["command"])})
        for name, rec in dict(raw["services"]).items()
    }
    for rec in services.values():
        if not isinstance(rec.pid, int) or not isinstance(rec.start_ticks, int) or rec.pid <= 1:
            raise ValueError(f"service {rec.name!r}: bad pid or start_ticks")
        grace = rec.grace_period
        if isinstance(grace, bool) or not isinstance(grace, int | float) or not 0 <= grace <= 3600:
            raise ValueError(f"service {rec.name!r}: grace_period {grace!r} is not a number of seconds")
        if rec.pgid != rec.pid:  # we only ever record group leaders; never signal anything else
            raise ValueError(f"service {rec.name!r}: pgid {rec.pgid} is not its pid {rec.pid}")
    return StackState(
        config=str(raw["config"]),
        started_at=str(raw["started_at"]),
        owner_pid=int(raw["owner_pid"]),
        detached=bool(raw.get("detached", False)),
        services=services,
    )


def read_state(state_dir: Path) -> StackState | None:
    """The state file of ``state_dir``, or None when there is none."""
    path = state_path(state_dir)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise StackError(f"cannot read stack state {path}: {exc.strerror or exc}") from None
    try:
        return _parse(orjson.loads(data))
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
        raise StackError(
            f"stack state {path} is unreadable ({exc})",
            hint="stop leftover services by hand if any, then delete the file",
        ) from None


def remove_state(state_dir: Path, *, owner_pid: int | None = None, started_at: str | None = None) -> None:
    """Delete the state file; with owner/started_at, only if it is still the one we wrote."""
    path = state_path(state_dir)
    if owner_pid is not None:
        try:
            current = read_state(state_dir)
        except StackError:
            return
        if current is None or current.owner_pid != owner_pid or current.started_at != started_at:
            return
    path.unlink(missing_ok=True)
