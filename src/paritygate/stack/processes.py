"""Process groups: start a service in its own group, tell whether a recorded one still lives, stop groups.

Every service runs in its own session (``start_new_session=True``), so its pid is
also its process-group id and one signal reaches everything it forked. A descendant
that calls ``setsid()`` (or double-forks into a new group) leaves that group, so every
service's environment is also marked with its stack id and name (``stack.plan``); the
processes whose ``/proc/<pid>/environ`` carries the mark are the service's too, even
after this process died (``stack down`` reads the stack id from the state file).

Stopping sends the service's stop signal to the group and to every marked process,
waits ``grace_period``, then SIGKILLs them; it is done only when none is left. One that
survives SIGKILL (stuck in the kernel) is named with its pid and command line.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass

from paritygate.errors import StackError
from paritygate.stack.plan import ServicePlan
from paritygate.stack.procinfo import command_line, group_members, marked_members, read_stat, stack_marker

__all__ = ["Group", "classify", "describe_pids", "members", "spawn", "stop_groups", "stop_levels"]

# After SIGKILL a process dies as soon as it leaves the kernel; only one stuck in
# uninterruptible I/O survives longer, and then we report it rather than hang.
_AFTER_KILL_S = 5.0
_POLL_S = 0.02

Emit = Callable[[str, str, str], None]  # (service, kind, detail)


@dataclass(slots=True)
class Group:
    """One service's process group, as started by us or as recorded in a state file."""

    name: str
    pid: int  # the leader; equal to the pgid
    start_ticks: int  # the leader's start time, to tell a reused pid apart
    stop_signal: str = "SIGTERM"
    grace_period: float = 5.0
    proc: subprocess.Popen[bytes] | None = None  # set when we are the parent (we must reap it)
    stack_id: str | None = None  # the environment mark of its processes (None: an old state file)

    @property
    def pgid(self) -> int:
        return self.pid


def members(group: Group) -> tuple[list[int], list[int]]:
    """(live members of the process group, live marked processes outside it)."""
    in_group = group_members(group.pgid, started_since=group.start_ticks)
    if group.stack_id is None:
        return in_group, []
    outside = marked_members(
        stack_marker(group.stack_id, group.name),
        started_since=group.start_ticks,
        exclude=frozenset(in_group),
    )
    return in_group, outside


def describe_pids(pids: list[int]) -> str:
    """``pid 12 (python3 worker.py), pid 13 (?)`` — what a user needs to find a process."""
    return ", ".join(f"pid {pid} ({command_line(pid) or '?'})" for pid in pids)


def spawn(plan: ServicePlan) -> Group:
    """Start the service with stdout+stderr into its log file (truncated), stdin closed."""
    plan.log_path.parent.mkdir(parents=True, exist_ok=True)
    with plan.log_path.open("wb") as log:
        try:
            proc = subprocess.Popen(
                plan.command,
                cwd=plan.cwd,
                env=plan.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        except OSError as exc:
            what = exc.filename if exc.filename is not None else plan.command[0]
            raise StackError(
                f"cannot start service {plan.name!r}: {exc.strerror or exc}: {what}",
                hint=f"check services.{plan.name}.command and services.{plan.name}.cwd",
            ) from None
    stat = read_stat(proc.pid)
    return Group(
        name=plan.name,
        pid=proc.pid,
        start_ticks=stat.start_ticks if stat is not None else 0,
        stop_signal=plan.config.stop_signal,
        grace_period=plan.config.grace_period,
        proc=proc,
        stack_id=plan.stack_id,
    )


def classify(group: Group) -> tuple[str, str]:
    """("running" | "dead" | "stale", detail). "stale": the pid now belongs to someone else."""
    stat = read_stat(group.pid)
    if stat is not None and stat.alive:
        if stat.start_ticks == group.start_ticks:
            return "running", ""
        return "stale", f"pid {group.pid} was reused by another process ({command_line(group.pid) or '?'})"
    # The kernel never hands out a pid still in use as a pgid, so live members are ours.
    in_group, outside = members(group)
    if in_group or outside:
        return "running", f"leader exited; {len(in_group) + len(outside)} of its process(es) still alive"
    return "dead", f"pid {group.pid} is gone"


def _signal(group: Group, signame: str) -> None:
    """The signal to the whole group and to each marked process that left it."""
    signum = getattr(signal, signame)
    in_group, outside = members(group)
    if in_group or (group.proc is not None and group.proc.returncode is None):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(group.pgid, signum)
    for pid in outside:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signum)


def _reap(group: Group) -> None:
    if group.proc is not None:
        group.proc.poll()


def _gone(group: Group) -> bool:
    _reap(group)
    in_group, outside = members(group)
    return not in_group and not outside


def stop_groups(groups: list[Group], emit: Emit) -> dict[str, str]:
    """Stop these groups together; outcome per name: stopped, killed, dead, stale or failed."""
    outcome: dict[str, str] = {}
    pending: list[tuple[Group, float]] = []
    for group in groups:
        state, _detail = classify(group)
        if state != "running":
            _reap(group)
            outcome[group.name] = state
            continue
        emit(group.name, "stopping", f"{group.stop_signal} to process group {group.pgid}")
        _signal(group, group.stop_signal)
        pending.append((group, time.monotonic() + group.grace_period))
    killed: set[str] = set()
    while pending:
        waiting = []
        for group, kill_at in pending:
            now = time.monotonic()
            if _gone(group):
                if group.name in killed:
                    outcome[group.name] = "killed"
                    emit(group.name, "killed", f"still running after {group.grace_period}s; SIGKILL")
                else:
                    outcome[group.name] = "stopped"
                    emit(group.name, "stopped", "")
            elif group.name not in killed and now >= kill_at:
                _signal(group, "SIGKILL")
                killed.add(group.name)
                waiting.append((group, now + _AFTER_KILL_S))
            elif group.name in killed and now >= kill_at:
                in_group, outside = members(group)
                outcome[group.name] = "failed"
                emit(group.name, "failed", f"{describe_pids(in_group + outside)} survived SIGKILL")
            else:
                waiting.append((group, kill_at))
        pending = waiting
        if pending:
            time.sleep(_POLL_S)
    for group in groups:
        if group.proc is not None and group.proc.returncode is None and outcome[group.name] != "failed":
            group.proc.wait()
    return outcome


def stop_levels(groups: list[Group], depends_on: dict[str, list[str]], emit: Emit) -> dict[str, str]:
    """Stop dependents before their dependencies; services of one level stop together.

    ``groups`` must be in dependency order (dependencies first).
    """
    names = [g.name for g in groups]
    rank: dict[str, int] = {}
    for name in reversed(names):
        dependents = [n for n in names if name in depends_on.get(n, [])]
        rank[name] = 1 + max((rank[d] for d in dependents), default=-1)
    outcome: dict[str, str] = {}
    for level in sorted(set(rank.values())):
        outcome.update(stop_groups([g for g in groups if rank[g.name] == level], emit))
    return outcome
