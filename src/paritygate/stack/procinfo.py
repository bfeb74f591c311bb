"""What Linux's /proc tells about processes: identity (pid + start time), groups, port holders.

A pid alone is not an identity: the kernel reuses pids. The pair (pid, start time in
clock ticks since boot, field 22 of ``/proc/<pid>/stat``) is, so the state file stores
both and every liveness check compares them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "ProcStat",
    "command_line",
    "group_members",
    "marked_members",
    "port_holders",
    "read_stat",
    "stack_marker",
]

_PROC = Path("/proc")
_TCP_TABLES = ("/proc/net/tcp", "/proc/net/tcp6")


@dataclass(slots=True, frozen=True)
class ProcStat:
    pid: int
    state: str  # "R", "S", "Z" (zombie), ...
    pgid: int
    start_ticks: int

    @property
    def alive(self) -> bool:
        # A zombie has exited; only its parent's wait() is missing.
        return self.state not in ("Z", "X")


def read_stat(pid: int) -> ProcStat | None:
    """The process's stat line, or None when no such process exists (or it is not visible)."""
    try:
        raw = (_PROC / str(pid) / "stat").read_text(encoding="utf-8", errors="replace")
    except (FileNotFoundError, ProcessLookupError, PermissionError, NotADirectoryError):
        return None
    # comm (field 2) may contain spaces and parentheses; everything after the last ")" is fixed.
    fields = raw[raw.rfind(")") + 2 :].split()
    try:
        return ProcStat(pid=pid, state=fields[0], pgid=int(fields[2]), start_ticks=int(fields[19]))
    except (IndexError, ValueError):
        return None


def command_line(pid: int) -> str:
    """The process's argv joined by spaces, or "" when not visible."""
    try:
        raw = (_PROC / str(pid) / "cmdline").read_bytes()
    except OSError:
        return ""
    return " ".join(part.decode("utf-8", "replace") for part in raw.split(b"\0") if part)


def _pids() -> list[int]:
    return [int(name) for name in os.listdir(_PROC) if name.isdigit()]


def group_members(pgid: int, *, started_since: int = 0) -> list[int]:
    """Live (non-zombie) processes of process group ``pgid`` that started at or after ``started_since``.

    Members of a group started by us cannot be older than its leader, so the start
    time filters out a foreign group that took over a reused pgid.
    """
    members = []
    for pid in _pids():
        st = read_stat(pid)
        if st is not None and st.pgid == pgid and st.alive and st.start_ticks >= started_since:
            members.append(pid)
    return members


# Every service's environment carries these two variables (see stack.plan); children inherit
# them through fork, exec and setsid(), so they find what left the process group.
STACK_ID_VAR = "PARITYGATE_STACK_ID"
SERVICE_VAR = "PARITYGATE_SERVICE"


def stack_marker(stack_id: str, service: str) -> tuple[bytes, bytes]:
    """The two ``NAME=value`` entries /proc/<pid>/environ holds for a process of this service."""
    return (f"{STACK_ID_VAR}={stack_id}".encode(), f"{SERVICE_VAR}={service}".encode())


def _environ_has(pid: int, marker: tuple[bytes, bytes]) -> bool:
    try:
        entries = (_PROC / str(pid) / "environ").read_bytes().split(b"\0")
    except OSError:  # gone, or not ours (another user's environ is unreadable)
        return False
    return marker[0] in entries and marker[1] in entries


def marked_members(
    marker: tuple[bytes, bytes], *, started_since: int, exclude: frozenset[int] = frozenset()
) -> list[int]:
    """Live processes whose environment carries ``marker`` and that started at or after ``started_since``.

    This finds a service's descendants that left its process group or session
    (``setsid()``, a double fork). The start-time filter keeps the scan cheap: only
    processes younger than the service's leader have their environment read.
    """
    found = []
    me = os.getpid()
    for pid in _pids():
        if pid == me or pid in exclude:
            continue
        st = read_stat(pid)
        if st is None or not st.alive or st.start_ticks < started_since:
            continue
        if _environ_has(pid, marker):
            found.append(pid)
    return found


def _listening_inodes(port: int) -> set[str]:
    inodes: set[str] = set()
    for table in _TCP_TABLES:
        try:
            lines = Path(table).read_text(encoding="ascii", errors="replace").splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            cols = line.split()
            if len(cols) < 10:
                continue
            local_port = int(cols[1].rsplit(":", 1)[1], 16)
            # inode 0: TIME_WAIT and similar sockets that no process owns any more
            if local_port == port and cols[9] != "0":
                inodes.add(cols[9])
    return inodes


def port_holders(port: int) -> list[tuple[int, str]]:
    """(pid, command line) of every visible process owning a TCP socket bound to ``port``.

    Empty when the owner is not visible to us (another user, another namespace).
    """
    wanted = {f"socket:[{inode}]" for inode in _listening_inodes(port)}
    if not wanted:
        return []
    holders: list[tuple[int, str]] = []
    for pid in _pids():
        fd_dir = _PROC / str(pid) / "fd"
        try:
            fds = os.listdir(fd_dir)
        except OSError:
            continue
        for fd in fds:
            try:
                target = os.readlink(fd_dir / fd)
            except OSError:
                continue
            if target in wanted:
                holders.append((pid, command_line(pid)))
                break
    return holders
