"""Working with a stack started elsewhere (``--detach``, or a ``stack up`` that was killed).

Everything here reads the state file and checks each entry against /proc first;
a dead or reused pid is reported, never signalled.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from paritygate.config import LoadedConfig
from paritygate.core.models import Endpoint
from paritygate.errors import StackError
from paritygate.stack.events import StackEvent
from paritygate.stack.processes import stop_levels
from paritygate.stack.state import StackState, read_state, remove_state, state_path

__all__ = ["ServiceStatus", "live_services", "load_running", "status", "stop_running"]


@dataclass(slots=True)
class ServiceStatus:
    name: str
    state: str  # "running" | "dead" (its processes are gone) | "stale" (the pid belongs to someone else now)
    pid: int
    base_url: str | None
    log_path: str
    ready_s: float | None  # seconds from `stack up` until ready; None if it never got ready
    detail: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "state": self.state,
            "pid": self.pid,
            "base_url": self.base_url,
            "log_path": self.log_path,
            "ready_s": self.ready_s,
            "detail": self.detail,
        }


def _statuses(state: StackState) -> list[ServiceStatus]:
    out = []
    for rec in state.services.values():
        live, detail = rec.liveness()
        out.append(ServiceStatus(rec.name, live, rec.pid, rec.base_url, rec.log_path, rec.ready_s, detail))
    return out


def status(loaded: LoadedConfig, state_dir: Path | None = None) -> list[ServiceStatus]:
    """One entry per service of the state file ([] when there is no state file)."""
    state = read_state(state_dir or loaded.state_dir)
    return [] if state is None else _statuses(state)


def live_services(state_dir: Path) -> list[ServiceStatus]:
    """The services of the state file that still have live processes."""
    state = read_state(state_dir)
    return [] if state is None else [s for s in _statuses(state) if s.state == "running"]


def load_running(loaded: LoadedConfig, state_dir: Path | None = None) -> dict[str, Endpoint]:
    """Endpoints of a running (e.g. detached) stack; StackError if there is none or it is stale."""
    directory = state_dir or loaded.state_dir
    state = read_state(directory)
    if state is None:
        raise StackError(
            f"no running stack: no state file at {state_path(directory)}",
            hint="start one with `paritygate stack up --detach`",
        )
    problems = []
    for st in _statuses(state):
        if st.state != "running":
            problems.append(f"{st.name} is {st.state} ({st.detail})")
        elif st.ready_s is None:
            problems.append(f"{st.name} (pid {st.pid}) never became ready")
    if problems:
        raise StackError(
            f"the stack recorded in {state_path(directory)} is not usable: {'; '.join(problems)}",
            hint="run `paritygate stack down` to clear it, then `paritygate stack up --detach`",
        )
    return {
        rec.name: Endpoint(rec.name, rec.base_url, Path(rec.log_path))
        for rec in state.services.values()
        if rec.base_url is not None
    }


def stop_running(
    loaded: LoadedConfig,
    state_dir: Path | None = None,
    *,
    on_event: Callable[[StackEvent], None] | None = None,
) -> list[str]:
    """What ``stack down`` does: stop every live group of the state file, drop the file.

    Returns one line per recorded service saying what happened to it ([] when there
    is no state file, so calling it twice is harmless).
    """
    directory = state_dir or loaded.state_dir
    state = read_state(directory)
    if state is None:
        return []
    started = time.monotonic()

    failures: dict[str, str] = {}

    def emit(service: str, kind: str, detail: str) -> None:
        if kind == "failed":
            failures[service] = detail
        if on_event is not None:
            on_event(StackEvent(service, kind, round(time.monotonic() - started, 4), detail))

    records = list(state.services.values())
    details = {st.name: st.detail for st in _statuses(state)}
    outcome = stop_levels(
        [rec.group() for rec in records], {rec.name: rec.depends_on for rec in records}, emit
    )
    lines = []
    for rec in records:
        result = outcome.get(rec.name, "stale")
        if result in ("dead", "stale"):
            lines.append(f"{rec.name}: {result} entry dropped ({details[rec.name]})")
        elif result == "killed":
            lines.append(
                f"{rec.name}: killed (pid {rec.pid} ignored {rec.stop_signal} for {rec.grace_period}s)"
            )
        elif result == "failed":
            lines.append(
                f"{rec.name}: could not be stopped: {failures.get(rec.name, f'pid {rec.pid}')};"
                " see `paritygate stack status`"
            )
        else:
            lines.append(f"{rec.name}: stopped (pid {rec.pid})")
    if "failed" not in outcome.values():
        remove_state(directory)
    return lines
